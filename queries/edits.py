"""The accountability edits of the backlog page, each audited: set or change a matter's package
leader (包案), record its progress, close out an assigned item (销号), record a leader
reception (四访一包).

Every edit runs in one ``queries.db.scoped`` transaction as the application role: the row is
looked up inside the user's scope (the first wall), PostgreSQL row-level security and the
column grants of migration 0003 stand behind it (the second), and the audit row is written in
the same transaction, so an edit and its audit entry commit together or not at all. A refused
edit (role, scope) writes an ``access_denied`` audit row of its own and raises
:class:`EditRefused`; an invalid one raises :class:`EditInvalid` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from domain.enums import PACKAGE_LEVELS
from domain.rules import RECEPTION_KINDS
from queries import audit
from queries.accountability import assignment_conditions
from queries.db import scoped
from queries.filters import matter_conditions
from queries.scope import InvalidCode, validate_unit_code

#: Roles that may edit (auditors and wall screens never).
EDIT_ROLES = ("admin", "leader", "officer")
MAX_NAME = 64
MAX_NOTE = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class EditRefused(PermissionError):
    """The user may not make this edit (role, or the row is outside their jurisdiction)."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{en} / {zh}")
        self.zh, self.en = zh, en


class EditInvalid(ValueError):
    """The edit's values are not acceptable; nothing was changed."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{en} / {zh}")
        self.zh, self.en = zh, en


# --- checks ------------------------------------------------------------------------------------

def _who(user) -> tuple[str, str]:
    return getattr(user, "username", None) or "", getattr(user, "role", None) or ""


def _refuse(user, target: str, what: str, zh: str, en: str, remote_addr: str | None):
    audit.record("access_denied", target, {"edit": what, "reason": en}, user=user,
                 remote_addr=remote_addr)
    raise EditRefused(zh, en)


def _check_role(user, target: str, what: str, remote_addr: str | None) -> None:
    _name, role = _who(user)
    if role not in EDIT_ROLES:
        _refuse(user, target, what, "您的角色不能修改责任落实信息",
                "your role may not edit accountability records", remote_addr)


def _text(value, field_zh: str, field_en: str, *, required: bool, limit: int) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise EditInvalid(f"请填写{field_zh}", f"{field_en} is required")
        return None
    if not isinstance(value, str):
        raise EditInvalid(f"{field_zh}格式不对", f"{field_en} must be text")
    value = value.strip()
    if len(value) > limit or _CONTROL.search(value):
        raise EditInvalid(f"{field_zh}过长或含有控制字符",
                          f"{field_en} is too long or holds control characters")
    return value


def _day(value, field_zh: str, field_en: str, today: dt.date, *,
         required: bool = True) -> dt.date | None:
    if value is None or value == "":
        if required:
            raise EditInvalid(f"请填写{field_zh}", f"{field_en} is required")
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            raise EditInvalid(f"{field_zh}应为 YYYY-MM-DD",
                              f"{field_en} must be YYYY-MM-DD") from None
    if not isinstance(value, dt.date):
        raise EditInvalid(f"{field_zh}格式不对", f"{field_en} must be a date")
    if value > today:
        raise EditInvalid(f"{field_zh}不能晚于今天", f"{field_en} cannot be in the future")
    if value < dt.date(2000, 1, 1):
        raise EditInvalid(f"{field_zh}过早", f"{field_en} is too early")
    return value


def _count(value, field_zh: str, field_en: str) -> int:
    try:
        n = int(value if value not in (None, "") else 0)
    except (TypeError, ValueError):
        raise EditInvalid(f"{field_zh}应为整数", f"{field_en} must be a whole number") from None
    if not 0 <= n <= 100_000:
        raise EditInvalid(f"{field_zh}超出范围", f"{field_en} is out of range")
    return n


def _matter_in_scope(conn, scope, matter_no: str):
    where, params = matter_conditions(scope, alias="m")
    params["no"] = matter_no
    return conn.execute(text(
        f"SELECT m.id, m.registered_on FROM matter m WHERE m.matter_no = :no AND {where}"),
        params).first()


# --- package leaders ---------------------------------------------------------------------------

def set_package_leader(scope, user, matter_no: str, leader_name: str, level: str, since,
                       *, leader_title: str | None = None, progress: str | None = None,
                       today: dt.date | None = None, remote_addr: str | None = None) -> int:
    """Make ``leader_name`` the ``level`` (county / township) package leader of the matter from
    ``since`` on; the leader of that level in force until then ends on ``since``. Returns the
    new package row's id."""
    today = today or dt.date.today()
    target = str(matter_no)[:64]
    _check_role(user, target, "package_leader_set", remote_addr)
    matter_no = _text(matter_no, "信访事项编号", "matter number", required=True, limit=64)
    leader_name = _text(leader_name, "包案领导", "package leader", required=True,
                        limit=MAX_NAME)
    leader_title = _text(leader_title, "职务", "title", required=False, limit=MAX_NAME)
    progress = _text(progress, "进展", "progress", required=False, limit=MAX_NOTE)
    if level not in PACKAGE_LEVELS:
        raise EditInvalid("包案级别应为县级或乡级", "level must be county or township")
    since = _day(since, "包案日期", "start date", today)
    username, _role = _who(user)
    with scoped(scope) as conn:
        row = _matter_in_scope(conn, scope, matter_no)
        if row is None:
            _refuse(user, target, "package_leader_set", "该事项不存在或不在您的辖区内",
                    "the matter does not exist or is outside your jurisdiction", remote_addr)
        matter_id, registered = row
        if since < registered:
            raise EditInvalid("包案日期早于登记日期", "start date is before registration")
        current = conn.execute(text(
            "SELECT id, leader_name, since FROM package_assignment WHERE matter_id = :m"
            " AND level = :lvl AND until IS NULL ORDER BY since DESC, id DESC"),
            {"m": matter_id, "lvl": level}).all()
        if any(r.leader_name == leader_name for r in current):
            raise EditInvalid("该领导已是本事项的包案领导", "this leader already owns the matter")
        if any(r.since >= since for r in current):
            raise EditInvalid("变更日期须晚于现任包案领导的开始日期",
                              "the change must come after the current leader's start date")
        previous = [r.leader_name for r in current]
        conn.execute(text(
            "UPDATE package_assignment SET until = :since WHERE matter_id = :m AND level = :lvl"
            " AND until IS NULL"), {"since": since, "m": matter_id, "lvl": level})
        new_id = conn.execute(text(
            "INSERT INTO package_assignment (matter_id, leader_name, leader_title, level, since,"
            " progress, set_by) VALUES (:m, :leader, :title, :lvl, :since, :progress, :by)"
            " RETURNING id"),
            {"m": matter_id, "leader": leader_name, "title": leader_title, "lvl": level,
             "since": since, "progress": progress, "by": username}).scalar_one()
        audit.record("package_leader_set", matter_no,
                     {"leader": leader_name, "level": level, "since": since.isoformat(),
                      "previous": previous, "package_id": new_id},
                     user=user, remote_addr=remote_addr, conn=conn)
    return int(new_id)


