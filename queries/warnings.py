"""Early warnings (issue 6): the facts from the stability, ledger and duty queries run through
the rules of :mod:`domain.warnings`.

The window watched is the sensitive period on now (its dates, compared with the same number
of days before it) or, outside one, the last :data:`DEFAULT_WINDOW_DAYS` days. Inside a
sensitive period the tightened thresholds apply.
"""

from __future__ import annotations

import datetime as dt

from domain.warnings import EarlyWarning, Thresholds, WarningRules, evaluate, rules_from_env
from queries import duty, irregular, ledger, periods, stability

DEFAULT_WINDOW_DAYS = 7


def watch_window(scope, day: dt.date, *, window_days: int = DEFAULT_WINDOW_DAYS) -> dict:
    """``{start, end, sensitive, period}``: the active sensitive period's dates, or the last
    ``window_days`` days up to ``day``."""
    active = periods.active_period(scope, day)
    if active:
        return {"start": active["starts_on"], "end": active["ends_on"], "sensitive": True,
                "period": active}
    return {"start": day - dt.timedelta(days=window_days - 1), "end": day, "sensitive": False,
            "period": None}


def gather(scope, now: dt.datetime, window: dict, th: Thresholds, cutoff: dt.time) -> dict:
    """The facts the rules read: irregular national submissions (非访进京) and collective
    visits of the look-back, influx per township and project zone (frames, kept for the
    screens), open ledger disputes, missing reports."""
    day = now.date()
    since = day - dt.timedelta(days=max(th.lookback_days - 1, 0))
    facts = {"visits": stability.collective_visits(scope, since, day,
                                                   min_persons=th.collective_persons),
             "irregular": irregular.irregular_list(scope, since, day, levels=("national",))}
    rows = []
    for level in ("township", "zone"):
        frame = stability.influx_by_area(scope, window["start"], window["end"], day,
                                         level=level, alpha=th.alpha,
                                         min_count=th.influx_min_count)
        facts[f"influx_{level}"] = frame
        rows += [{"code": code, "name": r["name"], "level": level,
                  "current": r["submissions_cur"], "baseline": r["submissions_base"]}
                 for code, r in frame.iterrows()]
    facts["influx_rows"] = rows
    facts["ledger"] = ledger.list_entries(scope, day, status="open", personal=False)
    facts["compliance"] = duty.compliance_day(scope, now, cutoff=cutoff)
    facts["missing"] = facts["compliance"][facts["compliance"]["status"] == "missing"][
        ["code", "name", "township_code"]].to_dict("records")
    return facts


def from_facts(facts: dict, now: dt.datetime, window: dict, rules: WarningRules,
               cutoff: dt.time) -> list[EarlyWarning]:
    key = f"{window['start'].isoformat()}..{window['end'].isoformat()}"
    return evaluate(now=now, sensitive=window["sensitive"], rules=rules,
                    visits=facts["visits"], influx=facts["influx_rows"], influx_window=key,
                    ledger=facts["ledger"].to_dict("records"),
                    missing_reports=facts["missing"], cutoff=cutoff,
                    irregular=facts.get("irregular", ()))


def current_warnings(scope, now: dt.datetime, *, rules: WarningRules | None = None,
                     cutoff: dt.time | None = None, window: dict | None = None
                     ) -> list[EarlyWarning]:
    """Every warning for ``scope`` at ``now`` (an aware datetime in the office's time zone),
    red first, newest first."""
    rules = rules or rules_from_env()
    window = window or watch_window(scope, now.date())
    cutoff = cutoff or duty.cutoff_time()
    facts = gather(scope, now, window, rules.for_period(window["sensitive"]), cutoff)
    return from_facts(facts, now, window, rules, cutoff)
