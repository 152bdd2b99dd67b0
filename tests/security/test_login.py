"""Login: CSRF, throttling per account and per address, argon2id storage, expiry, audit."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tests.security.conftest import PASSWORD, audit_rows, csrf_from, login


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


def test_eleventh_attempt_from_the_same_address_is_throttled_even_when_right(
        server, world, engine):
    user = world.add_user("victim", "officer", ["430621100"])
    client = server.test_client()
    for i in range(10):
        r = login(client, user, f"wrong password {i}", addr="10.0.0.1")
        assert r.status_code == 401, i
    r = login(client, user, PASSWORD, addr="10.0.0.1")
    assert r.status_code == 429
    assert client.get("/").status_code == 302
    fails = audit_rows(engine, "login_failure", user)
    assert len(fails) == 10 and fails[-1]["detail"] == {"failures": 10}
    assert all(row["remote_addr"] == "10.0.0.1" for row in fails)
    assert all("password" not in str(row["detail"]) for row in fails)
    throttled = audit_rows(engine, "login_throttled", user)[-1]
    assert throttled["detail"] == {"by": "account", "count": 1, "window_minutes": 15}
    assert throttled["role"] == "officer"  # stamped by the database from the account


def test_a_strangers_failures_do_not_lock_the_owner_out(server, world, engine):
    """Finding 3: failures against an account from ten addresses lock no address that has
    none of its own; the owner's right password from a clean address works at once."""
    user = world.add_user("owner", "officer", ["430621100"])
    client = server.test_client()
    for i in range(10):
        assert login(client, user, f"guess {i}", addr=f"10.0.0.{i + 1}").status_code == 401
    assert login(server.test_client(), user, PASSWORD, addr="10.0.1.1").status_code == 302


def test_throttle_per_address_across_accounts(server, world, engine):
    from settings import get_settings

    n = get_settings().login_address_max_failures
    client = server.test_client()
    for i in range(n):
        assert login(client, f"nobody_{world.tag}_{i}", "x" * 12,
                     addr="10.7.7.7").status_code == 401
    r = login(client, world.users["officer_b"], PASSWORD, addr="10.7.7.7")
    assert r.status_code == 429
    row = audit_rows(engine, "login_throttled", world.users["officer_b"])[-1]
    assert row["detail"]["by"] == "address"
    # Another address is not affected.
    assert login(server.test_client(), world.users["officer_b"]).status_code == 302
    # Unknown names are not written to the audit log in clear (one may be a typed password).
    unknown = [r for r in audit_rows(engine, "login_failure") if r["target"] is None]
    assert unknown and all(f"nobody_{world.tag}" not in str(r) for r in unknown)


def test_throttled_logins_write_few_audit_rows(server, world, engine):
    """Finding 5: a flood of refused logins from one address writes rows at the 1st, 10th,
    100th refusal with a count, not one per request."""
    user = world.add_user("flooded", "officer", ["430621100"])
    client = server.test_client()
    for i in range(10):
        login(client, user, f"wrong {i}", addr="10.8.8.8")
    before = len(audit_rows(engine, "login_throttled", user))
    for _ in range(25):
        assert login(client, user, "wrong again", addr="10.8.8.8").status_code == 429
    rows = audit_rows(engine, "login_throttled", user)[before:]
    assert [r["detail"]["count"] for r in rows] == [1, 10]


