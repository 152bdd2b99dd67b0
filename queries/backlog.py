"""Overdue and due-soon clocks, backlog matters (积案) and package gaps, for a scope on a day.

The clock predicates come from ``domain.clocks`` (through ``queries.clock_sql`` and
``queries.filters.clock_condition``), the backlog rule from
``queries.clock_sql.backlog_intervals_sql``, so a count here is the count behind the KPI of
the same name. Lists carry the stored stage and due columns; pages turn them into clock states
and timelines with ``domain.clocks``, and into reasons with ``domain.rules``. No personal data
is ever selected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import text

from domain.clocks import DUE_COLUMNS, DUTY_CLOCKS, ClockRules, as_date
from queries.clock_sql import (
    backlog_intervals_sql,
    county_leader_on_row_sql,
    overdue_predicate,
    package_params,
    package_visit_sql,
)
from queries.db import scoped
from queries.filters import MatterFilter, Period, matter_conditions
from queries.scope import require_rows

#: Stage columns a list row carries (with DUE_COLUMNS) so the page can draw clock timelines.
STAGE_COLUMNS: tuple[str, ...] = (
    "registered_on", "forwarded_on", "accepted_on", "extension_days", "answered_on",
    "review_requested_on", "review_decided_on", "recheck_requested_on", "recheck_decided_on",
    "hearing_days", "intake", "unrecorded_mask")
GROUPS = ("unit", "township", "county")
LIST_LIMIT = 500

_MATTER_COLUMNS = ", ".join(
    f"m.{c}" for c in ("id", "matter_no", "category", "route", "county_code", "township_code",
                       "village_code", "responsible_unit", "satisfaction", "backlog_flag",
                       "backlog_flagged_on",
                       "package_leader", "package_level", *STAGE_COLUMNS, *DUE_COLUMNS))


def rule_params(day: dt.date, rules: ClockRules) -> dict:
    return {"d": day, "window_start": day - dt.timedelta(days=rules.package_window_days),
            "backlog_days": rules.backlog_days_past_due, "soon": rules.due_soon_days,
            **package_params(rules)}


def ctes(where: str) -> str:
    """The common table expressions of this module, for matters satisfying ``where``:

    ``sm`` the matters; ``iv`` their backlog intervals; ``bl`` those in backlog on ``:d``
    with the day it began (``since``) and the reasons holding (``reasons``); ``up`` their
    visits at city level or above in the 365 days up to ``:d`` and ``upx`` those with more
    than ``:package_n``; ``pk`` the package row in force on ``:d`` (latest); ``cov`` the
    matters a county-level leader owns on ``:d`` (a package row or the imported leader);
    ``need`` those that must have one (backlog, or ``upx``) and ``gap`` those of them that
    have none (DESIGN §3).

    Planner notes (50,000 matters under row-level security): ``pk`` and ``cov`` are not
    narrowed to ``sm`` — they are only joined to it, and a join there made the planner loop
    over every package row × matter; only ``upx`` (a handful of rows) is ever joined, as the
    planner takes ``up`` for one row and nested-loops it.
    """
    return f"""
    sm AS NOT MATERIALIZED (SELECT * FROM matter m WHERE {where}),
    iv AS ({backlog_intervals_sql('sm')}),
    bl AS (SELECT matter_id, min(s) AS since,
                  array_agg(DISTINCT reason ORDER BY reason) AS reasons FROM iv
           WHERE s <= :d AND (e IS NULL OR e > :d) GROUP BY matter_id),
    up AS (SELECT sub.matter_id, count(*) AS n FROM submission sub
           WHERE {package_visit_sql('sub')}
             AND sub.received_on > :window_start AND sub.received_on <= :d
             AND sub.matter_id IN (SELECT id FROM sm)
           GROUP BY sub.matter_id),
    upx AS (SELECT matter_id, n FROM up WHERE n > :package_n),
    pk AS (SELECT DISTINCT ON (p.matter_id) p.matter_id, p.leader_name, p.leader_title,
                  p.level, p.since, p.progress, p.resolved_on
           FROM package_assignment p
           WHERE p.since <= :d AND (p.until IS NULL OR p.until > :d)
           ORDER BY p.matter_id, p.since DESC, p.id DESC),
    cov AS (SELECT id AS matter_id FROM sm
            WHERE {county_leader_on_row_sql('sm')}
            UNION
            SELECT p.matter_id FROM package_assignment p
            WHERE p.level = 'county' AND p.since <= :d AND (p.until IS NULL OR p.until > :d)),
    need AS (SELECT matter_id FROM bl UNION SELECT matter_id FROM upx),
    gap AS (SELECT matter_id FROM need EXCEPT SELECT matter_id FROM cov)"""


def _days_over_sql(alias: str = "m") -> str:
    """SQL: days the matter's most overdue clock is past due on ``:d`` (NULL: none overdue)."""
    parts = [f"CASE WHEN {alias}.{c.due_column} < :d AND ({alias}.{c.done_column} IS NULL"
             f" OR {alias}.{c.done_column} > :d) THEN :d - {alias}.{c.due_column} END"
             for c in DUTY_CLOCKS]
    return "GREATEST(" + ", ".join(parts) + ")"


