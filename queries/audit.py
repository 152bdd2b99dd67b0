"""The audit log: who did what, when, from where (DESIGN §1.2, issue 4).

Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE for everyone, and the application
role may not even INSERT: it appends through the database function ``atlas_audit`` (migration
0008), which stamps the time itself and takes the actor's role from the account tables — the
actor must be an existing user or wall device (``wall:<name>``), or nobody for the events
before anyone is known (a failed or throttled login, a refused wall token). The CLI, as the
owner, writes its rows directly (:func:`record_owner`; its actor is ``cli:<login name>``).
Details never carry passwords, tokens or personal data: :func:`clean` drops such keys and
masks ID numbers before a row is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB

from queries.db import app_connection
from settings import get_settings

ACTIONS = (
    "login_success", "login_failure", "login_throttled", "logout", "session_expired",
    "wall_login", "wall_refused", "wall_token_create", "wall_token_revoke",
    "user_create", "user_update", "role_change", "user_unlock",
    "reveal", "reveal_refused", "export", "access_denied",
    # accountability edits of the backlog page (issue 5, queries/edits.py)
    "package_leader_set", "package_progress", "assignment_close", "reception_record",
)
VIEWER_ROLES = ("auditor", "admin")

# 18-digit resident ID (last character may be X), not inside a longer run of digits.
ID_NUMBER_RE = re.compile(r"(?<![0-9])(\d{4})\d{10}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
# key=value, "key": "value" and 信访人：value forms of a named personal field.
_FIELD_NAMES = (r"petitioner_name|petitioner_id|petitioner|id_number|id_no|身份证号?|信访人"
                r"|姓名|password|passwd|token")
PERSONAL_FIELD_RE = re.compile(
    r"""(?P<key>["']?(?:""" + _FIELD_NAMES + r""")["']?\s*[:=：]\s*)"""
    r"""(?!\[redacted\])(?P<val>"[^"]*"|'[^']*'|[^\s,;&}\)\]，；。、）】]+)""", re.IGNORECASE)
_SECRET_KEY_RE = re.compile(r"password|passwd|secret|token|petitioner|id_number|身份证|姓名",
                            re.IGNORECASE)


def redact(message: str) -> str:
    """``message`` with ID numbers masked (``4306**********1234``) and named fields removed."""
    message = ID_NUMBER_RE.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), message)
    return PERSONAL_FIELD_RE.sub(lambda m: m.group("key") + "[redacted]", message)


def clean(detail):
    """A JSON-safe copy of ``detail`` without secret or personal keys, strings redacted."""
    if isinstance(detail, dict):
        return {str(k): ("[redacted]" if _SECRET_KEY_RE.search(str(k)) else clean(v))
                for k, v in detail.items()}
    if isinstance(detail, list | tuple | set):
        return [clean(v) for v in detail]
    if isinstance(detail, str):
        return redact(detail)
    if detail is None or isinstance(detail, bool | int | float):
        return detail
    return redact(str(detail))


def _who(user) -> tuple[str | None, str | None]:
    if user is None:
        return None, None
    if isinstance(user, str):
        return user, None
    return getattr(user, "username", None), getattr(user, "role", None)


