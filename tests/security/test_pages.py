"""Page access by role: the audit page for auditors and admins only, also when its layout is
requested through a replayed routing callback."""

from __future__ import annotations

from tests.security.conftest import audit_rows, decoded
from tests.security.test_wall import _routing_body, routing_output


def _route(client, pathname):
    csrf = client.get_cookie("_csrf_token").value
    return client.post("/_dash-update-component",
                       json=_routing_body(pathname, routing_output(client)),
                       headers={"X-CSRFToken": csrf})


def test_auditor_sees_audit_log_without_personal_data(client_for, world, engine):
    client = client_for(world.users["auditor"])
    assert client.get("/").headers["Location"] == "/audit"  # the auditor's home
    assert client.get("/audit").status_code == 200
    r = _route(client, "/audit")
    assert r.status_code == 200
    assert "审计日志" in decoded(r) and "login_success" in decoded(r)
    assert world.users["auditor"] in decoded(r)
    for secret in ("测试甲", "测试乙", "测试丙"):
        assert secret not in decoded(r)
    # The auditor's scope reads no matters at all.
    assert _route(client, "/").status_code == 403


def test_officer_cannot_open_audit_page(client_for, world, engine):
    client = client_for(world.users["officer_a"])
    assert client.get("/audit").headers["Location"] == "/"
    r = _route(client, "/audit")
    assert r.status_code == 403
    assert "login_success" not in decoded(r)
    assert audit_rows(engine, "access_denied", "/audit")
    assert _route(client, "/").status_code != 403  # the guard lets the officer through


def test_audit_filter_callback_checks_role_and_validates(client_for, world):
    client = client_for(world.users["officer_a"])
    deps = client.get("/_dash-dependencies").json
    output = next(d["output"] for d in deps if "audit-rows.children" in d["output"])
    body = {"output": output,
            "outputs": [{"id": "audit-rows", "property": "children"},
                        {"id": "audit-error", "property": "children"}],
            "inputs": [{"id": "audit-action", "property": "value", "value": None},
                       {"id": "audit-user", "property": "value", "value": None},
                       {"id": "audit-dates", "property": "start_date", "value": None},
                       {"id": "audit-dates", "property": "end_date", "value": None}],
            "changedPropIds": ["audit-action.value"], "state": []}
    csrf = client.get_cookie("_csrf_token").value
    r = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf})
    assert r.status_code == 200 and "login_success" not in decoded(r) and "无权" in decoded(r)

    auditor = client_for(world.users["auditor"])
    csrf = auditor.get_cookie("_csrf_token").value
    body["inputs"][0]["value"] = "'; DROP TABLE audit_log; --"
    r = auditor.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf})
    assert r.status_code == 200 and "unknown audit action" in decoded(r)
    body["inputs"][0]["value"] = "login_success"
    r = auditor.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf})
    assert r.status_code == 200 and "login_success" in decoded(r) and "logout" not in decoded(r)
