"""Accounts, passwords, login counters, language preference and wall-screen device tokens.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile) and
never stored or logged in clear. Wall tokens are 256-bit random strings of which only the
SHA-256 is stored. The login path (hash and failure counters) runs as the login role
(``queries.db.auth_connection``); other reads of the web application run as the application
role (``queries.db.app_connection``), which may read neither column of a credential; wall
tokens are checked by the database function ``atlas_wall_device``. Creating and changing
accounts is for the owner connection of the CLI (pass ``conn``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import text

from queries.db import app_connection, auth_connection
from queries.scope import (
    ROLES,
    WALL,
    InvalidCode,
    validate_department_code,
    validate_unit_code,
)

LANGS = ("zh", "en")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
_USERNAME_RE = re.compile(r"[\w.@-]{2,64}")

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4
# Verified against for unknown user names, so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
# Each verification takes 64 MiB for ~0.1 s: a burst of parallel logins must not exhaust memory.
_VERIFY_SLOTS = threading.BoundedSemaphore(2)


class AccountError(ValueError):
    """A refused account operation, with a message fit for the command line."""


@dataclass(frozen=True)
class Account:
    """A person (``kind='user'``) or a wall-screen device (``kind='wall'``, ``role='wall'``)."""

    id: int
    username: str
    role: str
    display_name: str | None = None
    lang: str = "zh"
    active: bool = True
    units: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    kind: str = "user"
    epoch: int = 0  # app_user.session_epoch: raised by changes that must end sessions

    @property
    def session_id(self) -> str:
        """The identifier kept in the session: ``u:<id>:<epoch>`` or ``w:<id>``. A password,
        role, unit or activity change raises the epoch, so sessions opened before it no
        longer match their account and end at their next request."""
        return f"w:{self.id}" if self.kind == WALL else f"u:{self.id}:{self.epoch}"


# --- passwords ---------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must have at least {MIN_PASSWORD_LENGTH} characters"
                           f" / 密码至少{MIN_PASSWORD_LENGTH}位")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"password longer than {MAX_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash still costs one verification."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
        password = ""
    with _VERIFY_SLOTS:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def validate_username(username: object) -> str:
    if not isinstance(username, str) or not _USERNAME_RE.fullmatch(username):
        raise AccountError("user name: 2–64 letters, digits or . _ @ - / 用户名格式不符")
    return username


# --- reading accounts --------------------------------------------------------------------------

def _scope_rows(conn, user_id: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rows = conn.execute(text(
        "SELECT us.unit_code, ru.name, ru.kind FROM user_scope us"
        " LEFT JOIN reporting_unit ru ON ru.code = us.unit_code"
        " WHERE us.user_id = :id ORDER BY us.unit_code"), {"id": user_id}).all()
    units = tuple(code for code, _n, _k in rows if code.isascii() and code.isdigit())
    departments = tuple(name for code, name, kind in rows
                        if kind == "department" and name and not code.isdigit())
    return units, departments


def _account(conn, row) -> Account:
    units, departments = _scope_rows(conn, row.id)
    return Account(id=row.id, username=row.username, role=row.role,
                   display_name=row.display_name, lang=row.lang, active=row.active,
                   units=units, departments=departments, epoch=row.session_epoch)


_USER_COLUMNS = "id, username, role, display_name, lang, active, session_epoch"


def load_account(user_id: int) -> Account | None:
    """The active account with this id (re-read on every request: deactivation is immediate)."""
    with app_connection() as conn:
        row = conn.execute(text(f"SELECT {_USER_COLUMNS} FROM app_user"
                                " WHERE id = :id AND active"), {"id": user_id}).first()
        return _account(conn, row) if row else None


def get_account(conn, username: str) -> Account | None:
    row = conn.execute(text(f"SELECT {_USER_COLUMNS} FROM app_user WHERE username = :u"),
                       {"u": username}).first()
    return _account(conn, row) if row else None


@dataclass(frozen=True)
class LoginState:
    id: int
    password_hash: str
    active: bool
    failed_logins: int
    locked_until: dt.datetime | None


def login_state(username: str) -> LoginState | None:
    """The hash and counters of an account for the login form (login role only)."""
    with auth_connection() as conn:
        row = conn.execute(text(
            "SELECT id, password_hash, active, failed_logins, locked_until FROM app_user"
            " WHERE username = :u"), {"u": username}).first()
    return LoginState(*row) if row else None


def record_failed_login(user_id: int, max_failures: int, lockout_minutes: int) -> int:
    """Count a failure in a row (for the audit row and ``update-user``'s view); returns the
    count. It locks nothing: the throttle refuses per address and per (account, address), so
    a stranger's failures cannot keep the owner out (issue 11). ``max_failures`` and
    ``lockout_minutes`` are kept for callers of the earlier signature."""
    del max_failures, lockout_minutes
    with auth_connection() as conn:
        return conn.execute(text(
            "UPDATE app_user SET failed_logins = failed_logins + 1"
            " WHERE id = :id RETURNING failed_logins"), {"id": user_id}).scalar_one()


def record_successful_login(user_id: int) -> None:
    """Reset the failure count and note the login time (login role)."""
    with auth_connection() as conn:
        conn.execute(text("UPDATE app_user SET failed_logins = 0, locked_until = NULL,"
                          " last_login_at = now() WHERE id = :id"), {"id": user_id})


# --- language preference (issue 3's switch) ----------------------------------------------------

def get_lang(user_id: int) -> str:
    with app_connection() as conn:
        lang = conn.execute(text("SELECT lang FROM app_user WHERE id = :id"),
                            {"id": user_id}).scalar()
    return lang if lang in LANGS else LANGS[0]


def set_lang(user_id: int, lang: str) -> None:
    if lang not in LANGS:
        raise AccountError(f"language must be one of {', '.join(LANGS)}")
    with app_connection() as conn:
        conn.execute(text("UPDATE app_user SET lang = :l WHERE id = :id"),
                     {"l": lang, "id": user_id})


# --- managing accounts (owner connection: the CLI, a later admin page) --------------------------

def _check_units(conn, role: str, units: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ``units`` into admin-unit codes and department codes, validated for ``role``."""
    admin_units, departments = [], []
    for code in units:
        if isinstance(code, str) and code[:1] in "0123456789":
            admin_units.append(validate_unit_code(code, levels=(6, 9)))
        else:
            departments.append(validate_department_code(code))
    if role in ("admin", "auditor") and units:
        raise AccountError(f"role {role} takes no --unit (admin: whole region; auditor: none)")
    if role == "leader" and (departments or any(len(c) != 6 for c in admin_units)):
        raise AccountError("a leader's --unit is a county code or the city code / 领导须为县或市")
    if role in ("leader", "officer") and not units:
        raise AccountError(f"role {role} needs at least one --unit / 须指定辖区")
    if role == "officer" and any(len(c) != 9 for c in admin_units):
        raise AccountError("an officer's --unit is a township code or a department code"
                           " / 干部须为乡镇或部门")
    found = set(conn.execute(text("SELECT code FROM admin_unit WHERE code = ANY(:c)"),
                             {"c": admin_units}).scalars()) if admin_units else set()
    missing = [c for c in admin_units if c not in found]
    found_depts = set(conn.execute(text(
        "SELECT code FROM reporting_unit WHERE kind = 'department' AND code = ANY(:c)"),
        {"c": departments}).scalars()) if departments else set()
    missing += [c for c in departments if c not in found_depts]
    if missing:
        raise AccountError(f"unknown unit code(s): {', '.join(missing)} / 未知单位代码")
    return admin_units, departments


def create_user(conn, username: str, password: str, role: str, units: Iterable[str] = (),
                display_name: str | None = None, lang: str = "zh") -> Account:
    """Insert a user with an argon2id hash and their scope rows. ``conn``: owner, in a txn."""
    username = validate_username(username)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if lang not in LANGS:
        raise AccountError(f"language must be one of {', '.join(LANGS)}")
    units = list(dict.fromkeys(units))
    try:
        _check_units(conn, role, units)
    except InvalidCode as exc:
        raise AccountError(str(exc)) from exc
    if conn.execute(text("SELECT 1 FROM app_user WHERE username = :u"), {"u": username}).first():
        raise AccountError(f"user {username!r} exists / 用户已存在")
    user_id = conn.execute(text(
        "INSERT INTO app_user (username, password_hash, role, display_name, lang)"
        " VALUES (:u, :h, :r, :d, :l) RETURNING id"),
        {"u": username, "h": hash_password(password), "r": role, "d": display_name,
         "l": lang}).scalar_one()
    for code in units:
        conn.execute(text("INSERT INTO user_scope (user_id, unit_code) VALUES (:i, :c)"),
                     {"i": user_id, "c": code})
    return get_account(conn, username)


def update_user(conn, username: str, *, role: str | None = None,
                units: Iterable[str] | None = None, active: bool | None = None,
                password: str | None = None) -> tuple[Account, dict]:
    """Change a user; returns the account and what changed (for the audit row)."""
    before = get_account(conn, username)
    if before is None:
        raise AccountError(f"no user {username!r} / 用户不存在")
    new_role = role or before.role
    if new_role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    changes: dict = {}
    if units is not None or role is not None:
        new_units = list(dict.fromkeys(units)) if units is not None else \
            list(conn.execute(text("SELECT unit_code FROM user_scope WHERE user_id = :i"),
                              {"i": before.id}).scalars())
        try:
            _check_units(conn, new_role, new_units)
        except InvalidCode as exc:
            raise AccountError(str(exc)) from exc
        if units is not None:
            conn.execute(text("DELETE FROM user_scope WHERE user_id = :i"), {"i": before.id})
            for code in new_units:
                conn.execute(text("INSERT INTO user_scope (user_id, unit_code) VALUES (:i, :c)"),
                             {"i": before.id, "c": code})
            changes["units"] = new_units
    if role is not None and role != before.role:
        conn.execute(text("UPDATE app_user SET role = :r WHERE id = :i"),
                     {"r": role, "i": before.id})
        changes["role"] = {"from": before.role, "to": role}
    if active is not None and active != before.active:
        conn.execute(text("UPDATE app_user SET active = :a WHERE id = :i"),
                     {"a": active, "i": before.id})
        changes["active"] = active
    if password is not None:
        conn.execute(text("UPDATE app_user SET password_hash = :h, failed_logins = 0,"
                          " locked_until = NULL WHERE id = :i"),
                     {"h": hash_password(password), "i": before.id})
        changes["password"] = "changed"
    if changes:  # every open session of this account ends at its next request
        conn.execute(text("UPDATE app_user SET session_epoch = session_epoch + 1"
                          " WHERE id = :i"), {"i": before.id})
    return get_account(conn, username), changes


def unlock_user(conn, username: str) -> bool:
    return conn.execute(text("UPDATE app_user SET failed_logins = 0, locked_until = NULL"
                             " WHERE username = :u"), {"u": username}).rowcount == 1


# --- wall-screen devices -----------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_wall_token(conn, name: str, scope_code: str | None = None) -> tuple[int, str]:
    """A new device token; returns ``(id, token)``. Only the hash is stored."""
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise AccountError("device name: 1–100 characters / 设备名称无效")
    if scope_code is not None:
        try:
            validate_unit_code(scope_code, levels=(6, 9))
        except InvalidCode as exc:
            raise AccountError(str(exc)) from exc
        if not conn.execute(text("SELECT 1 FROM admin_unit WHERE code = :c"),
                            {"c": scope_code}).first():
            raise AccountError(f"unknown unit code: {scope_code} / 未知区划代码")
    token = secrets.token_urlsafe(32)
    token_id = conn.execute(text(
        "INSERT INTO wall_token (name, token_hash, scope_code) VALUES (:n, :h, :s) RETURNING id"),
        {"n": name.strip(), "h": token_hash(token), "s": scope_code}).scalar_one()
    return token_id, token


def _wall_account(row) -> Account:
    return Account(id=row.id, username=f"wall:{row.name}", role=WALL, kind=WALL,
                   units=(row.scope_code,) if row.scope_code else ())


def wall_device_for_token(token: str) -> Account | None:
    """The device of an unrevoked token (and note when it was last seen), else None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 128:
        return None
    with app_connection() as conn:
        row = conn.execute(text("SELECT id, name, scope_code FROM atlas_wall_device(:h)"),
                           {"h": token_hash(token)}).first()
    return _wall_account(row) if row else None


def load_wall_device(token_id: int) -> Account | None:
    with app_connection() as conn:
        row = conn.execute(text("SELECT id, name, scope_code FROM wall_token"
                                " WHERE id = :i AND revoked_at IS NULL"), {"i": token_id}).first()
    return _wall_account(row) if row else None


def revoke_wall_tokens(conn, *, name: str | None = None, token_id: int | None = None) -> int:
    """Revoke by device name (all its tokens) or id; returns how many were revoked."""
    if (name is None) == (token_id is None):
        raise AccountError("give a device name or a token id")
    return conn.execute(text(
        "UPDATE wall_token SET revoked_at = now() WHERE revoked_at IS NULL"
        " AND (name = :n OR id = :i)"), {"n": name, "i": token_id}).rowcount


def list_wall_tokens(conn) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(text(
        "SELECT id, name, scope_code, created_at, last_seen_at, revoked_at FROM wall_token"
        " ORDER BY id"))]
