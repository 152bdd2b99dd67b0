"""Accountability (责任落实): package leaders (包案), assignments (交办/销号), leader receptions
(四访一包) and units ranked by their on-time rates with a yellow-card line.

Reads only, through ``queries.db.scoped`` (row-level security is the second wall behind the
scope conditions here). The rates use the formulas of ``queries.kpi.compute_kpis`` grouped by
unit, so a unit's figures add up to the KPI cards' figures; the yellow-card and assignment
rules are ``domain.rules``. No personal data is selected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import text

from domain.clocks import ClockRules
from domain.codes import is_region_code
from domain.rules import (
    ASSIGNMENT_STATES,
    RECEPTION_KINDS,
    AccountabilityRules,
    assignment_state,
    rate,
    yellow_card,
)
from queries.backlog import (
    LEADER_CONDITION,
    LIST_LIMIT,
    PACKAGE_SELECT,
    matter_list_sql,
    rule_params,
)
from queries.clock_sql import overdue_predicate
from queries.db import scoped
from queries.filters import MatterFilter, Period, matter_conditions, scope_condition
from queries.scope import require_rows

RANK_GROUPS = ("unit", "township", "county")
#: Settings fields read by :func:`accountability_rules` when present (``YELLOW_CARD_LINE`` …).
RULE_SETTINGS = ("yellow_card_line", "yellow_card_min_items", "collective_persons",
                 "large_visit_persons",
                 "agenda_window_days", "agenda_longest")


def accountability_rules() -> AccountabilityRules:
    """The configured thresholds: the settings fields of :data:`RULE_SETTINGS` where the
    settings carry them, the defaults of :class:`domain.rules.AccountabilityRules` otherwise."""
    from settings import get_settings

    s = get_settings()
    return AccountabilityRules(**{f: getattr(s, f) for f in RULE_SETTINGS if hasattr(s, f)})


def _frame(scope, sql: str, params: dict) -> pd.DataFrame:
    with scoped(scope) as conn:
        return pd.read_sql_query(text(sql), conn, params=params)


# --- scope conditions of the accountability tables ---------------------------------------------

def assignment_conditions(scope, unit: str | None = None, alias: str = "a") -> tuple[str, dict]:
    """SQL condition and parameters: assignments in ``scope`` (their county or township, their
    department, or a matter in scope), narrowed to the admin ``unit`` when given."""
    a = alias
    params: dict = {}
    if scope.is_region:
        parts = ["TRUE"]
    else:
        m_cond, m_params = scope_condition(scope, alias="am")
        params.update(m_params)
        params.setdefault("scope_units", list(scope.units))
        params.setdefault("scope_departments", list(scope.departments))
        parts = [f"(coalesce({a}.county_code, left({a}.township_code, 6)) = ANY(:scope_units)"
                 f" OR {a}.township_code = ANY(:scope_units)"
                 f" OR {a}.assigned_unit = ANY(:scope_departments)"
                 f" OR EXISTS (SELECT 1 FROM matter am WHERE am.id = {a}.matter_id"
                 f" AND {m_cond}))"]
    if unit and not is_region_code(unit):
        if len(unit) == 6:
            parts.append(f"coalesce({a}.county_code, left({a}.township_code, 6)) = :a_unit")
        else:
            parts.append(f"{a}.township_code = :a_unit")
            unit = unit[:9]
        params["a_unit"] = unit
    return " AND ".join(parts), params


def reception_conditions(scope, unit: str | None = None, alias: str = "r") -> tuple[str, dict]:
    """SQL condition and parameters: leader receptions held for a unit in ``scope``."""
    r = alias
    params: dict = {}
    if scope.is_region:
        parts = [f"{r}.unit_code IS NOT NULL"]
    else:
        parts = [f"(left({r}.unit_code, 6) = ANY(:r_units) OR left({r}.unit_code, 9)"
                 f" = ANY(:r_units))"]
        params["r_units"] = list(scope.units)
    if unit and not is_region_code(unit):
        parts.append(f"left({r}.unit_code, {len(unit)}) = :r_unit")
        params["r_unit"] = unit
    return " AND ".join(parts), params


# --- package leaders ---------------------------------------------------------------------------

def packages_frame(scope, day: dt.date, flt: MatterFilter | None = None,
                   rules: ClockRules = ClockRules()) -> pd.DataFrame:
    """Every matter a leader owns on ``day`` (a package row in force, else the leader imported
    with the matter): the list columns of ``queries.backlog.matter_list_sql`` plus
    leader_title, package_since, package_resolved_on. One query behind
    :func:`package_board` and :func:`package_matters`."""
    require_rows(scope, "packages_frame")
    flt = replace(flt or MatterFilter(), clock=None, clock_day=None)
    where, params = matter_conditions(scope, flt, alias="m")
    params.update(rule_params(day, rules))
    params["limit"] = None
    sql = matter_list_sql(where, f"{LEADER_CONDITION} AND m.registered_on <= :d", "m.id",
                          extra_select=PACKAGE_SELECT)
    return _frame(scope, sql, params).drop(columns="total")


def package_board(scope, day: dt.date, flt: MatterFilter | None = None,
                  rules: ClockRules = ClockRules(), frame: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """Package leaders on ``day`` and their matters: columns leader, level, title, matters,
    in_backlog, overdue, resolved (the package marked resolved by ``day``), resolution_rate.
    County leaders first, then by number of matters. ``frame``: :func:`packages_frame`."""
    df = frame if frame is not None else packages_frame(scope, day, flt, rules)
    cols = ["leader", "level", "title", "matters", "in_backlog", "overdue", "resolved",
            "resolution_rate"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df.assign(
        level=df["leader_level"].fillna(""),
        in_backlog=df["backlog_since"].notna(), overdue=df["days_over"].notna(),
        resolved=[r is not None and not pd.isna(r) and r <= day
                  for r in df["package_resolved_on"]])
    board = df.groupby(["leader", "level"], dropna=False).agg(
        title=("leader_title", lambda s: s.dropna().max() if s.notna().any() else None),
        matters=("id", "count"), in_backlog=("in_backlog", "sum"), overdue=("overdue", "sum"),
        resolved=("resolved", "sum")).reset_index()
    for col in ("matters", "in_backlog", "overdue", "resolved"):
        board[col] = board[col].astype(int)
    board["resolution_rate"] = [rate(r, n) for r, n in zip(board["resolved"],
                                                           board["matters"], strict=True)]
    board = board.assign(_c=board["level"] != "county").sort_values(
        ["_c", "matters", "leader"], ascending=[True, False, True]).drop(columns="_c")
    return board[cols].reset_index(drop=True)


def package_matters(scope, day: dt.date, flt: MatterFilter | None = None,
                    leader: str | None = None, rules: ClockRules = ClockRules(),
                    limit: int = LIST_LIMIT, frame: pd.DataFrame | None = None
                    ) -> tuple[pd.DataFrame, int]:
    """Matters a leader owns on ``day`` (all leaders, or ``leader``), backlog first (longest
    in backlog), then the most overdue. ``frame``: :func:`packages_frame`."""
    require_rows(scope, "package_matters")
    df = frame if frame is not None else packages_frame(scope, day, flt, rules)
    if leader:
        df = df[df["leader"] == leader]
    df = df.sort_values(["backlog_since", "days_over", "matter_no"],
                        ascending=[True, False, True], na_position="last")
    return df.head(limit).reset_index(drop=True), len(df)


# --- assignments (交办 / 销号) -----------------------------------------------------------------

_ASSIGNMENT_COLUMNS = ("a.id, a.assignment_no, a.title, a.matter_id, m.matter_no,"
                       " a.county_code, a.township_code, tu.name AS township_name,"
                       " a.assigned_unit, a.assigned_by, a.assigned_on, a.feedback_due,"
                       " a.feedback_on, a.closed_on, a.close_note, a.closed_by")


def assignments(scope, day: dt.date, period: Period | None = None, unit: str | None = None,
                states: tuple[str, ...] = (), arules: AccountabilityRules = AccountabilityRules(),
                limit: int = LIST_LIMIT) -> tuple[pd.DataFrame, int]:
    """The assignment ledger on ``day``: items assigned by ``day`` that were still open at the
    start of ``period`` or assigned or due in it (without a period: every item), each with its
    ``state`` (``domain.rules.assignment_state``); worst state first, then by deadline.
    ``states`` narrows to some states. Returns the rows (at most ``limit``) and their number.
    """
    require_rows(scope, "assignments")
    for s in states:
        if s not in ASSIGNMENT_STATES:
            raise ValueError(f"unknown assignment state {s!r}")
    where, params = assignment_conditions(scope, unit)
    params["d"] = day
    cond = "a.assigned_on <= :d"
    if period is not None:
        cond += (" AND (a.closed_on IS NULL OR a.closed_on >= :ps OR a.assigned_on >= :ps"
                 " OR a.feedback_due >= :ps)")
        params["ps"] = period.start
    sql = f"""
    SELECT {_ASSIGNMENT_COLUMNS}
    FROM assignment a
    LEFT JOIN matter m ON m.id = a.matter_id
    LEFT JOIN admin_unit tu ON tu.code = a.township_code
    WHERE {where} AND {cond}"""
    df = _frame(scope, sql, params)
    df["state"] = [assignment_state(r.feedback_due, r.feedback_on, r.closed_on, day, arules)
                   for r in df.itertuples()]
    if states:
        df = df[df["state"].isin(states)]
    order = {s: i for i, s in enumerate(ASSIGNMENT_STATES)}
    df = df.assign(_o=df["state"].map(order)).sort_values(
        ["_o", "feedback_due", "assignment_no"]).drop(columns="_o")
    return df.head(limit).reset_index(drop=True), len(df)


def closeout_notice(scope, period: Period, as_of: dt.date, unit: str | None = None,
                    arules: AccountabilityRules = AccountabilityRules()) -> pd.DataFrame:
    """The monthly close-out notice (交办件销号通报) per assigned unit for ``period``.

    For the items whose feedback deadline fell in the period (up to ``as_of``): due, on_time
    (completion report by the deadline), late (after it, by the day D = the period's end or
    ``as_of``), missing (no report by D), closed (closed out by D); closeout_rate = closed ÷
    due (交办件销号率), on_time_rate = on_time ÷ due, yellow (``domain.rules.yellow_card`` on
    the on-time rate). Also assigned: items assigned in the period. Worst close-out first.
    """
    where, params = assignment_conditions(scope, unit)
    day = min(period.end, as_of)
    params.update(ps=period.start, pe=day, d=day)
    report = "coalesce(a.feedback_on, a.closed_on)"
    sql = f"""
    SELECT a.assigned_unit AS unit,
      count(*) FILTER (WHERE a.assigned_on BETWEEN :ps AND :pe) AS assigned,
      count(*) FILTER (WHERE a.feedback_due BETWEEN :ps AND :pe) AS due,
      count(*) FILTER (WHERE a.feedback_due BETWEEN :ps AND :pe
                       AND {report} <= a.feedback_due AND {report} <= :d) AS on_time,
      count(*) FILTER (WHERE a.feedback_due BETWEEN :ps AND :pe
                       AND {report} > a.feedback_due AND {report} <= :d) AS late,
      count(*) FILTER (WHERE a.feedback_due BETWEEN :ps AND :pe
                       AND ({report} IS NULL OR {report} > :d)) AS missing,
      count(*) FILTER (WHERE a.feedback_due BETWEEN :ps AND :pe AND a.closed_on <= :d)
        AS closed
    FROM assignment a
    WHERE {where} AND (a.assigned_on BETWEEN :ps AND :pe OR a.feedback_due BETWEEN :ps AND :pe)
    GROUP BY 1"""
    df = _frame(scope, sql, params)
    for col in ("assigned", "due", "on_time", "late", "missing", "closed"):
        df[col] = df[col].astype(int)
    df["closeout_rate"] = [rate(c, n) for c, n in zip(df["closed"], df["due"], strict=True)]
    df["on_time_rate"] = [rate(c, n) for c, n in zip(df["on_time"], df["due"], strict=True)]
    df["yellow"] = [yellow_card(c, n, arules) for c, n in zip(df["on_time"], df["due"],
                                                              strict=True)]
    df = df.assign(_r=df["closeout_rate"].fillna(2.0)).sort_values(
        ["_r", "due", "unit"], ascending=[True, False, True]).drop(columns="_r")
    return df.reset_index(drop=True)


# --- leader receptions (四访一包) --------------------------------------------------------------

def receptions(scope, period: Period, unit: str | None = None) -> pd.DataFrame:
    """Leader receptions held in ``period``: one row per leader, month and kind with n (times),
    received and resolved (matters). Columns leader, title, month (first day), kind, n,
    received, resolved."""
    require_rows(scope, "receptions")
    where, params = reception_conditions(scope, unit)
    params.update(ps=period.start, pe=period.end)
    sql = f"""
    SELECT r.leader_name AS leader, max(r.leader_title) AS title,
           date_trunc('month', r.held_on)::date AS month, r.kind, count(*) AS n,
           sum(r.matters_received) AS received, sum(r.matters_resolved) AS resolved
    FROM leader_reception r
    WHERE {where} AND r.held_on BETWEEN :ps AND :pe
    GROUP BY 1, 3, 4 ORDER BY 1, 3, 4"""
    df = _frame(scope, sql, params)
    for col in ("n", "received", "resolved"):
        df[col] = df[col].astype(int)
    return df


def reception_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Receptions per leader: one column per kind of 四访一包 (times), total, received,
    resolved; the leaders with most receptions first."""
    kinds = list(RECEPTION_KINDS)
    if frame.empty:
        return pd.DataFrame(columns=["leader", "title", *kinds, "total", "received",
                                     "resolved"])
    pivot = frame.pivot_table(index="leader", columns="kind", values="n", aggfunc="sum",
                              fill_value=0).reindex(columns=kinds, fill_value=0)
    sums = frame.groupby("leader").agg(title=("title", "max"), received=("received", "sum"),
                                       resolved=("resolved", "sum"))
    out = pivot.join(sums).reset_index()
    out["total"] = out[kinds].sum(axis=1)
    out = out.sort_values(["total", "leader"], ascending=[False, True])
    return out[["leader", "title", *kinds, "total", "received", "resolved"]].reset_index(
        drop=True)


