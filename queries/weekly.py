"""The weekly early-warning report (每周预警信息; issue 16 item 4): every fact of one ISO week,
computed as of its Sunday at 23:59 office time (or now, for the week still running).

The work plan wants early-warning information reported once a week and urgent information
(a national irregular submission) at once. The week's facts: the early warnings of
``queries.warnings`` evaluated at that moment over the week (the look-back of collective
and irregular visits is the week itself, Monday to Sunday; the influx compares the week with
the week before), the stability measures of the week against the week before, open ledger
disputes due by the end of the next week, collective visits and irregular submissions of the
week, and the daily reports each unit did not file. :func:`figures` sums them up; the
Stability page and the three files of ``briefing.weekly`` all print those figures.

Every read takes the caller's scope. No person appears: areas, units, submission and matter
numbers, dispute titles and numbers of people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import text

from domain.plan import parse_week, week_as_of
from domain.warnings import WarningRules, rules_from_env
from queries import duty, irregular, periods, stability
from queries import warnings as qwarn
from queries.db import scoped
from queries.filters import Period

#: Ledger disputes due within this many days after the week's end are listed with it.
DISPUTE_AHEAD_DAYS = 7
WEEK_DAYS = 7


def week_moment(week: str, now: dt.datetime | None = None, tz: str | None = None
                ) -> tuple[dt.date, dt.date, dt.datetime]:
    """(Monday, Sunday, as-of moment) of ``week`` (``YYYY-Www``): the Sunday at 23:59 in the
    office's time zone, or ``now`` when the week is still running. A week that has not begun
    is refused (ValueError)."""
    from settings import get_settings

    tz = tz or get_settings().timezone
    monday, sunday = parse_week(week)
    moment = week_as_of(sunday, tz)
    if now is not None:
        now = now.astimezone(ZoneInfo(tz))
        if now.date() < monday:
            raise ValueError(f"week {week} has not begun / 该周尚未开始")
        moment = min(moment, now)
    return monday, sunday, moment


def disputes_due(scope, day: dt.date, ahead_days: int = DISPUTE_AHEAD_DAYS) -> pd.DataFrame:
    """Ledger disputes open at the end of ``day`` (opened by then, not closed by then) whose
    resolve-by date is at most ``ahead_days`` after it: ledger_no, title, township_name,
    county_name, people_involved, risk_level, responsible_unit, resolve_by, days_left
    (negative: past due). Past due first, then the nearest."""
    from queries.ledger import _list_where

    params: dict = {"d": day, "ahead": int(ahead_days)}
    where = _list_where(scope, params, "all", None, None)
    sql = f"""
        SELECT u.ledger_no, u.title, t.name AS township_name, c.name AS county_name,
               u.people_involved, u.risk_level, u.responsible_unit, u.resolve_by,
               u.resolve_by - CAST(:d AS date) AS days_left
        FROM unstable_factor u
        LEFT JOIN admin_unit t ON t.code = u.township_code
        LEFT JOIN admin_unit c ON c.code = u.county_code
        WHERE {where} AND u.opened_on <= :d
          AND (u.status <> 'resolved' OR u.closed_on > :d)
          AND u.resolve_by IS NOT NULL AND u.resolve_by <= CAST(:d AS date) + :ahead
        ORDER BY u.resolve_by, u.ledger_no"""
    with scoped(scope) as conn:
        frame = pd.read_sql_query(text(sql), conn, params=params)
    frame["days_left"] = frame["days_left"].astype(int)
    return frame


def gather(scope, week: str, *, now: dt.datetime | None = None,
           rules: WarningRules | None = None) -> dict:
    """Every fact of the week's report for ``scope`` (see the module text): week, monday,
    sunday, as_of (the moment), sensitive, warnings (dicts, immediate and red first),
    influx_totals, influx (flagged townships and zones), disputes, visits (collective),
    irregular (by level), irregular_list, irregular_by_township, reports (unit rows with a
    late or missing daily report) and reports_total (unit-days)."""
    from settings import get_settings

    monday, sunday, moment = week_moment(week, now)
    day = moment.date()
    rules = rules or rules_from_env()
    active = periods.active_period(scope, day)
    # The week is the window: the look-back of visits is its seven days, whatever the
    # everyday setting, and the influx compares it with the week before.
    rules = WarningRules(replace(rules.normal, lookback_days=WEEK_DAYS),
                         replace(rules.sensitive, lookback_days=WEEK_DAYS))
    window = {"start": monday, "end": sunday, "sensitive": bool(active), "period": active}
    th = rules.for_period(window["sensitive"])
    cutoff = duty.cutoff_time()
    facts = qwarn.gather(scope, moment, window, th, cutoff)
    warnings = qwarn.from_facts(facts, moment, window, rules, cutoff)
    influx = []
    for level in ("township", "zone"):
        frame = facts[f"influx_{level}"]
        for code, r in frame[frame["flagged"]].iterrows():
            influx.append({"level": level, "code": code, "name": r["name"],
                           "cur": int(r["submissions_cur"]), "base": int(r["submissions_base"]),
                           "ratio": r["submissions_ratio"], "p": float(r["submissions_p"]),
                           "collective_cur": int(r["collective_cur"]),
                           "upper_cur": int(r["upper_level_cur"])})
    week_period = Period(monday, sunday)
    reports = duty.on_time_rates(scope, monday, sunday, moment, cutoff=cutoff)
    short = reports[(reports["missing"] > 0) | (reports["late"] > 0)]
    return {
        "week": week, "monday": monday, "sunday": sunday, "as_of": moment,
        "sensitive": bool(active), "period": active, "thresholds": th,
        "warnings": [w.as_dict() for w in warnings],
        "influx_totals": stability.influx_totals(scope, monday, sunday, day, alpha=th.alpha,
                                                 min_count=th.influx_min_count),
        "influx": influx,
        "disputes": disputes_due(scope, day),
        "visits": stability.collective_visits(scope, monday, day,
                                              min_persons=get_settings().collective_persons),
        "irregular": irregular.irregular_totals(scope, week_period, day),
        "irregular_list": irregular.irregular_list(scope, monday, day),
        "irregular_by_township": irregular.irregular_by_group(scope, week_period, day,
                                                              by="township"),
        "reports": short.reset_index(drop=True),
        "reports_total": {c: int(reports[c].sum()) if len(reports) else 0
                          for c in ("days", "on_time", "late", "missing")},
    }


#: The headline figures of the week, in the order the page and the files print them.
FIGURE_KEYS = ("warnings_total", "warnings_red", "warnings_amber", "irregular_national",
               "irregular_total", "influx_areas", "submissions", "submissions_base",
               "collective_visits", "collective_persons", "disputes_overdue", "disputes_due",
               "reports_missing", "reports_late")


def figures(facts: dict) -> dict[str, int]:
    """The week's headline figures (:data:`FIGURE_KEYS`), all counts."""
    w = facts["warnings"]
    tot = facts["influx_totals"]
    disputes = facts["disputes"]
    overdue = int((disputes["days_left"] < 0).sum()) if len(disputes) else 0
    return {
        "warnings_total": len(w),
        "warnings_red": sum(1 for x in w if x["severity"] == "red"),
        "warnings_amber": sum(1 for x in w if x["severity"] == "amber"),
        "irregular_national": int(facts["irregular"]["national"]),
        "irregular_total": int(facts["irregular"]["total"]),
        "influx_areas": len(facts["influx"]),
        "submissions": int(tot["submissions"]["cur"]),
        "submissions_base": int(tot["submissions"]["base"]),
        "collective_visits": len(facts["visits"]),
        "collective_persons": int(sum(int(v["persons"]) for v in facts["visits"])),
        "disputes_overdue": overdue,
        "disputes_due": int(len(disputes)) - overdue,
        "reports_missing": int(facts["reports_total"]["missing"]),
        "reports_late": int(facts["reports_total"]["late"]),
    }
