"""Measures per area (county, township, village, project zone) for the choropleth and tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

from domain.clocks import ClockRules
from domain.codes import is_region_code
from queries import summaries
from queries.clock_sql import overdue_predicate
from queries.db import scoped
from queries.filters import MatterFilter, Period, matter_conditions, submission_source

#: Measures a map can be coloured by, with their zh/en labels.
MEASURES: dict[str, tuple[str, str]] = {
    "matters": ("信访事项", "Matters"),
    "open": ("未办结事项", "Open matters"),
    "overdue": ("超期事项", "Overdue matters"),
    "per_10k": ("每万人事项", "Matters per 10,000 residents"),
    "collective": ("集体访批次", "Collective visits"),
    "cross_level": ("越级访批次", "Cross-level visits"),
}

LEVEL_COLUMN = {"county": "county_code", "township": "township_code", "village": "village_code",
                "zone": "zone_code"}
CHILD_LEVEL = {6: "township", 9: "village"}


def child_level(code: str | None) -> str:
    """The level drawn under ``code``: counties under the region, townships under a county…"""
    if code is None or is_region_code(code):
        return "county"
    return CHILD_LEVEL.get(len(code), "village")


def measures_by_area(scope, level: str, period: Period, as_of: dt.date,
                     flt: MatterFilter | None = None,
                     rules: ClockRules = ClockRules()) -> pd.DataFrame:
    """Every measure of :data:`MEASURES` per area of ``level`` inside scope and filter.

    Returns a frame indexed by area code with the columns of :data:`MEASURES` plus ``name``
    and ``population``; areas with no matters are present with zeros (levels other than
    ``zone`` list the admin units inside the filter's unit).
    """
    if level not in LEVEL_COLUMN:
        raise ValueError(f"unknown level {level!r}")
    flt = flt or MatterFilter()
    col = LEVEL_COLUMN[level]
    where, params = matter_conditions(scope, flt, alias="m")
    day = min(period.end, as_of)
    params.update(ps=period.start, pe=min(period.end, as_of), d=day)
    counts_sql = f"""
    SELECT m.{col} AS code,
           count(*) FILTER (WHERE m.registered_on BETWEEN :ps AND :pe) AS matters,
           count(*) FILTER (WHERE m.registered_on <= :d
                            AND (m.answered_on IS NULL OR m.answered_on > :d)) AS open,
           count(*) FILTER (WHERE {overdue_predicate('m')}) AS overdue
    FROM matter m WHERE {where} AND m.{col} IS NOT NULL
    GROUP BY m.{col}
    """
    # Counties and townships group submissions by their own area copies; villages and zones
    # need the matter.
    source, swhere, sparams = submission_source(scope, flt, alias="s")
    group = f"s.{col}" if level in ("county", "township") else f"m.{col}"
    if level not in ("county", "township") and not source.endswith("m.id = s.matter_id"):
        source += " JOIN matter m ON m.id = s.matter_id"
    sparams.update(ps=period.start, pe=min(period.end, as_of))
    visits_sql = f"""
    SELECT {group} AS code,
           count(*) FILTER (WHERE s.persons >= 5) AS collective,
           count(*) FILTER (WHERE s.is_cross_level) AS cross_level
    FROM {source}
    WHERE s.channel = 'visit' AND s.received_on BETWEEN :ps AND :pe AND {swhere}
      AND {group} IS NOT NULL
    GROUP BY {group}
    """
    units_sql, uparams = _units_sql(scope, level, flt.unit)
    rolled = summaries.area_counts(scope, level, col, period, as_of, flt, rules)
    with scoped(scope) as conn:
        units = pd.read_sql_query(text(units_sql), conn, params=uparams).set_index("code")
        if rolled is None:
            counts = pd.read_sql_query(text(counts_sql), conn, params=params).set_index("code")
            visits = pd.read_sql_query(text(visits_sql), conn, params=sparams).set_index("code")
        else:
            counts, visits = rolled
    out = units.join(counts, how="left").join(visits, how="left")
    for c in ("matters", "open", "overdue", "collective", "cross_level"):
        out[c] = out[c].fillna(0).astype(int)
    pop = out["population"].astype("float")
    out["per_10k"] = (out["matters"] / pop * 10_000).where(pop > 0).round(2)
    return out.sort_index()


def _units_sql(scope, level: str, unit: str | None) -> tuple[str, dict]:
    """The areas of ``level`` to list: inside ``unit`` and overlapping the scope's units."""
    if level == "zone":
        return "SELECT code, name, NULL::int AS population FROM project_zone", {}
    sql = "SELECT code, name, population FROM admin_unit WHERE level = :level"
    params: dict = {"level": level}
    if unit and not is_region_code(unit):
        sql += " AND code LIKE :prefix"
        params["prefix"] = unit + "%"
    if not scope.is_region and scope.units:
        # An area is shown when it lies inside a scope unit or contains one.
        sql += (" AND EXISTS (SELECT 1 FROM unnest(CAST(:scope_units AS text[])) su"
                " WHERE code LIKE su || '%' OR su LIKE code || '%')")
        params["scope_units"] = list(scope.units)
    return sql, params

