"""The map's GeoJSON endpoints, the queries behind the pages and the ``kpi`` command, on the
test world in the real database."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import text

from tests.dashboard.conftest import LEADER_COUNTY, OFFICER_TOWN


def _geo(client, url, **kw):
    resp = client.get(url, **kw)
    body = resp.data
    if resp.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return resp, (json.loads(body) if resp.status_code == 200 else None)


def test_county_outlines_for_the_region(clients, engine):
    resp, fc = _geo(clients["admin"], "/geo/units.json?parent=430600")
    with engine.connect() as c:
        expected = c.execute(text("SELECT count(*) FROM admin_unit WHERE level = 'county'"
                                  " AND coalesce(geom_simple, geom) IS NOT NULL")).scalar()
    assert resp.status_code == 200 and len(fc["features"]) == expected == 9
    assert resp.mimetype == "application/geo+json"
    assert "private" in resp.headers["Cache-Control"] and resp.headers["ETag"]
    props = fc["features"][0]["properties"]
    assert set(props) == {"code", "name", "name_en", "level", "synthetic", "source"}


def test_etag_and_gzip(clients):
    client = clients["admin"]
    first = client.get("/geo/units.json?level=village", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    again = client.get("/geo/units.json?level=village",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_scope_limits_the_outlines(clients):
    leader, officer = clients["leader"], clients["officer"]
    resp, fc = _geo(leader, f"/geo/units.json?parent={LEADER_COUNTY}")
    assert resp.status_code == 200
    assert fc["features"] and all(f["properties"]["code"].startswith(LEADER_COUNTY)
                                  for f in fc["features"])
    assert _geo(leader, "/geo/units.json?parent=430682")[0].status_code == 403
    assert _geo(leader, "/geo/units.json?parent=430600")[0].status_code == 403
    assert _geo(officer, f"/geo/units.json?parent={LEADER_COUNTY}")[0].status_code == 403
    resp, fc = _geo(officer, "/geo/units.json?level=village")  # everything he may see
    assert fc["features"] and all(f["properties"]["code"].startswith(OFFICER_TOWN)
                                  for f in fc["features"])


@pytest.mark.parametrize("query", ["parent=4306'--", "parent=110101", "codes=1,2",
                                   "level=planet", "within=43062610100x"])
def test_bad_codes_are_refused_clearly(clients, query):
    resp = clients["admin"].get(f"/geo/units.json?{query}")
    assert resp.status_code == 400 and "error" in resp.get_json()


def test_anonymous_gets_nothing(app):
    client = app.server.test_client()
    for url in ("/geo/units.json?parent=430600", "/geo/zones.json", "/geo/points.json"):
        assert client.get(url).status_code in (302, 401)


def test_points_carry_no_personal_data(clients):
    resp, fc = _geo(clients["admin"], f"/geo/points.json?unit={LEADER_COUNTY}&period=last_12m")
    assert resp.status_code == 200 and fc["features"]
    for f in fc["features"]:
        assert set(f["properties"]) == {"n", "c", "s", "d", "k", "cluster"} - {"cluster"}
        assert f["properties"]["n"].startswith("TW")
    resp = clients["officer"].get("/geo/points.json?unit=430682")
    assert resp.status_code == 403


def test_zones(clients):
    resp, fc = _geo(clients["admin"], "/geo/zones.json")
    assert resp.status_code == 200 and fc["features"][0]["properties"]["code"] == "TEST-ZONE-1"


def test_matter_list_has_no_personal_columns(world):
    from queries.filters import MatterFilter, Period
    from queries.maps import matter_list
    from queries.scope import Scope

    today = dt.date.today()
    frame, total = matter_list(Scope.region(), Period(today.replace(day=1) - dt.timedelta(
        days=365), today), today, MatterFilter(unit=OFFICER_TOWN), limit=50)
    assert total >= len(frame) > 0
    assert not any("petitioner" in c or "summary" in c for c in frame.columns)
    order = ["overdue", "due_soon", "running", "late", "on_time", "terminated"]
    ranks = [order.index(c) for c in frame["clock"]]
    assert ranks == sorted(ranks)  # worst clock first


def test_clock_filter_narrows_to_overdue(world, engine):
    from queries.filters import MatterFilter, Period
    from queries.maps import count_active
    from queries.scope import Scope

    today = dt.date.today()
    period = Period(today - dt.timedelta(days=400), today)
    every, _ = count_active(Scope.region(), period, today, MatterFilter())
    late, _ = count_active(Scope.region(), period, today,
                           MatterFilter(clock="overdue", clock_day=today))
    assert 0 < late < every


def test_hotspots_find_the_planted_cluster(world):
    """The world puts 15 % of all matters into 40 villages of 平江县 (430626)."""
    from dashboard import data
    from queries.filters import MatterFilter, Period
    from queries.scope import Scope

    today = dt.date.today()
    res = data.hotspots(Scope.region(), None, Period(today - dt.timedelta(days=430), today),
                        today, MatterFilter(), measure="matters", kind="queen")
    hot = res[res["class"].str.startswith("hot")]
    assert len(hot) > 0
    assert hot.index.str.startswith("430626").mean() > 0.6  # most hot spots are planted ones
    top = res.sort_values("z", ascending=False).head(10)
    assert top.index.str.startswith("430626").all()
    assert (top["class"] == "hot99").all()


def _kpi_app():
    from cli.reports import COMMANDS

    app = Flask("kpi-test")
    for cmd in COMMANDS:
        app.cli.add_command(cmd)
    return app


def test_kpi_command_is_the_cards_function(world):
    from queries.filters import MatterFilter, Period
    from queries.kpi import KPI_KEYS, compute_kpis
    from queries.scope import Scope
    from settings import get_settings

    today = dt.date.today()
    month = today.strftime("%Y-%m")
    runner = CliRunner()
    app = _kpi_app()
    result = runner.invoke(app.cli, ["kpi", "--month", month, "--unit", LEADER_COUNTY,
                                     "--as-of", today.isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    expected = compute_kpis(Scope.region(), Period.parse_month(month), today,
                            MatterFilter(unit=LEADER_COUNTY), get_settings().clock_rules())
    assert {k: out[k] for k in KPI_KEYS} == {k: expected[k] for k in KPI_KEYS}
    assert out["unit"] == LEADER_COUNTY and out["as_of"] == today.isoformat()


@pytest.mark.parametrize("args, message", [
    (["--month", "2026-13"], "month"),
    (["--month", "2026-10", "--unit", "4306'--"], "unit"),
    (["--month", "2026-10", "--unit", "430699"], "unknown unit"),
    (["--month", "2026-10", "--as-of", "yesterday"], "as-of"),
])
def test_kpi_command_validates(world, args, message):
    result = CliRunner().invoke(_kpi_app().cli, ["kpi", *args, "--json"])
    assert result.exit_code != 0 and message in result.output.lower()
