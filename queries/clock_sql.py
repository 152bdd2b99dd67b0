"""SQL builders of the statutory clocks, the backlog intervals and the package rule (DESIGN §3),
shared by every query that counts them (KPIs, backlog lists, charts, areas, the wall) and by the
summary build, so a count in two places is the same predicate.

Predicates are generated from ``domain.clocks.DUTY_CLOCKS``, the one definition of which column
completes which clock. Nothing here runs a query.
"""

from __future__ import annotations

import datetime as dt

from domain.clocks import DUTY_CLOCKS, ClockRules
from queries.filters import Period


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


def backlog_counts_sql(head: str, upper: str, summary: bool = False) -> str:
    """The backlog and package-gap counts of ``queries.kpi.compute_kpis``.

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


def backlog_params(period: Period, as_of: dt.date, rules: ClockRules) -> dict:
    d = min(period.end, as_of)
    return dict(ps=period.start, d=d, window_start=d - dt.timedelta(days=rules.package_window_days),
                backlog_days=rules.backlog_days_past_due, **package_params(rules))
