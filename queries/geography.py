"""SQL for the geography tables (admin_unit, project_zone) and the spatial re-assignment of
matters to townships and villages.

Writers take an open ``Connection`` so that the caller (``ingest.geography``) decides the
transaction: a whole init-geo or load-boundaries run commits or rolls back as one. Readers take
an ``Engine``. Boundaries carry no case data, so the readers take no ``Scope``; callers narrow
them with ``county_code``.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import pandas as pd
import shapely
from geoalchemy2.shape import from_shape
from sqlalchemy import Connection, Engine, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import distinct_on, insert

from queries.schema import admin_unit, matter, project_zone

LEVELS = ("prefecture", "county", "township", "village")
# Simplification tolerance of admin_unit.geom_simple, degrees (1e-3° ≈ 100 m here): enough
# detail for a browser map at the zoom where that level is shown.
SIMPLIFY_DEG = {"prefecture": 0.002, "county": 0.001, "township": 0.0005, "village": 0.0002}
# The matter column each level's re-assignment writes.
_MATTER_CODE = {"township": matter.c.township_code, "village": matter.c.village_code}

_UNIT_FIELDS = ("code", "name", "name_en", "level", "parent_code", "county_code", "population",
                "population_estimated", "is_synthetic", "source")
_ZONE_FIELDS = ("code", "name", "name_en", "zone_type", "phase", "county_code",
                "expropriation_start", "expropriation_end", "influence_m", "is_synthetic",
                "source")


def _plain(value):
    """pandas missing values and numpy scalars as what psycopg2 can bind."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _rows(frame: gpd.GeoDataFrame, fields: Iterable[str]) -> list[dict]:
    rows = []
    for rec, geom in zip(frame[list(fields)].to_dict("records"), frame.geometry, strict=True):
        row = {k: _plain(v) for k, v in rec.items()}
        row["geom"] = from_shape(geom, srid=4326, extended=True)
        rows.append(row)
    return rows


# --- writers -------------------------------------------------------------------------------


def replace_reference_geography(conn: Connection, units: gpd.GeoDataFrame,
                                zones: gpd.GeoDataFrame) -> dict:
    """Make admin_unit and project_zone hold exactly ``units`` and ``zones``.

    Upserts by code (so unchanged rows keep their identity and a second run changes nothing)
    and deletes rows whose code is not in the new set. ``units`` must list parents before
    children; geometries are EPSG:4326 MultiPolygons. Returns row counts per level and zones.
    """
    order = {level: i for i, level in enumerate(LEVELS)}
    units = units.iloc[units["level"].map(order).argsort(kind="stable")]
    rows = _rows(units, _UNIT_FIELDS)
    if rows:
        stmt = insert(admin_unit)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[admin_unit.c.code],
            set_={c: stmt.excluded[c] for c in (*_UNIT_FIELDS[1:], "geom")}), rows)
    codes = [r["code"] for r in rows]
    # Children first is not needed: the parent key cascades.
    conn.execute(delete(admin_unit).where(admin_unit.c.code.not_in(codes)))

    zone_rows = _rows(zones, _ZONE_FIELDS)
    if zone_rows:
        stmt = insert(project_zone)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[project_zone.c.code],
            set_={c: stmt.excluded[c] for c in (*_ZONE_FIELDS[1:], "geom")}), zone_rows)
    conn.execute(delete(project_zone).where(
        project_zone.c.code.not_in([r["code"] for r in zone_rows])))
    counts = units["level"].value_counts().to_dict()
    return {**{level: int(counts.get(level, 0)) for level in LEVELS}, "zones": len(zone_rows)}


