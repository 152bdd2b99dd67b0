"""Stability aggregates (issue 6): the influx of submissions in a period against a baseline of
the same length just before it, by township, project zone or county, with the significance
test of :mod:`domain.warnings`; collective visits (batches and persons); cross-level
submissions; submissions received at province and national level; the daily series behind
the "influx vs baseline" chart; and, for the wall screen, backlog and package gaps by township
and the township contiguity the hotspot statistic needs.

Every read takes the user's :class:`~queries.scope.Scope` and runs inside ``scoped(scope)``;
matters are narrowed by :func:`queries.filters.matter_conditions` (row-level security is the
second wall). Nothing here reads a petitioner's name, ID or summary.

Definitions (DESIGN §3): a *collective visit* is a visit submission with ``persons ≥ 5``
(batches = submissions, persons = their sum); *cross-level* is the stored ``is_cross_level``
flag of a submission (any channel); *upper level* are submissions received at province or
national level. A submission belongs to the township and zone of its matter.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

from domain.clocks import ClockRules
from domain.warnings import assess_rise, baseline_window
from queries.clock_sql import backlog_intervals_sql
from queries.db import app_connection, scoped
from queries.filters import MatterFilter, matter_conditions

LEVELS = {"township": "township_code", "zone": "zone_code", "county": "county_code"}
UPPER_LEVELS = ("province", "national")
#: Count measures compared with the baseline (tested) and the persons of collective visits
#: (compared, not tested: persons are not independent events).
MEASURES = ("submissions", "collective", "cross_level", "upper_level")
ALL_MEASURES = (*MEASURES, "collective_persons")

_FILTERS = {
    "submissions": "TRUE",
    "collective": "s.channel = 'visit' AND s.persons >= 5",
    "cross_level": "s.is_cross_level",
    "upper_level": "s.received_level = ANY(:upper)",
}


def windows(start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """The period's elapsed part and its baseline (see :func:`domain.warnings.baseline_window`)
    as a dict ``cs, ce, bs, be`` plus ``days``."""
    cs, ce, bs, be = baseline_window(start, end, as_of)
    return {"cs": cs, "ce": ce, "bs": bs, "be": be, "days": max((ce - cs).days + 1, 0)}


def _select_measures() -> str:
    parts = []
    for name, cond in _FILTERS.items():
        parts.append(f"count(*) FILTER (WHERE s.received_on >= :cs AND ({cond})) AS {name}_cur")
        parts.append(f"count(*) FILTER (WHERE s.received_on <= :be AND ({cond})) AS {name}_base")
    coll = _FILTERS["collective"]
    parts.append(f"coalesce(sum(s.persons) FILTER (WHERE s.received_on >= :cs AND {coll}), 0)"
                 " AS collective_persons_cur")
    parts.append(f"coalesce(sum(s.persons) FILTER (WHERE s.received_on <= :be AND {coll}), 0)"
                 " AS collective_persons_base")
    return ",\n".join(parts)


def _params(scope, flt: MatterFilter | None, w: dict) -> tuple[str, dict]:
    where, params = matter_conditions(scope, flt or MatterFilter(), alias="m")
    params.update(cs=w["cs"], ce=w["ce"], bs=w["bs"], be=w["be"], upper=list(UPPER_LEVELS))
    return where, params


def _tested(frame: pd.DataFrame, alpha: float, min_count: int) -> pd.DataFrame:
    """Add ``<m>_ratio``, ``<m>_p`` and ``<m>_rise`` (significant) for the tested measures and
    the ratio of collective persons."""
    for m in MEASURES:
        rises = [assess_rise(int(c), int(b), alpha=alpha, min_count=min_count)
                 for c, b in zip(frame[f"{m}_cur"], frame[f"{m}_base"], strict=True)]
        frame[f"{m}_ratio"] = [r.ratio for r in rises]
        frame[f"{m}_p"] = [r.p for r in rises]
        frame[f"{m}_rise"] = [r.significant for r in rises]
    cur, base = frame["collective_persons_cur"], frame["collective_persons_base"]
    frame["collective_persons_ratio"] = [c / b if b else None for c, b in zip(cur, base,
                                                                               strict=True)]
    frame["flagged"] = frame[[f"{m}_rise" for m in MEASURES]].any(axis=1)
    return frame


def influx_by_area(scope, start: dt.date, end: dt.date, as_of: dt.date, *,
                   level: str = "township", flt: MatterFilter | None = None,
                   alpha: float = 0.01, min_count: int = 5) -> pd.DataFrame:
    """Every measure of :data:`ALL_MEASURES` per area, current period vs baseline.

    Returns a frame indexed by area code with ``name`` and, per measure, ``<m>_cur``,
    ``<m>_base``, ``<m>_ratio`` (None when the baseline is 0) and for the tested measures
    ``<m>_p`` and ``<m>_rise``; ``flagged`` when any tested measure rose significantly. Areas
    in scope without submissions are listed with zeros; rows sorted by the current count of
    submissions (largest first).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    col = LEVELS[level]
    w = windows(start, end, as_of)
    where, params = _params(scope, flt, w)
    sql = f"""
        SELECT m.{col} AS code, {_select_measures()}
        FROM submission s JOIN matter m ON m.id = s.matter_id
        WHERE s.received_on BETWEEN :bs AND :ce AND {where} AND m.{col} IS NOT NULL
        GROUP BY 1"""
    units_sql, uparams = _areas_sql(scope, level, (flt or MatterFilter()).unit)
    with scoped(scope) as conn:
        units = pd.read_sql_query(text(units_sql), conn, params=uparams).set_index("code")
        counts = pd.read_sql_query(text(sql), conn, params=params).set_index("code")
        # Areas with submissions but not listed (a department's matters lie anywhere).
        extra = list(counts.index.difference(units.index))
        names = dict(conn.execute(text(
            "SELECT code, name FROM admin_unit WHERE code = ANY(:c)"
            " UNION ALL SELECT code, name FROM project_zone WHERE code = ANY(:c)"),
            {"c": extra}).all()) if extra else {}
    frame = units.join(counts, how="left")
    if extra:
        frame = pd.concat([frame, counts.loc[extra].assign(
            name=[names.get(c, c) for c in extra])])
    for m in ALL_MEASURES:
        for part in ("cur", "base"):
            frame[f"{m}_{part}"] = frame[f"{m}_{part}"].fillna(0).astype(int)
    frame = _tested(frame, alpha, min_count)
    frame.index.name = "code"
    return frame.sort_values(["submissions_cur", "submissions_base"], ascending=False)


