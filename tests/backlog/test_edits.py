"""The accountability edits: each is audited, refused outside the user's jurisdiction (also by
row-level security and the column grants of migration 0003, the second wall), and checked."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from queries import accountability, backlog, edits
from queries.db import scoped
from queries.scope import Scope
from tests.backlog import handset

D = dt.date
DAY = D(2026, 11, 20)
T1_SCOPE = Scope(units=(handset.T1,))
OFFICER = SimpleNamespace(username="blk_edit_officer", role="officer")
AUDITOR = SimpleNamespace(username="blk_edit_auditor", role="auditor")


@pytest.fixture(scope="module", autouse=True)
def edit_accounts(dataset, engine):
    """The accounts the edits act as: the audit log takes only actors that exist (issue 11)."""
    from queries.users import create_user

    with engine.begin() as c:
        for who, units in ((OFFICER, [handset.T1]), (AUDITOR, [])):
            if not c.execute(text("SELECT 1 FROM app_user WHERE username = :u"),
                             {"u": who.username}).first():
                create_user(c, who.username, "edit-test-password", who.role, units)
    yield
    with engine.begin() as c:
        c.execute(text("DELETE FROM app_user WHERE username = ANY(:u)"),
                  {"u": [OFFICER.username, AUDITOR.username]})


def audit_rows(engine, action: str, target: str, user=None) -> list[dict]:
    """This module's audit rows (the log is append-only: earlier tests' rows stay)."""
    user = user or OFFICER
    with engine.connect() as c:
        return [dict(r) for r in c.execute(text(
            "SELECT * FROM audit_log WHERE action = :a AND target = :t AND username = :u"
            " ORDER BY id"), {"a": action, "t": target, "u": user.username}).mappings()]


def package_rows(engine, matter_no: str) -> list[dict]:
    with engine.connect() as c:
        return [dict(r) for r in c.execute(text(
            "SELECT p.* FROM package_assignment p JOIN matter m ON m.id = p.matter_id"
            " WHERE m.matter_no = :n ORDER BY p.since, p.id"), {"n": matter_no}).mappings()]


def test_set_package_leader_closes_the_gap_and_is_audited(dataset, engine):
    assert backlog.backlog_counts(T1_SCOPE, DAY)["package_gaps"] == 1  # M16
    new_id = edits.set_package_leader(T1_SCOPE, OFFICER, "BLK-M16", "岳阳楼区演示领导03",
                                      "county", "2026-11-20", leader_title="副区长",
                                      progress="已交县级领导包案", today=DAY,
                                      remote_addr="10.0.0.7")
    rows = package_rows(engine, "BLK-M16")
    assert [(r["leader_name"], r["level"], r["until"]) for r in rows] == [
        (handset.LEADER_T1, "township", None), ("岳阳楼区演示领导03", "county", None)]
    assert rows[-1]["id"] == new_id and rows[-1]["set_by"] == OFFICER.username
    assert backlog.backlog_counts(T1_SCOPE, DAY)["package_gaps"] == 0
    (audit,) = audit_rows(engine, "package_leader_set", "BLK-M16")
    assert audit["username"] == OFFICER.username and audit["role"] == "officer"
    assert audit["remote_addr"] == "10.0.0.7"
    assert audit["detail"]["leader"] == "岳阳楼区演示领导03"
    assert audit["detail"]["level"] == "county" and audit["detail"]["previous"] == []


def test_changing_the_leader_ends_the_previous_one(dataset, engine):
    edits.set_package_leader(Scope.region(), OFFICER, "BLK-M13", "岳阳楼区演示领导04", "county",
                             D(2026, 11, 18), today=DAY)
    rows = package_rows(engine, "BLK-M13")
    assert [(r["leader_name"], r["since"], r["until"]) for r in rows] == [
        (handset.LEADER_C1_OLD, D(2026, 7, 15), D(2026, 10, 10)),
        (handset.LEADER_C1, D(2026, 10, 10), D(2026, 11, 18)),
        ("岳阳楼区演示领导04", D(2026, 11, 18), None)]
    (audit,) = audit_rows(engine, "package_leader_set", "BLK-M13")
    assert audit["detail"]["previous"] == [handset.LEADER_C1]
    board = accountability.package_board(Scope.region(), DAY)
    assert "岳阳楼区演示领导04" in set(board["leader"])
    assert handset.LEADER_C1 not in set(board["leader"])
    with pytest.raises(edits.EditInvalid):  # the same leader again
        edits.set_package_leader(Scope.region(), OFFICER, "BLK-M13", "岳阳楼区演示领导04",
                                 "county", DAY, today=DAY)
    with pytest.raises(edits.EditInvalid):  # not after the current leader's start
        edits.set_package_leader(Scope.region(), OFFICER, "BLK-M13", "某领导", "county",
                                 D(2026, 11, 17), today=DAY)


def test_edits_outside_the_jurisdiction_are_refused_and_audited(dataset, engine):
    before = package_rows(engine, "BLK-M15")
    with pytest.raises(edits.EditRefused):
        edits.set_package_leader(T1_SCOPE, OFFICER, "BLK-M15", "越权领导", "county", DAY,
                                 today=DAY)
    assert package_rows(engine, "BLK-M15") == before
    denied = audit_rows(engine, "access_denied", "BLK-M15")
    assert denied and denied[-1]["detail"]["edit"] == "package_leader_set"
    assert denied[-1]["username"] == OFFICER.username
    with pytest.raises(edits.EditRefused):
        edits.close_assignment(T1_SCOPE, OFFICER, "BLK-A05", DAY, today=DAY)
    assert audit_rows(engine, "access_denied", "BLK-A05")
    with pytest.raises(edits.EditRefused):
        edits.record_reception(T1_SCOPE, OFFICER, "越权领导", "fixed_point", DAY,
                               handset.T2, today=DAY)
    with pytest.raises(edits.EditRefused):  # the county around the township
        edits.record_reception(T1_SCOPE, OFFICER, "越权领导", "fixed_point", DAY,
                               handset.C1, today=DAY)
    # A role that may not edit, even inside the scope.
    with pytest.raises(edits.EditRefused):
        edits.set_package_leader(Scope.region(), AUDITOR, "BLK-M17", "某领导", "county", DAY,
                                 today=DAY)
    assert audit_rows(engine, "access_denied", "BLK-M17", AUDITOR)[-1]["role"] == "auditor"
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM leader_reception WHERE leader_name ="
                              " '越权领导'")).scalar() == 0


def test_invalid_values_change_nothing(dataset, engine):
    before = package_rows(engine, "BLK-M17")
    for kwargs in ({"level": "city", "since": DAY}, {"level": "county", "since": "2026-08-31"},
                   {"level": "county", "since": "2026-11-21"},
                   {"level": "county", "since": "2026-13-01"}):
        with pytest.raises(edits.EditInvalid):
            edits.set_package_leader(Scope.region(), OFFICER, "BLK-M17", "某领导",
                                     today=DAY, **kwargs)
    with pytest.raises(edits.EditInvalid):
        edits.set_package_leader(Scope.region(), OFFICER, "BLK-M17", "  ", "county", DAY,
                                 today=DAY)
    assert package_rows(engine, "BLK-M17") == before
    assert not audit_rows(engine, "package_leader_set", "BLK-M17")


def test_close_out_an_assignment(dataset, engine):
    edits.close_assignment(T1_SCOPE, OFFICER, "BLK-A01", DAY, feedback_on="2026-11-19",
                           note="已化解", today=DAY)
    df, _ = accountability.assignments(T1_SCOPE, DAY)
    row = df.set_index("assignment_no").loc["BLK-A01"]
    assert row["state"] == "closed_late"  # report 11-19 after the 11-14 deadline
    assert row["closed_by"] == OFFICER.username and row["close_note"] == "已化解"
    (audit,) = audit_rows(engine, "assignment_close", "BLK-A01")
    assert audit["detail"] == {"closed_on": "2026-11-20", "feedback_on": "2026-11-19"}
    with pytest.raises(edits.EditInvalid):  # already closed
        edits.close_assignment(T1_SCOPE, OFFICER, "BLK-A01", DAY, today=DAY)
    with pytest.raises(edits.EditInvalid):  # before the assignment date
        edits.close_assignment(T1_SCOPE, OFFICER, "BLK-A03", "2026-11-01", today=DAY)


def test_record_a_reception_and_its_progress(dataset, engine):
    rid = edits.record_reception(T1_SCOPE, OFFICER, "西塘镇演示干部2", "fixed_point", DAY,
                                 handset.T1, leader_title="副镇长", received=3, resolved=1,
                                 today=DAY)
    with engine.connect() as c:
        row = c.execute(text("SELECT * FROM leader_reception WHERE id = :i"),
                        {"i": rid}).mappings().one()
    assert (row["kind"], row["matters_received"], row["recorded_by"]) == (
        "fixed_point", 3, OFFICER.username)
    assert audit_rows(engine, "reception_record", f"西塘镇演示干部2 {handset.T1}")
    with pytest.raises(edits.EditInvalid):  # the same reception twice
        edits.record_reception(T1_SCOPE, OFFICER, "西塘镇演示干部2", "fixed_point", DAY,
                               handset.T1, today=DAY)
    with pytest.raises(edits.EditInvalid):
        edits.record_reception(T1_SCOPE, OFFICER, "西塘镇演示干部2", "thematic", DAY,
                               handset.T1, received=1, resolved=2, today=DAY)
    pid = edits.record_package_progress(T1_SCOPE, OFFICER, "BLK-M13", "已达成和解",
                                        resolved_on=DAY, today=DAY)
    assert package_rows(engine, "BLK-M13")[-1]["id"] == pid
    assert package_rows(engine, "BLK-M13")[-1]["resolved_on"] == DAY
    assert audit_rows(engine, "package_progress", "BLK-M13")


# --- the second wall: row-level security and the column grants of 0003 -----------------------

def _fails(conn, sql: str, params: dict | None = None) -> str:
    nested = conn.begin_nested()
    try:
        conn.execute(text(sql), params or {})
    except DBAPIError as exc:
        nested.rollback()
        return str(exc.orig)
    nested.rollback()
    raise AssertionError(f"allowed: {sql}")


def test_row_level_security_and_column_grants(dataset, engine):
    with engine.connect() as c:
        m15 = c.execute(text("SELECT id FROM matter WHERE matter_no = 'BLK-M15'")).scalar()
    with scoped(T1_SCOPE) as conn:
        # Rows of another township are invisible to UPDATE, and cannot be inserted.
        assert conn.execute(text("UPDATE assignment SET close_note = 'x'"
                                 " WHERE assignment_no = 'BLK-A05'")).rowcount == 0
        assert "row-level security" in _fails(
            conn, "INSERT INTO package_assignment (matter_id, leader_name, level, since)"
                  " VALUES (:m, 'x', 'county', '2026-11-20')", {"m": m15})
        assert "row-level security" in _fails(
            conn, "INSERT INTO leader_reception (leader_name, kind, held_on, unit_code)"
                  " VALUES ('x', 'thematic', '2026-11-20', :u)", {"u": handset.T2})
        # Only the columns the edits write.
        for sql in ("UPDATE assignment SET assigned_unit = 'x' WHERE assignment_no = 'BLK-A03'",
                    "UPDATE assignment SET feedback_due = '2027-01-01'",
                    "INSERT INTO assignment (assignment_no, assigned_unit, assigned_on,"
                    " feedback_due) VALUES ('X', 'x', '2026-11-20', '2026-11-30')",
                    "DELETE FROM package_assignment",
                    "UPDATE package_assignment SET leader_name = 'x'",
                    "DELETE FROM leader_reception",
                    "UPDATE leader_reception SET kind = 'package'",
                    "UPDATE matter SET package_leader = 'x'",
                    "DELETE FROM audit_log"):
            assert "permission denied" in _fails(conn, sql), sql
        # Inside the scope the granted columns are writable.
        assert conn.execute(text("UPDATE assignment SET close_note = 'ok'"
                                 " WHERE assignment_no = 'BLK-A03'")).rowcount == 1
        # The officer's township sees its receptions only.
        assert {r[0] for r in conn.execute(text(
            "SELECT DISTINCT unit_code FROM leader_reception"))} == {handset.T1}