def not_overdue_sql(alias: str = "m") -> str:
    """SQL: no duty clock overdue on ``:d``. (The overdue predicate is NULL, not false, for a
    matter without some clock — a review never requested — so it must be coalesced before
    NOT.)"""
    return f"NOT coalesce({overdue_predicate(alias)}, false)"


def _soon_sql(c, alias: str = "m") -> str:
    return (f"({alias}.{c.due_column} BETWEEN :d AND :d + :soon AND ({alias}.{c.done_column}"
            f" IS NULL OR {alias}.{c.done_column} > :d))")


def _overdue_sql(c, alias: str = "m") -> str:
    return (f"({alias}.{c.due_column} < :d AND ({alias}.{c.done_column} IS NULL"
            f" OR {alias}.{c.done_column} > :d))")


def _frame(scope, sql: str, params: dict) -> pd.DataFrame:
    with scoped(scope) as conn:
        return pd.read_sql_query(text(sql), conn, params=params)


def group_sql(by: str) -> tuple[str, str, str]:
    """(key, name, join) SQL of a grouping of matters."""
    if by == "unit":
        return "coalesce(m.responsible_unit, '')", "coalesce(m.responsible_unit, '')", ""
    if by == "township":  # 五里牌街道 exists in two counties: the county goes with the name
        return ("coalesce(m.township_code, '')",
                "coalesce(au.name || coalesce('（' || acu.name || '）', ''), m.township_code, '')",
                "LEFT JOIN admin_unit au ON au.code = m.township_code"
                " LEFT JOIN admin_unit acu ON acu.code = m.county_code")
    if by == "county":
        return ("coalesce(m.county_code, '')", "coalesce(au.name, m.county_code, '')",
                "LEFT JOIN admin_unit au ON au.code = m.county_code")
    raise ValueError(f"group by one of {GROUPS}, not {by!r}")


# --- the status frame: every matter overdue, due soon, in backlog or a package gap -------------

