"""Rollups (summary tables, migration 0006) behind the dashboard's aggregates, and their refresh.

At a million matters the raw aggregates take seconds (issue 3). The rollups hold, per area
(county, township) and per *cut* — nothing else, category and route, zone, the set of
channels a matter was submitted on, or the responsible unit — counts of dated events by day
and by month:

- matter events: registered, each clock due (with "done on time"), answered / evaluated /
  satisfied, closed (answered; for "open on D"), and the start and end of the days a matter is
  overdue (its clocks' overdue intervals merged, so "overdue on D" = started by D − ended by D);
- submission events per channel: received, repeats, cross-level, collective (persons ≥ 5).

A sum over a date range reads whole months from the month table and the days at either end
from the day table — or a whole month minus the days outside the range, whichever is fewer —
so any period costs a few thousand rows. States on a day (open, overdue) are sums from the
beginning of time the same way. Backlog and package questions need per-matter logic; they read
``summary_backlog_interval`` (each matter's backlog intervals, precomputed) and
``summary_package_candidate`` with the same SQL as :mod:`queries.kpi` (from
:mod:`queries.clock_sql`). The rollups are built by :mod:`queries.summaries_build`.

Every function here returns ``None`` when the rollups cannot answer exactly — they are not
fresh (a write since the last refresh; rules changed), or the filter needs what they do not
hold (a clock-state filter; a village for the area cuts; combinations no cut carries) — and
the caller then runs its raw SQL. Results are identical to the raw SQL's (tests compare them on
randomised filters). Reads go through :func:`queries.db.scoped`: row-level security applies to
the summary tables as to ``matter``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import replace

import pandas as pd
from sqlalchemy import text

from domain.clocks import ClockRules
from domain.enums import CHANNELS, RECEIVED_LEVELS
from queries.clock_sql import (
    backlog_counts_sql,
    backlog_params,
    unrecorded_window_start,
)
from queries.db import scoped
from queries.filters import MatterFilter, Period, matter_conditions
from queries.scope import Scope

log = logging.getLogger(__name__)

#: Cuts, smallest first (the first whose dimensions cover a question answers it); the same
#: as in migration 0006.
CUTS: dict[str, tuple[str, ...]] = {
    "area": ("county_code", "township_code"),
    "zone": ("county_code", "township_code", "zone_code"),
    "unit": ("county_code", "township_code", "responsible_unit"),
    "chan": ("county_code", "township_code", "channel_mask"),
    "cat": ("county_code", "township_code", "category", "route"),
    "full": ("county_code", "township_code", "category", "route", "zone_code", "channel_mask",
             "responsible_unit"),
}
#: The full cut's rows of matters in a project zone only: a question that involves the zone
#: (a zone filter, measures per zone) never needs the others.
CUTS["zonefull"] = CUTS["full"]
#: Submissions filter on their own channel: a cut by the matter's channels is never needed.
SUBMISSION_CUTS = tuple(c for c in CUTS if c != "chan")
MATTER_COUNTS = ("reg", "fwd_n", "fwd_ok", "acc_n", "acc_ok", "ans_n", "ans_ok", "answered",
                 "evaluated", "satisfied", "closed", "od_in", "od_out", "unrec", "fr_n",
                 "fr_ok")
#: Irregular submissions (非访) per received level (migration 0007).
IRREGULAR_COUNTS = tuple(f"irr_{lvl}" for lvl in RECEIVED_LEVELS)
SUBMISSION_COUNTS = ("n", "repeats", "cross_n", "coll_n", "coll_persons", *IRREGULAR_COUNTS)
PER_MATTER_DIMS = ("county_code", "township_code", "village_code", "category", "route",
                   "zone_code", "channel_mask", "responsible_unit")
#: Columns of ``summary_funnel``: what the stage funnel reads of a matter.
FUNNEL_DATES = ("registered_on", "forwarded_on", "forward_due", "accepted_on", "accept_due",
                "answered_on", "answer_due", "satisfaction")
#: Bit of each channel in ``channel_mask`` (the channels a matter has submissions on).
CHANNEL_BITS = {c: 1 << i for i, c in enumerate(CHANNELS)}
EVALUATED = ("satisfied", "basically_satisfied", "dissatisfied")
#: Above this many summary rows a refresh vacuums and analyses the tables it rewrote.
VACUUM_ROWS = 50_000

_bypass: contextvars.ContextVar[bool] = contextvars.ContextVar("atlas_summaries_bypass",
                                                               default=False)


@contextlib.contextmanager
def raw_only() -> Iterator[None]:
    """Inside this block every query reads the raw tables (tests and the benchmark compare)."""
    token = _bypass.set(True)
    try:
        yield
    finally:
        _bypass.reset(token)


def rules_key(rules: ClockRules) -> dict:
    """What a build depends on besides the data: the stored rules (due dates and spans),
    thresholds and the channel bit order."""
    return {"stored": rules.stored_fingerprint(),
            "backlog_days": rules.backlog_days_past_due,
            "package_n": rules.package_submissions_threshold,
            "package_channels": list(rules.package_channels),
            "package_levels": list(rules.package_levels),
            "fr_days": rules.first_resolved_days, "collective": rules.collective_persons,
            "channels": list(CHANNELS)}


# --- freshness ----------------------------------------------------------------------------------

def is_fresh(conn, rules: ClockRules) -> bool:
    """Whether the last refresh saw every committed write and used ``rules``."""
    row = conn.execute(text(
        "SELECT b.built_from = s.version, b.rules FROM summary_build b, summary_source s"
        " WHERE b.id = 1 AND s.id = 1")).first()
    return bool(row and row[0] and row[1] == rules_key(rules))


def write_version() -> int:
    """The counter every committed write to matters or submissions raises (migration 0006).
    The wall keys its snapshot on it, so an import is on the screens at their next refresh
    instead of when the cached snapshot expires."""
    from queries.db import app_connection

    with app_connection() as conn:
        return int(conn.execute(text("SELECT version FROM summary_source WHERE id = 1"))
                   .scalar_one())


def status(conn) -> dict:
    """The last build (when, how long, rows) and whether it is current."""
    row = conn.execute(text(
        "SELECT b.built_at, b.seconds, b.row_counts, b.rules, b.built_from, s.version"
        " FROM summary_source s LEFT JOIN summary_build b ON b.id = 1 WHERE s.id = 1")).first()
    if row is None or row[0] is None:
        return {"built": False}
    return {"built": True, "built_at": row[0], "seconds": row[1], "rows": row[2],
            "rules": row[3], "current": row[4] == row[5]}


# --- choosing a cut and writing conditions ----------------------------------------------------

def needed_dims(scope, flt: MatterFilter, side: str) -> set[str] | None:
    """Dimensions a filter needs on the ``matter`` or ``submission`` side; None: the rollups
    cannot answer it (a clock state, a village)."""
    if flt.clock or (flt.unit and len(flt.unit) == 12):
        return None
    dims: set[str] = set()
    if flt.categories:
        dims.add("category")
    if flt.routes:
        dims.add("route")
    if flt.zone:
        dims.add("zone_code")
    if flt.channels and side == "matter":  # submissions filter on their own channel
        dims.add("channel_mask")
    if scope.departments:
        dims.add("responsible_unit")
    return dims


def pick_cut(dims: set[str] | None) -> str | None:
    """The smallest cut holding ``dims``. A question with ``zone_code`` among them is always
    about matters in a zone (a zone filter, or measures per zone), so the zone-only rows
    of ``zonefull`` answer it."""
    if dims is None:
        return None
    for cut in ("area", "zone", "unit", "chan", "cat", "zonefull", "full"):
        if cut == "zonefull" and "zone_code" not in dims:
            continue
        if dims <= set(CUTS[cut]):
            return cut
    return None


def conditions(scope, flt: MatterFilter, alias: str, side: str) -> tuple[str, dict]:
    """WHERE clause on a rollup (or per-matter summary) table: the scope and the filter as
    :func:`queries.filters.matter_conditions` writes them (same column names), the channels
    as a mask on the matter side and as the submission's own channel on the other."""
    base = replace(flt, channels=(), clock=None, clock_day=None)
    # The filter's conditions as matter_conditions writes them; the scope's here, without the
    # department term when there is none (cuts without a responsible unit lack the column).
    where, params = matter_conditions(Scope.region(), base, alias=alias)
    if not scope.is_region:
        terms = [f"{alias}.county_code = ANY(:scope_units)",
                 f"{alias}.township_code = ANY(:scope_units)"]
        params["scope_units"] = list(scope.units)
        if scope.departments:
            terms.append(f"{alias}.responsible_unit = ANY(:scope_departments)")
            params["scope_departments"] = list(scope.departments)
        where = f"({' OR '.join(terms)}) AND {where}"
    if flt.channels:
        if side == "matter":
            where += f" AND ({alias}.channel_mask & :chan_mask) <> 0"
            params["chan_mask"] = sum(CHANNEL_BITS[c] for c in set(flt.channels))
        else:
            where += f" AND {alias}.channel = ANY(:channels)"
            params["channels"] = list(flt.channels)
    return where, params


