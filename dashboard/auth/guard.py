"""The ``before_request`` guard in front of every route (pages, ``/_dash-*``, assets), session
expiry after inactivity, and the security headers of every response."""

from __future__ import annotations

import json
import time

from dash import _callback
from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import generate_csrf

from dashboard.auth.session import audit_event, home_for, page_allows
from dashboard.auth.views import exchange_wall_token, safe_next
from queries.scope import WALL
from settings import get_settings

PUBLIC_EXACT = frozenset({"/login", "/logout", "/healthz"})
PUBLIC_PREFIXES = ("/login/static/",)
WALL_PREFIXES = ("/_dash-", "/assets/", "/_favicon.ico", "/_reload-hash")
CSRF_COOKIE = "_csrf_token"  # what Dash's renderer reads and echoes as X-CSRFToken
PAGES_LOCATION = "_pages_location"


def _is_public(path: str) -> bool:
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def _refused():
    if request.path.startswith("/_") or request.method != "GET" or request.is_json:
        return jsonify(error="login required / 请先登录"), 401
    return redirect(url_for("atlas_auth.login", next=safe_next(request.full_path)))


def _callback_body() -> dict | None:
    if request.method != "POST" or request.path != "/_dash-update-component":
        return None
    try:
        body = json.loads(request.get_data(cache=True) or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _only_intervals(body: dict | None) -> bool:
    """A callback fired by nothing but a dcc.Interval is not user activity."""
    changed = (body or {}).get("changedPropIds") or []
    return bool(changed) and all(str(p).endswith(".n_intervals") for p in changed)


def _routed_pathname(body: dict | None) -> str | None:
    """The pathname of Dash's page-routing callback (the one that returns a page layout)."""
    for item in (body or {}).get("inputs") or []:
        if isinstance(item, dict) and item.get("id") == PAGES_LOCATION \
                and item.get("property") == "pathname":
            value = item.get("value")
            return value if isinstance(value, str) else ""
    return None


def _page_for(path: str) -> dict | None:
    from dash._pages import _path_to_page  # dash==4.4.1: the same lookup the router uses

    app = current_app.extensions.get("atlas_dash")
    stripped = app.strip_relative_path(path) if app is not None else path.strip("/")
    page, _vars = _path_to_page(stripped or "")
    return page or None


def _expired() -> bool:
    last = session.get("last_seen")
    minutes = get_settings().session_minutes
    return not isinstance(last, int) or time.time() - last > minutes * 60


def require_login():
    """Every request: public routes pass; otherwise a live session whose role may see it."""
    path = request.path
    if path == "/wall" and "token" in request.args:
        return exchange_wall_token()
    if _is_public(path):
        return None
    if not current_user.is_authenticated:
        return _refused()
    if _expired():
        audit_event("session_expired", current_user.username)
        logout_user()
        session.clear()
        return _refused()
    body = _callback_body()
    if not (_only_intervals(body) and not current_user.is_wall):
        session["last_seen"] = int(time.time())
    role = current_user.role

    # Page access by role, both for the HTML shell and for the routing callback that
    # returns the page's layout (a captured callback replayed with another pathname).
    pathname = _routed_pathname(body)
    if pathname is not None:
        page = _page_for(pathname)
        if page is not None and not page_allows(page, role):
            audit_event("access_denied", pathname[:200])
            return jsonify(error="forbidden / 无权访问"), 403
    if role == WALL and path != "/wall" and not path.startswith(WALL_PREFIXES):
        return redirect("/wall") if request.method == "GET" else \
            (jsonify(error="forbidden / 无权访问"), 403)
    if request.method == "GET" and not path.startswith(("/_", "/assets/")):
        page = _page_for(path)
        if page is not None and not page_allows(page, role):
            return redirect(home_for(role))
    return None


def _csp() -> str:
    """The Content-Security-Policy: scripts only from here plus the hashes of Dash's own
    inline scripts (the renderer bootstrap, clientside callbacks given as strings)."""
    app = current_app.extensions.get("atlas_dash")
    pending = len(_callback.GLOBAL_INLINE_SCRIPTS)
    cache = current_app.extensions.setdefault("atlas_csp", {})
    key = (len(app._inline_scripts) if app else 0) + pending
    if cache.get("key") != key or "csp" not in cache:
        hashes = app.csp_hashes() if app else []
        tiles = current_app.config.get("ATLAS_TILE_ORIGIN") or ""
        cache["csp"] = "; ".join([
            "default-src 'self'",
            "script-src 'self' " + " ".join(hashes),
            # Plotly and dcc inject <style> elements; no inline script is allowed.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob: {tiles}".strip(),
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ])
        cache["key"] = key
    return cache["csp"]


def security_headers(response):
    """Headers on every response, and the CSRF cookie Dash's renderer echoes back."""
    h = response.headers
    h["Content-Security-Policy"] = _csp()
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if response.mimetype in ("text/html", "application/json"):
        h["Cache-Control"] = "no-store"
    if get_settings().session_cookie_secure:
        h["Strict-Transport-Security"] = "max-age=31536000"
    if current_user and current_user.is_authenticated:
        response.set_cookie(CSRF_COOKIE, generate_csrf(), httponly=False, samesite="Strict",
                            secure=get_settings().session_cookie_secure, path="/")
    return response

