"""Sensitive periods (敏感期, DESIGN §3): define, edit, list, and the one on now.

A period has a name (zh, optional en), dates, a level (national, provincial, city, county)
and a scope: NULL for the whole region or a county/township code. A user sees the periods of
the whole region and those of units inside or containing their jurisdiction. Only admins
define or edit them (the pages check the role; so do :func:`create_period` and
:func:`update_period`); every change is audited.

:func:`active_period` feeds the banner of every page, the wall screen's panel order and the
tightened warning thresholds; the period filters list them (``queries.maps.sensitive_periods``
already does, for the Overview and Map pages).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import text

from domain.warnings import PERIOD_LEVEL_ORDER, PERIOD_LEVELS
from queries import audit
from queries.db import app_connection
from queries.scope import InvalidCode, validate_unit_code
from queries.stability_audit import register_actions

register_actions()

MAX_DAYS = 366
_COLUMNS = ("id, name, name_en, starts_on, ends_on, level, scope_code, note, created_by,"
            " updated_by, created_at, updated_at")


class PeriodError(ValueError):
    """A period that cannot be stored (the message is bilingual)."""


@dataclass(frozen=True)
class PeriodInput:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    level: str = "city"
    name_en: str | None = None
    scope_code: str | None = None
    note: str | None = None

    def __post_init__(self):
        name = (self.name or "").strip()
        if not 1 <= len(name) <= 100:
            raise PeriodError("名称须为1至100个字符 / name: 1–100 characters")
        object.__setattr__(self, "name", name)
        en = (self.name_en or "").strip() or None
        if en and len(en) > 100:
            raise PeriodError("英文名称过长 / English name: at most 100 characters")
        object.__setattr__(self, "name_en", en)
        for d in (self.starts_on, self.ends_on):
            if not isinstance(d, dt.date):
                raise PeriodError("日期无效 / invalid date")
        if self.ends_on < self.starts_on:
            raise PeriodError("结束日期早于开始日期 / the end is before the start")
        if (self.ends_on - self.starts_on).days + 1 > MAX_DAYS:
            raise PeriodError("敏感期不超过366天 / a sensitive period lasts at most 366 days")
        if self.level not in PERIOD_LEVELS:
            raise PeriodError(f"级别无效 / unknown level {str(self.level)[:20]!r}")
        code = (self.scope_code or "").strip() or None
        if code is not None:
            try:
                code = validate_unit_code(code, levels=(6, 9))
            except InvalidCode as exc:
                raise PeriodError(str(exc)) from None
            if code.endswith("00") and len(code) == 6:
                code = None  # the prefecture: the whole region
        object.__setattr__(self, "scope_code", code)
        note = (self.note or "").strip() or None
        if note and len(note) > 500:
            raise PeriodError("备注不超过500字 / note: at most 500 characters")
        object.__setattr__(self, "note", note)


def _visible_sql(scope, params: dict, column: str = "p.scope_code") -> str:
    """Periods of the whole region, or of a unit inside or containing the scope's units."""
    if scope.is_region:
        return "TRUE"
    if not scope.units:
        return f"{column} IS NULL"
    params["scope_units"] = list(scope.units)
    return (f"({column} IS NULL OR EXISTS (SELECT 1 FROM unnest(CAST(:scope_units AS text[])) su"
            f" WHERE {column} LIKE su || '%' OR su LIKE {column} || '%'))")


def _status(row, day: dt.date) -> str:
    if row["ends_on"] < day:
        return "past"
    if row["starts_on"] > day:
        return "upcoming"
    return "active"


def list_periods(scope, day: dt.date, *, limit: int = 200) -> pd.DataFrame:
    """The periods visible to ``scope``, newest first, with ``status`` past/active/upcoming on
    ``day`` and ``days`` (their length)."""
    params: dict = {"limit": int(limit)}
    where = _visible_sql(scope, params)
    with app_connection() as conn:
        frame = pd.read_sql_query(text(
            f"SELECT {_COLUMNS} FROM sensitive_period p WHERE {where}"
            " ORDER BY starts_on DESC, id DESC LIMIT :limit"), conn, params=params)
    if frame.empty:
        return frame.assign(status=pd.Series(dtype=object), days=pd.Series(dtype=int))
    frame["status"] = [_status(r, day) for r in frame.to_dict("records")]
    frame["days"] = [(e - s).days + 1 for s, e in zip(frame["starts_on"], frame["ends_on"],
                                                       strict=True)]
    return frame


def get_period(scope, period_id: int) -> dict | None:
    params: dict = {"id": int(period_id)}
    where = _visible_sql(scope, params)
    with app_connection() as conn:
        row = conn.execute(text(f"SELECT {_COLUMNS} FROM sensitive_period p"
                                f" WHERE p.id = :id AND {where}"), params).mappings().first()
    return dict(row) if row else None