# --- date ranges ---------------------------------------------------------------------------------

def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _month_end(d: dt.date) -> dt.date:
    return _next_month(d) - dt.timedelta(days=1)


def _prev_month(d: dt.date) -> dt.date:
    return _month_start(_month_start(d) - dt.timedelta(days=1))


def _partial(month: dt.date, lo: dt.date, hi: dt.date) -> list[tuple]:
    """Days ``[lo, hi]`` of one month: those days, or the month less the others."""
    end = _month_end(month)
    inside = (hi - lo).days + 1
    outside = (end - month).days + 1 - inside
    if inside <= outside + 1:
        return [("day", lo, hi, 1)]
    parts: list[tuple] = [("month", month, month, 1)]
    if lo > month:
        parts.append(("day", month, lo - dt.timedelta(days=1), -1))
    if hi < end:
        parts.append(("day", hi + dt.timedelta(days=1), end, -1))
    return parts


def range_parts(lo: dt.date | None, hi: dt.date) -> list[tuple]:
    """``(grain, first, last, sign)`` pieces whose signed sum is the sum over ``[lo, hi]``
    (``lo`` None: from the beginning). Month pieces are month starts, both ends included."""
    if lo is not None and hi < lo:
        return []
    hm = _month_start(hi)
    if lo is not None and _month_start(lo) == hm:
        return _partial(hm, lo, hi)
    parts: list[tuple] = []
    first_full: dt.date | None = None
    if lo is not None:
        lm = _month_start(lo)
        if lo == lm:
            first_full = lm
        else:
            parts += _partial(lm, lo, _month_end(lm))
            first_full = _next_month(lm)
    if hi == _month_end(hm):
        last_full = hm
    else:
        parts += _partial(hm, hm, hi)
        last_full = _prev_month(hm)
    if first_full is None or first_full <= last_full:
        parts.append(("month", first_full, last_full, 1))
    return parts


