"""Page access by role: the audit page for auditors and admins only, also when its layout is
requested through a replayed routing callback."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from sqlalchemy import text

from tests.security.conftest import audit_rows, decoded
from tests.security.test_wall import _routing_body, routing_output


def _route(client, pathname):
    csrf = client.get_cookie("_csrf_token").value
    return client.post("/_dash-update-component",
                       json=_routing_body(pathname, routing_output(client)),
                       headers={"X-CSRFToken": csrf})


def _route_search(client, pathname, search):
    body = _routing_body(pathname, routing_output(client))
    body["inputs"][1]["value"] = search
    return client.post("/_dash-update-component", json=body,
                       headers={"X-CSRFToken": client.get_cookie("_csrf_token").value})


def test_auditor_sees_audit_log_without_personal_data(client_for, world, engine):
    client = client_for(world.users["auditor"])
    assert client.get("/").headers["Location"] == "/audit"  # the auditor's home
    assert client.get("/audit").status_code == 200
    r = _route(client, "/audit")
    assert r.status_code == 200
    page = decoded(r)
    # In the product's frame, in one language: navigation, language switch, logout form.
    assert "审计日志" in page and "登录成功" in page and "退出" in page
    assert '"action": "/logout"' in page and '"method": "POST"' in page
    assert "au-lang" in page and "au-nav-audit" in page and "au-nav-map" not in page
    # Headers in the current language only; details in words, not JSON.
    assert '"时间"' in page and '"Time"' not in page and "Audit log" not in page
    assert '\\"failures\\"' not in page and '"登录失败"' in page
    assert world.users["auditor"] in page
    for secret in ("测试甲", "测试乙", "测试丙"):
        assert secret not in page
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
    assert client.get("/export/audit.xlsx").status_code == 403


def _owner_rows(engine, rows):
    with engine.begin() as conn:
        for at, user, action, target, detail in rows:
            conn.execute(text(
                "INSERT INTO audit_log (at, username, role, remote_addr, action, target,"
                " detail) VALUES (:at, :u, 'officer', '10.0.0.9', :a, :t, CAST(:d AS jsonb))"),
                {"at": at, "u": user, "a": action, "t": target, "d": detail})


def test_audit_page_office_time_filters_paging_and_export(client_for, world, engine):
    """Finding 5: times in office time (12:05 UTC is 20:05 in Yueyang), readable details,
    filters by user and office day, paging through everything, the export."""
    who = f"paged_{world.tag}"
    evil = '=HYPERLINK("http://evil.example/","x")'
    _owner_rows(engine, [("2026-11-26 12:05:00+00", who, "login_throttled", None,
                          '{"by": "account", "count": 10, "window_minutes": 15}'),
                         ("2026-11-26 17:00:00+00", who, "export", evil, None)]
                + [(f"2026-11-20 08:{i % 60:02d}:00+00", who, "logout", f"row {i}", None)
                   for i in range(118)])
    auditor = client_for(world.users["auditor"])
    page = decoded(_route_search(auditor, "/audit", f"?user={who}&from=2026-11-26"
                                                    "&to=2026-11-26"))
    assert "2026-11-26 20:05:00" in page and "12:05:00" not in page
    assert "受限于：账户+地址；次数：10；统计窗口（分钟）：15" in page
    assert "row 1" not in page and evil not in page  # 17:00 UTC is the 27th in Yueyang
    assert "共 1 条" in page
    all_pages = decoded(_route_search(auditor, "/audit", f"?user={who}"))
    assert "共 120 条，第 1–50 条" in all_pages and "第 1 / 3 页" in all_pages
    last = decoded(_route_search(auditor, "/audit", f"?user={who}&page=3"))
    assert "第 101–120 条" in last and last.count('"data-action": "logout"') == 20

    r = auditor.get(f"/export/audit.xlsx?user={who}")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("时间", "用户", "角色", "来源地址", "操作", "对象", "详情")
    assert len(rows) == 121
    assert rows[1][0] == dt.datetime(2026, 11, 27, 1, 0) and rows[1][5] == "'" + evil
    assert rows[2][0] == dt.datetime(2026, 11, 26, 20, 5) and rows[2][4] == "登录受限"
    exported = audit_rows(engine, "export", "audit log")[-1]
    assert exported["username"] == world.users["auditor"] and exported["detail"]["rows"] == 120


def test_audit_filter_callback_checks_role(client_for, world):
    client = client_for(world.users["officer_a"])
    deps = client.get("/_dash-dependencies").json
    output = next(d["output"] for d in deps if d["output"] == "au-nav.href")
    body = {"output": output, "outputs": {"id": "au-nav", "property": "href"},
            "inputs": [{"id": "audit-action", "property": "value", "value": "login_success"},
                       {"id": "audit-user", "property": "value", "value": None},
                       {"id": "audit-from", "property": "value", "value": None},
                       {"id": "audit-to", "property": "value", "value": None}],
            "changedPropIds": ["audit-action.value"], "state": []}
    csrf = client.get_cookie("_csrf_token").value
    r = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf})
    assert r.status_code == 200 and r.json["response"] == {}  # nothing for an officer

    auditor = client_for(world.users["auditor"])
    csrf = auditor.get_cookie("_csrf_token").value
    body["inputs"][0]["value"] = "'; DROP TABLE audit_log; --"
    r = auditor.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf})
    assert r.status_code == 200 and r.json["response"]["au-nav"]["href"] == "/audit"
    body["inputs"][0]["value"] = "login_success"
    r = auditor.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf})
    assert r.json["response"]["au-nav"]["href"] == "/audit?action=login_success"
