"""Nothing of the application answers without a session: pages redirect to /login, Dash's
endpoints answer 401; every response carries the security headers."""

from __future__ import annotations

import dash
import pytest

from tests.security.conftest import login

DASH_ENDPOINTS_GET = ["/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/_favicon.ico",
                      "/_dash-component-suites/dash/dcc/dash_core_components.js",
                      "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js"]


def _page_paths():
    paths = {"/", "/wall", "/audit", "/no-such-page", "/assets/style.css"}
    paths |= {p["path"] for p in dash.page_registry.values()}
    return sorted(paths)


def test_anonymous_pages_redirect_to_login(server, world):
    client = server.test_client()
    for path in _page_paths():
        r = client.get(path)
        assert r.status_code == 302, path
        assert r.headers["Location"].startswith("/login?next="), path
        assert "_dash" not in r.text


@pytest.mark.parametrize("path", DASH_ENDPOINTS_GET)
def test_anonymous_dash_endpoints_401(server, path):
    r = server.test_client().get(path)
    assert r.status_code == 401
    assert r.json == {"error": "login required / 请先登录"}


def test_anonymous_callback_401_even_with_a_wellformed_body(server):
    body = {"output": "_pages_content.children", "outputs": [
        {"id": "_pages_content", "property": "children"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"}],
        "changedPropIds": ["_pages_location.pathname"], "state": []}
    r = server.test_client().post("/_dash-update-component", json=body,
                                  headers={"X-CSRFToken": "forged"})
    assert r.status_code == 401


def test_login_page_and_health_are_public_but_nothing_else(server):
    client = server.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/login/static/login.css").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/loginx").status_code == 302  # a prefix is not an exemption


def test_security_headers_on_every_response(server, world):
    client = server.test_client()
    for path in ("/login", "/", "/_dash-layout", "/healthz"):
        h = client.get(path).headers
        csp = h["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "'unsafe-eval'" not in csp
        script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src
        assert h["X-Frame-Options"] == "DENY"
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(server, world):
    client = server.test_client()
    r = login(client, world.users["officer_a"])
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("atlas_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # SESSION_COOKIE_SECURE off in tests; on behind TLS


def test_secure_cookie_when_configured(monkeypatch, db_url):
    from dashboard.factory import create_server
    from settings import get_settings

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    get_settings.cache_clear()
    try:
        s = create_server()
        assert s.config["SESSION_COOKIE_SECURE"] is True
        r = s.test_client().get("/healthz")
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        monkeypatch.delenv("SESSION_COOKIE_SECURE")
        get_settings.cache_clear()


def test_logged_in_user_reaches_dash(client_for, world):
    client = client_for(world.users["officer_a"])
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/_dash-dependencies").status_code == 200
    assert "_csrf_token=" in "".join(client.get("/").headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil",
                                    "javascript:alert(1)"])
def test_no_open_redirect_after_login(server, world, target):
    r = login(server.test_client(), world.users["officer_a"], next_=target)
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_next_path_is_kept(server, world):
    r = login(server.test_client(), world.users["officer_a"], next_="/?unit=430621100")
    assert r.headers["Location"] == "/?unit=430621100"


PUBLIC_PREFIXES = ("/login", "/logout", "/healthz")


def _every_route(server):
    """One concrete URL per Flask route (exports, GeoJSON, Dash, pages), arguments filled in."""
    for rule in server.url_map.iter_rules():
        if rule.rule.startswith(PUBLIC_PREFIXES) or "GET" not in rule.methods:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<path:{arg}>", "x/y.js").replace(f"<{arg}>", "430602")
            url = url.replace(f"<string:{arg}>", "430602").replace(f"<int:{arg}>", "1")
        yield url


def test_every_registered_route_refuses_anonymous_requests(server):
    client = server.test_client()
    urls = sorted(set(_every_route(server)))
    assert any(u.startswith("/export") for u in urls) and any(u.startswith("/geo") for u in urls)
    for url in urls:
        r = client.get(url)
        assert r.status_code in (302, 401), (url, r.status_code)
        if r.status_code == 302:
            assert r.headers["Location"].startswith("/login"), url