def active_period(scope, day: dt.date) -> dict | None:
    """The sensitive period on ``day`` for ``scope`` (the highest level first, then the one
    ending first), or None. Adds ``day_no`` (1 on the first day) and ``days_left``."""
    params: dict = {"d": day}
    where = _visible_sql(scope, params)
    with app_connection() as conn:
        rows = [dict(r) for r in conn.execute(text(
            f"SELECT {_COLUMNS} FROM sensitive_period p WHERE p.starts_on <= :d"
            f" AND p.ends_on >= :d AND {where}"), params).mappings()]
    if not rows:
        return None
    rows.sort(key=lambda r: (PERIOD_LEVEL_ORDER.get(r["level"], 9), r["ends_on"], r["id"]))
    best = rows[0]
    best["day_no"] = (day - best["starts_on"]).days + 1
    best["days_left"] = (best["ends_on"] - day).days
    best["concurrent"] = len(rows) - 1
    return best


def next_period(scope, day: dt.date, *, within_days: int = 60) -> dict | None:
    """The next period starting after ``day`` within ``within_days`` days, or None."""
    params: dict = {"d": day, "until": day + dt.timedelta(days=within_days)}
    where = _visible_sql(scope, params)
    with app_connection() as conn:
        row = conn.execute(text(
            f"SELECT {_COLUMNS} FROM sensitive_period p WHERE p.starts_on > :d"
            f" AND p.starts_on <= :until AND {where} ORDER BY p.starts_on, p.id LIMIT 1"),
            params).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["days_until"] = (out["starts_on"] - day).days
    return out


def _require_admin(user) -> str | None:
    role = getattr(user, "role", None)
    if role != "admin":
        raise PermissionError("只有管理员可以设置敏感期 / only administrators define sensitive"
                              " periods")
    return getattr(user, "username", None)


def _params(inp: PeriodInput) -> dict:
    return {"name": inp.name, "name_en": inp.name_en, "s": inp.starts_on, "e": inp.ends_on,
            "level": inp.level, "scope": inp.scope_code, "note": inp.note}


def _detail(inp: PeriodInput) -> dict:
    return {"name": inp.name, "starts_on": inp.starts_on.isoformat(),
            "ends_on": inp.ends_on.isoformat(), "level": inp.level, "scope": inp.scope_code}


def _check_scope_exists(conn, code: str | None) -> None:
    if code and not conn.execute(text("SELECT 1 FROM admin_unit WHERE code = :c"),
                                 {"c": code}).first():
        raise PeriodError(f"未知区划代码 / unknown unit code {code}")


def create_period(inp: PeriodInput, *, user, remote_addr: str | None = None, conn=None) -> int:
    """Store a new period (admins only) and audit it; returns its id. ``conn``: an owner
    connection (the CLI), else the application role in a transaction of its own."""
    username = _require_admin(user)
    sql = text("INSERT INTO sensitive_period (name, name_en, starts_on, ends_on, level,"
               " scope_code, note, created_by) VALUES (:name, :name_en, :s, :e, :level,"
               " :scope, :note, :by) RETURNING id")

    def run(c) -> int:
        _check_scope_exists(c, inp.scope_code)
        new_id = c.execute(sql, {**_params(inp), "by": username}).scalar_one()
        audit.record("period_create", f"sensitive_period:{new_id}", _detail(inp), user=user,
                     remote_addr=remote_addr, conn=c)
        return int(new_id)

    if conn is not None:
        return run(conn)
    with app_connection() as c:
        return run(c)


def update_period(period_id: int, inp: PeriodInput, *, user,
                  remote_addr: str | None = None, conn=None) -> None:
    """Change a period (admins only) and audit it; LookupError when it does not exist."""
    username = _require_admin(user)
    sql = text("UPDATE sensitive_period SET name = :name, name_en = :name_en, starts_on = :s,"
               " ends_on = :e, level = :level, scope_code = :scope, note = :note,"
               " updated_at = now(), updated_by = :by WHERE id = :id")

    def run(c) -> None:
        _check_scope_exists(c, inp.scope_code)
        n = c.execute(sql, {**_params(inp), "by": username, "id": int(period_id)}).rowcount
        if n != 1:
            raise LookupError(f"敏感期不存在 / no sensitive period {period_id}")
        audit.record("period_update", f"sensitive_period:{int(period_id)}", _detail(inp),
                     user=user, remote_addr=remote_addr, conn=c)

    if conn is not None:
        run(conn)
        return
    with app_connection() as c:
        run(c)
