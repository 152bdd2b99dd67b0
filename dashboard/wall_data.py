"""The wall screen's data: one JSON-safe snapshot of aggregates per scope (no SQL here: it
calls ``queries/``), and the geometry the map draws. Both are read through
:mod:`dashboard.wall_cache`, so any number of screens cost one computation per interval.

Nothing personal goes in: no petitioner's name, ID or matter summary (the queries never read
them), no duty officer or responsible leader (staff names stay on the office pages). Ledger
disputes appear by title, township, people involved (a number), risk and dates.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pandas as pd

from domain.warnings import RISK_ORDER, WarningRules, rules_from_env, traffic_light
from geo import hotspots as hs
from queries import duty, irregular, ledger, maps, periods, stability
from queries import warnings as qwarn
from queries.areas import measures_by_area
from queries.filters import Period
from queries.kpi import KPI_KEYS, compute_kpis
from settings import get_settings

SNAPSHOT_VERSION = 2  # 2: irregular petitions (issue 16)
TOP_TOWNS = 8
BACKLOG_ROWS = 15
LEDGER_ROWS = 7
RISING_ROWS = 6
WARNING_ROWS = 40
VISIT_ROWS = 5


def office_now() -> dt.datetime:
    """Now in the office's time zone; ``ATLAS_AS_OF`` (``dashboard.state.today``) pins the
    day for demos and tests, keeping the time of day (one clock: ``domain.plan.office_now``,
    which the commands use too)."""
    from domain.plan import office_now as clock

    return clock(get_settings().timezone)


def _iso(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _num(value):
    """A JSON-safe number (NaN → None, numpy → Python)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    return value


def _period_dict(p: dict | None) -> dict | None:
    if not p:
        return None
    keep = ("id", "name", "name_en", "starts_on", "ends_on", "level", "scope_code", "day_no",
            "days_left", "days_until")
    return {k: _iso(p.get(k)) for k in keep if k in p}


def last_12_months(day: dt.date) -> Period:
    y, m = day.year, day.month - 11
    if m <= 0:
        y, m = y - 1, m + 12
    return Period(dt.date(y, m, 1), Period.month(day.year, day.month).end)


def _kpis(scope, day: dt.date) -> dict:
    rules = get_settings().clock_rules()
    month = Period.month(day.year, day.month)
    prev = month.previous()
    cur = compute_kpis(scope, month, day, rules=rules)
    before = compute_kpis(scope, prev, min(prev.end, day), rules=rules)
    lights = {k: traffic_light(k, cur.get(k), before.get(k)) for k in KPI_KEYS}
    clean = {k: _num(cur.get(k)) for k in KPI_KEYS}
    clean["counts"] = {k: int(v) for k, v in cur["counts"].items()}
    clean_prev = {k: _num(before.get(k)) for k in KPI_KEYS}
    clean_prev["counts"] = {k: int(v) for k, v in before["counts"].items()}
    return {"month": month.start.strftime("%Y-%m"), "prev_month": prev.start.strftime("%Y-%m"),
            "current": clean, "previous": clean_prev, "lights": lights}


def _map(scope, day: dt.date, adjacency) -> dict:
    period = last_12_months(day)
    frame = measures_by_area(scope, "township", period, day, rules=get_settings().clock_rules())
    values = {c: _num(v) for c, v in frame["per_10k"].items()}
    hot: dict[str, str] = {}
    usable = frame["per_10k"].dropna()
    if len(usable) >= 3:
        codes = tuple(sorted(usable.index))
        weights = hs.weights_from_pairs(codes, adjacency(codes), "queen")
        result = hs.hotspots(usable, weights)
        hot = {c: cls for c, cls in result["class"].items()
               if cls.startswith(("hot", "cold")) and not cls.endswith("90")}
    top = frame[frame["overdue"] > 0].sort_values(["overdue", "matters"], ascending=False)
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "values": values,
        "hot": hot,
        "names": {c: n for c, n in frame["name"].items()},
        "top_overdue": [{"code": c, "name": r["name"], "overdue": int(r["overdue"]),
                         "open": int(r["open"])} for c, r in top.head(TOP_TOWNS).iterrows()],
    }


def _backlog(scope, day: dt.date) -> dict:
    frame = stability.backlog_by_township(scope, day, get_settings().clock_rules())
    rows = [{"code": c, "name": r["name"], "backlog": int(r["backlog"]),
             "package_gaps": int(r["package_gaps"]), "overdue": int(r["overdue"])}
            for c, r in frame[(frame["backlog"] > 0) | (frame["package_gaps"] > 0)]
            .head(BACKLOG_ROWS).iterrows()]
    return {"rows": rows, "totals": {k: int(frame[k].sum()) for k in
                                     ("backlog", "package_gaps", "overdue")}}


def _ledger_items(frame: pd.DataFrame) -> list[dict]:
    if frame.empty:
        return []
    f = frame.assign(_r=frame["risk_level"].map(RISK_ORDER),
                     _d=frame["days_left"].fillna(10_000))
    f = f.sort_values(["_r", "_d", "ledger_no"])
    return [{"no": r["ledger_no"], "title": r["title"],
             "town": r["township_name"] or r["county_name"] or "—",
             "people": int(r["people_involved"]), "risk": r["risk_level"],
             "status": r["status"], "due": _iso(r["resolve_by"]),
             "days_left": _num(r["days_left"]), "unit": r["responsible_unit"]}
            for r in f.head(LEDGER_ROWS).to_dict("records")]