def reception_months(frame: pd.DataFrame) -> pd.DataFrame:
    """Receptions per month and kind (times): columns month, one per kind, total."""
    kinds = list(RECEPTION_KINDS)
    if frame.empty:
        return pd.DataFrame(columns=["month", *kinds, "total"])
    pivot = frame.pivot_table(index="month", columns="kind", values="n", aggfunc="sum",
                              fill_value=0).reindex(columns=kinds, fill_value=0)
    pivot["total"] = pivot[kinds].sum(axis=1)
    return pivot.reset_index().sort_values("month").reset_index(drop=True)


# --- leader reception days (领导接访日) ----------------------------------------------------------

def leader_conditions(scope, unit: str | None = None, alias: str = "l") -> tuple[str, dict]:
    """SQL condition and parameters: roster leaders of a county or township in ``scope``,
    narrowed to those inside ``unit`` when given (a township narrows a county's leaders out)."""
    a = alias
    params: dict = {}
    if scope.is_region:
        parts = ["TRUE"]
    else:
        parts = [f"(left({a}.unit_code, 6) = ANY(:l_units) OR left({a}.unit_code, 9)"
                 f" = ANY(:l_units))"]
        params["l_units"] = list(scope.units)
    if unit and not is_region_code(unit):
        parts.append(f"left({a}.unit_code, {min(len(unit), 9)}) = :l_unit")
        params["l_unit"] = unit[:9]
    return " AND ".join(parts), params


