"""Login: CSRF, throttling per account and per address, argon2id storage, expiry, audit."""

from __future__ import annotations

import time

from sqlalchemy import text

from tests.security.conftest import PASSWORD, audit_rows, csrf_from, login


def _locked_until(engine, username):
    with engine.connect() as conn:
        return conn.execute(text("SELECT failed_logins, locked_until FROM app_user"
                                 " WHERE username = :u"), {"u": username}).one()


def test_login_success_is_audited_with_address(server, world, engine):
    user = world.add_user("ok", "officer", ["430621100"])
    r = login(server.test_client(), user)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    rows = audit_rows(engine, "login_success", user)
    assert len(rows) == 1
    assert rows[0]["username"] == user and rows[0]["role"] == "officer"
    assert rows[0]["remote_addr"] == "127.0.0.1"


def test_wrong_or_missing_csrf_refused(server, world, engine):
    user = world.users["officer_a"]
    client = server.test_client()
    client.get("/login")
    for data in ({"username": user, "password": PASSWORD, "csrf_token": "forged"},
                 {"username": user, "password": PASSWORD}):
        r = client.post("/login", data=data)
        assert r.status_code == 400
        assert client.get("/").status_code == 302  # still anonymous
    # A token from another session is no good either.
    other = server.test_client()
    token = csrf_from(other.get("/login").text)
    r = client.post("/login", data={"username": user, "password": PASSWORD,
                                    "csrf_token": token})
    assert r.status_code == 400


def test_eleventh_bad_password_is_throttled_even_when_right(server, world, engine):
    user = world.add_user("victim", "officer", ["430621100"])
    client = server.test_client()
    for i in range(10):  # from ten addresses: the account lock alone must stop the 11th
        r = login(client, user, f"wrong password {i}", addr=f"10.0.0.{i + 1}")
        assert r.status_code == 401, i
    failures, locked_until = _locked_until(engine, user)
    assert failures == 10 and locked_until is not None
    r = login(client, user, PASSWORD, addr="10.0.1.1")
    assert r.status_code == 429
    assert client.get("/").status_code == 302
    fails = audit_rows(engine, "login_failure", user)
    assert len(fails) == 10 and fails[-1]["detail"] == {"failures": 10}
    assert all("password" not in str(row["detail"]) for row in fails)
    assert audit_rows(engine, "login_throttled", user)[-1]["detail"] == {"by": "account"}

    # After the cool-down the right password works and the count starts afresh.
    with engine.begin() as conn:
        conn.execute(text("UPDATE app_user SET locked_until = now() - interval '1 second'"
                          " WHERE username = :u"), {"u": user})
    assert login(server.test_client(), user, PASSWORD).status_code == 302
    assert _locked_until(engine, user) == (0, None)


def test_throttle_per_address_across_accounts(server, world, engine):
    client = server.test_client()
    for i in range(10):
        assert login(client, f"nobody_{world.tag}_{i}", "x" * 12).status_code == 401
    r = login(client, world.users["officer_b"], PASSWORD)
    assert r.status_code == 429
    row = audit_rows(engine, "login_throttled", world.users["officer_b"])[-1]
    assert row["detail"] == {"by": "address"}
    # Unknown names are not written to the audit log in clear (one may be a typed password).
    unknown = [r for r in audit_rows(engine, "login_failure") if r["target"] is None]
    assert unknown and all(f"nobody_{world.tag}" not in str(r) for r in unknown)


def test_password_hash_is_argon2id_and_not_the_password(world, engine):
    from queries.users import verify_password

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM app_user WHERE username = :u"),
                              {"u": world.users["officer_a"]}).scalar_one()
    assert stored.startswith("$argon2id$v=19$")
    assert PASSWORD not in stored and PASSWORD.encode().hex() not in stored
    assert verify_password(stored, PASSWORD) and not verify_password(stored, PASSWORD + "x")


def test_inactive_user_cannot_log_in_and_is_logged_out(server, world, engine, client_for):
    user = world.add_user("leaver", "officer", ["430621100"])
    client = client_for(user)
    assert client.get("/").status_code == 200
    with engine.begin() as conn:
        conn.execute(text("UPDATE app_user SET active = false WHERE username = :u"), {"u": user})
    assert client.get("/").status_code == 302  # the session dies at the next request
    assert login(server.test_client(), user).status_code == 401
    assert audit_rows(engine, "login_failure", user)[-1]["detail"]["reason"] == "inactive"


def test_session_expires_after_inactivity(client_for, world, engine):
    from settings import get_settings

    client = client_for(world.users["officer_a"])
    assert client.get("/_dash-layout").status_code == 200
    with client.session_transaction() as sess:
        sess["last_seen"] = int(time.time()) - get_settings().session_minutes * 60 - 5
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/").status_code == 302
    assert audit_rows(engine, "session_expired", world.users["officer_a"])


def test_interval_callbacks_do_not_keep_a_session_alive(client_for, world):
    client = client_for(world.users["officer_a"])
    old = int(time.time()) - 60
    with client.session_transaction() as sess:
        sess["last_seen"] = old
    cookie = client.get_cookie("_csrf_token").value
    client.post("/_dash-update-component", headers={"X-CSRFToken": cookie},
                json={"changedPropIds": ["refresh.n_intervals"], "inputs": [], "outputs": []})
    with client.session_transaction() as sess:
        assert sess["last_seen"] == old


def test_logout_ends_the_session(client_for, world, engine):
    client = client_for(world.users["officer_a"])
    assert client.get("/logout").status_code == 302
    assert client.get("/").status_code == 302
    assert client.get("/_dash-layout").status_code == 401
    assert audit_rows(engine, "logout", world.users["officer_a"])


def test_dash_callback_needs_csrf_header(client_for, world):
    client = client_for(world.users["officer_a"])
    body = {"output": "x.children", "outputs": {"id": "x", "property": "children"},
            "inputs": [], "changedPropIds": [], "state": []}
    assert client.post("/_dash-update-component", json=body).status_code == 400
    r = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": "forged"})
    assert r.status_code == 400
