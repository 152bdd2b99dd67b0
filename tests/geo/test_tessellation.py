"""Schematic cells: exact cover of the parent (equal-area measure), no overlaps, no gaps,
non-empty, deterministic, urban units small and central."""

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from geo.projection import to_local
from geo.tessellation import (
    AREA_RTOL,
    is_urban_township,
    is_urban_village,
    seed_for,
    tessellate,
)
from queries.geography import units_frame

# Vertices every ~20 m before projecting: stored edges are straight in lon/lat.
DENSE = 0.0002


def _local(geoms):
    return to_local(shapely.segmentize(np.asarray(geoms, dtype=object), DENSE))


def _check_partition(parent, cells):
    geoms = np.asarray(cells, dtype=object)
    assert all(g.geom_type == "MultiPolygon" and not g.is_empty and g.is_valid for g in cells)
    # A valid coverage: no two cells share area, and shared edges match vertex for vertex.
    assert shapely.coverage_is_valid(geoms)
    union = shapely.coverage_union_all(geoms)
    # Areas in the equal-area projection: the cells add up to the parent, and to their union.
    p, u = _local([parent, union])
    total = shapely.area(_local(geoms)).sum()
    assert abs(total - p.area) < AREA_RTOL * p.area
    assert abs(total - u.area) < AREA_RTOL * p.area  # no overlap
    # No gap and nothing outside, compared in the stored coordinates (projecting adds
    # micrometre slivers along the outline that are not in the data).
    assert shapely.area(shapely.symmetric_difference(parent, union)) < AREA_RTOL * parent.area


@pytest.fixture(scope="module")
def stored(engine, geography):
    return {level: units_frame(engine, level) for level in ("county", "township", "village")}


@pytest.mark.parametrize("parent_level, child_level", [("county", "township"),
                                                        ("township", "village")])
def test_cells_partition_every_parent(stored, parent_level, child_level):
    parents = stored[parent_level].set_index("code").geometry
    children = stored[child_level]
    assert set(children["parent_code"]) == set(parents.index)
    for code, group in children.groupby("parent_code"):
        _check_partition(parents[code], list(group.geometry))


def test_streets_are_small_and_central(stored):
    towns = stored["township"]
    towns = towns[towns["county_code"] == "430602"].copy()
    towns["urban"] = towns["code"].map(is_urban_township)
    km2 = shapely.area(_local(towns.geometry))
    district = stored["county"].set_index("code").geometry["430602"]
    centre = shapely.get_coordinates(shapely.maximum_inscribed_circle(district, 0.001))[0]
    centroids = shapely.get_coordinates(shapely.centroid(np.asarray(towns.geometry.values)))
    dist = np.hypot(*(centroids - centre).T)
    urban = towns["urban"].to_numpy()
    assert urban.sum() == 19 and (~urban).sum() == 6
    assert np.median(km2[~urban]) > 2.5 * np.median(km2[urban])
    assert np.median(dist[urban]) < np.median(dist[~urban])


def test_communities_smaller_than_villages_across_the_city(stored):
    v = stored["village"].copy()
    v["urban"] = v["code"].map(is_urban_village)
    v["km2"] = shapely.area(_local(v.geometry)) / 1e6
    ratios = [g.loc[~g.urban, "km2"].mean() / g.loc[g.urban, "km2"].mean()
              for _, g in v.groupby("parent_code") if g.urban.any() and (~g.urban).any()]
    assert len(ratios) > 50
    assert np.median(ratios) > 3 and min(ratios) > 1


def test_deterministic_for_a_seed():
    parent = shapely.MultiPolygon([shapely.box(113.0, 29.0, 113.2, 29.1)])
    urban = [True, True, False, False, False]
    a = tessellate(parent, urban, seed_for("430602001"))
    b = tessellate(parent, urban, seed_for("430602001"))
    c = tessellate(parent, urban, seed_for("430602002"))
    assert all(x.equals_exact(y, 0) for x, y in zip(a, b, strict=True))
    assert not all(x.equals(y) for x, y in zip(a, c, strict=True))


def test_concave_parent_has_no_empty_or_split_cells():
    # A thin U: straight Voronoi/power edges cross the bay and would cut cells in two.
    u = Polygon([(0, 0), (3, 0), (3, 3), (2.8, 3), (2.8, 0.2), (0.2, 0.2), (0.2, 3), (0, 3)])
    parent = shapely.affinity.translate(shapely.affinity.scale(u, 0.05, 0.05, origin=(0, 0)),
                                        113.0, 29.0)
    for n in (2, 3, 7, 12):
        for seed in range(5):
            cells = tessellate(parent, [i % 3 == 0 for i in range(n)], seed)
            assert len(cells) == n
            _check_partition(parent, cells)
            assert all(len(c.geoms) == 1 for c in cells)


def test_multipolygon_parent_with_an_island():
    parent = shapely.MultiPolygon([shapely.box(113.0, 29.0, 113.1, 29.1),
                                   shapely.box(113.15, 29.0, 113.16, 29.01)])
    cells = tessellate(parent, [False] * 6, 3)
    _check_partition(parent, cells)


def test_single_child_gets_the_whole_parent():
    parent = shapely.box(113.0, 29.0, 113.1, 29.1)
    (cell,) = tessellate(parent, [True], 1)
    assert cell.equals(parent)


def test_code_kinds():
    assert is_urban_township("430602001") and is_urban_township("430602099")
    assert not any(map(is_urban_township, ["430602100", "430602201", "430602402"]))
    assert is_urban_village("430602001001") and is_urban_village("430602100199")
    assert not any(map(is_urban_village, ["430602100200", "430602100399", "430602100401"]))
