"""Finding 1: a wall-screen session runs the wall's own callbacks and nothing else.

A leader's callback requests are captured (every server callback the app declares, with the
values the browser would send, and the page-routing callback of the pages that list
matters); the same requests replayed with a wall session — the routing input's id renamed
too — bring back no matter number and no name. Behind the guard, the pages and the queries
refuse a wall scope on their own (defence in depth).
"""

from __future__ import annotations

import copy
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from cli.accounts import wall_token
from tests.security.conftest import MATTERS, audit_rows, decoded
from tests.security.test_wall import ROUTING_OUTPUT

SECRETS = [*MATTERS, "测试甲", "测试乙", "测试丙", "测**"]
# Pages a leader reads matters on (pathname, search).
LEADER_VIEWS = [("/backlog", "?matter=SEC-A-1"), ("/backlog", "?tab=backlog"), ("/map", ""),
                ("/", ""), ("/stability", ""), ("/agenda", ""), ("/periods", ""),
                ("/briefing", ""), ("/audit", "")]


def _token(world, unit=None) -> str:
    args = ["--name", f"replay-{world.tag}"] + (["--unit", unit] if unit else [])
    result = CliRunner().invoke(wall_token, args)
    assert result.exit_code == 0, result.output
    return parse_qs(urlsplit(result.output.strip().splitlines()[-1]).query)["token"][0]


def _wall_client(server, world):
    client = server.test_client()
    assert client.get(f"/wall?token={_token(world)}").status_code == 302
    return client


def _post(client, body):
    return client.post("/_dash-update-component", json=body,
                       headers={"X-CSRFToken": client.get_cookie("_csrf_token").value})


def _routing(pathname, search="", input_id="_pages_location"):
    return {"output": ROUTING_OUTPUT,
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": input_id, "property": "pathname", "value": pathname},
                       {"id": input_id, "property": "search", "value": search}],
            "changedPropIds": [f"{input_id}.pathname"], "state": []}


def _bodies_for_every_callback(client) -> list[dict]:
    """One request per server callback, as the renderer would build it from the app's
    declared dependencies (values empty)."""
    bodies = []
    for dep in client.get("/_dash-dependencies").json:
        if dep.get("clientside_function"):
            continue
        outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]}
                   for o in dep["output"].strip(".").split("...") if "." in o]
        inputs = [{"id": i["id"], "property": i["property"], "value": None}
                  for i in dep["inputs"]]
        state = [{"id": s["id"], "property": s["property"], "value": None}
                 for s in dep.get("state", [])]
        bodies.append({"output": dep["output"], "outputs": outputs, "inputs": inputs,
                       "state": state, "changedPropIds":
                           [f"{inputs[0]['id']}.{inputs[0]['property']}"] if inputs else []})
    return bodies


@pytest.fixture
def leader(client_for, world):
    return client_for(world.users["leader_a"])


def test_leader_capture_reads_matters(leader):
    """The capture is worth stealing: the leader's own requests do return matter numbers."""
    r = _post(leader, _routing("/backlog", "?matter=SEC-A-1"))
    assert r.status_code == 200 and "SEC-A-1" in decoded(r)


def test_wall_replaying_a_leaders_routing_gets_nothing(server, world, leader, engine):
    wall = _wall_client(server, world)
    for pathname, search in LEADER_VIEWS:
        captured = _routing(pathname, search)
        assert _post(leader, captured).status_code in (200, 403)  # auditor page: 403
        for body in (captured, _routing(pathname, search, input_id="renamed"),
                     _routing(pathname, search, input_id="_pages_location_x")):
            r = _post(wall, body)
            assert r.status_code == 403, (pathname, body["inputs"][0]["id"])
            for secret in SECRETS:
                assert secret not in decoded(r)
    # The routing callback to /wall itself is fine, renamed or not; its pathname is read
    # from the input's position, as Dash reads it.
    assert _post(wall, _routing("/wall", input_id="renamed")).status_code == 200
    # The position wins over the id: a renamed first input carrying /backlog is /backlog.
    tricky = _routing("/backlog", "?matter=SEC-A-1")
    tricky["inputs"].append({"id": "_pages_location", "property": "pathname",
                             "value": "/wall"})
    assert _post(wall, tricky).status_code == 403
    denied = audit_rows(engine, "access_denied")
    assert any(r["username"] == f"wall:replay-{world.tag}" and r["role"] == "wall"
               for r in denied)


