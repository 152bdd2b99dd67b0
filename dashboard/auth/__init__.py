"""Authentication, authorisation and hardening of the web application (issue 4).

``init_auth(server)`` wires, in this order: the trusted proxy hops (Werkzeug's ProxyFix,
``TRUSTED_PROXIES``), server-side sessions (Flask-Session: Redis or the database), cookie
settings, flask-login, the login blueprint, the ``before_request`` guard (every route,
``/_dash-*`` included, answers 302 → /login or 401 without a live session; wall devices run
only the wall's own callbacks), CSRF protection (the login form, ``/logout`` and Dash's JSON
callbacks via the ``_csrf_token`` cookie / ``X-CSRFToken`` header), the throttles, security
headers and redacted logging.

Pages use :func:`current_scope` for every read and may restrict themselves with
``dash.register_page(..., roles=("auditor", "admin"))``; without ``roles`` a page is for
admin, leader and officer. Wall devices only ever reach ``/wall``.
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from flask import Flask, jsonify, redirect, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.auth.guard import require_login, security_headers
from dashboard.auth.logsafe import configure_logging
from dashboard.auth.session import (
    Anonymous,
    SessionUser,
    audit_event,
    current_account,
    current_scope,
    home_for,
    load_user,
    page_allows,
)
from dashboard.auth.store import session_interface
from dashboard.auth.throttle import make_throttles
from dashboard.auth.views import bp
from settings import get_settings

__all__ = ["init_auth", "register_dash", "current_scope", "current_account", "audit_event",
           "SessionUser", "home_for", "page_allows"]


def init_auth(server: Flask) -> Flask:
    settings = get_settings()
    if settings.trusted_proxies:
        # X-Forwarded-For/-Proto count only for the configured hops; a client cannot add a
        # hop of its own, so throttling and the audit log see the real client's address.
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=settings.trusted_proxies,
                                   x_proto=settings.trusted_proxies)
    server.config.update(
        SESSION_COOKIE_NAME="atlas_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=settings.session_minutes),
        # Stored only when changed; the guard changes last_seen at most once a minute.
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,  # bound to the session, which expires on inactivity
        WTF_CSRF_SSL_STRICT=settings.session_cookie_secure,
        ATLAS_TILE_ORIGIN=_origin(settings.tile_url),
    )
    configure_logging(settings.log_dir)
    if settings.default_keys():  # app.py refuses them for a server; others get this line
        logging.getLogger(__name__).warning("%s at the development default: set them",
                                            ", ".join(settings.default_keys()))

    server.session_interface = session_interface(server, settings.redis_url)

    manager = LoginManager()
    manager.session_protection = "strong"  # a cookie replayed from another address/agent dies
    manager.anonymous_user = Anonymous
    manager.user_loader(load_user)
    manager.init_app(server)

    server.register_blueprint(bp)
    server.before_request(require_login)  # before CSRFProtect: anonymous gets 401, not 400
    csrf = CSRFProtect()
    csrf.init_app(server)
    server.after_request(security_headers)
    server.extensions["atlas_throttles"] = make_throttles(settings)

    @server.errorhandler(CSRFError)
    def _csrf_failed(exc):
        if request.path == "/login":
            return render_template("login.html", username="", next="",
                                   message="页面已过期，请重新登录。The form expired; "
                                           "please try again."), 400
        if request.path == "/logout":  # not logged out: a forged form must not end a session
            return redirect("/")
        return jsonify(error="CSRF token missing or invalid / 请求校验失败"), 400
    return server


def register_dash(server: Flask, app) -> None:
    """Let the security headers include the hashes of the Dash app's inline scripts."""
    server.extensions["atlas_dash"] = app


def _origin(url: str | None) -> str:
    if not url:
        return ""
    parts = urlsplit(url.replace("{", "").replace("}", ""))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