def test_trusted_proxy_hops(monkeypatch, db_url, world, engine):
    """Behind TRUSTED_PROXIES=1 the client's address is X-Forwarded-For's last hop: ten
    failures from one client do not refuse another client behind the same proxy, and the
    audit log shows the client, not the proxy. Without it the header is ignored."""
    from dashboard.factory import create_server
    from settings import get_settings

    user = world.add_user("proxied", "officer", ["430621100"])
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    get_settings.cache_clear()
    try:
        proxied = create_server()
    finally:
        monkeypatch.delenv("TRUSTED_PROXIES")
        get_settings.cache_clear()
    plain = create_server()

    def attempt(srv, password, client_ip, spoof=None):
        c = srv.test_client()
        fwd = f"{spoof}, {client_ip}" if spoof else client_ip
        headers = {"X-Forwarded-For": fwd}
        page = c.get("/login", headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.1"})
        return c.post("/login", headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.1"},
                      data={"username": user, "password": password,
                            "csrf_token": csrf_from(page.text)})

    for i in range(10):
        # A client cannot pick its address by adding a hop: the proxy's last entry counts.
        assert attempt(proxied, f"bad {i}", "203.0.113.5", spoof=f"198.51.100.{i}") \
            .status_code == 401
    assert attempt(proxied, PASSWORD, "203.0.113.5").status_code == 429
    assert attempt(proxied, PASSWORD, "203.0.113.6").status_code == 302
    fails = audit_rows(engine, "login_failure", user)
    assert {r["remote_addr"] for r in fails} == {"203.0.113.5"}
    # Without trusted proxies every request is the proxy's: X-Forwarded-For changes nothing.
    for i in range(10):
        assert attempt(plain, f"bad {i}", f"203.0.113.{10 + i}").status_code == 401
    assert attempt(plain, PASSWORD, "203.0.113.99").status_code == 429


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


def _csrf(client) -> str:
    return client.get_cookie("_csrf_token").value


def test_logout_only_by_post_with_csrf(client_for, world, engine):
    client = client_for(world.users["officer_a"])
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302  # no token: refused, not logged out
    assert client.get("/").status_code == 200
    r = client.post("/logout", data={"csrf_token": _csrf(client)})
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    assert client.get("/_dash-layout").status_code == 401
    assert audit_rows(engine, "logout", world.users["officer_a"])


def test_replayed_cookie_after_logout_is_refused(server, client_for, world):
    """Finding 6: the session lives on the server; a cookie captured before logout opens
    nothing afterwards."""
    client = client_for(world.users["officer_a"])
    captured = client.get_cookie("atlas_session").value
    assert client.get("/_dash-layout").status_code == 200
    client.post("/logout", data={"csrf_token": _csrf(client)})
    thief = server.test_client()
    thief.set_cookie("atlas_session", captured)
    assert thief.get("/_dash-layout").status_code == 401
    assert thief.get("/").status_code == 302


@pytest.mark.parametrize("change", ["password", "role", "units", "disable"])
def test_account_changes_end_open_sessions(server, world, engine, change):
    from queries.users import update_user

    user = world.add_user(f"changed_{change}", "officer", ["430621100"])
    client = server.test_client()
    assert login(client, user).status_code == 302
    assert client.get("/_dash-layout").status_code == 200
    kwargs = {"password": {"password": "a brand new password"},
              "role": {"role": "auditor", "units": []},
              "units": {"units": ["430621101"]},
              "disable": {"active": False}}[change]
    with engine.begin() as conn:
        update_user(conn, user, **kwargs)
    assert client.get("/_dash-layout").status_code == 401


def test_last_seen_is_written_at_most_once_a_minute(client_for, world, monkeypatch):
    from queries import sessions

    client = client_for(world.users["officer_a"])
    client.get("/_dash-layout")
    writes = []
    real = sessions.save
    monkeypatch.setattr(sessions, "save", lambda *a: (writes.append(a[0]), real(*a)))
    for _ in range(5):
        assert client.get("/_dash-layout").status_code == 200
    assert writes == []
    with client.session_transaction() as sess:
        sess["last_seen"] = int(time.time()) - 61
    writes.clear()
    for _ in range(3):
        client.get("/_dash-layout")
    assert len(writes) == 1


def test_dash_callback_needs_csrf_header(client_for, world):
    client = client_for(world.users["officer_a"])
    body = {"output": "x.children", "outputs": {"id": "x", "property": "children"},
            "inputs": [], "changedPropIds": [], "state": []}
    assert client.post("/_dash-update-component", json=body).status_code == 400
    r = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": "forged"})
    assert r.status_code == 400