def update_unit_geometries(conn: Connection, level: str, frame: gpd.GeoDataFrame,
                           source: str, is_synthetic: bool) -> int:
    """Replace the geometry (and source, synthetic flag) of existing ``level`` units.

    ``frame`` has ``code`` and geometry, optionally ``name``: a non-blank name replaces the
    stored one. Returns the number of rows updated; codes not stored at ``level`` update
    nothing (validate them first).
    """
    if len(frame) == 0:
        return 0
    names = frame["name"] if "name" in frame.columns else [None] * len(frame)
    names_en = frame["name_en"] if "name_en" in frame.columns else [None] * len(frame)
    params = [{"b_code": code, "b_name": (str(name).strip() or None) if name is not None else None,
               "b_name_en": _plain(name_en),
               "b_geom": from_shape(geom, srid=4326, extended=True)}
              for code, name, name_en, geom in zip(frame["code"], names, names_en,
                                                   frame.geometry, strict=True)]
    stmt = (update(admin_unit)
            .where(admin_unit.c.code == bindparam("b_code"), admin_unit.c.level == level)
            .values(geom=bindparam("b_geom", type_=admin_unit.c.geom.type),
                    name=func.coalesce(bindparam("b_name"), admin_unit.c.name),
                    name_en=func.coalesce(bindparam("b_name_en"), admin_unit.c.name_en),
                    source=source, is_synthetic=is_synthetic, geom_simple=None))
    result = conn.execute(stmt, params)
    return int(result.rowcount)


def fill_simplified(conn: Connection, levels: Iterable[str] = LEVELS) -> None:
    """Fill admin_unit.geom_simple from geom with ST_SimplifyPreserveTopology, per level.

    Each polygon is simplified on its own, so neighbours may show hairline gaps at high zoom;
    the full ``geom`` stays the one used for point-in-polygon work.
    """
    for level in levels:
        conn.execute(
            update(admin_unit)
            .where(admin_unit.c.level == level, admin_unit.c.geom.is_not(None))
            .values(geom_simple=func.ST_Multi(func.ST_SimplifyPreserveTopology(
                admin_unit.c.geom, bindparam("tol", SIMPLIFY_DEG[level])))))


def reassign_matters(conn: Connection, level: str) -> int:
    """Point-in-polygon re-assignment of matters with a location to ``level`` units.

    Sets ``matter.township_code`` (or ``village_code``) to the unit whose geometry contains the
    matter's point, writing only rows whose code changes; matters without a point, or whose
    point lies in no unit, keep their code. Where polygons overlap (a partial boundary file
    next to schematic cells) a real polygon wins over a schematic one. One set-based UPDATE
    using the GiST indexes: fine for no matters and for millions. Returns rows changed.
    """
    column = _MATTER_CODE[level]
    m = matter.alias("m")
    a = admin_unit.alias("a")
    hit = (select(m.c.id.label("matter_id"), a.c.code.label("code"))
           .select_from(m.join(a, func.ST_Contains(a.c.geom, m.c.geom)))
           .where(a.c.level == level, m.c.geom.is_not(None))
           .order_by(m.c.id, a.c.is_synthetic, a.c.code)
           .ext(distinct_on(m.c.id))
           .subquery("hit"))
    stmt = (update(matter)
            .where(matter.c.id == hit.c.matter_id, column.is_distinct_from(hit.c.code))
            .values({column: hit.c.code, matter.c.updated_at: func.now()}))
    return int(conn.execute(stmt).rowcount)


# --- readers -------------------------------------------------------------------------------


def _frame(rows, columns: list[str], geom_index: int) -> gpd.GeoDataFrame:
    records = [list(r) for r in rows]
    geoms = shapely.from_wkb([bytes(r[geom_index]) if r[geom_index] is not None else None
                              for r in records])
    data = pd.DataFrame([r[:geom_index] + r[geom_index + 1:] for r in records],
                        columns=[c for i, c in enumerate(columns) if i != geom_index])
    return gpd.GeoDataFrame(data, geometry=list(geoms) if len(records) else [],
                            crs="EPSG:4326")


def _fetch(bind: Engine | Connection, stmt):
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return conn.execute(stmt).all()
    return bind.execute(stmt).all()


