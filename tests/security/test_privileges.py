"""Finding 7: the page-serving role ``atlas_app`` has no more than it needs. It appends to the
audit log only through ``atlas_audit`` (the database stamps time and role, the actor must
exist), writes nothing it never writes, and reads no password or wall-token hash; the login
role ``atlas_auth`` reads hashes and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError


@pytest.fixture(scope="module")
def auth_role_engine(db_url):
    from settings import get_settings

    url = make_url(db_url)._replace(username=get_settings().auth_db_role, password=None)
    eng = create_engine(url)
    yield eng
    eng.dispose()


def _refused(engine, sql: str, params: dict | None = None, match: str = "permission denied"):
    with pytest.raises(DBAPIError, match=match):
        with engine.begin() as conn:
            conn.execute(text(sql), params or {})


def test_app_role_cannot_back_date_or_forge_audit_rows(app_role_engine, world, engine):
    _refused(app_role_engine, "INSERT INTO audit_log (at, username, role, action, target)"
                              " VALUES ('2020-01-01', :u, 'admin', 'export', 'back-dated')",
             {"u": world.users["admin"]})
    # The function refuses an actor that is no account, and an anonymous row of an action
    # that always has one.
    _refused(app_role_engine, "SELECT atlas_audit('export', 'not-a-user', 'x', NULL, NULL)",
             match="unknown audit actor")
    _refused(app_role_engine, "SELECT atlas_audit('reveal', NULL, 'x', NULL, NULL)",
             match="needs an actor")
    _refused(app_role_engine, "SELECT atlas_audit('Bad Action;', NULL, 'x', NULL, NULL)",
             match="invalid audit action")
    # A real row: time from the database, role from the account (not from the caller).
    before = dt.datetime.now(dt.UTC)
    with app_role_engine.begin() as conn:
        new_id = conn.execute(text("SELECT atlas_audit('export', :u, 'stamped', NULL,"
                                   " '10.1.2.3')"), {"u": world.users["officer_a"]}).scalar()
    with engine.connect() as conn:
        row = conn.execute(text("SELECT at, username, role, remote_addr FROM audit_log"
                                " WHERE id = :i"), {"i": new_id}).one()
    assert row.username == world.users["officer_a"] and row.role == "officer"
    assert before - dt.timedelta(seconds=5) <= row.at <= dt.datetime.now(dt.UTC)
    assert row.remote_addr == "10.1.2.3"


def test_app_role_reads_no_credential(app_role_engine, world):
    for sql in ("SELECT password_hash FROM app_user", "SELECT * FROM app_user",
                "SELECT token_hash FROM wall_token", "SELECT * FROM wall_token",
                "SELECT failed_logins FROM app_user"):
        _refused(app_role_engine, sql)
    with app_role_engine.connect() as conn:
        names = set(conn.execute(text("SELECT username FROM app_user")).scalars())
    assert world.users["admin"] in names


def test_app_role_writes_nothing_it_never_writes(app_role_engine):
    for sql in ("INSERT INTO matter_event (matter_id, event_type, event_on)"
                " VALUES (1, 'x', '2026-01-01')",
                "UPDATE matter_event SET detail = NULL",
                "UPDATE app_user SET failed_logins = 0",
                "UPDATE wall_token SET last_seen_at = now()"):
        _refused(app_role_engine, sql)


def test_no_function_the_app_role_runs_returns_a_hash(app_role_engine, engine, world):
    from queries.users import create_wall_token, token_hash

    with engine.begin() as conn:
        _id, token = create_wall_token(conn, f"room-priv-{world.tag}")
    with app_role_engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM atlas_wall_device(:h)"),
                           {"h": token_hash(token)}).mappings().one()
    assert set(row) == {"id", "name", "scope_code"}
    with engine.connect() as conn:
        # Every function of this database the app role may execute, with its result type.
        rows = conn.execute(text(
            "SELECT p.proname, pg_get_function_result(p.oid) AS result FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
            " AND p.proname LIKE 'atlas%' AND has_function_privilege(:r, p.oid, 'EXECUTE')"),
            {"r": "atlas_app"}).all()
    assert {"atlas_audit", "atlas_wall_device"} <= {r.proname for r in rows}
    assert not any("hash" in (r.result or "") for r in rows)


def test_login_role_reads_hashes_and_nothing_else(auth_role_engine, world):
    with auth_role_engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM app_user WHERE username = :u"),
                              {"u": world.users["admin"]}).scalar_one()
    assert stored.startswith("$argon2id$")
    for sql in ("SELECT count(*) FROM matter", "SELECT token_hash FROM wall_token",
                "SELECT count(*) FROM audit_log", "UPDATE app_user SET role = 'admin'",
                "INSERT INTO audit_log (action) VALUES ('export')"):
        _refused(auth_role_engine, sql)


def test_app_role_cannot_become_the_login_role(app_role_engine):
    with pytest.raises(ProgrammingError, match="permission denied"):
        with app_role_engine.begin() as conn:
            conn.execute(text("SET ROLE atlas_auth"))
