"""The login blueprint: ``/login`` (a plain Flask/Jinja form, nothing of Dash), ``/logout``, and
the wall-screen token exchange (``/wall?token=...`` → session cookie → ``/wall``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from dashboard.auth.session import SessionUser, audit_event, home_for
from queries import users
from settings import get_settings

HERE = Path(__file__).resolve().parent
bp = Blueprint("atlas_auth", __name__, template_folder=str(HERE.parent / "templates"),
               static_folder=str(HERE / "static"), static_url_path="/login/static")

MAX_FIELD = 128


def safe_next(target: str | None) -> str | None:
    """A same-site path to return to after login, or None (no open redirects)."""
    if not target or len(target) > 2000 or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if target.startswith(("/login", "/logout")):
        return None
    return target.rstrip("?")


def _render(status: int, message: str | None = None, username: str = ""):
    return render_template("login.html", message=message, username=username,
                           next=safe_next(request.values.get("next")) or ""), status


def _throttle():
    return current_app.extensions["atlas_throttle"]


def start_session(user: SessionUser) -> None:
    """A fresh session (nothing from before login survives: no fixation) for ``user``."""
    session.clear()
    login_user(user, remember=False)
    session.permanent = True
    session["last_seen"] = int(time.time())


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(home_for(current_user.role))
        return _render(200)
    # CSRFProtect has already refused a POST without a valid token (400).
    settings = get_settings()
    username = (request.form.get("username") or "").strip()[:MAX_FIELD]
    password = request.form.get("password") or ""
    addr = request.remote_addr or "unknown"
    known = users.login_state(username) if username else None
    target = username if known else None
    detail_unknown = None if known else {
        "name_sha256": hashlib.sha256(username.encode()).hexdigest()[:12]}

    locked = known is not None and known.locked_until is not None and \
        known.locked_until > dt.datetime.now(dt.UTC)
    if _throttle().blocked(addr) or locked:
        audit_event("login_throttled", target,
                    {"by": "account" if locked else "address", **(detail_unknown or {})},
                    user=target)
        return _render(429, "尝试次数过多，请稍后再试。Too many attempts; try again later.",
                       username)
    if known is not None and known.locked_until is not None:
        users.clear_expired_lock(known.id)

    ok = users.verify_password(known.password_hash if known else None, password) \
        and known is not None and known.active
    if not ok:
        _throttle().fail(addr)
        detail = dict(detail_unknown or {})
        if known is not None:
            detail["failures"] = users.record_failed_login(
                known.id, settings.login_max_failures, settings.login_lockout_minutes)
            if not known.active:
                detail["reason"] = "inactive"
        audit_event("login_failure", target, detail, user=target)
        return _render(401, "用户名或密码错误。Wrong user name or password.", username)

    account = users.load_account(known.id)
    if account is None:  # deactivated in between
        return _render(401, "用户名或密码错误。Wrong user name or password.", username)
    users.record_successful_login(known.id)
    start_session(SessionUser(account))
    audit_event("login_success", account.username, user=account)
    return redirect(safe_next(request.form.get("next")) or home_for(account.role))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if current_user.is_authenticated:
        audit_event("logout", current_user.username)
    logout_user()
    session.clear()
    return redirect(url_for("atlas_auth.login"))


def exchange_wall_token():
    """``GET /wall?token=...``: a valid, unrevoked device token becomes a session; the token
    leaves the address bar at once (redirect to ``/wall``)."""
    token = request.args.get("token", "")
    device = users.wall_device_for_token(token)
    if device is None:
        logout_user()
        session.clear()
        audit_event("wall_refused", None, {"token_sha256": users.token_hash(token)[:12]},
                    user=None)
        return render_template("wall_refused.html"), 403
    start_session(SessionUser(device))
    audit_event("wall_login", device.username, user=device)
    return redirect("/wall")
