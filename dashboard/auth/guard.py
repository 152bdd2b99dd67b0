"""The ``before_request`` guard in front of every route (pages, ``/_dash-*``, assets), session
expiry after inactivity, and the security headers of every response."""

from __future__ import annotations

import json
import time

from dash import _callback
from flask import current_app, g, jsonify, redirect, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from dashboard.auth.session import audit_event, home_for, page_allows
from dashboard.auth.views import (
    DEVICE_COOKIE,
    audit_refusal,
    end_session,
    exchange_wall_token,
    restore_device_session,
    safe_next,
)
from queries.scope import WALL
from settings import get_settings

PUBLIC_EXACT = frozenset({"/login", "/logout", "/healthz"})
PUBLIC_PREFIXES = ("/login/static/",)
WALL_PREFIXES = ("/_dash-", "/assets/", "/_favicon.ico", "/_reload-hash")
CSRF_COOKIE = "_csrf_token"  # what Dash's renderer reads and echoes as X-CSRFToken
UPDATE_PATH = "/_dash-update-component"
# Dash selects the callback to run by the request's ``output`` key alone and passes input
# values by position, so callbacks are recognised here by that key, never by input ids.
ROUTING_OUTPUT = ".._pages_content.children..._pages_store.data.."
# Modules whose callbacks a wall device may run (the wall page's own refresh).
WALL_CALLBACK_MODULES = ("pages.wall", "dashboard.pages.wall")
LAST_SEEN_EVERY = 60  # seconds: the session store is written at most once a minute


def _is_public(path: str) -> bool:
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def _refused():
    if request.path.startswith("/_") or request.method != "GET" or request.is_json:
        return jsonify(error="login required / 请先登录"), 401
    return redirect(url_for("atlas_auth.login", next=safe_next(request.full_path)))


def _forbidden():
    return jsonify(error="forbidden / 无权访问"), 403


def _callback_body() -> dict | None:
    if request.method != "POST" or request.path != UPDATE_PATH:
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


def _dash_app():
    return current_app.extensions.get("atlas_dash")


def _routed_pathname(body: dict | None) -> str | None:
    """The pathname Dash's page-routing callback will route to, or None when ``body`` is
    not that callback. Recognised by its output; the value taken from the input position
    Dash will read it from, whatever id the request gives that input."""
    if not body or body.get("output") != ROUTING_OUTPUT:
        return None
    position = 0  # Dash registers (pathname, search, ...) in this order
    app = _dash_app()
    registered = app.callback_map.get(ROUTING_OUTPUT) if app is not None else None
    if registered:
        position = next((i for i, d in enumerate(registered.get("inputs") or [])
                         if d.get("id") == "_pages_location" and d.get("property") ==
                         "pathname"), 0)
    inputs = body.get("inputs")
    item = inputs[position] if isinstance(inputs, list) and len(inputs) > position else None
    value = item.get("value") if isinstance(item, dict) else None
    return value if isinstance(value, str) else ""


def _page_for(path: str) -> dict | None:
    from dash._pages import _path_to_page  # dash==4.4.1: the same lookup the router uses

    app = _dash_app()
    try:
        stripped = app.strip_relative_path(path) if app is not None else path.strip("/")
        page, _vars = _path_to_page(stripped or "")
    except Exception:  # a path Dash cannot route either (no leading slash, ...): no page
        return None
    return page or None


def wall_outputs() -> frozenset[str]:
    """The output keys of the callbacks a wall device may run: those the wall page defines."""
    app = _dash_app()
    if app is None:
        return frozenset()
    cache = current_app.extensions.setdefault("atlas_wall_outputs", {})
    if cache.get("n") != len(app.callback_map):
        cache["keys"] = frozenset(
            key for key, cb in app.callback_map.items()
            if getattr(cb.get("callback"), "__module__", None) in WALL_CALLBACK_MODULES)
        cache["n"] = len(app.callback_map)
    return cache["keys"]


def wall_may_run(body: dict | None) -> bool:
    """Whether a wall device may run this callback request: the wall page's own callbacks,
    and the routing callback only to ``/wall``. Everything else is refused, whatever ids
    its inputs carry."""
    if not body or not isinstance(body.get("output"), str):
        return False
    pathname = _routed_pathname(body)
    if pathname is not None:
        page = _page_for(pathname)
        return page is not None and page.get("path") == "/wall"
    return body["output"] in wall_outputs()


def _expired() -> bool:
    last = session.get("last_seen")
    minutes = get_settings().session_minutes
    return not isinstance(last, int) or time.time() - last > minutes * 60


def _wall_refusal(target: str):
    audit_refusal("wall-callback", "access_denied", target[:200], {"role": WALL},
                  user=current_user.account)
    return _forbidden()


def require_login():
    """Every request: public routes pass; otherwise a live session whose role may see it."""
    path = request.path
    if path == "/wall" and "token" in request.args:
        return exchange_wall_token()
    if _is_public(path):
        return None
    if current_user.is_authenticated and _expired():
        audit_event("session_expired", current_user.username)
        end_session()
    if not current_user.is_authenticated and not restore_device_session():
        return _refused()
    body = _callback_body()
    now = int(time.time())
    if not (_only_intervals(body) and not current_user.is_wall) and \
            now - (session.get("last_seen") or 0) >= LAST_SEEN_EVERY:
        session["last_seen"] = now
    role = current_user.role

    if role == WALL:
        if path == UPDATE_PATH:
            return None if wall_may_run(body) else \
                _wall_refusal(str((body or {}).get("output") or "callback"))
        if request.method != "GET":
            return _forbidden()
        if path != "/wall" and not path.startswith(WALL_PREFIXES):
            return redirect("/wall")
        return None

    # Page access by role, both for the HTML shell and for the routing callback that
    # returns the page's layout (a captured callback replayed with another pathname).
    pathname = _routed_pathname(body)
    if pathname is not None:
        page = _page_for(pathname)
        if page is not None and not page_allows(page, role):
            audit_event("access_denied", pathname[:200])
            return _forbidden()
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
    if g.get("atlas_drop_device_cookie"):
        response.delete_cookie(DEVICE_COOKIE, path="/")
    if current_user and current_user.is_authenticated:
        response.set_cookie(CSRF_COOKIE, generate_csrf(), httponly=False, samesite="Strict",
                            secure=get_settings().session_cookie_secure, path="/")
    return response

