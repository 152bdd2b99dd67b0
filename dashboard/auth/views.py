"""The login blueprint: ``/login`` (a plain Flask/Jinja form, nothing of Dash), ``/logout``
(POST with CSRF), and the wall-screen token exchange (``/wall?token=...`` → session and
device cookie → ``/wall``)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from dashboard.auth.session import SessionUser, audit_event, home_for
from dashboard.auth.throttle import audit_due
from queries import users
from settings import get_settings

HERE = Path(__file__).resolve().parent
bp = Blueprint("atlas_auth", __name__, template_folder=str(HERE.parent / "templates"),
               static_folder=str(HERE / "static"), static_url_path="/login/static")

MAX_FIELD = 128
#: The wall device's own cookie (its token), HttpOnly, long-lived: see restore_device_session.
DEVICE_COOKIE = "atlas_wall_device"


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


def throttles():
    """The counters of the authentication layer (``dashboard.auth.throttle``)."""
    return current_app.extensions["atlas_throttles"]


def client_addr() -> str:
    """The client's address: behind ``TRUSTED_PROXIES`` hops, ProxyFix has already put the
    forwarded address here; anything a client adds beyond those hops is ignored."""
    return request.remote_addr or "unknown"


def audit_refusal(kind: str, action: str, target: str | None, detail: dict,
                  user=None) -> None:
    """Count one refusal and write an audit row only for the 1st, 10th, 100th, … of this
    address in the window, with the count: a flood cannot bury the real entries."""
    count = throttles().refusal(kind, client_addr())
    if audit_due(count):
        audit_event(action, target, {**detail, "count": count,
                                     "window_minutes": throttles().window_minutes}, user=user)


def start_session(user: SessionUser) -> None:
    """A fresh session under a new id (nothing from before login survives, and the old id
    is deleted from the store: no fixation) for ``user``."""
    iface = current_app.session_interface
    if hasattr(iface, "regenerate"):
        session["_rotate"] = True  # regenerate() only rotates a non-empty session
        iface.regenerate(session)
    session.clear()
    login_user(user, remember=False)
    session.permanent = True
    session["last_seen"] = int(time.time())


def end_session() -> None:
    """Log out and delete the session from the store (a replayed cookie finds nothing)."""
    logout_user()
    session.clear()


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
    addr = client_addr()
    known = users.login_state(username) if username else None
    target = username if known else None
    detail_unknown = {} if known else {
        "name_sha256": hashlib.sha256(username.encode()).hexdigest()[:12]}

    by = throttles().login_blocked(addr, username)
    if by:
        audit_refusal("login", "login_throttled", target, {"by": by, **detail_unknown},
                      user=target)
        return _render(429, "尝试次数过多，请稍后再试。Too many attempts; try again later.",
                       username)

    ok = users.verify_password(known.password_hash if known else None, password) \
        and known is not None and known.active
    if not ok:
        throttles().login_failed(addr, username)
        detail = dict(detail_unknown)
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
    throttles().login_succeeded(addr, username)
    users.record_successful_login(known.id)
    start_session(SessionUser(account))
    audit_event("login_success", account.username, user=account)
    return redirect(safe_next(request.form.get("next")) or home_for(account.role))


@bp.route("/logout", methods=["POST"])
def logout():
    """POST with the CSRF token only (a link or an image elsewhere cannot log anyone out)."""
    if current_user.is_authenticated:
        audit_event("logout", current_user.username)
    end_session()
    resp = redirect(url_for("atlas_auth.login"))
    resp.delete_cookie(DEVICE_COOKIE, path="/")
    return resp


@bp.get("/logout")
def logout_by_get():
    """Not a way out: only the header's form (POST with CSRF) logs out."""
    from werkzeug.exceptions import MethodNotAllowed

    raise MethodNotAllowed(valid_methods=["POST"])


def _set_device_cookie(response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(DEVICE_COOKIE, token, max_age=settings.wall_device_cookie_days * 86400,
                        httponly=True, samesite="Lax", secure=settings.session_cookie_secure,
                        path="/")


def exchange_wall_token():
    """``GET /wall?token=...``: a valid, unrevoked device token becomes a session and a
    long-lived device cookie; the token leaves the address bar at once (redirect to
    ``/wall``). A refused token leaves whatever session the browser has alone."""
    addr = client_addr()
    if throttles().wall_blocked(addr):
        audit_refusal("wall", "wall_refused", None, {"throttled": True})
        return render_template("wall_refused.html"), 429
    token = request.args.get("token", "")
    device = users.wall_device_for_token(token)
    if device is None:
        throttles().wall_refused(addr)
        audit_refusal("wall", "wall_refused", None,
                      {"token_sha256": users.token_hash(token)[:12]})
        return render_template("wall_refused.html"), 403
    start_session(SessionUser(device))
    audit_event("wall_login", device.username, user=device)
    resp = redirect("/wall")
    _set_device_cookie(resp, token)
    return resp


def restore_device_session() -> bool:
    """A wall device whose session is gone (expired, or the store restarted) comes back by
    itself with its device cookie, unless the token was revoked; True when it did."""
    token = request.cookies.get(DEVICE_COOKIE)
    if not token:
        return False
    addr = client_addr()
    if throttles().wall_blocked(addr):
        return False
    device = users.wall_device_for_token(token)
    if device is None:
        throttles().wall_refused(addr)
        audit_refusal("wall", "wall_refused", None, {"via": "device_cookie"})
        g.atlas_drop_device_cookie = True
        return False
    start_session(SessionUser(device))
    audit_event("wall_login", device.username, {"via": "device_cookie"}, user=device)
    return True
