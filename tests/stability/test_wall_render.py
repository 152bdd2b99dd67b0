"""The wall snapshot and its rendering on the world: the right facts, no personal data; the
pages answer through the real guard (a wall device, an admin)."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from tests.stability.conftest import PASSWORD, office_now
from tests.stability.world import SUMMARY


def _personal_strings(engine, world) -> list[str]:
    """Every petitioner name in the database (decrypted), their masked forms and the
    summary text of the world's matters."""
    from domain.privacy import decrypt_text

    with engine.connect() as c:
        rows = c.execute(text("SELECT petitioner_name_enc, petitioner_name_masked FROM matter"
                              " WHERE petitioner_name_enc IS NOT NULL")).all()
    names = {decrypt_text(r[0]) for r in rows} | {r[1] for r in rows}
    assert set(world.names) & names, "the world's petitioners are in the database"
    return sorted(names | {SUMMARY})


@pytest.fixture(scope="module")
def snapshot(world):
    from dashboard import wall_data
    from queries.scope import Scope

    scope = wall_data.wall_scope(Scope.region())
    return wall_data.build_snapshot(scope, office_now(world.day, 18))


def test_snapshot_holds_the_facts(world, snapshot):
    s = snapshot["stability"]
    assert snapshot["sensitive"] is False and snapshot["day"] == world.day.isoformat()
    rising = {r["code"]: r for r in s["rising"]}
    assert rising[world.towns["A"]]["cur"] == 12 and rising[world.towns["A"]]["base"] == 2
    assert any(v["persons"] == 60 for v in s["visits"])
    assert {m["code"] for m in s["reports"]["missing"]} >= {"WS-T-B", "WS-T-C"}
    nos = [i["no"] for i in s["ledger"]["items"]]
    assert "WS-L1" in nos and "WS-L3" not in nos
    kinds = {(w["kind"], w["area_code"]) for w in snapshot["warnings"]}
    assert ("influx", world.towns["A"]) in kinds
    assert ("collective_visit", world.towns["C"]) in kinds
    assert set(snapshot["kpi"]["lights"]) >= {"timely_forward_rate", "package_gaps"}
    assert snapshot["map"]["values"] and isinstance(snapshot["map"]["hot"], dict)


def test_snapshot_and_render_carry_no_personal_data(world, engine, snapshot):
    from dashboard.components import wall_panels as wall

    body = json.dumps(snapshot, ensure_ascii=False)
    parts = wall.render(snapshot, "zh")
    rendered = json.dumps({k: v for k, v in parts.items()}, ensure_ascii=False,
                          default=lambda o: o.to_plotly_json())
    for secret in _personal_strings(engine, world):
        assert secret not in body and secret not in rendered
    # no staff names either: duty officers and responsible leaders stay off the wall
    for staff in ("墙测值班员", "墙测带班领导", "墙测领导"):
        assert staff not in body and staff not in rendered
    assert "4306261900" not in body and "4306261900" not in rendered  # the world's ID numbers


def test_stability_panel_first_during_a_sensitive_period(snapshot):
    from dashboard.components import wall_panels as wall

    assert wall.panel_order(snapshot)[0] == "map"
    assert wall.panel_order({**snapshot, "sensitive": True})[0] == "stability"
    assert len(wall.panel_order(snapshot)) == 5


def _routing_body(client, pathname: str, search: str = "") -> dict:
    deps = client.get("/_dash-dependencies").json
    out = next(d["output"] for d in deps if "_pages_content.children" in d["output"])
    return {"output": out, "outputs": [{"id": "_pages_content", "property": "children"},
                                       {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


@pytest.fixture(scope="module")
def app(world):
    from tests.dashboard.serve import build

    application = build()
    application.server.config["TESTING"] = True
    return application


def _decoded(resp) -> str:
    import gzip

    raw = resp.data
    if resp.headers.get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    return raw.decode()


def test_wall_device_gets_the_wall_and_its_refresh(world, engine, app, wall_token):
    client = app.server.test_client()
    assert client.get(f"/wall?token={wall_token}").status_code == 302
    csrf = client.get_cookie("_csrf_token").value
    r = client.post("/_dash-update-component", json=_routing_body(client, "/wall"),
                    headers={"X-CSRFToken": csrf})
    assert r.status_code == 200
    page = _decoded(r)
    assert "wall-panel-stability" in page and "wall-asof" in page
    deps = client.get("/_dash-dependencies").json
    out = next(d["output"] for d in deps if "wall-asof.children" in d["output"])
    dep = next(d for d in deps if d["output"] == out)
    body = {"output": out,
            "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]}
                        for o in out.strip(".").split("...")],
            "inputs": [{"id": "wall-refresh", "property": "n_intervals", "value": 1}],
            "state": [{"id": "wall-config", "property": "data", "value": {"lang": "en"}}],
            "changedPropIds": ["wall-refresh.n_intervals"]}
    assert [i["id"] for i in dep["inputs"]] == ["wall-refresh"]
    r = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf})
    assert r.status_code == 200
    refreshed = _decoded(r)
    assert "Data as of" in refreshed
    for secret in _personal_strings(engine, world):
        assert secret not in page and secret not in refreshed
    # a wall device reaches nothing else
    assert client.get("/stability").headers["Location"] == "/wall"
    r = client.post("/_dash-update-component", json=_routing_body(client, "/stability"),
                    headers={"X-CSRFToken": csrf})
    assert r.status_code == 403


