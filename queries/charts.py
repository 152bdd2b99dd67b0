"""Series behind the Overview and Map charts: trends, categories, stage funnel, ageing, units."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

from domain.clocks import ClockRules
from queries import summaries
from queries.clock_sql import backlog_intervals_sql, overdue_predicate
from queries.db import scoped
from queries.filters import MatterFilter, Period, matter_conditions, submission_source

AGEING_BUCKETS = (30, 60, 90, 180, 365)


def _rules() -> ClockRules:
    from settings import get_settings

    return get_settings().clock_rules()


def _frame(scope, sql: str, params: dict) -> pd.DataFrame:
    with scoped(scope) as conn:
        return pd.read_sql_query(text(sql), conn, params=params)


def monthly_by_channel(scope, period: Period, flt: MatterFilter | None = None) -> pd.DataFrame:
    """Submissions per month and channel received in ``period``: columns month, channel, n."""
    # The channel filter applies to the submissions counted, not to their matters.
    rolled = summaries.submissions_by_month(scope, period, flt or MatterFilter(), True,
                                            _rules())
    if rolled is not None:
        frame = rolled[rolled["n"] > 0][["month", "channel", "n"]]
        return frame.sort_values(["month", "channel"]).reset_index(drop=True)
    source, where, params = submission_source(scope, flt, alias="s")
    params.update(ps=period.start, pe=period.end)
    return _frame(scope, f"""
        SELECT date_trunc('month', s.received_on)::date AS month, s.channel, count(*) AS n
        FROM {source}
        WHERE s.received_on BETWEEN :ps AND :pe AND {where}
        GROUP BY 1, 2 ORDER BY 1, 2""", params)


def repeat_cross_trend(scope, period: Period, flt: MatterFilter | None = None) -> pd.DataFrame:
    """Monthly repeat rate (of all submissions) and cross-level rate (of visits), as fractions."""
    rolled = summaries.submissions_by_month(scope, period, flt or MatterFilter(), False,
                                            _rules())
    if rolled is not None:
        df = _trend_from_rollup(rolled)
    else:
        df = _repeat_cross_raw(scope, period, flt)
    df["repeat_rate"] = (df["repeats"] / df["submissions"]).where(df["submissions"] > 0)
    df["cross_level_rate"] = (df["cross_visits"] / df["visits"]).where(df["visits"] > 0)
    return df


def _trend_from_rollup(rolled: pd.DataFrame) -> pd.DataFrame:
    visits = rolled[rolled["is_visit"].astype(bool)].set_index("month")
    df = rolled.groupby("month", sort=True)[["n", "repeats"]].sum().rename(
        columns={"n": "submissions"})
    df["visits"] = visits["n"].reindex(df.index).fillna(0)
    df["cross_visits"] = visits["cross_n"].reindex(df.index).fillna(0)
    df = df[df["submissions"] > 0].astype("int64").reset_index()
    return df[["month", "submissions", "repeats", "visits", "cross_visits"]]


def _repeat_cross_raw(scope, period: Period, flt: MatterFilter | None) -> pd.DataFrame:
    source, where, params = submission_source(scope, flt, alias="s")
    params.update(ps=period.start, pe=period.end)
    return _frame(scope, f"""
        SELECT date_trunc('month', s.received_on)::date AS month,
               count(*) AS submissions, count(*) FILTER (WHERE s.is_repeat) AS repeats,
               count(*) FILTER (WHERE s.channel = 'visit') AS visits,
               count(*) FILTER (WHERE s.channel = 'visit' AND s.is_cross_level) AS cross_visits
        FROM {source}
        WHERE s.received_on BETWEEN :ps AND :pe AND {where}
        GROUP BY 1 ORDER BY 1""", params)


def by_category(scope, period: Period, flt: MatterFilter | None = None) -> pd.DataFrame:
    """Matters registered in ``period`` per category: columns category, n (largest first)."""
    rolled = summaries.registered_by(scope, period, flt or MatterFilter(), "category",
                                     _rules())
    if rolled is not None:
        return rolled
    where, params = matter_conditions(scope, flt, alias="m")
    params.update(ps=period.start, pe=period.end)
    return _frame(scope, f"""
        SELECT m.category, count(*) AS n FROM matter m
        WHERE m.registered_on BETWEEN :ps AND :pe AND {where}
        GROUP BY 1 ORDER BY 2 DESC, 1""", params)


def stage_funnel(scope, period: Period, as_of: dt.date,
                 flt: MatterFilter | None = None) -> pd.DataFrame:
    """Matters registered in ``period`` reaching each stage by ``as_of``, with on-time shares.

    Rows: registered, forwarded, accepted, answered, evaluated; columns stage, n, on_time
    (completed on or before the due date), rate (on_time ÷ n, None for stages without a clock).
    """
    where, params = matter_conditions(scope, flt, alias="m")
    params.update(ps=period.start, pe=period.end, d=as_of)

    def funnel_sql(table: str, where: str) -> str:
        return f"""
        SELECT count(*) AS registered,
          count(*) FILTER (WHERE forwarded_on <= :d) AS forwarded,
          count(*) FILTER (WHERE forwarded_on <= :d
                           AND forwarded_on <= forward_due) AS forwarded_ok,
          count(*) FILTER (WHERE accepted_on <= :d) AS accepted,
          count(*) FILTER (WHERE accepted_on <= :d AND accepted_on <= accept_due) AS accepted_ok,
          count(*) FILTER (WHERE answered_on <= :d) AS answered,
          count(*) FILTER (WHERE answered_on <= :d AND answered_on <= answer_due) AS answered_ok,
          count(*) FILTER (WHERE answered_on <= :d AND satisfaction
            IN ('satisfied', 'basically_satisfied', 'dissatisfied')) AS evaluated
        FROM {table} m WHERE m.registered_on BETWEEN :ps AND :pe AND {where}"""

    # The summary copy holds just these columns of every matter (migration 0006).
    frame = summaries.summary_frame(
        scope, lambda w: funnel_sql("summary_funnel", w), "m",
        {"ps": period.start, "pe": period.end, "d": as_of}, flt or MatterFilter(), _rules())
    if frame is None:
        frame = _frame(scope, funnel_sql("matter", where), params)
    row = frame.iloc[0]
    rows = [("registered", row["registered"], None),
            ("forwarded", row["forwarded"], row["forwarded_ok"]),
            ("accepted", row["accepted"], row["accepted_ok"]),
            ("answered", row["answered"], row["answered_ok"]),
            ("evaluated", row["evaluated"], None)]
    df = pd.DataFrame(rows, columns=["stage", "n", "on_time"])
    df["rate"] = [None if ok is None or not n else ok / n for _s, n, ok in rows]
    return df


def backlog_ageing(scope, day: dt.date, flt: MatterFilter | None = None,
                   rules: ClockRules = ClockRules()) -> pd.DataFrame:
    """Matters in backlog on ``day`` by age since they entered it, in the buckets
    ≤30, 31–60, 61–90, 91–180, 181–365, >365 days: columns bucket, n."""
    where, params = matter_conditions(scope, flt, alias="m")
    params.update(d=day, backlog_days=rules.backlog_days_past_due,
                  backlog_subs=rules.backlog_submissions_after_answer)

    def ageing_sql(head: str) -> str:
        return f"""
        {head}
        cur AS (SELECT matter_id, :d - min(s) AS age FROM iv
                WHERE s <= :d AND (e IS NULL OR e > :d) GROUP BY matter_id)
        SELECT CASE WHEN age <= 30 THEN '≤30' WHEN age <= 60 THEN '31–60'
                    WHEN age <= 90 THEN '61–90' WHEN age <= 180 THEN '91–180'
                    WHEN age <= 365 THEN '181–365' ELSE '>365' END AS bucket, count(*) AS n
        FROM cur GROUP BY 1"""

    df = summaries.summary_frame(scope, lambda bwhere: ageing_sql(
        "WITH iv AS (SELECT b.matter_id, b.s, b.e FROM summary_backlog_interval b"
        f" WHERE {bwhere} AND (NOT b.clock OR b.s <= :d)),"), "b", {"d": day},
        flt or MatterFilter(), rules)
    if df is None:
        df = _frame(scope, ageing_sql(
            f"WITH sm AS NOT MATERIALIZED (SELECT * FROM matter m WHERE {where}),\n"
            f"iv AS ({backlog_intervals_sql('sm')}),"), params)
    order = ["≤30", "31–60", "61–90", "91–180", "181–365", ">365"]
    return (pd.DataFrame({"bucket": order}).merge(df, on="bucket", how="left")
            .fillna({"n": 0}).astype({"n": int}))


def top_units_by_overdue(scope, day: dt.date, flt: MatterFilter | None = None,
                         limit: int = 10) -> pd.DataFrame:
    """Responsible units with the most matters overdue on ``day``: columns unit, overdue, open."""
    rolled = summaries.top_units(scope, day, flt or MatterFilter(), limit, _rules())
    if rolled is not None:
        return rolled
    where, params = matter_conditions(scope, flt, alias="m")
    params.update(d=day, limit=limit)
    return _frame(scope, f"""
        SELECT coalesce(m.responsible_unit, '—') AS unit,
               count(*) FILTER (WHERE {overdue_predicate('m')}) AS overdue,
               count(*) FILTER (WHERE m.answered_on IS NULL OR m.answered_on > :d) AS open
        FROM matter m WHERE m.registered_on <= :d AND {where}
        GROUP BY 1 HAVING count(*) FILTER (WHERE {overdue_predicate('m')}) > 0
        ORDER BY 2 DESC, 1 LIMIT :limit""", params)
