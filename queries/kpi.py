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
from domain.clocks import ClockRules
from domain.enums import RECEIVED_LEVELS
from queries import summaries
from queries.clock_sql import (
    backlog_counts_sql,
    backlog_intervals_sql,
    overdue_predicate,
    package_params,
    package_visit_sql,
    unrecorded_window_start,
)
from queries.db import scoped
from queries.filters import MatterFilter, Period, matter_conditions, submission_source

EVALUATED = ("satisfied", "basically_satisfied", "dissatisfied")

#: The KPI keys of DESIGN §4, from the one catalogue (``domain.measures``).
KPI_KEYS = measures.KPI_KEYS


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
    backlog_sql = backlog_counts_sql(
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
