"""The KPIs of DESIGN §4 for a period, a scope and an as-of date.

One function computes them; the ``kpi`` command, the KPI cards and the briefing all call it,
so a number shown in two places is the same number. Clock predicates are generated from
``domain.clocks.DUTY_CLOCKS``, the one definition of which column completes which clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text

from domain import measures
from domain.clocks import DUTY_CLOCKS, ClockRules
from domain.enums import RECEIVED_LEVELS
from queries import summaries
from queries.db import scoped
from queries.filters import MatterFilter, Period, matter_conditions, submission_source

EVALUATED = ("satisfied", "basically_satisfied", "dissatisfied")

#: The KPI keys of DESIGN §4, from the one catalogue (``domain.measures``).
KPI_KEYS = measures.KPI_KEYS


def package_visit_sql(alias: str = "sub") -> str:
    """SQL: the submission counts for the package rule (DESIGN §3): a visit (the channels of
    ``:pkg_channels``) received at a level of ``:upper``."""
    return (f"{alias}.received_level = ANY(:upper) AND {alias}.channel = ANY(:pkg_channels)")


def county_leader_on_row_sql(alias: str = "m") -> str:
    """SQL, never NULL: the matter row itself names a county-level package leader (an
    unknown or blank level does not count)."""
    return (f"coalesce({alias}.package_level = 'county' AND {alias}.package_leader IS NOT NULL,"
            " false)")


def package_params(rules: ClockRules) -> dict:
    """Bound parameters of :func:`package_visit_sql` and the package threshold."""
    return {"upper": list(rules.package_levels), "pkg_channels": list(rules.package_channels),
            "package_n": rules.package_submissions_threshold}


def unrecorded_window_start(day: dt.date) -> dt.date:
    """First registration day of the 12 months up to ``day`` (DESIGN §4 ``unrecorded_clocks``):
    the day after the same date a year earlier."""
    try:
        year_before = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        year_before = day.replace(year=day.year - 1, day=28)
    return year_before + dt.timedelta(days=1)


def overdue_predicate(alias: str = "m", day: str = ":d") -> str:
    """SQL: the matter has a duty clock overdue on ``day`` (due before it, not done by it)."""
    # The last term is implied by the others; it is spelled out so that the planner can use
    # the partial "unmet clock" indexes of migration 0005.
    return "(" + " OR ".join(
        f"({alias}.{c.due_column} < {day} AND ({alias}.{c.done_column} IS NULL"
        f" OR {alias}.{c.done_column} > {day}) AND ({alias}.{c.done_column} IS NULL"
        f" OR {alias}.{c.done_column} > {alias}.{c.due_column}))" for c in DUTY_CLOCKS) + ")"


def backlog_intervals_sql(alias: str = "sm") -> str:
    """SQL (a UNION) of the day intervals ``[s, e)`` during which a matter is in backlog, with
    the ``reason`` of each (``domain.rules.BACKLOG_REASONS``).

    A matter is in backlog on day D (DESIGN §3) when one of its clocks is not completed by D
    and more than ``:backlog_days`` days past due — interval [due + days + 1, done) —; or when
    one of its (b) or (c) spans holds D (``matter_backlog_span``, derived by the importer:
    repeated submissions after the answer, a higher level's flag, each ended by a
    resolution). ``e`` NULL means still open.
    Reads the CTE ``alias`` of scoped matters (declare it ``NOT MATERIALIZED`` so that each
    part reaches the partial indexes of migration 0005) and needs ``:d``, the last day asked
    about: intervals starting after it are left out.
    """
    clock_parts = [
        f"SELECT id AS matter_id, {c.due_column} + :backlog_days + 1 AS s, {c.done_column} AS e,"
        f" 'long_overdue'::varchar AS reason FROM {alias}"
        f" WHERE {c.due_column} < :d - :backlog_days AND ({c.done_column} IS NULL "
        f"OR {c.done_column} > {c.due_column} + :backlog_days + 1) AND ({c.done_column} IS NULL"
        f" OR {c.done_column} > {c.due_column})"
        for c in DUTY_CLOCKS
    ]
    spans = (f"SELECT b.matter_id, b.s, b.e, b.reason FROM matter_backlog_span b"
             f" WHERE b.matter_id IN (SELECT id FROM {alias})")
    return "\nUNION ALL\n".join([*clock_parts, spans])


def _backlog_sql(head: str, upper: str, summary: bool = False) -> str:
    """The backlog and package-gap counts of :func:`compute_kpis`.

    ``head`` defines the CTE ``iv`` of backlog intervals (and whatever it reads); ``upper``
    selects the ``matter_id`` of the matters with more than ``:package_n`` submissions at city
    level or above in the 365 days up to ``:d``. Shared by the raw path and the summary path
    so both ask the same question; the summary path (``summary``) has each matter's
    "county package leader on the matter row" flag in ``iv`` and ``upper`` (``leader``)
    instead of reading the matter.
    """
    if summary:
        leader = ", bool_or(leader) AS leader"
        need = ("SELECT matter_id, leader FROM per WHERE at_end"
                " UNION SELECT matter_id, leader FROM upper")
        gap_from, gap_where = "need n", "NOT n.leader"
    else:
        leader = ""
        need = "SELECT matter_id FROM per WHERE at_end UNION SELECT matter_id FROM upper"
        gap_from = "need n JOIN matter pm ON pm.id = n.matter_id"
        gap_where = f"NOT {county_leader_on_row_sql('pm')}"
    return f"""
    {head}
    per AS (
      SELECT matter_id{leader},
             bool_or(s <= :d AND (e IS NULL OR e > :d)) AS at_end,
             bool_or(s <= :d AND (e IS NULL OR e > :ps)) AS during
      FROM iv GROUP BY matter_id),
    upper AS ({upper}),
    need AS ({need})
    SELECT
      (SELECT count(*) FROM per WHERE at_end) AS backlog_open,
      (SELECT count(*) FROM per WHERE during) AS backlog_during,
      (SELECT count(*) FROM per WHERE during AND NOT at_end) AS backlog_resolved,
      (SELECT count(*) FROM {gap_from}
        -- A lateral probe per matter: as an anti-join the planner (misled by row-level
        -- security on package_assignment) read every assignment once per matter (1.4 s).
        LEFT JOIN LATERAL (SELECT 1 AS found FROM package_assignment p
                           WHERE p.matter_id = n.matter_id AND p.level = 'county'
                             AND p.since <= :d AND (p.until IS NULL OR p.until > :d)
                           LIMIT 1) pa ON true
        WHERE {gap_where} AND pa.found IS NULL) AS package_gaps
    """


def _backlog_params(period: Period, as_of: dt.date, rules: ClockRules) -> dict:
    d = min(period.end, as_of)
    return dict(ps=period.start, d=d, window_start=d - dt.timedelta(days=rules.package_window_days),
                backlog_days=rules.backlog_days_past_due, **package_params(rules))


def backlog_sql_summary(scope, flt: MatterFilter, period: Period, as_of: dt.date,
                        rules: ClockRules) -> tuple[str, dict]:
    """The backlog counts of :func:`compute_kpis` over the precomputed intervals
    (``summary_backlog_interval``, ``summary_package_candidate``; migration 0006)."""
    from queries.summaries import conditions

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
    params.update(_backlog_params(period, as_of, rules))
    return _backlog_sql(head, upper, summary=True), params


@dataclass(frozen=True)
class KpiRequest:
    period: Period
    as_of: dt.date
    flt: MatterFilter = MatterFilter()

    @property
    def day(self) -> dt.date:
        """D: the last day of the period, or the as-of date if earlier."""
        return min(self.period.end, self.as_of)


def _rate(num: int, den: int) -> float | None:
    return None if not den else num / den


def compute_kpis(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None,
                 rules: ClockRules = ClockRules()) -> dict:
    """Every KPI of DESIGN §4 for ``period`` in ``scope`` (narrowed by ``flt``) as of ``as_of``.

    Rates are fractions (0–1) or None when the denominator is empty; counts are integers;
    ``irregular_by_level`` counts irregular submissions per received level. The result also
    carries ``counts``: the numerators and denominators behind each rate.
    """
    req = KpiRequest(period, as_of, flt or MatterFilter())
    where, params = matter_conditions(scope, req.flt, alias="m")
    d = req.day
    params.update(
        ps=period.start, pe=min(period.end, as_of), d=d, asof=as_of,
        window_start=d - dt.timedelta(days=rules.package_window_days),
        backlog_days=rules.backlog_days_past_due, evaluated=list(EVALUATED),
        fr_days=rules.first_resolved_days, unrec_start=unrecorded_window_start(d),
        collective=rules.collective_persons, **package_params(rules),
    )
    matters_sql = f"""
    WITH sm AS (SELECT * FROM matter m WHERE {where})
    SELECT
      count(*) FILTER (WHERE forward_due BETWEEN :ps AND :pe) AS fwd_n,
      count(*) FILTER (WHERE forward_due BETWEEN :ps AND :pe AND forwarded_on <= forward_due)
        AS fwd_ok,
      count(*) FILTER (WHERE accept_due BETWEEN :ps AND :pe) AS acc_n,
      count(*) FILTER (WHERE accept_due BETWEEN :ps AND :pe AND accepted_on <= accept_due)
        AS acc_ok,
      count(*) FILTER (WHERE route = 'ordinary' AND answer_due BETWEEN :ps AND :pe) AS ans_n,
      count(*) FILTER (WHERE route = 'ordinary' AND answer_due BETWEEN :ps AND :pe
                       AND answered_on <= answer_due) AS ans_ok,
      count(*) FILTER (WHERE answered_on BETWEEN :ps AND :pe) AS answered,
      count(*) FILTER (WHERE answered_on BETWEEN :ps AND :pe
                       AND satisfaction = ANY(:evaluated)) AS evaluated,
      count(*) FILTER (WHERE answered_on BETWEEN :ps AND :pe
                       AND satisfaction IN ('satisfied', 'basically_satisfied')) AS satisfied,
      count(*) FILTER (WHERE {overdue_predicate('sm')}) AS overdue_open,
      count(*) FILTER (WHERE answered_on + :fr_days BETWEEN :ps AND :pe) AS fr_n,
      count(*) FILTER (WHERE answered_on + :fr_days BETWEEN :ps AND :pe
                       AND (first_return_on IS NULL OR first_return_on > answered_on + :fr_days))
        AS fr_ok,
      coalesce(sum(unrecorded_n) FILTER (WHERE registered_on BETWEEN :unrec_start AND :d), 0)
        AS unrec
    FROM sm
    """
    sub_from, sub_where, sub_params = submission_source(scope, req.flt, alias="s")
    irregular = ",\n".join(
        f"count(*) FILTER (WHERE s.irregular AND s.received_level = '{lvl}') AS irr_{lvl}"
        for lvl in RECEIVED_LEVELS)
    submissions_sql = f"""
    SELECT count(*) AS subs,
           count(*) FILTER (WHERE s.is_repeat) AS repeats,
           count(*) FILTER (WHERE s.channel = 'online') AS online,
           count(*) FILTER (WHERE s.channel = 'visit') AS visits,
           count(*) FILTER (WHERE s.channel = 'visit' AND s.is_cross_level) AS cross_visits,
           count(*) FILTER (WHERE s.channel = 'visit' AND s.persons >= :collective)
             AS collective_visits,
           coalesce(sum(s.persons) FILTER (WHERE s.channel = 'visit'
                                           AND s.persons >= :collective), 0)
             AS collective_persons,
           {irregular}
    FROM {sub_from}
    WHERE s.received_on BETWEEN :ps AND :pe AND {sub_where}
    """
    backlog_sql = _backlog_sql(
        f"WITH sm AS NOT MATERIALIZED (SELECT * FROM matter m WHERE {where}),\n"
        f"iv AS ({backlog_intervals_sql('sm')}),",
        "SELECT sub.matter_id FROM submission sub JOIN sm ON sm.id = sub.matter_id"
        f" WHERE {package_visit_sql('sub')} AND sub.received_on > :window_start"
        " AND sub.received_on <= :d GROUP BY sub.matter_id HAVING count(*) > :package_n")
    counts = summaries.kpi_counts(scope, period, as_of, req.flt, rules)
    if counts is None:
        with scoped(scope) as conn:
            mat = conn.execute(text(matters_sql), params).mappings().one()
            sub = conn.execute(text(submissions_sql), {**params, **sub_params}).mappings().one()
            blg = conn.execute(text(backlog_sql), params).mappings().one()
        counts = {k: int(v) for k, v in {**mat, **sub, **blg}.items()}
    return kpis_from_counts(counts)


def kpis_from_counts(counts: dict) -> dict:
    """The KPI values of DESIGN §4 from their counts (the raw and the summary paths' common
    last step)."""
    c = counts
    by_level = {lvl: int(c[f"irr_{lvl}"]) for lvl in RECEIVED_LEVELS}
    return {
        "timely_forward_rate": _rate(c["fwd_ok"], c["fwd_n"]),
        "timely_accept_rate": _rate(c["acc_ok"], c["acc_n"]),
        "on_time_answer_rate": _rate(c["ans_ok"], c["ans_n"]),
        "participation_rate": _rate(c["evaluated"], c["answered"]),
        "satisfaction_rate": _rate(c["satisfied"], c["evaluated"]),
        "repeat_rate": _rate(c["repeats"], c["subs"]),
        "cross_level_rate": _rate(c["cross_visits"], c["visits"]),
        "online_share": _rate(c["online"], c["subs"]),
        "collective_visits": int(c["collective_visits"]),
        "collective_persons": int(c["collective_persons"]),
        "overdue_open": int(c["overdue_open"]),
        "backlog_open": int(c["backlog_open"]),
        "backlog_resolution_rate": _rate(c["backlog_resolved"], c["backlog_during"]),
        "first_resolved_rate": _rate(c["fr_ok"], c["fr_n"]),
        "irregular_submissions": sum(by_level.values()),
        "irregular_by_level": by_level,
        "unrecorded_clocks": int(c["unrec"]),
        "package_gaps": int(c["package_gaps"]),
        "counts": {k: int(v) for k, v in counts.items()},
    }
