"""load-boundaries against the real test database: a small file replaces township polygons,
redraws their schematic villages and re-assigns a located matter; bad files change nothing."""

from datetime import date

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import delete, insert, select

from cli.geography import load_boundaries
from geo.projection import from_local, to_local
from queries.geography import units_frame
from queries.schema import matter

A, B = "430602001", "430602002"  # 岳阳楼街道, 三眼桥街道
PREFIX = "GEO-TEST-"


def _add_matter(engine, no, point, township, village):
    with engine.begin() as conn:
        conn.execute(insert(matter).values(
            matter_no=PREFIX + no, registered_on=date(2026, 10, 1), category="urban_construction",
            row_hash="0" * 32, county_code="430602", township_code=township,
            village_code=village, geom=from_shape(point, srid=4326)))


def _matter_codes(engine, no):
    with engine.connect() as conn:
        return tuple(conn.execute(select(matter.c.township_code, matter.c.village_code)
                                  .where(matter.c.matter_no == PREFIX + no)).one())


@pytest.fixture
def matters(engine):
    yield
    with engine.begin() as conn:
        conn.execute(delete(matter).where(matter.c.matter_no.like(PREFIX + "%")))


def _snapshot(engine, level="township"):
    frame = units_frame(engine, level)
    return [(c, n, s, syn, g.wkb) for c, n, s, syn, g in
            zip(frame.code, frame.name, frame.source, frame.is_synthetic, frame.geometry,
                strict=True)]


def _invoke(path, *extra, level="township", code="XZQDM", name="XZQMC"):
    return CliRunner().invoke(load_boundaries, [str(path), "--level", level, "--code-field",
                                                code, "--name-field", name, *extra])


def test_small_file_replaces_townships_and_reassigns_a_matter(engine, geography, tmp_path,
                                                             matters, restore_geography):
    towns = units_frame(engine, "township", codes=[A, B]).set_index("code").geometry
    villages = units_frame(engine, "village")
    # A 300 m square well inside B's cell moves to A in the office's own boundaries.
    inner = to_local(towns[B]).buffer(-400)
    centre = inner.representative_point()
    square = from_local(shapely.box(centre.x - 150, centre.y - 150, centre.x + 150,
                                    centre.y + 150))
    point = from_local(centre)
    old_village = villages[villages.geometry.contains(point)]["code"].item()
    assert old_village.startswith(B)
    _add_matter(engine, "1", point, B, old_village)
    _add_matter(engine, "2", Point(0, 0), "430602003", None)  # outside every unit: kept
    with engine.begin() as conn:  # and one without a location: kept
        conn.execute(insert(matter).values(matter_no=PREFIX + "3", registered_on=date(2026, 10, 1),
                                           category="other", row_hash="1" * 32,
                                           township_code=B))
    new_a = shapely.union_all([towns[A], square])
    new_b = shapely.difference(towns[B], square)
    path = tmp_path / "office.geojson"
    gpd.GeoDataFrame({"XZQDM": [A, B], "XZQMC": ["岳阳楼街道（办公室）", ""]},
                     geometry=[new_a, new_b], crs="EPSG:4326").to_file(path)

    result = _invoke(path)
    assert result.exit_code == 0, result.output
    assert "2 township boundaries replaced, 136 still schematic" in result.output

    after = units_frame(engine, "township").set_index("code")
    assert shapely.equals_exact(after.geometry[A], shapely.MultiPolygon(
        list(getattr(new_a, "geoms", [new_a]))), 1e-12)
    assert after.geometry[B].equals(new_b)
    assert not after.at[A, "is_synthetic"] and "office.geojson" in after.at[A, "source"]
    assert after.at[A, "name"] == "岳阳楼街道（办公室）"
    assert after.at[B, "name"] == "三眼桥街道"  # a blank name keeps the stored one
    assert after.loc["430602003", "is_synthetic"]  # not in the file: unchanged

    # The matter now lies in A, and in one of A's redrawn villages.
    township, village = _matter_codes(engine, "1")
    assert township == A and village.startswith(A)
    assert _matter_codes(engine, "2") == ("430602003", None)
    assert _matter_codes(engine, "3") == (B, None)
    # A's schematic villages were redrawn inside its new outline, exactly covering it.
    vill = units_frame(engine, "village", codes=None)
    mine = vill[vill.parent_code == A]
    union = shapely.coverage_union_all(mine.geometry.values)
    assert shapely.symmetric_difference(union, after.geometry[A]).area < 1e-9 * union.area
    assert mine.geometry.contains(point).sum() == 1


def test_gcj02_option_converts(engine, geography, tmp_path, restore_geography):
    from geo.coords import wgs84_to_gcj02_geometry

    cell = units_frame(engine, "township", codes=[A]).geometry.iloc[0]
    path = tmp_path / "gcj.geojson"
    gpd.GeoDataFrame({"XZQDM": [A], "XZQMC": ["x"]}, geometry=[wgs84_to_gcj02_geometry(cell)],
                     crs="EPSG:4326").to_file(path)
    result = _invoke(path, "--gcj02")
    assert result.exit_code == 0, result.output
    back = units_frame(engine, "township", codes=[A]).geometry.iloc[0]
    assert shapely.hausdorff_distance(back, cell) < 1e-9


@pytest.mark.parametrize("case, args, message", [
    ("fields", dict(code="CODE"), "no field 'CODE' (--code-field)"),
    ("unknown", {}, "not known township units: 430602999"),
    ("points", {}, "only polygons can be boundaries"),
    ("length", dict(level="village"), "village codes are 12 digits"),
])
def test_bad_files_change_nothing(engine, geography, tmp_path, matters, case, args, message):
    towns = units_frame(engine, "township", codes=[A, B])
    codes = [A, "430602999"] if case == "unknown" else [A, B]
    geoms = list(towns.geometry)
    if case == "points":
        geoms[1] = geoms[1].representative_point()
    path = tmp_path / ("bad.gpkg" if case == "points" else "bad.geojson")
    gpd.GeoDataFrame({"XZQDM": codes, "XZQMC": ["a", "b"]}, geometry=geoms,
                     crs="EPSG:4326").to_file(path)
    _add_matter(engine, "9", geoms[0].representative_point(), B, None)
    before = (_snapshot(engine), _snapshot(engine, "village"), _matter_codes(engine, "9"))

    result = _invoke(path, **args)

    assert result.exit_code == 1
    assert message in result.output and "Nothing was changed." in result.output
    assert (_snapshot(engine), _snapshot(engine, "village"), _matter_codes(engine, "9")) \
        == before


def test_missing_file_is_refused():
    result = _invoke("/nonexistent/boundaries.geojson")
    assert result.exit_code == 2 and "does not exist" in result.output