RECEPTION_DAY_COLUMNS = ["leader_id", "leader", "title", "unit_code", "unit_name",
                         "unit_name_en", "level", "weekday", "due", "kept", "missed",
                         "other_days", "status", "receptions", "received", "packaged",
                         "missed_dates"]


def reception_days(scope, period: Period, as_of: dt.date, unit: str | None = None,
                   level: str = "county") -> pd.DataFrame:
    """Roster leaders of ``level`` in ``scope`` against their weekly reception day in
    ``period`` up to ``as_of`` (``domain.reception_days.judge``, public holidays are no
    reception days): due, kept, missed and
    other_days (dates), status (kept, partly, missed, none_due), receptions (held in the
    period, every kind), received (matters received at them) and packaged (distinct matters
    a reception took into a leader package). Worst first: missed, partly, kept, none_due,
    then most missed days, then name. Columns :data:`RECEPTION_DAY_COLUMNS`."""
    from domain.reception_days import judge

    if level not in ("county", "township"):
        raise ValueError("level must be county or township")
    where, params = leader_conditions(scope, unit)
    r_where, r_params = reception_conditions(scope, None)
    end = min(period.end, as_of)
    params.update(r_params, ps=period.start, pe=end, level=level)
    if end < period.start:
        return pd.DataFrame(columns=RECEPTION_DAY_COLUMNS)
    sql = f"""
    SELECT l.id AS leader_id, l.name AS leader, l.title, l.unit_code, u.name AS unit_name,
           u.name_en AS unit_name_en, l.level, l.weekday,
           coalesce(array_agg(DISTINCT r.held_on) FILTER (WHERE r.id IS NOT NULL), '{{}}')
             AS held,
           count(r.id) AS receptions, coalesce(sum(r.matters_received), 0) AS received,
           count(DISTINCT r.matter_id) AS packaged
    FROM leader l
    LEFT JOIN admin_unit u ON u.code = l.unit_code
    LEFT JOIN leader_reception r ON r.leader_id = l.id AND r.held_on BETWEEN :ps AND :pe
         AND {r_where}
    WHERE {where} AND l.level = :level
    GROUP BY l.id, u.name, u.name_en"""
    raw = _frame(scope, sql, params)
    working = _working_days(period.start, end)
    rows = []
    for r in raw.to_dict("records"):
        rec = judge(int(r["weekday"]), list(r["held"] or []), period.start, end,
                    working.__contains__)
        rows.append({**{k: r[k] for k in ("leader_id", "leader", "title", "unit_code",
                                          "unit_name", "unit_name_en", "level")},
                     "weekday": int(r["weekday"]), "due": rec.due, "kept": rec.kept,
                     "missed": rec.missed, "other_days": rec.other_days, "status": rec.status,
                     "receptions": int(r["receptions"]), "received": int(r["received"]),
                     "packaged": int(r["packaged"]), "missed_dates": list(rec.missed_dates)})
    df = pd.DataFrame(rows, columns=RECEPTION_DAY_COLUMNS)
    if df.empty:
        return df
    order = {s: i for i, s in enumerate(("missed", "partly", "kept", "none_due"))}
    df = df.assign(_o=df["status"].map(order)).sort_values(
        ["_o", "missed", "unit_code", "leader"], ascending=[True, False, True, True]
    ).drop(columns="_o")
    return df.reset_index(drop=True)


