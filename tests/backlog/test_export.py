"""The agenda download route: login, role and jurisdiction checks, an audit row per file, and
a workbook openpyxl reads with the expected rows (the Flask test client; the browser test
downloads it through the page)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from tests.backlog import handset
from tests.backlog.conftest import PASSWORD

URL = "/export/agenda.xlsx?date=2026-11-20"


@pytest.fixture(scope="module")
def app(dataset, db_url):
    from dashboard.factory import create_dash

    application = create_dash()
    application.server.config["TESTING"] = True
    for base, role, units in (("officer", "officer", [handset.T1]), ("auditor", "auditor", []),
                              ("admin", "admin", [])):
        dataset.add_user(base, role, units)
    return application


def client_for(app, username: str):
    client = app.server.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    resp = client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token})
    assert resp.status_code == 302, resp.text[:200]
    return client


def audit(engine, action: str, username: str) -> list[dict]:
    with engine.connect() as c:
        return [dict(r) for r in c.execute(text(
            "SELECT * FROM audit_log WHERE action = :a AND username = :u ORDER BY id"),
            {"a": action, "u": username}).mappings()]


def test_the_officer_downloads_the_township_agenda(app, dataset, engine):
    user = dataset.users["officer"]
    resp = client_for(app, user).get(URL)
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    assert "agenda-2026-11-20.xlsx" in resp.headers["Content-Disposition"]
    assert resp.headers["Cache-Control"] == "no-store"
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["议程", "积案", "包案缺口", "规模集体访", "久拖超期", "周五跟踪-交办",
                             "周五跟踪-临期时限"]
    # T1 on 2026-11-20: backlog M16 (flagged, since 2025-11-10) and M13 (since 10-08).
    rows = [r for r in wb["积案"].iter_rows(min_row=2, values_only=True)]
    assert [(r[1], r[6].date().isoformat(), r[7]) for r in rows] == [
        ("BLK-M16", "2025-11-10", 375), ("BLK-M13", "2026-10-08", 43)]
    assert [r[1] for r in wb["包案缺口"].iter_rows(min_row=2, values_only=True)] == ["BLK-M16"]
    assert list(wb["规模集体访"].iter_rows(min_row=2, values_only=True)) == []
    # Overdue the longest: M13 (answer due 07-09: 134 days), M03 (forward due 10-25: 26),
    # M18 (answer due 11-14: 6).
    assert [(r[1], r[6]) for r in wb["久拖超期"].iter_rows(min_row=2, values_only=True)] == [
        ("BLK-M13", 134), ("BLK-M03", 26), ("BLK-M18", 6)]
    assert [r[1] for r in wb["周五跟踪-交办"].iter_rows(min_row=2, values_only=True)] == [
        "BLK-A02", "BLK-A03"]
    summary = {r[0]: r[1] for r in wb["议程"].iter_rows(min_row=4, max_row=10,
                                                       values_only=True)}
    assert summary["积案"] == 2 and summary["包案缺口"] == 1 and summary["超期事项"] == 3
    (row,) = audit(engine, "export", user)
    assert row["target"] == "agenda 2026-11-20 scope"
    assert row["detail"]["format"] == "xlsx" and row["detail"]["bytes"] == len(resp.data)


def test_refused_outside_the_jurisdiction_and_for_auditors(app, dataset, engine):
    officer = dataset.users["officer"]
    client = client_for(app, officer)
    assert client.get(URL + f"&unit={handset.T2}").status_code == 403
    assert client.get(URL + f"&unit={handset.C1}").status_code == 403  # the county around it
    assert client.get(URL + "&unit=4306021001' OR 1=1").status_code == 400
    assert client.get("/export/agenda.xlsx?date=2026-13-01").status_code == 400
    denied = audit(engine, "access_denied", officer)
    assert [d["target"] for d in denied] == [f"agenda {handset.T2}", f"agenda {handset.C1}"]
    auditor = dataset.users["auditor"]
    assert client_for(app, auditor).get(URL).status_code == 403
    assert audit(engine, "access_denied", auditor)
    assert not audit(engine, "export", auditor)
    anonymous = app.server.test_client().get(URL)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_admin_english_workbook_for_a_township(app, dataset):
    from queries.users import set_lang

    admin = dataset.users["admin"]
    with dataset.engine.connect() as c:
        uid = c.execute(text("SELECT id FROM app_user WHERE username = :u"),
                        {"u": admin}).scalar()
    set_lang(uid, "en")
    resp = client_for(app, admin).get(URL + f"&unit={handset.T2}")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames[:3] == ["Agenda", "Backlog", "Package gaps"]
    # T2 on 11-20: backlog M15 (10-12), M14 (11-01); gaps M14, M15, M17.
    assert [r[1] for r in wb["Backlog"].iter_rows(min_row=2, values_only=True)] == [
        "BLK-M15", "BLK-M14"]
    assert {r[1] for r in wb["Package gaps"].iter_rows(min_row=2, values_only=True)} == {
        "BLK-M14", "BLK-M15", "BLK-M17"}


def test_a_leader_name_typed_as_a_formula_arrives_as_text(app, dataset, engine):
    """Issue 11, finding 2: an officer sets a package leader's name to a formula; the county
    leader's agenda file carries it as text (openpyxl would store it as a live formula)."""
    from queries import edits
    from queries.db import admin_engine
    from queries.scope import scope_for_user
    from queries.users import get_account

    evil = '=HYPERLINK("http://evil.example/x","点此查看")'
    with admin_engine().connect() as conn:
        officer = get_account(conn, dataset.users["officer"])
    edits.set_package_leader(scope_for_user(officer), officer, "BLK-M16", evil, "county",
                             "2026-11-19", today=dt.date(2026, 11, 20))
    resp = client_for(app, dataset.users["officer"]).get(URL)
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb["积案"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "BLK-M16")
    cell = row[header.index("包案领导")]
    assert cell.data_type == "s" and cell.value == "'" + evil
    assert not any(c.data_type == "f" for s in wb for r in s.iter_rows() for c in r)
    # Numbers stay numbers: the day counts of the same row.
    assert isinstance(row[7].value, int)