def range_sql(kind: str, cut: str, counts: tuple[str, ...], lo: dt.date | None, hi: dt.date,
              where: str, groups: tuple[tuple[str, str], ...] = (), tag: str = "r",
              snapshot: tuple[str, dt.date, dict[str, str]] | None = None) -> tuple[str, dict]:
    """SQL summing ``counts`` of the ``kind`` ("matter" / "submission") rollup of ``cut``
    over ``[lo, hi]`` for rows meeting ``where`` (alias ``r``), grouped by ``groups``
    (``(expression on r, name)``). Counts come out as bigint columns of their own names.
    ``snapshot`` ``(table, day, {count: expression})`` adds that table's rows of ``day``."""
    params: dict = {}
    selects = []
    if snapshot is not None:
        table, day, exprs = snapshot
        cols = [f"{expr} AS {name}" for expr, name in groups]
        cols += [f"{exprs.get(c, '0')} AS {c}" for c in counts]
        selects.append(f"SELECT {', '.join(cols)} FROM {table} r"
                       f" WHERE {where} AND r.day = :{tag}snap")
        params[f"{tag}snap"] = day
    for i, (grain, first, last, sign) in enumerate(range_parts(lo, hi)):
        table = f"summary_{kind}_{cut}_{grain}"
        cond = [where]
        if first is not None:
            cond.append(f"r.day >= :{tag}{i}a")
            params[f"{tag}{i}a"] = first
        cond.append(f"r.day <= :{tag}{i}b")
        params[f"{tag}{i}b"] = last
        neg = "" if sign > 0 else "-"
        cols = [f"{expr} AS {name}" for expr, name in groups]
        cols += [f"{neg}r.{c} AS {c}" for c in counts]
        selects.append(f"SELECT {', '.join(cols)} FROM {table} r WHERE {' AND '.join(cond)}")
    names = [name for _e, name in groups]
    sums = [f"coalesce(sum({c}), 0)::bigint AS {c}" for c in counts]
    if not selects:  # an empty range: one row of zeros (or no groups)
        cols = [f"NULL AS {n}" for n in names] + [f"0::bigint AS {c}" for c in counts]
        return f"SELECT {', '.join(cols)} WHERE {'FALSE' if names else 'TRUE'}", params
    body = "\nUNION ALL\n".join(selects)
    group = f" GROUP BY {', '.join(names)}" if names else ""
    out = ", ".join([*names, *sums])
    return f"SELECT {out} FROM ({body}) x{group}", params