def _working_days(start: dt.date, end: dt.date) -> set[dt.date]:
    """Working days from ``start`` to ``end`` (the statutory clocks' calendar with the
    office's holiday overrides)."""
    import numpy as np

    from domain.calendar import working_days
    from settings import get_settings

    days = working_days(get_settings().holiday_overrides)
    lo, hi = np.searchsorted(days, np.datetime64(start)), np.searchsorted(
        days, np.datetime64(end), side="right")
    return set(days[lo:hi].astype(object))


def reception_day_totals(frame: pd.DataFrame) -> dict:
    """Counts over :func:`reception_days`: leaders, kept (every due day), partly, missed (no
    due day kept), due / kept days, receptions, matters received and packaged."""
    status = frame["status"].value_counts() if len(frame) else pd.Series(dtype=int)
    return {"leaders": int(len(frame)),
            "kept": int(status.get("kept", 0)), "partly": int(status.get("partly", 0)),
            "missed": int(status.get("missed", 0)),
            "due_days": int(frame["due"].sum()) if len(frame) else 0,
            "kept_days": int(frame["kept"].sum()) if len(frame) else 0,
            "receptions": int(frame["receptions"].sum()) if len(frame) else 0,
            "received": int(frame["received"].sum()) if len(frame) else 0,
            "packaged": int(frame["packaged"].sum()) if len(frame) else 0}


