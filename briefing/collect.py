"""Gather a :class:`~briefing.model.BriefingData` from the public ``queries/`` functions.

No SQL here. The KPIs come from ``queries.kpi.compute_kpis`` — the function behind the
``kpi`` command and the Overview cards — so the briefing's numbers are the dashboard's
numbers. Everything is read with the briefing's own scope (the jurisdiction, never wider), so
a township's briefing cannot hold another township's data even if a call forgot its filter.

The parts are independent reads, so they run in a small thread pool: PostgreSQL works on
two of them at once while Python waits, which roughly halves the wall time on two cores.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from briefing import irregular_section
from briefing.model import (
    TREND_MONTHS,
    BriefingData,
    BriefingRequest,
    Jurisdiction,
    KpiSet,
    MapData,
    SensitiveSummary,
)
from domain.codes import is_region_code
from geo import hotspots as hs
from queries import accountability, areas, backlog, charts, maps, stability
from queries.accountability import accountability_rules
from queries.filters import MatterFilter, Period
from queries.kpi import compute_kpis
from settings import get_settings

log = logging.getLogger(__name__)

#: Rows kept of the long lists (the document says how many more there are).
GAP_ROWS = 40
HOT_ROWS = 10
#: Threads reading at once: two cores for PostgreSQL plus one for the Python side.
WORKERS = 3

Progress = Callable[[str, int, int], None]


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


def jurisdiction(scope, code: str) -> Jurisdiction:
    """Name and level of the briefing's unit (``code`` is the region, a county or a
    township inside ``scope``)."""
    settings = get_settings()
    if is_region_code(code):
        return Jurisdiction(code=code, name=settings.region_name, level="prefecture")
    meta = maps.units_meta(scope, [code])
    if meta.empty:
        raise LookupError(f"unknown unit code {code} / 未知区划代码")
    row = meta.iloc[0]
    county = None
    if row["level"] == "township" and row["parent_code"]:
        parent = maps.units_meta(scope, [row["parent_code"]])
        county = None if parent.empty else parent.iloc[0]["name"]
    return Jurisdiction(code=code, name=row["name"], level=row["level"], county_name=county)


def trend_period(month: Period) -> Period:
    """The months of the trend charts: the month and the twelve before it."""
    months = backlog.months_back(month.end, TREND_MONTHS)
    return Period(months[0].start, month.end)


def sensitive_in_month(scope, month: Period) -> pd.DataFrame:
    """The sensitive periods visible to ``scope`` that overlap ``month``, earliest first."""
    frame = maps.sensitive_periods(scope, month.end)
    if frame.empty:
        return frame
    hit = frame[(frame["starts_on"] <= month.end) & (frame["ends_on"] >= month.start)]
    return hit.sort_values(["starts_on", "id"]).reset_index(drop=True)


def _hotspots(village_frame: pd.DataFrame, township_names: dict[str, str]
              ) -> tuple[pd.DataFrame, int]:
    """Gi* on the villages' new matters per 10,000 residents in the month, with names."""
    cols = ["code", "name", "township", "matters", "per_10k", "z", "p", "class"]
    usable = village_frame["per_10k"].dropna()
    if len(usable) < 3:
        return pd.DataFrame(columns=cols), len(usable)
    codes = tuple(sorted(usable.index))
    weights = hs.weights_from_pairs(codes, maps.village_adjacency(list(codes)), "queen")
    result = hs.hotspots(usable, weights)
    out = result.join(village_frame[["name", "matters"]], how="left")
    out["per_10k"] = out["value"]
    out["township"] = [township_names.get(c[:9], "") for c in out.index]
    out = out.reset_index()
    return out[cols], len(usable)