# --- answering ------------------------------------------------------------------------------------

def _usable(conn, rules: ClockRules) -> dt.date | None:
    """The build's last snapshot month when the summaries may be read, else None."""
    if _bypass.get():
        return None
    # Summary queries read a few thousand rows: parallel workers only cost start-up time and
    # compete with the other callbacks of the same click for the two cores.
    row = conn.execute(text(
        "SELECT b.built_from = s.version, b.rules, b.state_until,"
        " set_config('max_parallel_workers_per_gather', '0', true)"
        " FROM summary_build b, summary_source s WHERE b.id = 1 AND s.id = 1")).first()
    if row and row[0] and row[1] == rules_key(rules):
        return row[2]
    return None


def _state_sql(cut: str, where: str, day: dt.date, until: dt.date, groups=(),
               tag: str = "st") -> tuple[str, dict]:
    """Open and overdue matters on ``day``: the snapshot at the start of its month (or of
    the last month snapshotted, after which nothing happens) plus the events since, up to
    ``day``, as sums of reg − closed and od_in − od_out."""
    snap = min(_month_start(day), until)
    return range_sql("matter", cut, ("reg", "closed", "od_in", "od_out"), snap, day, where,
                     groups, tag, snapshot=(f"summary_matter_{cut}_state", snap,
                                            {"reg": "r.open_n", "od_in": "r.od_n"}))


def backlog_sql_summary(scope, flt: MatterFilter, period: Period, as_of: dt.date,
                        rules: ClockRules) -> tuple[str, dict]:
    """The backlog counts of :func:`compute_kpis` over the precomputed intervals
    (``summary_backlog_interval``, ``summary_package_candidate``; migration 0006)."""
    bwhere, params = conditions(scope, flt, "b", "matter")
    cwhere, _ = conditions(scope, flt, "c", "matter")
    # Intervals that cannot make any of the flags below true (starting after the last day
    # asked about, or ended before the period) are skipped: they would only add all-false
    # rows.
    head = (f"WITH iv AS (SELECT b.matter_id, b.s, b.e, b.leader"
            f" FROM summary_backlog_interval b WHERE {bwhere} AND b.s <= :d"
            " AND (b.e IS NULL OR b.e > least(:ps, :d))),")
    # The candidates (more than the threshold ever) are few and carry the days of their
    # upper-level submissions: count those in the window.
    upper = (f"SELECT c.matter_id, c.leader FROM summary_package_candidate c WHERE {cwhere}"
             " AND (SELECT count(*) FROM unnest(c.upper_days) u(day)"
             " WHERE u.day > :window_start AND u.day <= :d) > :package_n")
    params.update(backlog_params(period, as_of, rules))
    return backlog_counts_sql(head, upper, summary=True), params