def test_wall_may_run_only_the_wall_callbacks(server, world, leader):
    wall = _wall_client(server, world)
    bodies = _bodies_for_every_callback(leader)
    assert len(bodies) > 10
    allowed = []
    for body in bodies:
        r = _post(wall, copy.deepcopy(body))
        for secret in SECRETS:
            assert secret not in decoded(r) if r.is_json else r.text
        if r.status_code != 403:
            allowed.append((body["output"], r.status_code))
    assert allowed and all("wall-" in o for o, _status in allowed), allowed


def test_pages_refuse_a_wall_session_behind_the_guard(server, world, engine):
    """If a callback slipped past the guard, the page still reads with an empty scope."""
    import dash
    import plotly.io as pio
    from flask_login import login_user

    from dashboard.auth.session import SessionUser, current_scope, wall_scope
    from queries.users import wall_device_for_token

    # The page as Dash registered it (importing dashboard.pages.backlog a second time under
    # that name would register its path twice).
    backlog_layout = next(p["layout"] for p in dash.page_registry.values()
                          if p["path"] == "/backlog")

    device = wall_device_for_token(_token(world))
    with server.test_request_context("/backlog"):
        login_user(SessionUser(device))
        assert current_scope().is_empty and not wall_scope().is_empty
        page = pio.to_json(backlog_layout(matter="SEC-A-1"))
    for secret in SECRETS:
        assert secret not in page


def test_queries_refuse_rows_to_a_wall_scope(world):
    import datetime as dt

    from queries import backlog, ledger, maps, personal
    from queries.filters import Period
    from queries.scope import RowsRefused, scope_for_user
    from queries.users import wall_device_for_token

    scope = scope_for_user(wall_device_for_token(_token(world)))
    assert not scope.row_level and scope.is_region
    day = dt.date(2026, 3, 31)
    for call in (lambda: maps.matter_list(scope, Period.month(2026, 3), day),
                 lambda: backlog.matter_detail(scope, "SEC-A-1", day),
                 lambda: backlog.status_frame(scope, day),
                 lambda: ledger.get_entry(scope, "L-1"),
                 lambda: ledger.list_entries(scope, day, personal=True),
                 lambda: personal.petitioner_name_ciphertext(scope, "SEC-A-1")):
        with pytest.raises(RowsRefused):
            call()
    # The aggregates the wall draws still answer.
    assert "responsible_leader" not in ledger.list_entries(scope, day).columns


def test_a_bad_wall_token_does_not_end_another_session(leader):
    assert leader.get("/_dash-layout").status_code == 200
    r = leader.get("/wall?token=" + "A" * 43)
    assert r.status_code == 403
    assert leader.get("/_dash-layout").status_code == 200


def test_refused_tokens_are_throttled_and_aggregated(server, world, engine):
    client = server.test_client()
    before = len(audit_rows(engine, "wall_refused"))
    codes = [client.get("/wall?token=" + f"{i:043d}",
                        environ_base={"REMOTE_ADDR": "10.66.0.1"}).status_code
             for i in range(30)]
    assert codes[:10] == [403] * 10 and set(codes[10:]) == {429}
    rows = [r for r in audit_rows(engine, "wall_refused")[before:]
            if r["remote_addr"] == "10.66.0.1"]
    assert [r["detail"]["count"] for r in rows] == [1, 10]
    # Another address is not affected.
    assert client.get("/wall?token=x", environ_base={"REMOTE_ADDR": "10.66.0.2"}) \
        .status_code == 403


def test_wall_device_comes_back_after_the_session_store_is_lost(server, world, engine):
    from dashboard.auth.store import forget_all_sessions

    client = server.test_client()
    token = _token(world)
    r = client.get(f"/wall?token={token}")
    cookie = next(c for c in r.headers.getlist("Set-Cookie")
                  if c.startswith("atlas_wall_device="))
    assert "HttpOnly" in cookie and "Max-Age=31536000" in cookie and token in cookie
    assert client.get("/_dash-layout").status_code == 200
    forget_all_sessions(server)  # what a Redis restart does
    assert client.get("/wall").status_code == 200  # back by itself, no token typed
    assert client.get("/_dash-layout").status_code == 200
    assert audit_rows(engine, "wall_login")[-1]["detail"] == {"via": "device_cookie"}
    # Revoked: the cookie brings nothing back, and is dropped.
    CliRunner().invoke(__import__("cli.accounts", fromlist=["x"]).revoke_wall_token,
                       ["--name", f"replay-{world.tag}"])
    forget_all_sessions(server)
    r = client.get("/wall")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert any(c.startswith("atlas_wall_device=;") for c in r.headers.getlist("Set-Cookie"))