def record(action: str, target: str | None = None, detail: dict | None = None, *, user=None,
           remote_addr: str | None = None, conn=None) -> None:
    """Append one audit row through ``atlas_audit``. ``user``: an account (its username), a
    username, or None (only for a failed or throttled login and a refused wall token).

    Runs as the application role in a transaction of its own, unless ``conn`` (a scoped
    connection of an edit, so the row commits with the change it describes). The database
    stamps the time and the actor's role; an unknown actor is refused.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    username, _role = _who(user)  # the role is the database's to stamp (atlas_audit)
    stmt = text("SELECT atlas_audit(:act, :u, :t, :d, :a)").bindparams(
        bindparam("d", type_=JSONB))
    params = {"u": username, "a": remote_addr, "act": action,
              "t": redact(target)[:500] if target else None,
              "d": clean(detail) if detail else None}
    if conn is not None:
        if conn.execute(text("SELECT current_user")).scalar() != get_settings().app_db_role:
            # An owner connection (CLI, imports, seeding): no function needed, and the actor
            # may be a name that is no account (``cli:<login>``).
            record_owner(action, target, detail, actor=username, conn=conn, role=_role,
                         remote_addr=remote_addr)
            return
        conn.execute(stmt, params)
        return
    with app_connection() as own:
        own.execute(stmt, params)


def record_owner(action: str, target: str | None = None, detail: dict | None = None, *,
                 actor: str | None, conn, role: str | None = None,
                 remote_addr: str | None = None) -> None:
    """Append one audit row on the owner connection ``conn`` of a CLI command; ``actor`` is
    ``cli:<login name>`` (or an account's name), ``role`` its role if any."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(text(
        "INSERT INTO audit_log (username, role, remote_addr, action, target, detail)"
        " VALUES (:u, :r, :a, :act, :t, :d)").bindparams(bindparam("d", type_=JSONB)),
        {"u": actor, "r": role, "a": remote_addr, "act": action,
         "t": redact(target)[:500] if target else None,
         "d": clean(detail) if detail else None})


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the auditors' page (all optional, validated). ``since`` and ``until`` are
    office days (``settings.timezone``), both included."""

    action: str | None = None
    username: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 50
    offset: int = 0

    def __post_init__(self):
        if self.action is not None and self.action not in ACTIONS:
            raise ValueError(f"unknown audit action {self.action!r} / 未知操作类型")
        if self.username is not None and (len(self.username) > 64 or not self.username.strip()):
            raise ValueError("user name filter too long / 用户名过长")
        if not 1 <= self.limit <= MAX_ROWS:
            raise ValueError(f"limit must be between 1 and {MAX_ROWS}")
        if not 0 <= self.offset <= 10**9:
            raise ValueError("offset out of range")
        if self.since and self.until and self.until < self.since:
            raise ValueError("end date before start / 结束日期早于开始日期")


#: Most rows one read (a page, an export) returns.
MAX_ROWS = 100_000

_WHERE = ("(CAST(:action AS text) IS NULL OR action = :action)"
          " AND (CAST(:username AS text) IS NULL OR username = :username)"
          " AND (CAST(:since AS date) IS NULL"
          "      OR at >= CAST(:since AS date)::timestamp AT TIME ZONE :tz)"
          " AND (CAST(:until AS date) IS NULL"
          "      OR at < (CAST(:until AS date) + 1)::timestamp AT TIME ZONE :tz)")


def _check_viewer(viewer_role: str) -> None:
    if viewer_role not in VIEWER_ROLES:
        raise PermissionError("the audit log is for auditors / 审计日志仅限审计员")


def _params(q: AuditQuery) -> dict:
    from settings import get_settings

    return {"action": q.action, "username": q.username, "since": q.since, "until": q.until,
            "tz": get_settings().timezone, "limit": q.limit, "offset": q.offset}


def _rows(result) -> list[dict]:
    out = []
    for r in result:
        row = dict(r._mapping)
        if isinstance(row["detail"], str):
            row["detail"] = json.loads(row["detail"])
        out.append(row)
    return out


def page(viewer_role: str, query: AuditQuery | None = None) -> tuple[list[dict], int]:
    """One page of audit rows, newest first, and how many match in all; for an auditor or
    admin (anyone else: PermissionError). ``at`` is an aware UTC timestamp."""
    _check_viewer(viewer_role)
    q = query or AuditQuery()
    with app_connection() as conn:
        total = conn.execute(text(f"SELECT count(*) FROM audit_log WHERE {_WHERE}"),
                             _params(q)).scalar_one()
        rows = _rows(conn.execute(text(
            "SELECT id, at, username, role, remote_addr, action, target, detail"
            f" FROM audit_log WHERE {_WHERE} ORDER BY at DESC, id DESC"
            " LIMIT :limit OFFSET :offset"), _params(q)))
    return rows, int(total)


def recent(viewer_role: str, query: AuditQuery | None = None) -> list[dict]:
    """The first page of :func:`page` (rows only)."""
    return page(viewer_role, query)[0]


def usernames(viewer_role: str) -> list[str]:
    """Every actor name in the log (the user filter's choices)."""
    _check_viewer(viewer_role)
    with app_connection() as conn:
        return [n for n in conn.execute(text(
            "SELECT DISTINCT username FROM audit_log WHERE username IS NOT NULL"
            " ORDER BY username LIMIT 2000")).scalars()]
