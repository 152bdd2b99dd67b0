"""First-time matters (初信初访; DESIGN §3–§4, issue 16 item 1): the matters registered in a
period, answered, answered on time, resolved at once (一次性化解) or come back within the
window after their answer, by responsible unit, township or county — and the list of those
that came back (the ones the office studies).

Two cohorts, both named on the page:

- the *period's first-time matters*: registered in the period (up to the as-of date); on
  the as-of date each is ``unanswered``, ``came_back`` (a submission on answer + 1 … answer +
  90, by then), ``resolved_at_once`` (the 90 days passed by then with none) or ``watching``
  (``domain.plan.first_time_state``) — a month's matters are followed after the month ends,
  which is what the office studies;
- the KPI ``first_resolved_rate`` of ``queries.kpi.compute_kpis``: matters whose answer + 90
  days fell in the period, resolved at once ÷ all of them — the same formula grouped, so
  the groups add up to the KPI card.

Reads ``matter.first_return_on`` (the first submission after the answer, derived at
import). Every read takes the user's scope; no personal data is selected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import text

from domain.clocks import ClockRules
from domain.rules import rate
from queries.db import scoped
from queries.filters import MatterFilter, Period, matter_conditions

GROUPS = ("unit", "township", "county")
COUNTS = ("registered", "answered", "on_time", "came_back", "resolved", "watching", "fr_n",
          "fr_ok")
LIST_LIMIT = 200

#: SQL of the counts (alias ``m``; parameters ps, pe: the period up to the as-of date; d: the
#: as-of date the period's matters are judged on; fr: the window in days).
_COUNTS_SQL = """
  count(*) FILTER (WHERE m.registered_on BETWEEN :ps AND :pe) AS registered,
  count(*) FILTER (WHERE m.registered_on BETWEEN :ps AND :pe AND m.answered_on <= :d)
    AS answered,
  count(*) FILTER (WHERE m.registered_on BETWEEN :ps AND :pe AND m.answered_on <= :d
                   AND m.answered_on <= m.answer_due) AS on_time,
  count(*) FILTER (WHERE m.registered_on BETWEEN :ps AND :pe AND m.answered_on <= :d
                   AND m.first_return_on <= least(m.answered_on + :fr, :d)) AS came_back,
  count(*) FILTER (WHERE m.registered_on BETWEEN :ps AND :pe AND m.answered_on + :fr <= :d
                   AND (m.first_return_on IS NULL OR m.first_return_on > m.answered_on + :fr))
    AS resolved,
  count(*) FILTER (WHERE m.registered_on BETWEEN :ps AND :pe AND m.answered_on <= :d
                   AND m.answered_on + :fr > :d
                   AND (m.first_return_on IS NULL OR m.first_return_on > :d)) AS watching,
  count(*) FILTER (WHERE m.answered_on + :fr BETWEEN :ps AND :pe) AS fr_n,
  count(*) FILTER (WHERE m.answered_on + :fr BETWEEN :ps AND :pe
                   AND (m.first_return_on IS NULL OR m.first_return_on > m.answered_on + :fr))
    AS fr_ok"""


def _params(scope, period: Period, as_of: dt.date, flt: MatterFilter | None,
            rules: ClockRules) -> tuple[str, dict]:
    flt = replace(flt or MatterFilter(), clock=None, clock_day=None)
    where, params = matter_conditions(scope, flt, alias="m")
    params.update(ps=period.start, pe=min(period.end, as_of), d=as_of,
                  fr=rules.first_resolved_days)
    return where, params


def _rates(frame: pd.DataFrame) -> pd.DataFrame:
    for c in COUNTS:
        frame[c] = frame[c].astype(int)
    frame["on_time_rate"] = [rate(o, n) for o, n in zip(frame["on_time"], frame["answered"],
                                                        strict=True)]
    frame["first_resolved_rate"] = [rate(o, n) for o, n in zip(frame["fr_ok"], frame["fr_n"],
                                                               strict=True)]
    return frame


def first_time_totals(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None,
                      rules: ClockRules = ClockRules()) -> dict:
    """The counts of :data:`COUNTS` for the whole scope, with ``on_time_rate`` (answered on
    time ÷ answered) and ``first_resolved_rate`` (the KPI, fr_ok ÷ fr_n)."""
    where, params = _params(scope, period, as_of, flt, rules)
    with scoped(scope) as conn:
        row = conn.execute(text(f"SELECT {_COUNTS_SQL} FROM matter m WHERE {where}"),
                           params).mappings().one()
    out = {c: int(row[c]) for c in COUNTS}
    out["on_time_rate"] = rate(out["on_time"], out["answered"])
    out["first_resolved_rate"] = rate(out["fr_ok"], out["fr_n"])
    return out


def first_time_by_group(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None,
                        by: str = "unit", rules: ClockRules = ClockRules()) -> pd.DataFrame:
    """The counts of :data:`COUNTS` and both rates per responsible unit, township or county
    (columns key, name, …); groups with neither a first-time matter of the period nor a
    KPI matter are left out. Most came back first, then most registered."""
    from queries.backlog import group_sql

    if by not in GROUPS:
        raise ValueError(f"group by one of {GROUPS}")
    where, params = _params(scope, period, as_of, flt, rules)
    key, name, join = group_sql(by)
    sql = f"""
    SELECT {key} AS key, min({name}) AS name, {_COUNTS_SQL}
    FROM matter m {join}
    WHERE {where} AND (m.registered_on BETWEEN :ps AND :pe
                       OR m.answered_on + :fr BETWEEN :ps AND :pe)
    GROUP BY 1"""
    with scoped(scope) as conn:
        frame = pd.read_sql_query(text(sql), conn, params=params)
    frame = _rates(frame)
    return frame.sort_values(["came_back", "registered", "key"],
                             ascending=[False, False, True]).reset_index(drop=True)


def came_back(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None,
              rules: ClockRules = ClockRules(), limit: int = LIST_LIMIT
              ) -> tuple[pd.DataFrame, int]:
    """The period's first-time matters that came back within the window after their answer
    (by ``as_of``): matter_no, registered_on, category, township and county names, responsible_unit,
    answered_on, answer_due, first_return_on, days_after (first return − answer). The latest
    return first; at most ``limit`` rows, and how many there are."""
    where, params = _params(scope, period, as_of, flt, rules)
    params["limit"] = int(limit)
    sql = f"""
    SELECT m.matter_no, m.registered_on, m.category, tu.name AS township_name,
           cu.name AS county_name, m.responsible_unit, m.answered_on, m.answer_due,
           m.first_return_on, m.first_return_on - m.answered_on AS days_after,
           count(*) OVER () AS total
    FROM matter m
    LEFT JOIN admin_unit tu ON tu.code = m.township_code
    LEFT JOIN admin_unit cu ON cu.code = m.county_code
    WHERE {where} AND m.registered_on BETWEEN :ps AND :pe AND m.answered_on <= :d
      AND m.first_return_on <= least(m.answered_on + :fr, :d)
    ORDER BY m.first_return_on DESC, m.matter_no
    LIMIT :limit"""
    with scoped(scope) as conn:
        frame = pd.read_sql_query(text(sql), conn, params=params)
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    return frame.drop(columns="total"), total