def influx_totals(scope, start: dt.date, end: dt.date, as_of: dt.date, *,
                  flt: MatterFilter | None = None, alpha: float = 0.01,
                  min_count: int = 5) -> dict:
    """The same measures for the whole scope: ``{measure: {cur, base, ratio, p, rise}}`` plus
    ``window`` (the dates compared)."""
    w = windows(start, end, as_of)
    where, params = _params(scope, flt, w)
    sql = f"""
        SELECT {_select_measures()}
        FROM submission s JOIN matter m ON m.id = s.matter_id
        WHERE s.received_on BETWEEN :bs AND :ce AND {where}"""
    with scoped(scope) as conn:
        row = conn.execute(text(sql), params).mappings().one()
    out: dict = {"window": {k: (v.isoformat() if isinstance(v, dt.date) else v)
                            for k, v in w.items()}}
    for m in ALL_MEASURES:
        cur, base = int(row[f"{m}_cur"]), int(row[f"{m}_base"])
        item = {"cur": cur, "base": base, "ratio": cur / base if base else None}
        if m in MEASURES:
            r = assess_rise(cur, base, alpha=alpha, min_count=min_count)
            item.update(p=r.p, rise=r.significant)
        out[m] = item
    return out


def daily_series(scope, start: dt.date, end: dt.date, as_of: dt.date, *,
                 flt: MatterFilter | None = None) -> pd.DataFrame:
    """Submissions per day over the baseline and the period: columns day, window
    (``baseline`` | ``current``), offset (days since the window's first day) and the counts of
    :data:`ALL_MEASURES`. Days without submissions are present with zeros."""
    w = windows(start, end, as_of)
    where, params = _params(scope, flt, w)
    parts = [f"count(*) FILTER (WHERE {cond}) AS {name}" for name, cond in _FILTERS.items()]
    parts.append(f"coalesce(sum(s.persons) FILTER (WHERE {_FILTERS['collective']}), 0)"
                 " AS collective_persons")
    sql = f"""
        SELECT s.received_on AS day, {', '.join(parts)}
        FROM submission s JOIN matter m ON m.id = s.matter_id
        WHERE s.received_on BETWEEN :bs AND :ce AND {where}
        GROUP BY 1"""
    with scoped(scope) as conn:
        counts = pd.read_sql_query(text(sql), conn, params=params)
    days = pd.date_range(w["bs"], w["ce"], freq="D").date if w["days"] else []
    frame = pd.DataFrame({"day": list(days)})
    if not counts.empty:
        counts["day"] = pd.to_datetime(counts["day"]).dt.date
        frame = frame.merge(counts, on="day", how="left")
    for m in ALL_MEASURES:
        frame[m] = frame[m].fillna(0).astype(int) if m in frame else 0
    frame["window"] = ["current" if d >= w["cs"] else "baseline" for d in frame["day"]]
    frame["offset"] = [(d - (w["cs"] if d >= w["cs"] else w["bs"])).days for d in frame["day"]]
    return frame