def matter_list_sql(where: str, extra_where: str, order: str, extra_select: str = "",
                    extra_join: str = "") -> str:
    """SQL listing the matters of ``where`` satisfying ``extra_where`` with the list columns:
    stage and due columns, township and county names, ``backlog_since``, ``package_gap``,
    the current ``leader`` and its level, ``package_progress``, ``days_over``, ``upper_n`` (the
    upper-level submissions in 365 days when more than the package threshold, else 0)
    and the window column ``total``; ``:limit`` rows at most."""
    return f"""
    WITH {ctes(where)}
    SELECT {_MATTER_COLUMNS},
           tu.name AS township_name, cu.name AS county_name,
           bl.since AS backlog_since, bl.reasons AS backlog_reasons,
           (gap.matter_id IS NOT NULL) AS package_gap,
           coalesce(pk.leader_name, m.package_leader) AS leader,
           CASE WHEN pk.matter_id IS NOT NULL THEN pk.level ELSE m.package_level END
             AS leader_level,
           pk.progress AS package_progress,
           coalesce(upn.n, 0) AS upper_n,
           {_days_over_sql('m')} AS days_over,{extra_select}
           count(*) OVER () AS total
    FROM sm m
    LEFT JOIN bl ON bl.matter_id = m.id
    LEFT JOIN gap ON gap.matter_id = m.id
    LEFT JOIN pk ON pk.matter_id = m.id
    LEFT JOIN upx upn ON upn.matter_id = m.id
    LEFT JOIN admin_unit tu ON tu.code = m.township_code
    LEFT JOIN admin_unit cu ON cu.code = m.county_code{extra_join}
    WHERE {extra_where}
    ORDER BY {order}
    LIMIT :limit"""


#: Columns the package list adds to the list columns (``accountability.packages_frame``).
PACKAGE_SELECT = (" pk.leader_title AS leader_title, pk.since AS package_since,"
                  " pk.resolved_on AS package_resolved_on,")
#: The package list's condition: a leader owns the matter on ``:d``.
LEADER_CONDITION = "coalesce(pk.leader_name, m.package_leader) IS NOT NULL"


def _status_sql() -> tuple[str, str]:
    """(extra select, condition) of :func:`status_frame`: the per-clock flags and the
    nearest due date; overdue, due soon, in backlog or a package gap."""
    flags = "".join(
        f" coalesce({_overdue_sql(c)}, false) AS overdue_{c.key},"
        f" coalesce({_soon_sql(c)}, false) AS soon_{c.key}," for c in DUTY_CLOCKS)
    nearest = "LEAST(" + ", ".join(
        f"CASE WHEN {_soon_sql(c)} THEN m.{c.due_column} END" for c in DUTY_CLOCKS) + ")"
    any_over = overdue_predicate("m")
    any_soon = "(" + " OR ".join(_soon_sql(c) for c in DUTY_CLOCKS) + ")"
    cond = (f"(coalesce({any_over}, false) OR coalesce({any_soon}, false)"
            " OR bl.matter_id IS NOT NULL OR gap.matter_id IS NOT NULL)")
    return f"{flags} {nearest} AS nearest_soon,", cond


def _status_columns(df: pd.DataFrame) -> pd.DataFrame:
    over = [f"overdue_{c.key}" for c in DUTY_CLOCKS]
    soon = [f"soon_{c.key}" for c in DUTY_CLOCKS]
    df["overdue"] = df[over].any(axis=1) if len(df) else pd.Series(dtype=bool)
    df["due_soon"] = (~df["overdue"] & df[soon].any(axis=1)) if len(df) else pd.Series(
        dtype=bool)
    df["in_backlog"] = df["backlog_since"].notna()
    # An empty result comes back with object columns, and an object mask would select
    # columns instead of rows (a township with nothing open broke package_gaps).
    df["package_gap"] = df["package_gap"].astype(bool)
    return df


def status_frame(scope, day: dt.date, flt: MatterFilter | None = None,
                 rules: ClockRules = ClockRules()) -> pd.DataFrame:
    """Every matter of ``scope`` (narrowed by ``flt``; its clock filter is ignored) that on
    ``day`` has a clock overdue or due soon, is in backlog, or is a package gap — the one query
    behind the counts, lists and boards of this module (and of the Backlog page, which caches
    it).

    Columns: those of :func:`matter_list_sql`, plus ``overdue_<clock>`` / ``soon_<clock>``
    per duty clock, ``overdue`` (any clock overdue), ``due_soon`` (none overdue, one due
    within ``due_soon_days``: the filter's meaning), ``in_backlog``, ``nearest_soon``.
    """
    require_rows(scope, "status_frame")
    flt = replace(flt or MatterFilter(), clock=None, clock_day=None)
    where, params = matter_conditions(scope, flt, alias="m")
    params.update(rule_params(day, rules))
    params["limit"] = None
    select, cond = _status_sql()
    sql = matter_list_sql(where, f"{cond} AND m.registered_on <= :d", "m.id",
                          extra_select=select)
    return _status_columns(_frame(scope, sql, params).drop(columns="total"))


