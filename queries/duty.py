"""Duty rosters (24-hour duty, 值班) and the daily report discipline (零报告, DESIGN §3).

Reporting units are the townships and departments that file one report a day by the cutoff
(``settings.daily_report_cutoff``, 17:00 in ``settings.timezone``), zero incidents allowed.
On a day D a unit's report is

- ``on_time``: filed at or before D + cutoff (office time);
- ``late``: filed after it;
- ``pending``: not filed, and the cutoff of D has not passed yet;
- ``missing``: not filed, and the cutoff has passed — a compliance failure.

The on-time rate of a unit over a period is on-time unit-days ÷ unit-days, counting the days
up to today (today itself only once its cutoff has passed).

Rosters name staff on duty (officer, leader, phone): they are shown to office users, never on
wall screens (scopes without personal data get the columns dropped). Row-level security
(migration 0004) scopes both tables through their reporting unit; the filters here say the
same in SQL. Filing a report and setting a roster entry are audited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from domain.warnings import SHIFTS
from queries import audit
from queries.db import scoped
from queries.stability_audit import register_actions
from settings import get_settings

register_actions()

STATUSES = ("on_time", "late", "pending", "missing")
_PHONE_RE = re.compile(r"[0-9+\-() ]{3,20}")


class DutyError(ValueError):
    """A roster entry or report that cannot be stored (bilingual message)."""


def cutoff_time(value: str | None = None) -> dt.time:
    """The daily-report cutoff (``HH:MM``), default ``settings.daily_report_cutoff``."""
    raw = value or get_settings().daily_report_cutoff
    try:
        hours, minutes = (int(x) for x in raw.split(":"))
        return dt.time(hours, minutes)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"cutoff must be HH:MM, got {raw!r}") from exc


def office_tz() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def unit_condition(scope, params: dict, alias: str = "r") -> str:
    """SQL condition: the reporting unit belongs to ``scope`` (the same rule as the row-level
    policy: its county or township is a scope unit, or its name a scope department)."""
    if scope.is_region:
        return "TRUE"
    if scope.is_empty:
        return "FALSE"
    params["du_units"] = list(scope.units)
    params["du_depts"] = list(scope.departments)
    return (f"(coalesce({alias}.county_code, left({alias}.township_code, 6)) = ANY(:du_units)"
            f" OR {alias}.township_code = ANY(:du_units) OR {alias}.name = ANY(:du_depts))")


def units(scope) -> pd.DataFrame:
    """The reporting units of ``scope``: code, name, kind, county_code, township_code."""
    params: dict = {}
    where = unit_condition(scope, params)
    with scoped(scope) as conn:
        return pd.read_sql_query(text(
            f"SELECT r.code, r.name, r.kind, r.county_code, r.township_code"
            f" FROM reporting_unit r WHERE {where} ORDER BY r.kind DESC, r.code"), conn,
            params=params)


# --- duty roster ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RosterInput:
    unit_code: str
    duty_date: dt.date
    officer_name: str
    shift: str = "full"
    leader_name: str | None = None
    phone: str | None = None

    def __post_init__(self):
        if self.shift not in SHIFTS:
            raise DutyError(f"班次无效 / unknown shift {str(self.shift)[:20]!r}")
        name = (self.officer_name or "").strip()
        if not 1 <= len(name) <= 50:
            raise DutyError("值班人员须为1至50个字符 / officer on duty: 1–50 characters")
        object.__setattr__(self, "officer_name", name)
        leader = (self.leader_name or "").strip() or None
        if leader and len(leader) > 50:
            raise DutyError("带班领导不超过50个字符 / leader: at most 50 characters")
        object.__setattr__(self, "leader_name", leader)
        phone = (self.phone or "").strip() or None
        if phone and not _PHONE_RE.fullmatch(phone):
            raise DutyError("值班电话格式无效 / invalid duty phone")
        object.__setattr__(self, "phone", phone)
        if not isinstance(self.duty_date, dt.date):
            raise DutyError("值班日期无效 / invalid duty date")


def roster(scope, day: dt.date, *, personal: bool | None = None) -> pd.DataFrame:
    """Who is on duty on ``day`` in every reporting unit of ``scope``: one row per unit and
    shift (units without a roster entry appear once with ``shift`` None). Columns unit_code,
    unit_name, kind, township_code, shift, officer_name, leader_name, phone. Without personal
    data (wall screens) the three name/phone columns are dropped."""
    params: dict = {"d": day}
    where = unit_condition(scope, params)
    with scoped(scope) as conn:
        frame = pd.read_sql_query(text(f"""
            SELECT r.code AS unit_code, r.name AS unit_name, r.kind, r.township_code,
                   d.shift, d.officer_name, d.leader_name, d.phone
            FROM reporting_unit r
            LEFT JOIN duty_roster d ON d.unit_code = r.code AND d.duty_date = :d
            WHERE {where}
            ORDER BY (d.shift IS NULL) DESC, r.kind DESC, r.code, d.shift"""), conn,
            params=params)
    if personal is None:
        personal = scope.personal_data
    if not personal:
        frame = frame.drop(columns=["officer_name", "leader_name", "phone"])
    return frame


def roster_coverage(scope, day: dt.date) -> dict:
    """``{units, covered, uncovered}``: reporting units with and without anyone on duty."""
    frame = roster(scope, day, personal=False)
    covered = frame.loc[frame["shift"].notna(), "unit_code"].nunique()
    total = frame["unit_code"].nunique()
    return {"units": int(total), "covered": int(covered), "uncovered": int(total - covered)}


def _check_unit(conn, scope, unit_code: str) -> str:
    params: dict = {"c": unit_code}
    where = unit_condition(scope, params)
    row = conn.execute(text(f"SELECT r.name FROM reporting_unit r WHERE r.code = :c"
                            f" AND {where}"), params).first()
    if row is None:
        raise PermissionError(f"单位不在您的辖区内 / unit {unit_code[:32]} is not in your"
                              " jurisdiction")
    return row.name


def _writer(scope, user) -> str | None:
    if scope.is_empty or not scope.personal_data:
        raise PermissionError("无权填报 / you may not file")
    return user if isinstance(user, str) else getattr(user, "username", None)


def set_roster(scope, entry: RosterInput, *, user, remote_addr: str | None = None) -> None:
    """Set who is on duty for a unit, day and shift (insert or replace) and audit it."""
    _writer(scope, user)
    try:
        with scoped(scope) as conn:
            _check_unit(conn, scope, entry.unit_code)
            conn.execute(text("""
                INSERT INTO duty_roster (unit_code, duty_date, shift, officer_name, leader_name,
                                         phone)
                VALUES (:u, :d, :s, :o, :l, :p)
                ON CONFLICT (unit_code, duty_date, shift) DO UPDATE SET
                  officer_name = excluded.officer_name, leader_name = excluded.leader_name,
                  phone = excluded.phone"""),
                {"u": entry.unit_code, "d": entry.duty_date, "s": entry.shift,
                 "o": entry.officer_name, "l": entry.leader_name, "p": entry.phone})
            audit.record("duty_roster_set", f"duty:{entry.unit_code}:{entry.duty_date}",
                         {"shift": entry.shift}, user=user, remote_addr=remote_addr, conn=conn)
    except DBAPIError as exc:
        if "row-level security" in str(exc.orig):
            raise PermissionError("单位不在您的辖区内 / unit not in your jurisdiction") from None
        raise


# --- daily reports -------------------------------------------------------------------------

def file_report(scope, unit_code: str, day: dt.date, incidents: int, note: str | None = None,
                *, user, remote_addr: str | None = None) -> dict:
    """File (or correct) a unit's daily report for ``day``. The filing time is the database
    clock at the first filing (a correction keeps it); returns ``{filed_at, corrected}``."""
    _writer(scope, user)
    try:
        incidents = int(incidents)
    except (TypeError, ValueError):
        raise DutyError("事件数须为整数 / incidents must be a whole number") from None
    if not 0 <= incidents <= 10_000:
        raise DutyError("事件数须在0至10000之间 / incidents: 0–10,000")
    note = (note or "").strip() or None
    if note and len(note) > 500:
        raise DutyError("备注不超过500字 / note: at most 500 characters")
    by = user if isinstance(user, str) else getattr(user, "username", None)
    try:
        with scoped(scope) as conn:
            _check_unit(conn, scope, unit_code)
            row = conn.execute(text("""
                INSERT INTO daily_report (unit_code, report_date, incidents, note, filed_by)
                VALUES (:u, :d, :i, :n, :by)
                ON CONFLICT (unit_code, report_date) DO UPDATE SET
                  incidents = excluded.incidents, note = excluded.note, updated_at = now()
                RETURNING filed_at, (xmax <> 0) AS corrected"""),
                {"u": unit_code, "d": day, "i": incidents, "n": note, "by": by}).one()
            audit.record("daily_report_file", f"report:{unit_code}:{day.isoformat()}",
                         {"incidents": incidents, "corrected": bool(row.corrected)}, user=user,
                         remote_addr=remote_addr, conn=conn)
    except DBAPIError as exc:
        if "row-level security" in str(exc.orig):
            raise PermissionError("单位不在您的辖区内 / unit not in your jurisdiction") from None
        raise
    return {"filed_at": row.filed_at, "corrected": bool(row.corrected)}


def _status_sql() -> str:
    return """CASE
        WHEN d.filed_at IS NOT NULL AND (d.filed_at AT TIME ZONE :tz)
             <= (CAST(:day AS date) + CAST(:cutoff AS time)) THEN 'on_time'
        WHEN d.filed_at IS NOT NULL THEN 'late'
        WHEN CAST(:now AS timestamp) < (CAST(:day AS date) + CAST(:cutoff AS time))
             THEN 'pending'
        ELSE 'missing' END"""


def compliance_day(scope, now: dt.datetime, *, day: dt.date | None = None,
                   cutoff: dt.time | None = None) -> pd.DataFrame:
    """Each reporting unit's report of ``day`` (default: today at ``now``) and its status
    (on_time, late, pending, missing) judged at ``now``: columns code, name, kind,
    township_code, filed_at, incidents, status; missing first."""
    tz = office_tz()
    local = now.astimezone(tz)
    day = day or local.date()
    cutoff = cutoff or cutoff_time()
    params: dict = {"day": day, "cutoff": cutoff, "tz": str(tz),
                    "now": local.replace(tzinfo=None)}
    where = unit_condition(scope, params)
    with scoped(scope) as conn:
        frame = pd.read_sql_query(text(f"""
            SELECT r.code, r.name, r.kind, r.township_code, d.filed_at, d.incidents,
                   {_status_sql()} AS status
            FROM reporting_unit r
            LEFT JOIN daily_report d ON d.unit_code = r.code AND d.report_date = :day
            WHERE {where}"""), conn, params=params)
    order = {s: i for i, s in enumerate(("missing", "late", "pending", "on_time"))}
    frame["_o"] = frame["status"].map(order)
    return frame.sort_values(["_o", "kind", "code"], ascending=[True, False, True]) \
        .drop(columns="_o").reset_index(drop=True)


def missing_reports(scope, now: dt.datetime, *, cutoff: dt.time | None = None) -> list[dict]:
    """Units without today's report once the cutoff has passed: code, name, township_code."""
    frame = compliance_day(scope, now, cutoff=cutoff)
    rows = frame[frame["status"] == "missing"][["code", "name", "township_code"]]
    return rows.to_dict("records")