def collect(scope, req: BriefingRequest, *, progress: Progress = _quiet,
            workers: int = WORKERS) -> BriefingData:
    """Everything the briefing of ``req`` shows, read with ``scope`` (the jurisdiction's own
    scope, see :func:`briefing.service.briefing_scope`)."""
    settings = get_settings()
    rules, arules = settings.clock_rules(), accountability_rules()
    month, day, as_of = req.month, req.day, req.as_of
    prev, year = month.previous(), month.year_before()
    where = jurisdiction(scope, req.unit)
    # The scope already holds the briefing to its unit; the same unit as a filter adds an
    # AND on the indexed county/township column, which the scope's OR cannot use (a township
    # briefing's reads at 1,000,000 matters: about a third faster). Same rows either way.
    flt = MatterFilter() if where.level == "prefecture" else MatterFilter(unit=req.unit)
    trend = trend_period(month)
    timings: dict[str, float] = {}

    def timed(name: str, fn, *args, **kwargs):
        def run():
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                timings[name] = round(time.perf_counter() - t0, 3)
        return run

    child, table_level = where.child_level, where.table_level
    parent = None if where.level == "prefecture" else where.code
    tasks = {
        "kpis": timed("kpis", compute_kpis, scope, month, as_of, flt, rules),
        "kpis_prev": timed("kpis_prev", compute_kpis, scope, prev, min(prev.end, as_of), flt,
                           rules),
        "kpis_year": timed("kpis_year", compute_kpis, scope, year, min(year.end, as_of), flt,
                           rules),
        # One query for both lists: they share the backlog and package CTEs, the costliest
        # part of the briefing at scale.
        "status": timed("status", backlog.status_and_package_frames, scope, day, flt, rules),
        "map_frame": timed("map_frame", areas.measures_by_area, scope, child, month, as_of,
                           flt, rules),
        "trend": timed("trend", charts.monthly_by_channel, scope, trend, flt),
        "rates": timed("rates", charts.repeat_cross_trend, scope, trend, flt),
        "categories": timed("categories", charts.by_category, scope, month, flt),
        "closeout": timed("closeout", accountability.closeout_notice, scope, month, as_of,
                          None, arules),
        "periods": timed("periods", sensitive_in_month, scope, month),
        "units_geo": timed("units_geo", maps.units_geojson, scope, level=child, parent=parent),
        "zones_geo": timed("zones_geo", maps.zones_geojson, scope),
        "irregular": timed("irregular", irregular_section.gather, scope, month, as_of, flt),
    }
    if table_level != child:
        tasks["table_frame"] = timed("table_frame", areas.measures_by_area, scope, table_level,
                                     month, as_of, flt, rules)
    if child != "village":
        tasks["village_frame"] = timed("village_frame", areas.measures_by_area, scope,
                                       "village", month, as_of, flt, rules)
    if where.level == "prefecture":
        tasks["counties_geo"] = timed("counties_geo", maps.units_geojson, scope,
                                      level="county")
    else:
        tasks["outline_geo"] = timed("outline_geo", maps.units_geojson, scope,
                                     codes=(where.code,))

    # The slowest reads first, so the pool never ends waiting on one long query.
    order = ["status", "kpis", "kpis_prev", "kpis_year", "map_frame",
             "village_frame", "table_frame", "trend", "rates"]
    names = [n for n in order if n in tasks] + [n for n in tasks if n not in order]
    total = len(names) + 2  # + hotspots + sensitive-period measures
    results: dict = {}
    done = 0
    progress("collect", 0, total)
    wall = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, workers),
                            thread_name_prefix="briefing") as pool:
        futures = {name: pool.submit(tasks[name]) for name in names}
        for name in names:
            results[name] = futures[name].result()
            done += 1
            progress("collect", done, total)
    timings["reads_wall"] = round(time.perf_counter() - wall, 3)

    map_frame = results["map_frame"]
    village_frame = results.get("village_frame", map_frame)
    table_frame = results.get("table_frame", map_frame)
    if where.level == "township":
        towns = {where.code: where.name}
    else:
        towns = dict(zip(map_frame.index, map_frame["name"], strict=True))
    t0 = time.perf_counter()
    hot, hot_n = _hotspots(village_frame, towns)
    timings["hotspots"] = round(time.perf_counter() - t0, 3)
    done += 1
    progress("collect", done, total)

    t0 = time.perf_counter()
    summaries = []
    for p in results["periods"].to_dict("records"):
        start, end = max(p["starts_on"], month.start), min(p["ends_on"], month.end)
        summaries.append(SensitiveSummary(
            name=p["name"], name_en=p["name_en"], level=p["level"], starts_on=p["starts_on"],
            ends_on=p["ends_on"], days_in_month=(end - start).days + 1,
            influx=stability.influx_totals(scope, start, end, as_of)))
    timings["period_influx"] = round(time.perf_counter() - t0, 3)
    done += 1
    progress("collect", done, total)

    t0 = time.perf_counter()
    status, package_frame = results["status"]
    gaps, gaps_total = backlog.package_gaps(scope, day, flt, rules, limit=GAP_ROWS,
                                            frame=status)
    counts = backlog.backlog_counts(scope, day, flt, rules, frame=status)
    board = backlog.clock_board(scope, day, flt, "unit", rules, frame=status)
    packages = accountability.package_board(scope, day, flt, rules, frame=package_frame)
    timings["tables"] = round(time.perf_counter() - t0, 3)
    hot_codes = tuple(hot.loc[hot["class"].str.startswith("hot"), "code"]) if len(hot) else ()
    return BriefingData(
        request=req, jurisdiction=where, generated_at=dt.datetime.now().replace(microsecond=0),
        rules=rules, arules=arules,
        kpis=KpiSet(month, as_of, results["kpis"]),
        previous=KpiSet(prev, min(prev.end, as_of), results["kpis_prev"]),
        year_ago=KpiSet(year, min(year.end, as_of), results["kpis_year"]),
        map=MapData(units=results["units_geo"], frame=map_frame,
                    outline=results.get("outline_geo") or results.get("counties_geo") or "",
                    counties=results.get("counties_geo"), zones=results["zones_geo"],
                    hot_codes=hot_codes),
        areas=table_frame, trend_period=trend, trend=results["trend"], rates=results["rates"],
        categories=results["categories"], hotspots=hot, hotspot_units=hot_n,
        counts=counts, board=board, ageing=backlog.ageing(status, day), packages=packages,
        gaps=gaps, gaps_total=gaps_total, closeout=results["closeout"], periods=summaries,
        irregular=results["irregular"], timings=timings,
    )