def record_package_progress(scope, user, matter_no: str, progress: str,
                            resolved_on=None, *, today: dt.date | None = None,
                            remote_addr: str | None = None) -> int:
    """Record the progress of the package in force (and, with ``resolved_on``, that the
    matter was resolved — 化解). Returns the package row's id."""
    today = today or dt.date.today()
    target = str(matter_no)[:64]
    _check_role(user, target, "package_progress", remote_addr)
    progress = _text(progress, "进展", "progress", required=True, limit=MAX_NOTE)
    resolved_on = _day(resolved_on, "化解日期", "resolution date", today, required=False)
    with scoped(scope) as conn:
        row = _matter_in_scope(conn, scope, str(matter_no))
        if row is None:
            _refuse(user, target, "package_progress", "该事项不存在或不在您的辖区内",
                    "the matter does not exist or is outside your jurisdiction", remote_addr)
        pkg = conn.execute(text(
            "SELECT id, since FROM package_assignment WHERE matter_id = :m AND until IS NULL"
            " ORDER BY (level = 'county') DESC, since DESC, id DESC LIMIT 1"),
            {"m": row[0]}).first()
        if pkg is None:
            raise EditInvalid("该事项还没有包案领导", "the matter has no package leader yet")
        if resolved_on is not None and resolved_on < pkg.since:
            raise EditInvalid("化解日期早于包案日期", "resolution date is before the package")
        conn.execute(text(
            "UPDATE package_assignment SET progress = :p,"
            " resolved_on = coalesce(:r, resolved_on) WHERE id = :id"),
            {"p": progress, "r": resolved_on, "id": pkg.id})
        audit.record("package_progress", str(matter_no),
                     {"package_id": pkg.id, "resolved_on": resolved_on.isoformat()
                      if resolved_on else None},
                     user=user, remote_addr=remote_addr, conn=conn)
    return int(pkg.id)


# --- assignments -------------------------------------------------------------------------------

