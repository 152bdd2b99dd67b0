"""Jurisdiction at the query layer and in PostgreSQL row-level security (the second wall)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from queries.db import scoped
from queries.scope import InvalidCode, Scope, scope_for_user, validate_unit_code
from queries.users import get_account
from tests.security.conftest import (
    COUNTY_A,
    DEPT_NAME,
    TOWN_A,
    TOWN_A2,
    TOWN_B,
)

INJECTIONS = [
    "430621100' OR '1'='1", "430621100; DROP TABLE matter;--", "430621100 ", " 430621100",
    "4306211OO", "430621100,430623100", "%", "430621%", "", "NULL", "４３０６２１１００",
    "430621100\x00", "' UNION SELECT petitioner_name_enc FROM matter --", "110101100",
    "4306211001234567",
]


def _matters(conn, where: str = "TRUE", **params) -> list[str]:
    return sorted(conn.execute(text(
        f"SELECT matter_no FROM matter WHERE matter_no LIKE 'SEC-%' AND {where}"),
        params).scalars())


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_strings_are_clear_validation_errors(payload):
    with pytest.raises(InvalidCode) as err:
        validate_unit_code(payload)
    assert "unit code" in str(err.value) or "outside region" in str(err.value)
    with pytest.raises(InvalidCode):
        Scope(units=(payload,))
    with pytest.raises(InvalidCode):
        Scope.region().allows(payload)


def test_non_string_codes_refused():
    for value in (430621100, None, ["430621100"], {"code": "430621100"}):
        with pytest.raises(InvalidCode):
            validate_unit_code(value)


def test_officer_of_a_cannot_read_b_even_when_asking_for_it(world):
    scope_a = Scope(units=(TOWN_A,))
    with scoped(scope_a) as conn:
        # The replayed callback: township B's code where A's should be.
        assert _matters(conn, "township_code = :t", t=TOWN_B) == []
        assert _matters(conn, "county_code = :c", c="430623") == []
        assert _matters(conn) == ["SEC-A-1", "SEC-A-2"]
        assert conn.execute(text("SELECT count(*) FROM submission s JOIN matter m"
                                 " ON m.id = s.matter_id WHERE m.township_code = :t"),
                            {"t": TOWN_B}).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM submission"
                                 " WHERE submission_no = 'SSEC-B-1'")).scalar() == 0


def test_scopes_see_exactly_their_rows(world):
    cases = {
        Scope(units=(TOWN_B,)): ["SEC-B-1"],
        Scope(units=(COUNTY_A,)): ["SEC-A-1", "SEC-A-2", "SEC-D-1"],
        Scope(units=(TOWN_A2,)): ["SEC-D-1"],
        Scope(departments=(DEPT_NAME,)): ["SEC-D-1"],
        Scope.region(): ["SEC-A-1", "SEC-A-2", "SEC-B-1", "SEC-D-1"],
        Scope.none(): [],
    }
    for scope, expected in cases.items():
        with scoped(scope) as conn:
            assert _matters(conn) == expected, scope


def test_scope_does_not_outlive_its_transaction(world):
    with scoped(Scope.region()) as conn:
        assert len(_matters(conn)) == 4
    from queries.db import app_connection

    for _ in range(3):  # the pool hands the same connection back: no scope left on it
        with app_connection() as conn:
            assert _matters(conn) == []


def test_scoped_requires_a_scope():
    with pytest.raises(TypeError):
        with scoped("430600"):
            pass


def test_direct_sql_as_app_role_sees_nothing_without_or_outside_scope(world, app_role_engine):
    with app_role_engine.begin() as conn:
        assert conn.execute(text("SELECT current_user")).scalar() == "atlas_app"
        assert _matters(conn) == []
        assert conn.execute(text("SELECT count(*) FROM submission")).scalar() == 0
        conn.execute(text("SELECT set_config('atlas.units', :u, true)"), {"u": TOWN_B})
        assert _matters(conn, "township_code = :t", t=TOWN_A) == []
        assert _matters(conn) == ["SEC-B-1"]
        # A scope value crafted like SQL is only ever compared as a string.
        conn.execute(text("SELECT set_config('atlas.units', :u, true)"),
                     {"u": "x' OR '1'='1"})
        assert _matters(conn) == []


def test_app_role_cannot_escape_its_role(app_role_engine):
    for stmt in ("SET ROLE postgres", "SET SESSION AUTHORIZATION postgres",
                 "ALTER TABLE matter DISABLE ROW LEVEL SECURITY",
                 "DROP POLICY atlas_scope ON matter"):
        with pytest.raises((ProgrammingError, DBAPIError)):
            with app_role_engine.begin() as conn:
                conn.execute(text(stmt))


def test_app_role_writes_are_limited(world, app_role_engine):
    forbidden = [
        "INSERT INTO matter (matter_no, registered_on, category, row_hash)"
        " VALUES ('SEC-X', '2026-01-01', 'other', 'x')",
        "UPDATE app_user SET role = 'admin'",
        "UPDATE app_user SET password_hash = 'x'",
        "DELETE FROM app_user",
        "INSERT INTO app_user (username, password_hash, role) VALUES ('x', 'x', 'admin')",
        "INSERT INTO user_scope (user_id, unit_code) VALUES (1, '430600')",
        "UPDATE wall_token SET revoked_at = NULL",
    ]
    for stmt in forbidden:
        with pytest.raises(ProgrammingError, match="permission denied"):
            with app_role_engine.begin() as conn:
                conn.execute(text(stmt))


def test_audit_log_is_append_only_for_the_app_role(app_role_engine, engine, world):
    with app_role_engine.begin() as conn:
        new_id = conn.execute(text("SELECT atlas_audit('export', :u, 'append-only-test',"
                                   " NULL, NULL)"), {"u": world.users["admin"]}).scalar()
    for stmt in ("UPDATE audit_log SET action = 'logout' WHERE id = :i",
                 "DELETE FROM audit_log WHERE id = :i", "TRUNCATE audit_log"):
        with pytest.raises(ProgrammingError):
            with app_role_engine.begin() as conn:
                conn.execute(text(stmt), {"i": new_id})
    # Even the owner cannot rewrite history without the maintenance switch.
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET target = 'x' WHERE id = :i"), {"i": new_id})
    with engine.connect() as conn:
        assert conn.execute(text("SELECT action, target FROM audit_log WHERE id = :i"),
                            {"i": new_id}).one() == ("export", "append-only-test")


def test_owner_bypasses_rls_for_imports(world, engine):
    """The importer connects as the owner: it sees and writes every row, no scope needed."""
    with engine.begin() as conn:
        assert len(_matters(conn)) == 4
        conn.execute(text("INSERT INTO matter (matter_no, registered_on, category,"
                          " township_code, row_hash) VALUES ('SEC-IMP-1', '2026-01-01',"
                          " 'other', :t, 'x')"), {"t": TOWN_B})
        conn.execute(text("UPDATE matter SET responsible_unit = 'x'"
                          " WHERE matter_no = 'SEC-IMP-1'"))
        assert len(_matters(conn)) == 5
        conn.execute(text("DELETE FROM matter WHERE matter_no = 'SEC-IMP-1'"))


def test_rls_is_forced_on_every_matter_table(engine):
    with engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname"
            " = ANY(:t)"), {"t": ["matter", "submission", "matter_event", "assignment",
                                  "package_assignment", "unstable_factor"]}).all())
    assert rows == dict.fromkeys(rows, True) and len(rows) == 6


def test_scope_allows():
    scope = Scope(units=(TOWN_A,))
    assert scope.allows(TOWN_A) and scope.allows(TOWN_A + "001")
    assert not scope.allows(TOWN_B) and not scope.allows(COUNTY_A)
    assert not scope.allows("430600")
    county = Scope(units=(COUNTY_A,))
    assert county.allows(TOWN_A) and county.allows(COUNTY_A) and not county.allows(TOWN_B)
    assert Scope.region().allows(TOWN_B) and Scope.region().is_region
    assert not Scope.none().allows(TOWN_A)


def test_scope_for_each_role(world, engine):
    with engine.connect() as conn:
        acc = {k: get_account(conn, v) for k, v in world.users.items()}
    admin = scope_for_user(acc["admin"])
    assert admin.is_region and admin.personal_data and not admin.can_reveal
    leader = scope_for_user(acc["leader_a"])
    assert leader.units == (COUNTY_A,) and leader.can_reveal
    officer = scope_for_user(acc["officer_a"])
    assert officer.units == (TOWN_A,) and officer.can_reveal and officer.personal_data
    dept = scope_for_user(acc["dept"])
    assert dept.units == () and dept.departments == (DEPT_NAME,)
    auditor = scope_for_user(acc["auditor"])
    assert auditor.is_empty and not auditor.personal_data and not auditor.can_reveal
    assert scope_for_user(None).is_empty
