"""create-user / update-user: validation of every argument, argon2id storage, audit rows."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from cli.accounts import create_user, unlock_user_cmd, update_user_cmd
from tests.security.conftest import PASSWORD, TOWN_A, TOWN_B, audit_rows


def _run(cmd, args, password=PASSWORD):
    return CliRunner().invoke(cmd, args, input=password + "\n")


def test_create_user_stores_argon2id_and_audits(world, engine):
    name = world.name("cli_officer")
    r = _run(create_user, [name, "--role", "officer", "--unit", TOWN_A, "--unit", TOWN_B,
                           "--password-stdin"])
    assert r.exit_code == 0, r.output
    assert PASSWORD not in r.output
    with engine.connect() as conn:
        stored, role = conn.execute(text("SELECT password_hash, role FROM app_user"
                                         " WHERE username = :u"), {"u": name}).one()
        units = sorted(conn.execute(text(
            "SELECT unit_code FROM user_scope JOIN app_user ON id = user_id"
            " WHERE username = :u"), {"u": name}).scalars())
    assert stored.startswith("$argon2id$") and PASSWORD not in stored and role == "officer"
    assert units == [TOWN_A, TOWN_B]
    row = audit_rows(engine, "user_create", name)[-1]
    assert row["detail"] == {"role": "officer", "units": [TOWN_A, TOWN_B]}
    assert row["username"].startswith("cli")


@pytest.mark.parametrize("args, message", [
    (["--role", "officer", "--unit", "430621100' OR '1'='1"], "invalid unit code"),
    (["--role", "officer", "--unit", "430621999"], "unknown unit code"),
    (["--role", "officer", "--unit", "110101001"], "outside region"),
    (["--role", "officer"], "needs at least one --unit"),
    (["--role", "leader", "--unit", TOWN_A], "county code or the city"),
    (["--role", "auditor", "--unit", TOWN_A], "takes no --unit"),
    (["--role", "officer", "--unit", "NO-SUCH-DEPT"], "unknown unit code"),
    (["--role", "root", "--unit", TOWN_A], "Invalid value for '--role'"),
])
def test_create_user_rejects_bad_arguments(world, args, message):
    r = _run(create_user, [world.name("cli_bad"), *args, "--password-stdin"])
    assert r.exit_code != 0
    assert message in r.output


def test_create_user_rejects_short_password_bad_name_and_duplicates(world):
    r = _run(create_user, [world.name("cli_short"), "--role", "auditor", "--password-stdin"],
             password="short")
    assert r.exit_code != 0 and "at least 10" in r.output
    r = _run(create_user, ["bad name;--", "--role", "auditor", "--password-stdin"])
    assert r.exit_code != 0 and "user name" in r.output
    r = _run(create_user, [world.users["auditor"], "--role", "auditor", "--password-stdin"])
    assert r.exit_code != 0 and "exists" in r.output


def test_role_change_is_audited(world, engine):
    name = world.add_user("promote", "officer", [TOWN_A])
    r = CliRunner().invoke(update_user_cmd, [name, "--role", "leader", "--unit", "430621"])
    assert r.exit_code == 0, r.output
    row = audit_rows(engine, "role_change", name)[-1]
    assert row["detail"] == {"role": {"from": "officer", "to": "leader"}, "units": ["430621"]}
    r = CliRunner().invoke(update_user_cmd, [name, "--disable"])
    assert r.exit_code == 0 and audit_rows(engine, "user_update", name)[-1]["detail"] == {
        "active": False}


def test_unlock_user(world, engine):
    name = world.add_user("locked", "officer", [TOWN_A])
    with engine.begin() as conn:
        conn.execute(text("UPDATE app_user SET failed_logins = 10, locked_until = now()"
                          " + interval '1 hour' WHERE username = :u"), {"u": name})
    assert CliRunner().invoke(unlock_user_cmd, [name]).exit_code == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT failed_logins, locked_until FROM app_user"
                                 " WHERE username = :u"), {"u": name}).one() == (0, None)