def close_assignment(scope, user, assignment_no: str, closed_on, *, feedback_on=None,
                     note: str | None = None, today: dt.date | None = None,
                     remote_addr: str | None = None) -> None:
    """Close out (销号) an assigned item on ``closed_on``, recording the completion report's
    date (``feedback_on``) when it was not recorded yet."""
    today = today or dt.date.today()
    target = str(assignment_no)[:64]
    _check_role(user, target, "assignment_close", remote_addr)
    assignment_no = _text(assignment_no, "交办编号", "assignment number", required=True,
                          limit=64)
    closed_on = _day(closed_on, "销号日期", "close-out date", today)
    feedback_on = _day(feedback_on, "反馈日期", "feedback date", today, required=False)
    note = _text(note, "销号说明", "note", required=False, limit=MAX_NOTE)
    username, _role = _who(user)
    where, params = assignment_conditions(scope)
    params["no"] = assignment_no
    with scoped(scope) as conn:
        row = conn.execute(text(
            f"SELECT a.id, a.assigned_on, a.feedback_on, a.closed_on FROM assignment a"
            f" WHERE a.assignment_no = :no AND {where}"), params).first()
        if row is None:
            _refuse(user, target, "assignment_close", "该交办件不存在或不在您的辖区内",
                    "the assignment does not exist or is outside your jurisdiction",
                    remote_addr)
        if row.closed_on is not None:
            raise EditInvalid(f"该交办件已于 {row.closed_on} 销号",
                              f"the assignment was closed out on {row.closed_on}")
        report = row.feedback_on or feedback_on
        if closed_on < row.assigned_on or (feedback_on and feedback_on < row.assigned_on):
            raise EditInvalid("日期早于交办日期", "a date is before the assignment date")
        if report is not None and report > closed_on:
            raise EditInvalid("销号日期早于反馈日期", "close-out date is before the feedback")
        updated = conn.execute(text(
            "UPDATE assignment SET feedback_on = coalesce(feedback_on, :fb), closed_on = :c,"
            " close_note = :note, closed_by = :by WHERE id = :id AND closed_on IS NULL"),
            {"fb": feedback_on or closed_on, "c": closed_on, "note": note, "by": username,
             "id": row.id}).rowcount
        if updated != 1:
            raise EditInvalid("该交办件已被他人销号", "someone else closed it out meanwhile")
        audit.record("assignment_close", assignment_no,
                     {"closed_on": closed_on.isoformat(),
                      "feedback_on": (row.feedback_on or feedback_on or closed_on).isoformat()},
                     user=user, remote_addr=remote_addr, conn=conn)


# --- leader receptions -------------------------------------------------------------------------

def record_reception(scope, user, leader_name: str, kind: str, held_on, unit_code: str, *,
                     leader_title: str | None = None, received=0, resolved=0,
                     note: str | None = None, today: dt.date | None = None,
                     remote_addr: str | None = None) -> int:
    """Record a leader reception (四访一包) held for ``unit_code`` (county, township or
    village in the user's jurisdiction). Returns its id."""
    today = today or dt.date.today()
    target = f"{str(leader_name)[:32]} {str(unit_code)[:12]}"
    _check_role(user, target, "reception_record", remote_addr)
    try:
        unit_code = validate_unit_code(unit_code)
    except InvalidCode:
        raise EditInvalid("单位代码无效", "invalid unit code") from None
    if not scope.allows(unit_code):
        _refuse(user, target, "reception_record", "该单位不在您的辖区内",
                "the unit is outside your jurisdiction", remote_addr)
    leader_name = _text(leader_name, "接访领导", "leader", required=True, limit=MAX_NAME)
    leader_title = _text(leader_title, "职务", "title", required=False, limit=MAX_NAME)
    note = _text(note, "备注", "note", required=False, limit=MAX_NOTE)
    if kind not in RECEPTION_KINDS:
        raise EditInvalid("接访方式无效", "unknown kind of reception")
    held_on = _day(held_on, "接访日期", "date", today)
    received = _count(received, "接待事项数", "matters received")
    resolved = _count(resolved, "化解事项数", "matters resolved")
    if resolved > received:
        raise EditInvalid("化解数不能多于接待数", "more matters resolved than received")
    username, _role = _who(user)
    try:
        with scoped(scope) as conn:
            new_id = conn.execute(text(
                "INSERT INTO leader_reception (leader_name, leader_title, kind, held_on,"
                " unit_code, matters_received, matters_resolved, note, recorded_by)"
                " VALUES (:leader, :title, :kind, :held, :unit, :rec, :res, :note, :by)"
                " RETURNING id"),
                {"leader": leader_name, "title": leader_title, "kind": kind, "held": held_on,
                 "unit": unit_code, "rec": received, "res": resolved, "note": note,
                 "by": username}).scalar_one()
            audit.record("reception_record", target,
                         {"kind": kind, "held_on": held_on.isoformat(), "unit": unit_code,
                          "reception_id": new_id}, user=user, remote_addr=remote_addr,
                         conn=conn)
    except IntegrityError as exc:
        if "uq_leader_reception_key" in str(exc.orig):
            raise EditInvalid("这次接访已登记过", "this reception is already recorded") from None
        raise
    return int(new_id)
