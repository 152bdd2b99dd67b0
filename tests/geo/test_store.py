"""init-geo against the real PostGIS test database: codes, names, parents, populations,
simplified copies, readers, idempotency."""

from pathlib import Path

import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from sqlalchemy import func, select

from cli.geography import COMMANDS, init_geo, load_boundaries
from ingest.geography import TOWNSHIPS_CSV, VILLAGES_CSV
from ingest.geography import init_geo as run_init_geo
from queries.geography import units_frame, zones_frame
from queries.schema import admin_unit, project_zone

REF = Path("/work/shared/reference/geo")  # where the shipped copies came from


def _table(engine, table):
    cols = [c for c in table.c if c.name not in ("geom", "geom_simple")]
    stmt = select(*cols, func.ST_AsEWKB(table.c.geom).label("wkb"))
    if "geom_simple" in table.c:
        stmt = stmt.add_columns(func.ST_AsEWKB(table.c.geom_simple).label("wkb_simple"))
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(table.c.code)).all()
    return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]


def test_counts(geography):
    assert {k: geography[k] for k in ("prefecture", "county", "township", "village", "zones")} \
        == {"prefecture": 1, "county": 10, "township": 138, "village": 1899, "zones": 3}


def test_townships_real_codes_names_parents(engine, geography):
    ref = pd.read_csv(TOWNSHIPS_CSV, dtype=str)
    got = units_frame(engine, "township")
    assert got["code"].tolist() == sorted(ref["code"])
    merged = ref.merge(got, on="code", suffixes=("_ref", ""))
    assert (merged["name_ref"] == merged["name"]).all()
    assert (merged["parent_code"] == merged["county_code_ref"]).all()
    assert (merged["county_code"] == merged["county_code_ref"]).all()
    row = got.set_index("code").loc["430602001"]
    assert row["name"] == "岳阳楼街道" and row["parent_code"] == "430602" and row["is_synthetic"]
    assert got.set_index("code").loc["430671101", "name"] == "营田镇"
    assert got.set_index("code").loc["430671101", "parent_code"] == "430671"


def test_villages_real_codes_names_parents(engine, geography):
    ref = pd.read_csv(VILLAGES_CSV, dtype=str)
    got = units_frame(engine, "village")
    assert len(got) == 1899 and got["code"].tolist() == sorted(ref["code"])
    merged = ref.merge(got, on="code")
    assert (merged["name_x"] == merged["name_y"]).all()
    assert (merged["parent_code"] == merged["township_code"]).all()
    assert (merged["county_code"] == merged["code"].str[:6]).all()
    row = got.set_index("code").loc["430602001001"]
    assert row["name"] == "郭亮社区" and row["parent_code"] == "430602001"
    assert (got["code"].str[:6] == "430602").sum() == 181


@pytest.mark.skipif(not REF.exists(), reason="shared reference folder not mounted")
def test_reference_csvs_are_the_shared_ones():
    # Same codes, names and parents as the shared reference set; data/ adds only the
    # name_en override column (issue 16).
    for path in (TOWNSHIPS_CSV, VILLAGES_CSV):
        ours = pd.read_csv(path, dtype=str)
        ref = pd.read_csv(REF / path.name, dtype=str)
        assert list(ours.columns) == [*ref.columns, "name_en"]
        pd.testing.assert_frame_equal(ours[list(ref.columns)], ref)


def test_populations_nest(engine, geography):
    counties = units_frame(engine, "county").set_index("code")["population"]
    towns = units_frame(engine, "township")
    villages = units_frame(engine, "village")
    assert (towns.groupby("parent_code")["population"].sum() == counties).all()
    assert (villages.groupby("parent_code")["population"].sum()
            == towns.set_index("code")["population"]).all()
    assert counties.sum() == 5_051_922
    # Streets are denser than towns in 岳阳楼区.
    t = towns[towns.county_code == "430602"].copy()
    t["km2"] = [shapely.area(g) for g in t.geometry]
    t["street"] = t["code"].str[6:9].astype(int) < 100
    density = t.groupby("street").apply(lambda g: g.population.sum() / g.km2.sum(),
                                        include_groups=False)
    assert density[True] > 3 * density[False]


def test_everything_valid_and_simplified(engine, geography):
    with engine.connect() as conn:
        stats = conn.execute(select(
            admin_unit.c.level,
            func.bool_and(func.ST_IsValid(admin_unit.c.geom)),
            func.bool_and(func.ST_IsValid(admin_unit.c.geom_simple)),
            func.count(admin_unit.c.geom_simple),
            func.count(),
            func.sum(func.ST_NPoints(admin_unit.c.geom)),
            func.sum(func.ST_NPoints(admin_unit.c.geom_simple)),
            func.bool_and(func.ST_SRID(admin_unit.c.geom) == 4326),
        ).group_by(admin_unit.c.level)).all()
        zone_ok = conn.execute(select(func.bool_and(func.ST_IsValid(project_zone.c.geom)),
                                      func.count())).one()
    assert len(stats) == 4
    for level, valid, valid_simple, n_simple, n, pts, pts_simple, srid_ok in stats:
        assert valid and valid_simple and srid_ok, level
        assert n_simple == n, level
        assert pts_simple < pts, level
    assert tuple(zone_ok) == (True, 3)


def test_readers(engine, geography):
    counties = units_frame(engine, "county")
    assert list(counties.columns) == ["code", "name", "name_en", "level", "parent_code",
                                      "county_code", "population", "is_synthetic", "source",
                                      "geometry"]
    assert counties.crs.to_epsg() == 4326 and len(counties) == 10
    assert all(g.geom_type == "MultiPolygon" for g in counties.geometry)
    one = units_frame(engine, "township", county_code="430671")
    assert one["code"].tolist() == ["430671001", "430671101", "430671102", "430671203"]
    simple = units_frame(engine, "township", county_code="430671", simplified=True)
    assert shapely.get_num_coordinates(simple.geometry.values).sum() \
        <= shapely.get_num_coordinates(one.geometry.values).sum()
    zones = zones_frame(engine)
    assert zones["zone_type"].tolist() == ["renewal", "road", "scenic"]  # ordered by code
    assert zones.crs.to_epsg() == 4326 and str(zones["expropriation_start"].iloc[2]) == "2026-09-01"


def test_init_geo_twice_is_idempotent(engine, geography):
    before = (_table(engine, admin_unit), _table(engine, project_zone))
    result = CliRunner().invoke(init_geo, [])
    assert result.exit_code == 0, result.output
    assert "138 townships, 1899 villages, 3 project zones" in result.output
    after = (_table(engine, admin_unit), _table(engine, project_zone))
    assert len(before[0]) == 1 + 10 + 138 + 1899 and len(before[1]) == 3
    assert before == after


def test_init_geo_resets_a_modified_store(engine, geography):
    with engine.begin() as conn:
        conn.execute(admin_unit.update().where(admin_unit.c.code == "430602001")
                     .values(name="changed", geom_simple=None))
        conn.execute(project_zone.delete().where(project_zone.c.zone_type == "road"))
    run_init_geo(engine)
    assert units_frame(engine, "township", codes=["430602001"])["name"].iloc[0] == "岳阳楼街道"
    assert len(zones_frame(engine)) == 3


def test_commands_registered():
    assert [c.name for c in COMMANDS] == ["init-geo", "load-boundaries"]
    assert {p.name for p in load_boundaries.params} >= {"file", "level", "code_field",
                                                        "name_field"}