def kpi_counts(scope, period: Period, as_of: dt.date, flt: MatterFilter,
               rules: ClockRules) -> dict | None:
    """The ``counts`` of :func:`queries.kpi.compute_kpis` from the rollups, or None."""
    mcut = pick_cut(needed_dims(scope, flt, "matter"))
    scut = pick_cut(needed_dims(scope, flt, "submission"))
    if mcut is None or scut is None:
        return None
    d = min(period.end, as_of)
    ps, pe = period.start, min(period.end, as_of)
    mwhere, mparams = conditions(scope, flt, "r", "matter")
    swhere, sparams = conditions(scope, flt, "r", "submission")
    span_sql, span_params = range_sql(
        "matter", mcut, ("fwd_n", "fwd_ok", "acc_n", "acc_ok", "ans_n", "ans_ok", "answered",
                         "evaluated", "satisfied", "fr_n", "fr_ok"), ps, pe, mwhere, tag="p")
    unrec_sql, unrec_params = range_sql("matter", mcut, ("unrec",), unrecorded_window_start(d),
                                        d, mwhere, tag="u")
    sub_sql, sub_params = range_sql(
        "submission", scut, SUBMISSION_COUNTS, ps, pe, swhere,
        groups=(("r.channel", "channel"),), tag="s")
    blg_sql, blg_params = backlog_sql_summary(scope, flt, period, as_of, rules)
    with scoped(scope) as conn:
        until = _usable(conn, rules)
        if until is None:
            return None
        state_sql, state_params = _state_sql(mcut, mwhere, d, until)
        mat = dict(conn.execute(text(span_sql), {**mparams, **span_params}).mappings().one())
        mat["unrec"] = conn.execute(text(unrec_sql), {**mparams, **unrec_params}).scalar_one()
        st = conn.execute(text(state_sql), {**mparams, **state_params}).mappings().one()
        subs = pd.DataFrame(conn.execute(text(sub_sql), {**sparams, **sub_params}).mappings()
                            .all(), columns=["channel", *SUBMISSION_COUNTS])
        blg = dict(conn.execute(text(blg_sql), blg_params).mappings().one())
    mat["overdue_open"] = st["od_in"] - st["od_out"]
    visits = subs[subs["channel"] == "visit"]
    sub = {
        "subs": subs["n"].sum(), "repeats": subs["repeats"].sum(),
        "online": subs.loc[subs["channel"] == "online", "n"].sum(),
        "visits": visits["n"].sum(), "cross_visits": visits["cross_n"].sum(),
        "collective_visits": visits["coll_n"].sum(),
        "collective_persons": visits["coll_persons"].sum(),
        **{c: subs[c].sum() for c in IRREGULAR_COUNTS},
    }
    return {k: int(v) for k, v in {**mat, **sub, **blg}.items()}


def area_counts(scope, level: str, column: str, period: Period, as_of: dt.date,
                flt: MatterFilter, rules: ClockRules
                ) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """``(counts, visits)`` frames of :func:`queries.areas.measures_by_area`, or None."""
    extra = {"county": set(), "township": set(), "zone": {"zone_code"}}.get(level)
    mdims, sdims = needed_dims(scope, flt, "matter"), needed_dims(scope, flt, "submission")
    if extra is None or mdims is None or sdims is None:
        return None
    mcut, scut = pick_cut(mdims | extra), pick_cut(sdims | extra)
    if mcut is None or scut is None:
        return None
    d = min(period.end, as_of)
    mwhere, mparams = conditions(scope, flt, "r", "matter")
    swhere, sparams = conditions(scope, flt, "r", "submission")
    group = ((f"r.{column}", "code"),)
    mwhere += f" AND r.{column} IS NOT NULL"
    swhere += f" AND r.{column} IS NOT NULL AND r.channel = 'visit'"
    reg_sql, reg_params = range_sql("matter", mcut, ("reg",), period.start, d, mwhere, group,
                                    "p")
    vis_sql, vis_params = range_sql("submission", scut, ("coll_n", "cross_n"), period.start, d,
                                    swhere, group, "s")
    with scoped(scope) as conn:
        until = _usable(conn, rules)
        if until is None:
            return None
        st_sql, st_params = _state_sql(mcut, mwhere, d, until, group)
        reg = pd.read_sql_query(text(reg_sql), conn, params={**mparams, **reg_params})
        st = pd.read_sql_query(text(st_sql), conn, params={**mparams, **st_params})
        vis = pd.read_sql_query(text(vis_sql), conn, params={**sparams, **vis_params})
    counts = reg.set_index("code").rename(columns={"reg": "matters"}).join(
        st.set_index("code"), how="outer").fillna(0)
    counts["open"] = counts["reg"] - counts["closed"]
    counts["overdue"] = counts["od_in"] - counts["od_out"]
    counts = counts[["matters", "open", "overdue"]].astype(int)
    visits = vis.set_index("code").rename(columns={"coll_n": "collective",
                                                   "cross_n": "cross_level"})
    return counts, visits[["collective", "cross_level"]]