def collective_visits(scope, since: dt.date, until: dt.date, *, min_persons: int = 5,
                      flt: MatterFilter | None = None, limit: int = 500) -> list[dict]:
    """Visit submissions of at least ``min_persons`` persons received in ``[since, until]``,
    largest first: submission_no, matter_no, received_on, persons, received_level, category,
    township_code, township_name. No personal data."""
    where, params = matter_conditions(scope, flt or MatterFilter(), alias="m")
    params.update(since=since, until=until, n=max(int(min_persons), 5), limit=int(limit))
    sql = f"""
        SELECT s.submission_no, m.matter_no, s.received_on, s.persons, s.received_level,
               m.category, m.township_code, t.name AS township_name
        FROM submission s JOIN matter m ON m.id = s.matter_id
        LEFT JOIN admin_unit t ON t.code = m.township_code
        WHERE s.channel = 'visit' AND s.persons >= :n
          AND s.received_on BETWEEN :since AND :until AND {where}
        ORDER BY s.persons DESC, s.received_on DESC, s.submission_no LIMIT :limit"""
    with scoped(scope) as conn:
        return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def backlog_by_township(scope, day: dt.date, rules: ClockRules = ClockRules(), *,
                        flt: MatterFilter | None = None) -> pd.DataFrame:
    """Backlog matters and package gaps on ``day`` per township (DESIGN §3), with the overdue
    matters: columns backlog, package_gaps, overdue, indexed by township code with ``name``.

    Minimal query for the wall screen: the same rules as ``queries.kpi.compute_kpis`` grouped
    by township. To be merged into the backlog queries of issue 5 (``queries/backlog.py``)
    once they exist; the wall should then call those.
    """
    from queries.clock_sql import (
        county_leader_on_row_sql,
        overdue_predicate,
        package_params,
        package_visit_sql,
    )

    where, params = matter_conditions(scope, flt or MatterFilter(), alias="m")
    params.update(d=day, backlog_days=rules.backlog_days_past_due,
                  window_start=day - dt.timedelta(days=rules.package_window_days),
                  **package_params(rules))
    sql = f"""
    WITH sm AS (SELECT * FROM matter m WHERE {where} AND m.township_code IS NOT NULL
                AND m.registered_on <= :d),
    iv AS ({backlog_intervals_sql('sm')}),
    backlog AS (SELECT DISTINCT matter_id FROM iv WHERE s <= :d AND (e IS NULL OR e > :d)),
    upper AS (
      SELECT sub.matter_id FROM submission sub JOIN sm ON sm.id = sub.matter_id
      WHERE {package_visit_sql('sub')}
        AND sub.received_on > :window_start AND sub.received_on <= :d
      GROUP BY sub.matter_id HAVING count(*) > :package_n),
    need AS (SELECT matter_id FROM backlog UNION SELECT matter_id FROM upper),
    gaps AS (
      SELECT n.matter_id FROM need n JOIN sm ON sm.id = n.matter_id
      WHERE NOT {county_leader_on_row_sql('sm')}
        AND NOT EXISTS (SELECT 1 FROM package_assignment p
                        WHERE p.matter_id = sm.id AND p.level = 'county' AND p.since <= :d
                          AND (p.until IS NULL OR p.until > :d)))
    SELECT sm.township_code AS code, count(b.matter_id) AS backlog,
           count(g.matter_id) AS package_gaps,
           count(*) FILTER (WHERE {overdue_predicate('sm')}) AS overdue
    FROM sm LEFT JOIN backlog b ON b.matter_id = sm.id LEFT JOIN gaps g ON g.matter_id = sm.id
    GROUP BY 1"""
    with scoped(scope) as conn:
        counts = pd.read_sql_query(text(sql), conn, params=params).set_index("code")
        names = pd.read_sql_query(text(
            "SELECT code, name FROM admin_unit WHERE code = ANY(:c)"), conn,
            params={"c": list(counts.index)}).set_index("code")
    out = counts.join(names, how="left")
    out["name"] = out["name"].fillna(pd.Series(out.index, index=out.index))
    for c in ("backlog", "package_gaps", "overdue"):
        out[c] = out[c].astype(int)
    return out.sort_values(["backlog", "package_gaps", "overdue"], ascending=False)


def township_adjacency(codes: list[str]) -> list[tuple[str, str]]:
    """Pairs of the townships ``codes`` that share at least a boundary point (queen)."""
    with app_connection() as conn:
        rows = conn.execute(text("""
            SELECT a.code, b.code FROM admin_unit a JOIN admin_unit b
              ON a.code < b.code AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
            WHERE a.code = ANY(:codes) AND b.code = ANY(:codes)
              AND a.level = 'township' AND b.level = 'township'"""),
            {"codes": list(codes)}).all()
    return [(a, b) for a, b in rows]


def _areas_sql(scope, level: str, unit: str | None) -> tuple[str, dict]:
    """The areas of ``level`` inside the scope (and inside ``unit`` when given)."""
    if level == "zone":
        return "SELECT code, name FROM project_zone", {}
    sql = "SELECT code, name FROM admin_unit WHERE level = :level"
    params: dict = {"level": level}
    if unit and not unit.endswith("00"):
        sql += " AND code LIKE :prefix"
        params["prefix"] = unit + "%"
    if not scope.is_region:
        if not scope.units:  # a department: the areas where its matters are
            return sql + " AND FALSE", params
        sql += (" AND EXISTS (SELECT 1 FROM unnest(CAST(:scope_units AS text[])) su"
                " WHERE code LIKE su || '%' OR su LIKE code || '%')")
        params["scope_units"] = list(scope.units)
    return sql, params