def units_frame(bind: Engine | Connection, level: str, *, county_code: str | None = None,
                codes: Iterable[str] | None = None,
                simplified: bool = False) -> gpd.GeoDataFrame:
    """Admin units of ``level`` as a GeoDataFrame (code, name, name_en, level, parent_code,
    county_code, population, is_synthetic, source, geometry), ordered by code.

    ``county_code`` or ``codes`` narrow the set; ``simplified`` returns ``geom_simple`` (for the
    browser) instead of the full geometry. ``bind`` is an engine, or a connection to read
    inside the caller's transaction.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    geom = admin_unit.c.geom_simple if simplified else admin_unit.c.geom
    cols = ["code", "name", "name_en", "level", "parent_code", "county_code", "population",
            "is_synthetic", "source"]
    stmt = (select(*(admin_unit.c[c] for c in cols), func.ST_AsBinary(geom).label("geometry"))
            .where(admin_unit.c.level == level).order_by(admin_unit.c.code))
    if county_code is not None:
        stmt = stmt.where(admin_unit.c.county_code == county_code)
    if codes is not None:
        stmt = stmt.where(admin_unit.c.code.in_(list(codes)))
    return _frame(_fetch(bind, stmt), [*cols, "geometry"], len(cols))


def zones_frame(engine: Engine) -> gpd.GeoDataFrame:
    """Project zones as a GeoDataFrame (code, name, name_en, zone_type, phase, county_code,
    expropriation_start, expropriation_end, influence_m, is_synthetic, source, geometry)."""
    cols = list(_ZONE_FIELDS)
    stmt = (select(*(project_zone.c[c] for c in cols),
                   func.ST_AsBinary(project_zone.c.geom).label("geometry"))
            .order_by(project_zone.c.code))
    return _frame(_fetch(engine, stmt), [*cols, "geometry"], len(cols))


def unit_codes(bind: Engine | Connection, level: str) -> set[str]:
    """Codes of the stored admin units of ``level``."""
    stmt = select(admin_unit.c.code).where(admin_unit.c.level == level)
    return {r[0] for r in _fetch(bind, stmt)}


def children_of(bind: Engine | Connection, level: str,
                parent_codes: Iterable[str]) -> pd.DataFrame:
    """``code, name, parent_code, is_synthetic`` of ``level`` units under ``parent_codes``."""
    stmt = (select(admin_unit.c.code, admin_unit.c.name, admin_unit.c.parent_code,
                   admin_unit.c.is_synthetic)
            .where(admin_unit.c.level == level,
                   admin_unit.c.parent_code.in_(list(parent_codes)))
            .order_by(admin_unit.c.code))
    return pd.DataFrame([tuple(r) for r in _fetch(bind, stmt)],
                        columns=["code", "name", "parent_code", "is_synthetic"])


# --- English place names (issue 16) ---------------------------------------------------------

_NAMES: dict = {"at": 0.0, "names": None}
NAMES_TTL_S = 300.0


def clear_place_names() -> None:
    """Forget the cached English names (after init-geo or load-boundaries in this process)."""
    _NAMES["names"] = None


def english_place_names() -> dict[str, str]:
    """Chinese → English names of every admin unit (``admin_unit.name_en``) and project zone,
    and code → English name, read once per process and kept :data:`NAMES_TTL_S` seconds.
    Unit names are public reference data (no case data): no scope applies."""
    import time

    now = time.monotonic()
    cached = _NAMES["names"]
    if cached is not None and now - _NAMES["at"] < NAMES_TTL_S:
        return cached
    from queries.db import app_connection
    from settings import get_settings

    out: dict[str, str] = {}
    with app_connection() as conn:
        for table in (admin_unit, project_zone):
            for code, name, name_en in conn.execute(
                    select(table.c.code, table.c.name, table.c.name_en)):
                if name_en:
                    out.setdefault(name, name_en)
                    out[code] = name_en
    settings = get_settings()
    region = out.get(settings.region_code)
    if region:
        out.setdefault(settings.region_name, region)
    if out:  # nothing stored yet (before init-geo): ask again next time
        _NAMES.update(at=now, names=out)
    return out


def localise_place(text, lang: str | None):
    """A place name (or a text holding some, like 西塘镇（岳阳楼区）) in ``lang``: unchanged in
    Chinese, the stored English names in English (``geo.names.translate_places``)."""
    if lang != "en" or not isinstance(text, str) or not text:
        return text
    from geo.names import translate_places

    return translate_places(text, english_place_names())