# --- units ranked by on-time rates -------------------------------------------------------------

def unit_ranking(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None,
                 by: str = "unit", arules: AccountabilityRules = AccountabilityRules(),
                 rules: ClockRules = ClockRules()) -> pd.DataFrame:
    """Responsible units (or townships, counties) ranked by their on-time rates in ``period``.

    The counts are those of ``compute_kpis`` per group: fwd_n/fwd_ok (forwarding clocks due in
    the period / on time), acc_n/acc_ok (acceptance notices), ans_n/ans_ok (answers, ordinary
    route); overdue: matters with a clock overdue on D. ``handling_rate`` = (acc_ok + ans_ok)
    ÷ (acc_n + ans_n), the unit's own duties; rank 1 is the best handling rate (ties share a
    rank); ``yellow`` marks a unit below ``arules.yellow_card_line`` with at least
    ``yellow_card_min_items`` clocks due.
    """
    from queries.backlog import group_sql

    if by not in RANK_GROUPS:
        raise ValueError(f"rank by one of {RANK_GROUPS}")
    flt = replace(flt or MatterFilter(), clock=None)
    where, params = matter_conditions(scope, flt, alias="m")
    day = min(period.end, as_of)
    params.update(ps=period.start, pe=day, d=day)
    key, name, join = group_sql(by)
    sql = f"""
    SELECT {key} AS key, min({name}) AS name,
      count(*) FILTER (WHERE m.forward_due BETWEEN :ps AND :pe) AS fwd_n,
      count(*) FILTER (WHERE m.forward_due BETWEEN :ps AND :pe
                       AND m.forwarded_on <= m.forward_due) AS fwd_ok,
      count(*) FILTER (WHERE m.accept_due BETWEEN :ps AND :pe) AS acc_n,
      count(*) FILTER (WHERE m.accept_due BETWEEN :ps AND :pe
                       AND m.accepted_on <= m.accept_due) AS acc_ok,
      count(*) FILTER (WHERE m.route = 'ordinary' AND m.answer_due BETWEEN :ps AND :pe) AS ans_n,
      count(*) FILTER (WHERE m.route = 'ordinary' AND m.answer_due BETWEEN :ps AND :pe
                       AND m.answered_on <= m.answer_due) AS ans_ok,
      count(*) FILTER (WHERE {overdue_predicate('m')}) AS overdue
    FROM matter m {join}
    WHERE {where}
    GROUP BY 1
    HAVING count(*) FILTER (WHERE m.forward_due BETWEEN :ps AND :pe
                            OR m.accept_due BETWEEN :ps AND :pe
                            OR (m.route = 'ordinary' AND m.answer_due BETWEEN :ps AND :pe)) > 0
        OR count(*) FILTER (WHERE {overdue_predicate('m')}) > 0"""
    df = _frame(scope, sql, params)
    counts = ("fwd_n", "fwd_ok", "acc_n", "acc_ok", "ans_n", "ans_ok", "overdue")
    for col in counts:
        df[col] = df[col].astype(int)
    df["forward_rate"] = [rate(o, n) for o, n in zip(df["fwd_ok"], df["fwd_n"], strict=True)]
    df["accept_rate"] = [rate(o, n) for o, n in zip(df["acc_ok"], df["acc_n"], strict=True)]
    df["answer_rate"] = [rate(o, n) for o, n in zip(df["ans_ok"], df["ans_n"], strict=True)]
    h_ok, h_n = df["acc_ok"] + df["ans_ok"], df["acc_n"] + df["ans_n"]
    df["handling_n"] = h_n.astype(int)
    df["handling_rate"] = [rate(o, n) for o, n in zip(h_ok, h_n, strict=True)]
    df["yellow"] = [yellow_card(int(o), int(n), arules) for o, n in zip(h_ok, h_n, strict=True)]
    rates = pd.Series([r if r is not None else float("nan") for r in df["handling_rate"]],
                      index=df.index, dtype=float)
    df["rank"] = rates.rank(method="min", ascending=False).astype("Int64")
    df = df.assign(_r=rates.fillna(-1.0)).sort_values(
        ["_r", "handling_n", "key"], ascending=[False, False, True]).drop(columns="_r")
    return df.reset_index(drop=True)
