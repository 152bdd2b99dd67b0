"""SQL behind the map: boundary and zone GeoJSON, matter points and lists, drill paths.

Geometry for the browser is ``admin_unit.geom_simple`` (the full ``geom`` only where it is
missing) written by PostGIS as GeoJSON text, so no Python object per vertex is built. Matter
points and lists carry no personal data: number, category, stage, days open and clock state.
Every function takes the user's :class:`~queries.scope.Scope`; matter reads run inside
``scoped(scope)`` (row-level security is the second wall behind the conditions written here).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace

import pandas as pd
from sqlalchemy import text

from domain.codes import is_region_code
from queries.db import app_connection, scoped
from queries.filters import (
    CLOCK_FILTERS,
    MatterFilter,
    Period,
    clock_condition,
    matter_conditions,
)
from queries.scope import require_rows
from settings import get_settings

#: The drill levels below a unit, by code length (a prefecture code has 6 digits too).
CHILD_LEVEL = {"prefecture": "county", "county": "township", "township": "village"}

#: Order of severity of a matter's clock state (worst first) for lists.
CLOCK_ORDER = ("overdue", "due_soon", "running", "late", "on_time", "terminated")
STAGES = ("registered", "forwarded", "accepted", "answered", "review", "reviewed", "recheck",
          "terminated")

_GEOM = "coalesce(u.geom_simple, u.geom)"


def _unit_scope_sql(scope, params: dict, column: str = "u.code") -> str:
    """Condition: the admin unit lies inside a scope unit or contains one (region: all)."""
    if scope.is_region or not scope.units:
        # A department's matters may lie anywhere: its users see the whole map, counted on
        # their matters only (the counts are scoped, the outlines are reference data).
        return "TRUE" if (scope.is_region or scope.departments) else "FALSE"
    params["scope_units"] = list(scope.units)
    return (f"EXISTS (SELECT 1 FROM unnest(CAST(:scope_units AS text[])) su"
            f" WHERE {column} LIKE su || '%' OR su LIKE {column} || '%')")


def _feature_collection(conn, sql: str, params: dict) -> str:
    """Run ``sql`` (rows of a ``feature`` json column) and return a FeatureCollection text."""
    wrapped = (f"SELECT coalesce(json_agg(f.feature), '[]'::json)::text FROM ({sql}) f")
    features = conn.execute(text(wrapped), params).scalar_one()
    return '{"type":"FeatureCollection","features":' + features + "}"


def units_geojson(scope, *, parent: str | None = None, level: str | None = None,
                  codes: tuple[str, ...] = ()) -> str:
    """Admin-unit outlines as GeoJSON text: the children of ``parent`` (a county's
    townships…), or every unit of ``level`` inside ``parent``, or the units ``codes``;
    only units inside or containing the scope. Properties: code, name, level, synthetic,
    source. Coordinates are rounded to 5 decimals (≈ 1 m)."""
    params: dict = {}
    where = [_unit_scope_sql(scope, params)]
    if codes:
        where.append("u.code = ANY(:codes)")
        params["codes"] = list(codes)
    elif level:
        where.append("u.level = :level")
        params["level"] = level
        if parent and not is_region_code(parent):
            where.append("u.code LIKE :prefix")
            params["prefix"] = parent + "%"
    elif parent:
        if is_region_code(parent):
            where.append("u.level = 'county'")
        else:
            where.append("u.parent_code = :parent")
            params["parent"] = parent
    else:
        raise ValueError("units_geojson needs parent, level or codes")
    sql = f"""
        SELECT json_build_object(
          'type', 'Feature',
          'geometry', ST_AsGeoJSON({_GEOM}, 5)::json,
          'properties', json_build_object('code', u.code, 'name', u.name,
                                          'name_en', u.name_en, 'level', u.level,
                                          'synthetic', u.is_synthetic, 'source', u.source)
        ) AS feature
        FROM admin_unit u
        WHERE {' AND '.join(where)} AND {_GEOM} IS NOT NULL
        ORDER BY u.code"""
    with app_connection() as conn:
        return _feature_collection(conn, sql, params)


def units_meta(scope, codes: list[str]) -> pd.DataFrame:
    """Name, level, parent, synthetic flag and source of ``codes`` (those inside the scope)."""
    params: dict = {"codes": list(codes)}
    where = _unit_scope_sql(scope, params)
    with app_connection() as conn:
        return pd.read_sql_query(text(f"""
            SELECT u.code, u.name, u.level, u.parent_code, u.is_synthetic, u.source
            FROM admin_unit u WHERE u.code = ANY(:codes) AND {where}"""), conn, params=params)


def child_units(scope, parent: str | None, level: str) -> pd.DataFrame:
    """Code, name, synthetic flag and source of the units of ``level`` drawn under
    ``parent`` (``None``: the scope's own units of that level)."""
    params: dict = {"level": level}
    where = ["u.level = :level", _unit_scope_sql(scope, params)]
    if parent and not is_region_code(parent):
        where.append("u.code LIKE :prefix")
        params["prefix"] = parent + "%"
    with app_connection() as conn:
        return pd.read_sql_query(text(f"""
            SELECT u.code, u.name, u.is_synthetic, u.source FROM admin_unit u
            WHERE {' AND '.join(where)} ORDER BY u.code"""), conn, params=params)


def unit_bounds(scope, codes: list[str]) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` around the units ``codes`` in scope, or None."""
    params: dict = {"codes": list(codes)}
    where = _unit_scope_sql(scope, params)
    with app_connection() as conn:
        row = conn.execute(text(f"""
            SELECT ST_YMin(e), ST_XMin(e), ST_YMax(e), ST_XMax(e)
            FROM (SELECT ST_Extent({_GEOM}) AS e FROM admin_unit u
                  WHERE (u.code = ANY(:codes) OR u.parent_code = ANY(:codes)) AND {where}) x
            """), params).one()
    if row[0] is None:
        return None
    return [[round(row[0], 5), round(row[1], 5)], [round(row[2], 5), round(row[3], 5)]]


def region_bounds(scope) -> list[list[float]] | None:
    """Bounds of everything the scope may see (the first view of the map)."""
    params: dict = {}
    where = _unit_scope_sql(scope, params)
    with app_connection() as conn:
        row = conn.execute(text(f"""
            SELECT ST_YMin(e), ST_XMin(e), ST_YMax(e), ST_XMax(e)
            FROM (SELECT ST_Extent({_GEOM}) AS e FROM admin_unit u
                  WHERE u.level IN ('county', 'township') AND {where}) x"""), params).one()
    if row[0] is None:
        return None
    return [[round(row[0], 5), round(row[1], 5)], [round(row[2], 5), round(row[3], 5)]]


_CHANGES_SQL = """
    SELECT coalesce(string_agg(relname || ':' || (n_tup_ins + n_tup_upd + n_tup_del)::text,
                               ',' ORDER BY relname), '')
    FROM pg_stat_user_tables WHERE relname = ANY(:tables)"""


def _table_changes(tables: tuple[str, ...]) -> str:
    """Row-change counters of ``tables`` (PostgreSQL's statistics: cheap, no table read)."""
    with app_connection() as conn:
        raw = conn.execute(text(_CHANGES_SQL), {"tables": list(tables)}).scalar_one()
    return hashlib.md5(raw.encode()).hexdigest()[:12]


def geometry_version() -> str:
    """A short fingerprint of the boundaries and zones: changes when any outline is reloaded.

    Used in geometry URLs so browsers cache them for good and refetch after a reload."""
    return _table_changes(("admin_unit", "project_zone"))


def data_version() -> str:
    """A fingerprint of the matters and everything the measures read: changes with every
    import (and with package leaders or sensitive periods being edited)."""
    return _table_changes(("matter", "submission", "package_assignment", "sensitive_period",
                           "import_run"))


def zones_geojson(scope) -> str:
    """Project zones in scope as GeoJSON text (code, name, name_en, type, phase, synthetic)."""
    params: dict = {}
    where = _unit_scope_sql(scope, params, column="z.county_code")
    sql = f"""
        SELECT json_build_object(
          'type', 'Feature',
          'geometry', ST_AsGeoJSON(z.geom, 5)::json,
          'properties', json_build_object('code', z.code, 'name', z.name, 'name_en', z.name_en,
                                          'zone_type', z.zone_type, 'phase', z.phase,
                                          'synthetic', z.is_synthetic, 'source', z.source)
        ) AS feature
        FROM project_zone z WHERE ({where} OR z.county_code IS NULL) ORDER BY z.code"""
    with app_connection() as conn:
        return _feature_collection(conn, sql, params)


def zones_in_scope(scope) -> pd.DataFrame:
    """Code, name, name_en and type of the project zones in scope."""
    params: dict = {}
    where = _unit_scope_sql(scope, params, column="z.county_code")
    with app_connection() as conn:
        return pd.read_sql_query(text(f"""
            SELECT z.code, z.name, z.name_en, z.zone_type FROM project_zone z
            WHERE ({where} OR z.county_code IS NULL) ORDER BY z.code"""), conn, params=params)


def sensitive_periods(scope, around: dt.date, years: int = 3) -> pd.DataFrame:
    """Sensitive periods (敏感期) for the scope: region-wide ones and those of a unit the
    scope overlaps, starting within ``years`` before ``around`` (newest first)."""
    params: dict = {"since": around.replace(year=around.year - years, day=1)}
    where = _unit_scope_sql(scope, params, column="p.scope_code")
    with app_connection() as conn:
        return pd.read_sql_query(text(f"""
            SELECT p.id, p.name, p.name_en, p.starts_on, p.ends_on, p.level, p.scope_code
            FROM sensitive_period p
            WHERE p.starts_on >= :since AND (p.scope_code IS NULL OR {where})
            ORDER BY p.starts_on DESC, p.id DESC LIMIT 50"""), conn, params=params)


def sensitive_period(scope, period_id: int) -> tuple[str, str, dt.date, dt.date] | None:
    """``(name, name_en, starts_on, ends_on)`` of a sensitive period visible to the scope."""
    params: dict = {"id": int(period_id)}
    where = _unit_scope_sql(scope, params, column="p.scope_code")
    with app_connection() as conn:
        row = conn.execute(text(f"""
            SELECT p.name, coalesce(p.name_en, p.name), p.starts_on, p.ends_on
            FROM sensitive_period p WHERE p.id = :id AND (p.scope_code IS NULL OR {where})"""),
            params).first()
    return tuple(row) if row else None


def _state_sql(alias: str = "m") -> tuple[str, str]:
    """SQL expressions of a matter's stage and worst clock state on ``:clock_day``."""
    stage = f"""CASE WHEN {alias}.recheck_decided_on <= :clock_day THEN 'terminated'
        WHEN {alias}.recheck_requested_on <= :clock_day THEN 'recheck'
        WHEN {alias}.review_decided_on <= :clock_day THEN 'reviewed'
        WHEN {alias}.review_requested_on <= :clock_day THEN 'review'
        WHEN {alias}.answered_on <= :clock_day THEN 'answered'
        WHEN {alias}.accepted_on <= :clock_day THEN 'accepted'
        WHEN {alias}.forwarded_on <= :clock_day THEN 'forwarded'
        ELSE 'registered' END"""
    # The states are exclusive and ordered: the first whose condition holds is the state.
    clock = ("CASE " + " ".join(f"WHEN {clock_condition(st, alias)} THEN '{st}'"
                                for st in CLOCK_FILTERS[:-1])
             + f" ELSE '{CLOCK_FILTERS[-1]}' END")
    return stage, clock


def _active_matters(scope, period: Period, as_of: dt.date, flt: MatterFilter | None,
                    rules_due_soon: int) -> tuple[str, dict]:
    """WHERE clause of the matters relevant to a period: registered in it, or registered
    before it and still open at its start (unanswered, or in review or re-review)."""
    where, params = matter_conditions(scope, flt, alias="m")
    day = min(period.end, as_of)
    params.update(ps=period.start, d=day, clock_day=day,
                  clock_soon=(flt.due_soon_days if flt else rules_due_soon))
    # "Still open" counts a review or re-review under way, not only an unanswered matter: a
    # list drilled from the overdue card must hold the matters whose overdue clock is the
    # review (the card counts them).
    where += (" AND m.registered_on <= :d AND (m.registered_on >= :ps"
              " OR m.answered_on IS NULL OR m.answered_on >= :ps"
              " OR (m.review_requested_on <= :d AND (m.review_decided_on IS NULL"
              " OR m.review_decided_on >= :ps))"
              " OR (m.recheck_requested_on <= :d AND (m.recheck_decided_on IS NULL"
              " OR m.recheck_decided_on >= :ps)))")
    return where, params


def count_active(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None
                 ) -> tuple[int, int]:
    """``(matters, of which with a location)`` relevant to the period (see matter_points)."""
    where, params = _active_matters(scope, period, as_of, flt, get_settings().due_soon_days)
    with scoped(scope) as conn:
        row = conn.execute(text(f"""
            SELECT count(*), count(m.geom) FROM matter m WHERE {where}"""), params).one()
    return int(row[0]), int(row[1])


def matter_points(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None,
                  limit: int = 20_000) -> str:
    """Located matters registered in the period or open at its start, as GeoJSON text.

    Properties (short keys, no personal data): ``n`` number, ``c`` category, ``s`` stage,
    ``d`` days open (to the answer, or to D when unanswered), ``k`` worst clock state on D.
    """
    require_rows(scope, "matter_points")
    where, params = _active_matters(scope, period, as_of, flt, get_settings().due_soon_days)
    stage, clock = _state_sql("m")
    params["limit"] = int(limit)
    sql = f"""
        SELECT json_build_object(
          'type', 'Feature',
          'geometry', json_build_object('type', 'Point', 'coordinates',
                        json_build_array(round(ST_X(m.geom)::numeric, 5),
                                         round(ST_Y(m.geom)::numeric, 5))),
          'properties', json_build_object(
             'n', m.matter_no, 'c', m.category, 's', {stage},
             'd', (CASE WHEN m.answered_on <= :d THEN m.answered_on ELSE :d END)
                  - m.registered_on,
             'k', {clock})) AS feature
        FROM matter m WHERE {where} AND m.geom IS NOT NULL
        ORDER BY m.registered_on DESC, m.id DESC LIMIT :limit"""
    with scoped(scope) as conn:
        return _feature_collection(conn, sql, params)


def matter_list(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None,
                limit: int = 200, offset: int = 0) -> tuple[pd.DataFrame, int]:
    """The matters relevant to the period (see :func:`matter_points`), worst clock first.

    Returns ``(frame, total)``; the frame has at most ``limit`` rows, from row ``offset`` of
    that order (ties broken by matter number, so pages never overlap), with the columns
    matter_no, registered_on, category, route, stage, clock, days_open, answer_due,
    responsible_unit, township_code, village_code. No personal data.
    """
    require_rows(scope, "matter_list")
    where, params = _active_matters(scope, period, as_of, flt, get_settings().due_soon_days)
    stage, clock = _state_sql("m")
    params["limit"] = int(limit)
    params["offset"] = max(0, int(offset))
    order = "CASE x.clock " + " ".join(
        f"WHEN '{c}' THEN {i}" for i, c in enumerate(CLOCK_ORDER)) + " END"
    with scoped(scope) as conn:
        total = conn.execute(text(f"SELECT count(*) FROM matter m WHERE {where}"),
                             params).scalar_one()
        frame = pd.read_sql_query(text(f"""
            SELECT x.* FROM (
              SELECT m.matter_no, m.registered_on, m.category, m.route, {stage} AS stage,
                     {clock} AS clock,
                     (CASE WHEN m.answered_on <= :d THEN m.answered_on ELSE :d END)
                       - m.registered_on AS days_open,
                     m.answer_due, m.responsible_unit, m.township_code, m.village_code
              FROM matter m WHERE {where}) x
            ORDER BY {order}, x.days_open DESC, x.matter_no LIMIT :limit OFFSET :offset"""),
            conn,
            params=params)
    return frame, int(total)


def village_adjacency(codes: list[str], kind: str = "queen") -> list[tuple[str, str]]:
    """Pairs of the villages ``codes`` that are neighbours: ``queen`` (sharing at least a
    point of boundary) or ``rook`` (sharing a stretch of boundary)."""
    if kind not in ("queen", "rook"):
        raise ValueError("kind must be queen or rook")
    # Queen as "distance 0" rather than ST_Intersects: on the power-diagram cells of init-geo
    # GEOS's overlay predicate raised TopologyException (side location conflict) for valid
    # neighbours in 岳阳楼区; the distance algorithm has no such failure and answers the same.
    touch = ("ST_DWithin(a.geom, b.geom, 0)" if kind == "queen" else
             "ST_Intersects(a.geom, b.geom) AND ST_Relate(a.geom, b.geom, '****1****')")
    with app_connection() as conn:
        rows = conn.execute(text(f"""
            SELECT a.code, b.code FROM admin_unit a JOIN admin_unit b
              ON a.code < b.code AND a.geom && b.geom AND {touch}
            WHERE a.code = ANY(:codes) AND b.code = ANY(:codes)
              AND a.level = 'village' AND b.level = 'village'"""), {"codes": list(codes)}).all()
    return [(a, b) for a, b in rows]


def village_centroids(codes: list[str]) -> pd.DataFrame:
    """Code, lon, lat of a point inside each of the villages ``codes``."""
    with app_connection() as conn:
        return pd.read_sql_query(text("""
            SELECT code, ST_X(c) AS lon, ST_Y(c) AS lat
            FROM (SELECT code, ST_PointOnSurface(geom) AS c FROM admin_unit
                  WHERE code = ANY(:codes) AND level = 'village') x ORDER BY code"""),
            conn, params={"codes": list(codes)})


def narrowed(flt: MatterFilter | None, **changes) -> MatterFilter:
    """``flt`` with some fields changed (a unit, a zone…)."""
    return replace(flt or MatterFilter(), **changes)