def _login(app, username):
    client = app.server.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf_token": token})
    assert r.status_code in (302, 303)
    return client


def test_stability_and_periods_pages_by_role(world, engine, app):
    admin = _login(app, world.users["admin"])
    csrf = admin.get_cookie("_csrf_token").value
    r = admin.post("/_dash-update-component",
                   json=_routing_body(admin, "/stability", "?ledger=WS-L1"),
                   headers={"X-CSRFToken": csrf})
    assert r.status_code == 200
    page = _decoded(r)
    assert "WS-L1" in page and "st-ledger-points" in page
    for secret in _personal_strings(engine, world):
        assert secret not in page
    r = admin.post("/_dash-update-component", json=_routing_body(admin, "/periods"),
                   headers={"X-CSRFToken": csrf})
    assert r.status_code == 200 and "sp-save" in _decoded(r)

    leader = _login(app, world.users["leader"])
    csrf = leader.get_cookie("_csrf_token").value
    r = leader.post("/_dash-update-component", json=_routing_body(leader, "/periods"),
                    headers={"X-CSRFToken": csrf})
    assert r.status_code == 403  # admins only
    r = leader.post("/_dash-update-component", json=_routing_body(leader, "/stability"),
                    headers={"X-CSRFToken": csrf})
    assert r.status_code == 200
    page = _decoded(r)
    assert "WS-L1" in page and "WS-L3" not in page  # L3 lies in another county


def test_banner_component(world, engine):
    import datetime as dt

    from dash import html

    from dashboard.components.banner import sensitive_banner
    from queries import periods
    from queries.scope import Scope

    d = world.day
    assert sensitive_banner(Scope.region(), "zh", day=d) is None
    admin = SimpleNamespace(username=world.users["admin"], role="admin")
    pid = periods.create_period(periods.PeriodInput(
        name="墙测横幅期", name_en="Banner test", starts_on=d, ends_on=d + dt.timedelta(days=1),
        level="national"), user=admin)
    try:
        from dashboard import data

        data.forget_versions()
        b = sensitive_banner(Scope.region(), "en", day=d)
        assert isinstance(b, html.Div) and "active" in b.className
        txt = json.dumps(b.to_plotly_json(), ensure_ascii=False, default=lambda o:
                         o.to_plotly_json())
        assert "Banner test" in txt and "day 1" in txt
        upcoming = sensitive_banner(Scope.region(), "zh", day=d - dt.timedelta(days=3))
        assert upcoming is not None and "upcoming" in upcoming.className
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM sensitive_period WHERE id = :i"), {"i": pid})


def test_banner_on_every_page_while_a_period_is_on(world, engine, app):
    """Every page's header carries the banner during a sensitive period, and only then."""
    import datetime as dt

    from dashboard import data
    from dashboard.state import today
    from queries import periods

    pages = ("/", "/map", "/backlog", "/agenda", "/stability", "/periods")
    admin = _login(app, world.users["admin"])
    csrf = admin.get_cookie("_csrf_token").value

    def routed(path: str) -> str:
        r = admin.post("/_dash-update-component", json=_routing_body(admin, path),
                       headers={"X-CSRFToken": csrf})
        assert r.status_code == 200, path
        return json.dumps(json.loads(_decoded(r)), ensure_ascii=False)

    data.forget_versions()
    before = {p: routed(p) for p in pages}
    assert not any("sensitive-banner active" in page for page in before.values())
    d = today()
    pid = periods.create_period(periods.PeriodInput(
        name="横幅全页测试期", name_en="All-pages banner test", starts_on=d - dt.timedelta(days=1),
        ends_on=d + dt.timedelta(days=2), level="city"),
        user=SimpleNamespace(username=world.users["admin"], role="admin"))
    try:
        data.forget_versions()
        for path in pages:
            page = routed(path)
            assert page.count("sensitive-banner active") == 1, path
            assert "横幅全页测试期" in page and "app-sensitive-banner" in page, path
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM sensitive_period WHERE id = :i"), {"i": pid})
        data.forget_versions()
