"""Cached, scoped data for the Overview and Map pages (no SQL here: it calls ``queries/``).

Every function takes the user's :class:`~queries.scope.Scope` first and memoises the query
function it wraps with flask-caching (Redis when ``REDIS_URL`` is set, else a per-process
SimpleCache), keyed by the function, the scope, the arguments and the version of the data
(the last import run) or of the geometry, so an import or a boundary reload is seen at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from dataclasses import replace

import pandas as pd
from flask import current_app, has_app_context

from geo import hotspots as hs
from queries import areas, charts, kpi, maps
from queries.filters import MatterFilter, Period
from settings import get_settings

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 600
_VERSION_TTL = 30.0
_versions: dict[str, tuple[float, str]] = {}
_versions_lock = threading.Lock()
_inflight: dict[str, threading.Lock] = {}
_inflight_guard = threading.Lock()


def _cache():
    """The app's cache (created on first use), or None outside an app context."""
    if not has_app_context():
        return None
    app = current_app._get_current_object()
    cache = app.extensions.get("atlas_cache")
    if cache is None:
        from flask_caching import Cache

        url = get_settings().redis_url
        config = ({"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url} if url else
                  {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 5000})
        config.update(CACHE_DEFAULT_TIMEOUT=DEFAULT_TIMEOUT, CACHE_KEY_PREFIX="atlas:")
        cache = Cache(config=config)
        cache.init_app(app)
        app.extensions["atlas_cache"] = cache
    return cache


def _version(name: str, fn) -> str:
    """``fn()`` remembered for a few seconds per process (a cheap query, not per call)."""
    now = time.monotonic()
    with _versions_lock:
        hit = _versions.get(name)
        if hit and now - hit[0] < _VERSION_TTL:
            return hit[1]
    value = fn()
    with _versions_lock:
        _versions[name] = (now, value)
    return value


def data_version() -> str:
    return _version("data", maps.data_version)


def geometry_version() -> str:
    return _version("geometry", maps.geometry_version)


def forget_versions() -> None:
    """Drop the remembered versions (tests that load data and look at once)."""
    with _versions_lock:
        _versions.clear()


def _key(name: str, version: str, args: tuple, kwargs: dict) -> str:
    raw = repr((name, version, args, sorted(kwargs.items())))
    return f"{name}:{hashlib.sha1(raw.encode()).hexdigest()}"


def memo(name: str, fn, *args, geometry: bool = False, timeout: int | None = None, **kwargs):
    """``fn(*args, **kwargs)`` through the cache. Arguments must have a stable ``repr``
    (scopes, periods and filters are frozen dataclasses)."""
    cache = _cache()
    if cache is None:
        return fn(*args, **kwargs)
    version = geometry_version() if geometry else data_version()
    key = _key(name, version, args, kwargs)
    try:
        value = cache.get(key)
    except Exception:  # a cache outage must not take the page down
        log.warning("cache get failed", exc_info=True)
        value = None
    if value is not None:
        return value
    # One computation per key at a time in this process: a filter change fires the map and
    # the tables callbacks together and both want the same area measures; the second waits
    # for the first and reads its result instead of running the same queries again.
    with _inflight_guard:
        lock = _inflight.setdefault(key, threading.Lock())
    try:
        with lock:
            try:
                value = cache.get(key)
            except Exception:
                value = None
            if value is not None:
                return value
            value = fn(*args, **kwargs)
            try:
                cache.set(key, value, timeout=timeout or DEFAULT_TIMEOUT)
            except Exception:
                log.warning("cache set failed", exc_info=True)
            return value
    finally:
        with _inflight_guard:
            if _inflight.get(key) is lock and not lock.locked():
                del _inflight[key]


# --- KPIs and charts -------------------------------------------------------------------------

def kpis(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None) -> dict:
    """``queries.kpi.compute_kpis`` — THE KPI function (cards, command and briefing)."""
    return memo("kpis", kpi.compute_kpis, scope, period, as_of, flt or MatterFilter(),
                get_settings().clock_rules())


def kpis_with_previous(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None):
    """``(current, previous, previous_period)``: the cards' values and their comparison."""
    prev = period.previous()
    flt = flt or MatterFilter()
    prev_flt = replace(flt, clock_day=min(prev.end, as_of)) if flt.clock else flt
    return (kpis(scope, period, as_of, flt), kpis(scope, prev, min(prev.end, as_of), prev_flt),
            prev)


def area_measures(scope, level: str, period: Period, as_of: dt.date,
                  flt: MatterFilter | None = None) -> pd.DataFrame:
    return memo("areas", areas.measures_by_area, scope, level, period, as_of,
                flt or MatterFilter(), get_settings().clock_rules())


def trend_by_channel(scope, period, flt=None):
    return memo("trend", charts.monthly_by_channel, scope, period, flt or MatterFilter())


def repeat_cross(scope, period, flt=None):
    return memo("repeat", charts.repeat_cross_trend, scope, period, flt or MatterFilter())


def categories(scope, period, flt=None):
    return memo("categories", charts.by_category, scope, period, flt or MatterFilter())


def funnel(scope, period, as_of, flt=None):
    return memo("funnel", charts.stage_funnel, scope, period, as_of, flt or MatterFilter())


def ageing(scope, day, flt=None):
    return memo("ageing", charts.backlog_ageing, scope, day, flt or MatterFilter(),
                get_settings().clock_rules())


def top_units(scope, day, flt=None):
    return memo("top_units", charts.top_units_by_overdue, scope, day, flt or MatterFilter())


# --- map ----------------------------------------------------------------------------------------

def units_meta(scope, codes: tuple[str, ...]) -> pd.DataFrame:
    return memo("units_meta", maps.units_meta, scope, list(codes), geometry=True)


def child_units(scope, parent: str | None, level: str) -> pd.DataFrame:
    return memo("child_units", maps.child_units, scope, parent, level, geometry=True)


def unit_bounds(scope, codes: tuple[str, ...]):
    return memo("bounds", maps.unit_bounds, scope, list(codes), geometry=True)


def region_bounds(scope):
    return memo("region_bounds", maps.region_bounds, scope, geometry=True)


def units_geojson(scope, **kw) -> str:
    return memo("units_geojson", maps.units_geojson, scope, geometry=True, timeout=3600, **kw)


def zones_geojson(scope) -> str:
    return memo("zones_geojson", maps.zones_geojson, scope, geometry=True, timeout=3600)


def zones(scope) -> pd.DataFrame:
    return memo("zones", maps.zones_in_scope, scope, geometry=True)


def sensitive_periods(scope, around: dt.date) -> pd.DataFrame:
    return memo("sensitive_periods", maps.sensitive_periods, scope, around, timeout=120)


def sensitive_period(scope, period_id: int):
    return memo("sensitive_period", maps.sensitive_period, scope, period_id, timeout=120)


def count_active(scope, period, as_of, flt=None) -> tuple[int, int]:
    return memo("count_active", maps.count_active, scope, period, as_of, flt or MatterFilter())


def points_geojson(scope, period, as_of, flt=None, limit: int = 20_000) -> str:
    return memo("points", maps.matter_points, scope, period, as_of, flt or MatterFilter(),
                limit=limit)


def matter_list(scope, period, as_of, flt=None, limit: int = 200, offset: int = 0):
    return memo("matter_list", maps.matter_list, scope, period, as_of, flt or MatterFilter(),
                limit=limit, offset=offset)


def _adjacency(codes: tuple[str, ...], kind: str) -> list[tuple[str, str]]:
    return memo("adjacency", maps.village_adjacency, list(codes), kind, geometry=True,
                timeout=24 * 3600)


def hotspots(scope, study_unit: str | None, period: Period, as_of: dt.date,
             flt: MatterFilter | None = None, measure: str = "per_10k",
             kind: str = "queen") -> pd.DataFrame:
    """Getis-Ord Gi* on the villages of ``study_unit`` (None: the whole scope) for
    ``measure`` (``per_10k`` or ``matters``); see :mod:`geo.hotspots`."""
    flt = replace(flt or MatterFilter(), unit=study_unit)

    def compute():
        frame = area_measures(scope, "village", period, as_of, flt)
        if frame.empty:
            return pd.DataFrame(columns=["value", "z", "p", "class", "neighbours"])
        codes = tuple(frame.index)
        weights = hs.weights_from_pairs(codes, _adjacency(codes, kind), kind)
        return hs.hotspots(frame[measure], weights)

    return memo("hotspots", lambda *_a: compute(), scope, study_unit, period, as_of, flt,
                measure, kind)