def submissions_by_month(scope, period: Period, flt: MatterFilter, by_channel: bool,
                         rules: ClockRules) -> pd.DataFrame | None:
    """Submissions received in ``period`` per month (and channel), with the counts of
    :func:`queries.charts.repeat_cross_trend`; months (channels) without any left out."""
    cut = pick_cut(needed_dims(scope, flt, "submission"))
    if cut is None:
        return None
    where, params = conditions(scope, flt, "r", "submission")
    groups = [("date_trunc('month', r.day)::date", "month")]
    if by_channel:
        groups.append(("r.channel", "channel"))
    visit = () if by_channel else (("(r.channel = 'visit')", "is_visit"),)
    sql, rparams = range_sql("submission", cut, ("n", "repeats", "cross_n"), period.start,
                             period.end, where, (*groups, *visit), "s")
    with scoped(scope) as conn:
        if _usable(conn, rules) is None:
            return None
        frame = pd.read_sql_query(text(sql), conn, params={**params, **rparams})
    return frame


def registered_by(scope, period: Period, flt: MatterFilter, column: str,
                  rules: ClockRules) -> pd.DataFrame | None:
    """Matters registered in ``period`` per value of ``column`` (category): column, n,
    largest first, values without any left out."""
    dims = needed_dims(scope, flt, "matter")
    cut = pick_cut(None if dims is None else dims | {column})
    if cut is None:
        return None
    where, params = conditions(scope, flt, "r", "matter")
    sql, rparams = range_sql("matter", cut, ("reg",), period.start, period.end, where,
                             ((f"r.{column}", column),), "p")
    sql = f"SELECT {column}, reg AS n FROM ({sql}) c WHERE reg > 0 ORDER BY 2 DESC, 1"
    with scoped(scope) as conn:
        if _usable(conn, rules) is None:
            return None
        return pd.read_sql_query(text(sql), conn, params={**params, **rparams})


def top_units(scope, day: dt.date, flt: MatterFilter, limit: int, rules: ClockRules
              ) -> pd.DataFrame | None:
    """:func:`queries.charts.top_units_by_overdue` (unit, overdue, open) from the rollups."""
    dims = needed_dims(scope, flt, "matter")
    cut = pick_cut(None if dims is None else dims | {"responsible_unit"})
    if cut is None:
        return None
    where, params = conditions(scope, flt, "r", "matter")
    with scoped(scope) as conn:
        until = _usable(conn, rules)
        if until is None:
            return None
        sql, rparams = _state_sql(cut, where, day, until,
                                  (("coalesce(r.responsible_unit, '—')", "unit"),))
        sql = (f"SELECT unit, od_in - od_out AS overdue, reg - closed AS open FROM ({sql}) u"
               " WHERE od_in - od_out > 0 ORDER BY 2 DESC, 1 LIMIT :limit")
        return pd.read_sql_query(text(sql), conn,
                                 params={**params, **rparams, "limit": int(limit)})


def summary_frame(scope, sql_template, alias: str, params: dict, flt: MatterFilter,
                  rules: ClockRules) -> pd.DataFrame | None:
    """Run ``sql_template(where)`` over a per-matter summary table (``summary_funnel``,
    ``summary_backlog_interval``) read as ``alias``, with ``where`` the scope and filter on
    it; None when the summaries are stale or the filter is a clock state."""
    if flt.clock:
        return None
    where, cparams = conditions(scope, flt, alias, "matter")
    with scoped(scope) as conn:
        if _usable(conn, rules) is None:
            return None
        return pd.read_sql_query(text(sql_template(where)), conn, params={**params, **cparams})