def status_and_package_frames(scope, day: dt.date, flt: MatterFilter | None = None,
                              rules: ClockRules = ClockRules()
                              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`status_frame` and ``queries.accountability.packages_frame`` of the same
    arguments, read in one query: both are dominated by the same backlog and package CTEs
    (about 4 s each over 1,000,000 matters), which this evaluates once. Same rows and
    columns as the two functions (each frame also carries the other's extra columns)."""
    require_rows(scope, "status_and_package_frames")
    flt = replace(flt or MatterFilter(), clock=None, clock_day=None)
    where, params = matter_conditions(scope, flt, alias="m")
    params.update(rule_params(day, rules))
    params["limit"] = None
    select, cond = _status_sql()
    sql = matter_list_sql(
        where, f"({cond} OR {LEADER_CONDITION}) AND m.registered_on <= :d", "m.id",
        extra_select=f"{select} {cond} AS _status,{PACKAGE_SELECT}")
    df = _status_columns(_frame(scope, sql, params).drop(columns="total"))
    is_status = df["_status"].astype(bool)
    status = df[is_status].drop(columns="_status").reset_index(drop=True)
    packages = df[df["leader"].notna()].drop(columns="_status").reset_index(drop=True)
    return status, packages


def _frame_or(frame, scope, day, flt, rules) -> pd.DataFrame:
    return frame if frame is not None else status_frame(scope, day, flt, rules)


def _head(df: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, int]:
    return df.head(limit).reset_index(drop=True), len(df)


def overdue_matters(scope, day: dt.date, flt: MatterFilter | None = None,
                    rules: ClockRules = ClockRules(), limit: int = LIST_LIMIT,
                    frame: pd.DataFrame | None = None) -> tuple[pd.DataFrame, int]:
    """Matters with a clock overdue on ``day`` (longest overdue first) and how many there are.

    Rows carry the stage and due columns, township and county names, ``days_over``,
    ``backlog_since`` (None: not in backlog), ``package_gap``, the current ``leader``.
    ``frame``: a :func:`status_frame` of the same arguments, to reuse.
    """
    df = _frame_or(frame, scope, day, flt, rules)
    df = df[df["overdue"]].sort_values(["days_over", "matter_no"], ascending=[False, True])
    return _head(df, limit)


def due_soon_matters(scope, day: dt.date, flt: MatterFilter | None = None,
                     rules: ClockRules = ClockRules(), limit: int = LIST_LIMIT,
                     frame: pd.DataFrame | None = None) -> tuple[pd.DataFrame, int]:
    """Matters with no clock overdue and one due within ``due_soon_days`` of ``day`` (the
    nearest due date first)."""
    df = _frame_or(frame, scope, day, flt, rules)
    df = df[df["due_soon"]].sort_values(["nearest_soon", "matter_no"])
    return _head(df, limit)


def backlog_matters(scope, day: dt.date, flt: MatterFilter | None = None,
                    rules: ClockRules = ClockRules(), limit: int = LIST_LIMIT,
                    frame: pd.DataFrame | None = None) -> tuple[pd.DataFrame, int]:
    """Matters in backlog on ``day`` (longest in backlog first), with ``reasons``: the
    reasons of ``domain.rules.backlog_reasons`` holding on ``day`` (a tuple of keys)."""
    df = _frame_or(frame, scope, day, flt, rules)
    df = df[df["in_backlog"]].sort_values(["backlog_since", "matter_no"])
    df, total = _head(df, limit)
    df["reasons"] = [tuple(r) for r in df["backlog_reasons"]]
    return df, total


def package_gaps(scope, day: dt.date, flt: MatterFilter | None = None,
                 rules: ClockRules = ClockRules(), limit: int = LIST_LIMIT,
                 frame: pd.DataFrame | None = None) -> tuple[pd.DataFrame, int]:
    """Matters that must have a county-level package leader on ``day`` and have none, with
    ``upper_n`` (visits at city level or above in 365 days) and ``reasons`` (backlog, upper_level),
    the ones longest in backlog first."""
    df = _frame_or(frame, scope, day, flt, rules)
    df = df[df["package_gap"]].sort_values(["backlog_since", "matter_no"], na_position="last")
    df, total = _head(df, limit)
    limit_n = rules.package_submissions_threshold
    df["reasons"] = [
        tuple(k for k, holds in (("backlog", since is not None and not pd.isna(since)),
                                 ("upper_level", n > limit_n)) if holds)
        for since, n in zip(df["backlog_since"], df["upper_n"], strict=True)]
    return df, total


def backlog_counts(scope, day: dt.date, flt: MatterFilter | None = None,
                   rules: ClockRules = ClockRules(), frame: pd.DataFrame | None = None
                   ) -> dict[str, int]:
    """Headline counts on ``day``: overdue and due-soon matters, backlog, package gaps."""
    df = _frame_or(frame, scope, day, flt, rules)
    return {"overdue": int(df["overdue"].sum()), "due_soon": int(df["due_soon"].sum()),
            "backlog": int(df["in_backlog"].sum()), "package_gaps": int(df["package_gap"].sum())}


def clock_board(scope, day: dt.date, flt: MatterFilter | None = None, by: str = "unit",
                rules: ClockRules = ClockRules(), frame: pd.DataFrame | None = None
                ) -> pd.DataFrame:
    """Overdue and due-soon clocks on ``day`` per responsible unit, township or county.

    Columns: key, name, open (matters not yet answered), overdue (matters with a clock
    overdue), due_soon (none overdue, one due within ``due_soon_days``), ``overdue_<clock>``
    and ``soon_<clock>`` per duty clock, backlog (in backlog on ``day``), oldest (days the most
    overdue clock is past due). Only groups with something overdue, due soon or in backlog;
    worst first.
    """
    if by not in GROUPS:
        raise ValueError(f"group by one of {GROUPS}, not {by!r}")
    df = _frame_or(frame, scope, day, flt, rules)
    df = df[df["overdue"] | df["due_soon"] | df["in_backlog"]].copy()
    per_clock = [f"{kind}_{c.key}" for c in DUTY_CLOCKS for kind in ("overdue", "soon")]
    cols = ["overdue", "due_soon", *per_clock, "backlog", "oldest"]
    if df.empty:
        return pd.DataFrame(columns=["key", "name", "open", *cols])
    key_col, name_col = {"unit": ("responsible_unit", "responsible_unit"),
                         "township": ("township_code", "township_name"),
                         "county": ("county_code", "county_name")}[by]
    df["key"] = df[key_col].fillna("")
    df["name"] = df[name_col].where(df[name_col].notna(), df["key"]).fillna("")
    if by == "township":
        df["name"] = [f"{n}（{c}）" if isinstance(c, str) and c else n
                      for n, c in zip(df["name"], df["county_name"], strict=True)]
    df["backlog"] = df["in_backlog"]
    df["oldest"] = df["days_over"].fillna(0)
    agg = df.groupby("key").agg(name=("name", "first"),
                                **{c: (c, "sum") for c in cols if c != "oldest"},
                                oldest=("oldest", "max")).reset_index()
    for c in cols:
        agg[c] = agg[c].astype(int)
    opened = open_counts(scope, day, flt, by)
    agg["open"] = agg["key"].map(opened).fillna(0).astype(int)
    agg = agg.sort_values(["overdue", "due_soon", "backlog", "key"],
                          ascending=[False, False, False, True])
    return agg[["key", "name", "open", *cols]].reset_index(drop=True)


def open_counts(scope, day: dt.date, flt: MatterFilter | None, by: str) -> dict[str, int]:
    """Matters registered by ``day`` and not answered by it, per group (key → n)."""
    flt = replace(flt or MatterFilter(), clock=None, clock_day=None)
    where, params = matter_conditions(scope, flt, alias="m")
    params["d"] = day
    key, _name, _join = group_sql(by)
    sql = f"""
    SELECT {key} AS key, count(*) AS n FROM matter m
    WHERE {where} AND m.registered_on <= :d AND (m.answered_on IS NULL OR m.answered_on > :d)
    GROUP BY 1"""
    with scoped(scope) as conn:
        return {k: int(n) for k, n in conn.execute(text(sql), params)}


# --- backlog over time -------------------------------------------------------------------------

def resolution_series(scope, periods: list[Period] | tuple[Period, ...], as_of: dt.date,
                      flt: MatterFilter | None = None, rules: ClockRules = ClockRules()
                      ) -> pd.DataFrame:
    """Backlog flows per period (months, usually), as ``compute_kpis`` counts them.

    Columns: start, end, open_start (in backlog the day before the period), new (entered it
    during the period), during (in backlog on some day of it), resolved (in backlog during it
    and not on its last day), open_end (in backlog on the period's last day, or ``as_of`` if
    earlier), rate (resolved ÷ during; None when nothing was in backlog) —
    ``backlog_resolution_rate`` of DESIGN §4.
    """
    flt = replace(flt or MatterFilter(), clock=None)
    where, params = matter_conditions(scope, flt, alias="m")
    params.update(rule_params(as_of, rules))
    params.update(starts=[p.start for p in periods],
                  ends=[min(p.end, as_of) for p in periods])
    sql = f"""
    WITH sm AS NOT MATERIALIZED (SELECT * FROM matter m WHERE {where}),
    iv AS ({backlog_intervals_sql('sm')}),
    mo AS (SELECT * FROM unnest(CAST(:starts AS date[]), CAST(:ends AS date[])) AS t(ps, pd)),
    per AS (
      SELECT mo.ps, iv.matter_id,
             bool_or(s <= mo.ps - 1 AND (e IS NULL OR e > mo.ps - 1)) AS at_start,
             bool_or(s <= mo.pd AND (e IS NULL OR e > mo.pd)) AS at_end,
             bool_or(s <= mo.pd AND (e IS NULL OR e > mo.ps)) AS during
      FROM mo JOIN iv ON iv.s <= mo.pd AND (iv.e IS NULL OR iv.e > mo.ps - 1)
      GROUP BY mo.ps, iv.matter_id)
    SELECT mo.ps AS start,
           count(per.matter_id) FILTER (WHERE at_start) AS open_start,
           count(per.matter_id) FILTER (WHERE NOT at_start AND during) AS new,
           count(per.matter_id) FILTER (WHERE during) AS during,
           count(per.matter_id) FILTER (WHERE during AND NOT at_end) AS resolved,
           count(per.matter_id) FILTER (WHERE at_end) AS open_end
    FROM mo LEFT JOIN per ON per.ps = mo.ps
    GROUP BY mo.ps ORDER BY mo.ps"""
    df = _frame(scope, sql, params)
    for col in ("open_start", "new", "during", "resolved", "open_end"):
        df[col] = df[col].astype(int)
    den = df["during"]
    df["rate"] = [None if not d else r / d for r, d in zip(df["resolved"], den, strict=True)]
    df["end"] = [p.end for p in periods]
    return df


def ageing(frame: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Backlog matters of a :func:`status_frame` by days in backlog on ``day``, in the
    buckets of ``queries.charts.backlog_ageing`` (≤30, 31–60, 61–90, 91–180, 181–365, >365):
    columns bucket, n."""
    from queries.charts import AGEING_BUCKETS

    labels = ["≤30", "31–60", "61–90", "91–180", "181–365", ">365"]
    bl = frame[frame["in_backlog"]]
    ages = [(day - as_date(s)).days for s in bl["backlog_since"]]
    edges = [0, *AGEING_BUCKETS]
    counts = [sum(1 for a in ages if (i == 0 or a > edges[i]) and a <= edges[i + 1])
              for i in range(len(AGEING_BUCKETS))]
    counts.append(sum(1 for a in ages if a > AGEING_BUCKETS[-1]))
    return pd.DataFrame({"bucket": labels, "n": counts})


def months_back(end: dt.date, n: int) -> list[Period]:
    """The ``n`` calendar months ending with the month of ``end``, oldest first."""
    out = []
    y, m = end.year, end.month
    for _ in range(n):
        out.append(Period.month(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


# --- one matter --------------------------------------------------------------------------------

def matter_detail(scope, matter_no: str, day: dt.date, rules: ClockRules = ClockRules()
                  ) -> dict | None:
    """Everything the timeline of one matter shows, or None when the matter is not in
    ``scope`` (or does not exist): ``matter`` (stage and due columns, names, backlog and
    package status on ``day``), ``submissions`` (received_on, channel, received_level,
    persons, is_repeat, is_cross_level), ``packages`` (all package rows) and ``assignments``."""
    require_rows(scope, "matter_detail")
    if not isinstance(matter_no, str) or not 0 < len(matter_no) <= 64:
        return None
    where, params = matter_conditions(scope, MatterFilter(), alias="m")
    params.update(rule_params(day, rules))
    params.update(no=matter_no, limit=1)
    sql = matter_list_sql(f"{where} AND m.matter_no = :no", "TRUE", "m.id")
    with scoped(scope) as conn:
        row = conn.execute(text(sql), params).mappings().first()
        if row is None:
            return None
        mid = row["id"]
        subs = [dict(r) for r in conn.execute(text(
            "SELECT submission_no, received_on, channel, received_level, persons, is_repeat,"
            " is_cross_level, irregular FROM submission WHERE matter_id = :m"
            " ORDER BY received_on, length(submission_no), submission_no"),
            {"m": mid}).mappings()]
        packages = [dict(r) for r in conn.execute(text(
            "SELECT id, leader_name, leader_title, level, since, until, progress, resolved_on,"
            " set_by FROM package_assignment WHERE matter_id = :m ORDER BY since, id"),
            {"m": mid}).mappings()]
        resolutions = [r[0] for r in conn.execute(text(
            "SELECT resolved_on FROM backlog_resolution WHERE matter_id = :m"
            " ORDER BY resolved_on"), {"m": mid})]
        assignments = [dict(r) for r in conn.execute(text(
            "SELECT assignment_no, title, assigned_unit, assigned_by, assigned_on,"
            " feedback_due, feedback_on, closed_on FROM assignment WHERE matter_id = :m"
            " ORDER BY assigned_on, assignment_no"), {"m": mid}).mappings()]
    matter = dict(row)
    matter.pop("total", None)
    return {"matter": matter, "submissions": subs, "packages": packages,
            "assignments": assignments, "resolutions": resolutions}


def units_in_scope(scope) -> pd.DataFrame:
    """Counties and townships a scope may pick (code, name, level, county_code), counties
    first, each followed by its townships."""
    params: dict = {}
    if scope.is_region:
        cond = "TRUE"
    else:
        cond = "(left(u.code, 6) = ANY(:units) OR left(u.code, 9) = ANY(:units))"
        params["units"] = list(scope.units)
    sql = f"""
    SELECT u.code, u.name, u.level, coalesce(u.county_code, left(u.code, 6)) AS county_code
    FROM admin_unit u WHERE u.level IN ('county', 'township') AND {cond}
    ORDER BY coalesce(u.county_code, left(u.code, 6)), length(u.code), u.code"""
    return _frame(scope, sql, params)


def package_version(scope) -> str:
    """A fingerprint of the package rows, changing with every insert or update (a cache key
    part: the package edits change the gaps of :func:`status_frame`)."""
    with scoped(scope) as conn:
        n, top = conn.execute(text(
            "SELECT count(*), coalesce(max(xmin::text::bigint), 0) FROM package_assignment"
        )).one()
    return f"{n}:{top}"