def build_snapshot(scope, now: dt.datetime, *, rules: WarningRules | None = None,
                   adjacency=None) -> dict:
    """Every panel's aggregates for ``scope`` at ``now`` (aware, office time zone)."""
    rules = rules or rules_from_env()
    adjacency = adjacency or (lambda codes: stability.township_adjacency(list(codes)))
    day = now.date()
    window = qwarn.watch_window(scope, day)
    sensitive = window["sensitive"]
    th = rules.for_period(sensitive)
    cutoff = duty.cutoff_time()
    facts = qwarn.gather(scope, now, window, th, cutoff)
    warnings = qwarn.from_facts(facts, now, window, rules, cutoff)

    totals = stability.influx_totals(scope, window["start"], window["end"], day,
                                     alpha=th.alpha, min_count=th.influx_min_count)
    win = totals.pop("window")
    visits = stability.collective_visits(
        scope, dt.date.fromisoformat(win["cs"]) if win["days"] else day, day, min_persons=5,
        limit=200)
    visits.sort(key=lambda v: (v["received_on"], v["persons"]), reverse=True)
    towns = facts["influx_township"]
    rising = towns[towns["submissions_rise"] | towns["collective_rise"]]
    rising = rising.sort_values(["submissions_p", "submissions_cur"], ascending=[True, False])
    compliance = facts["compliance"]
    counts = compliance["status"].value_counts().to_dict()
    rates = duty.on_time_rates(scope, day - dt.timedelta(days=29), day, now, cutoff=cutoff)
    coverage = duty.roster_coverage(scope, day)
    ledger_summary = ledger.summary(scope, day)

    month = Period.month(day.year, day.month)
    irr_month = irregular.irregular_totals(scope, month, day)

    by_kind: dict[str, int] = {}
    for w in warnings:
        by_kind[w.kind] = by_kind.get(w.kind, 0) + 1
    return {
        "version": SNAPSHOT_VERSION,
        "computed_at": now.isoformat(timespec="seconds"),
        "day": day.isoformat(),
        "sensitive": sensitive,
        "period": _period_dict(window["period"]),
        "next_period": _period_dict(periods.next_period(scope, day, within_days=30)),
        "thresholds": {"collective_persons": th.collective_persons,
                       "influx_ratio": th.influx_ratio, "alpha": th.alpha,
                       "min_count": th.influx_min_count, "lead": th.ledger_lead_days,
                       "grace": th.report_grace_minutes},
        "kpi": _kpis(scope, day),
        "map": _map(scope, day, adjacency),
        "backlog": _backlog(scope, day),
        "stability": {
            "window": win,
            "totals": {k: {kk: _num(vv) for kk, vv in v.items()} for k, v in totals.items()},
            "rising": [{"code": c, "name": r["name"], "cur": int(r["submissions_cur"]),
                        "base": int(r["submissions_base"]),
                        "ratio": _num(r["submissions_ratio"]), "p": _num(r["submissions_p"]),
                        "coll_cur": int(r["collective_cur"])}
                       for c, r in rising.head(RISING_ROWS).iterrows()],
            "rising_count": int(len(rising)),
            "visits": [{"day": _iso(v["received_on"]), "town": v["township_name"] or "—",
                        "persons": int(v["persons"]), "category": v["category"]}
                       for v in visits[:VISIT_ROWS]],
            "visit_count": len(visits),
            "ledger": {"summary": ledger_summary, "items": _ledger_items(facts["ledger"])},
            "reports": {"cutoff": cutoff.strftime("%H:%M"),
                        "counts": {k: int(v) for k, v in counts.items()},
                        "missing": [{"code": m["code"], "name": m["name"]}
                                    for m in facts["missing"]],
                        "rate_30d": duty.overall_rate(rates)},
            "duty": coverage,
            # 非访: this month's by received level, and the national ones of the look-back
            # (each an immediate warning: red on the screen at once).
            "irregular": {"month": irr_month,
                          "national_recent": len(facts.get("irregular", ())),
                          "lookback_days": th.lookback_days},
        },
        "warnings": [w.as_dict() for w in warnings[:WARNING_ROWS]],
        "warning_counts": {"total": len(warnings),
                           "red": sum(1 for w in warnings if w.severity == "red"),
                           "by_kind": by_kind},
    }


def build_geometry(scope) -> dict:
    """Township outlines and project zones (GeoJSON dicts) and the bounds of the scope."""
    towns = json.loads(maps.units_geojson(scope, level="township"))
    for f in towns["features"]:  # the map needs code and name only
        p = f["properties"]
        f["properties"] = {"code": p["code"], "name": p["name"], "level": p["level"],
                           "synthetic": p.get("synthetic")}
    zones = json.loads(maps.zones_geojson(scope))
    counties = json.loads(maps.units_geojson(scope, level="county"))
    for f in counties["features"]:
        f["properties"] = {"code": f["properties"]["code"], "name": f["properties"]["name"]}
    return {"towns": towns, "counties": counties, "zones": zones,
            "bounds": maps.region_bounds(scope)}


def wall_scope(scope):
    """The scope the wall reads with: the same jurisdiction without personal data."""
    return replace(scope, can_reveal=False, personal_data=False)