def on_time_rates(scope, start: dt.date, end: dt.date, now: dt.datetime, *,
                  cutoff: dt.time | None = None) -> pd.DataFrame:
    """Per reporting unit over ``[start, end]`` (days up to today; today once its cutoff has
    passed): days, on_time, late, missing, rate (on_time ÷ days, None without days); worst
    rate first. :func:`overall_rate` gives the rate of all of them together."""
    tz = office_tz()
    local = now.astimezone(tz)
    cutoff = cutoff or cutoff_time()
    last = min(end, local.date())
    if local.time() < cutoff and last == local.date():
        last -= dt.timedelta(days=1)
    params: dict = {"s": start, "e": last, "cutoff": cutoff, "tz": str(tz)}
    where = unit_condition(scope, params)
    with scoped(scope) as conn:
        frame = pd.read_sql_query(text(f"""
            WITH days AS (SELECT CAST(g AS date) AS day
                          FROM generate_series(CAST(:s AS date), CAST(:e AS date),
                                               interval '1 day') g),
            grid AS (SELECT r.code, r.name, r.kind, days.day FROM reporting_unit r
                     CROSS JOIN days WHERE {where})
            SELECT g.code, g.name, g.kind, count(*) AS days,
                   count(*) FILTER (WHERE d.filed_at IS NOT NULL AND
                     (d.filed_at AT TIME ZONE :tz) <= g.day + CAST(:cutoff AS time)) AS on_time,
                   count(*) FILTER (WHERE d.filed_at IS NOT NULL AND
                     (d.filed_at AT TIME ZONE :tz) > g.day + CAST(:cutoff AS time)) AS late,
                   count(*) FILTER (WHERE d.filed_at IS NULL) AS missing
            FROM grid g LEFT JOIN daily_report d
              ON d.unit_code = g.code AND d.report_date = g.day
            GROUP BY g.code, g.name, g.kind"""), conn, params=params)
    for c in ("days", "on_time", "late", "missing"):
        frame[c] = frame[c].astype(int)
    frame["rate"] = [o / d if d else None for o, d in zip(frame["on_time"], frame["days"],
                                                          strict=True)]
    return frame.sort_values(["rate", "missing", "code"], ascending=[True, False, True],
                             na_position="last").reset_index(drop=True)


def overall_rate(rates: pd.DataFrame) -> float | None:
    """On-time unit-days ÷ unit-days over the rows of :func:`on_time_rates`."""
    days = int(rates["days"].sum()) if not rates.empty else 0
    return int(rates["on_time"].sum()) / days if days else None
