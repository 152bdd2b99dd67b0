"""Where demo matters happen: villages, points inside them, project-zone influence areas.

The generator works on plain arrays; :func:`prepare_geography` turns the frames of
``queries.geography`` (or any frames with the same columns, as the tests build) into them.
Everything is sorted by code, so the database's row order never changes the output.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from demodata.params import CATEGORY_SETTLEMENT, COUNTY_NAMES, TOWNSHIP_GOV

#: Decimal places of lon/lat in the CSV (≈ 0.1 m); points are tested after rounding.
COORD_DECIMALS = 6


@dataclass(frozen=True)
class Zone:
    """A project zone's influence area: its polygon buffered by influence_m, within villages."""

    code: str
    start: dt.date | None
    end: dt.date | None
    area: object  # shapely geometry, WGS84
    #: village index -> fraction of that village's area inside the influence area
    village_fraction: dict[int, float]


@dataclass(frozen=True)
class Geography:
    village_code: np.ndarray      # str, sorted
    village_geom: np.ndarray      # shapely geometries (WGS84), prepared
    village_population: np.ndarray  # float, > 0
    village_urban: np.ndarray     # bool: 社区/居委会 (code digits 10–12 < 200)
    village_township: np.ndarray  # int index into township_*
    township_code: np.ndarray     # str, sorted
    township_name: np.ndarray     # str
    township_county: np.ndarray   # int index into county_*
    county_code: np.ndarray       # str, sorted
    county_name: np.ndarray       # str
    zones: tuple[Zone, ...]

    @property
    def n_villages(self) -> int:
        return len(self.village_code)


def prepare_geography(villages, townships=None, counties=None, zones=None) -> Geography:
    """Arrays for the generator from frames shaped like ``queries.geography.units_frame``.

    ``villages`` needs code, parent_code, county_code, population, geometry (WGS84);
    ``townships`` code, name, county_code; ``counties`` code, name; ``zones`` code,
    expropriation_start, expropriation_end, influence_m, geometry. Villages without a polygon
    are dropped; a missing population takes the median of the others.
    """
    v = villages[villages.geometry.notna() & ~villages.geometry.is_empty].copy()
    if v.empty:
        raise ValueError("no village polygons: run `flask --app app init-geo` first")
    v["code"] = v["code"].astype(str)
    v = v.sort_values("code", kind="stable").reset_index(drop=True)
    parent = v["parent_code"].where(v["parent_code"].notna(), v["code"].str[:9]).astype(str)
    county_of_village = v["county_code"].where(v["county_code"].notna(),
                                               v["code"].str[:6]).astype(str)

    pop = pd.to_numeric(v["population"], errors="coerce").astype(float)
    fill = float(pop[pop > 0].median()) if (pop > 0).any() else 1.0
    pop = pop.where(pop > 0, fill).to_numpy()

    # Townships: every parent of a village, named from the township frame where possible.
    t_names: dict[str, str] = {}
    t_county: dict[str, str] = {}
    if townships is not None and len(townships):
        for code, name, cc in zip(townships["code"].astype(str), townships["name"],
                                  townships["county_code"], strict=True):
            t_names[code] = str(name)
            t_county[code] = str(cc) if isinstance(cc, str) and cc else code[:6]
    for code, cc in zip(parent, county_of_village, strict=True):
        t_names.setdefault(code, code)
        t_county.setdefault(code, cc)
    t_codes = np.array(sorted(set(parent)), dtype=object)
    t_index = {c: i for i, c in enumerate(t_codes)}

    c_names = dict(COUNTY_NAMES)
    if counties is not None and len(counties):
        for code, name in zip(counties["code"].astype(str), counties["name"], strict=True):
            if isinstance(name, str) and name:
                c_names[code] = name
    c_codes = np.array(sorted({t_county[t] for t in t_codes}), dtype=object)
    c_index = {c: i for i, c in enumerate(c_codes)}

    geoms = np.asarray(v.geometry.values, dtype=object)
    shapely.prepare(geoms)
    urban = np.array([len(c) == 12 and c[9:].isdigit() and int(c[9:]) < 200
                      for c in v["code"]], dtype=bool)

    geo = Geography(
        village_code=v["code"].to_numpy(dtype=object),
        village_geom=geoms,
        village_population=pop,
        village_urban=urban,
        village_township=np.array([t_index[p] for p in parent], dtype=np.int32),
        township_code=t_codes,
        township_name=np.array([t_names[t] for t in t_codes], dtype=object),
        township_county=np.array([c_index[t_county[t]] for t in t_codes], dtype=np.int32),
        county_code=c_codes,
        county_name=np.array([c_names.get(c, c) for c in c_codes], dtype=object),
        zones=(),
    )
    if zones is not None and len(zones):
        geo = _with_zones(geo, v, zones)
    return geo


def load_geography(engine=None) -> Geography:
    """The store's villages, townships, counties and project zones (``init-geo`` loads them)."""
    from queries.geography import units_frame, zones_frame

    if engine is None:
        from queries.db import admin_engine

        engine = admin_engine()
    villages = units_frame(engine, "village")
    if villages is None or len(villages) == 0:
        raise ValueError("no villages in the store: run `flask --app app init-geo` first")
    return prepare_geography(villages, units_frame(engine, "township"),
                             units_frame(engine, "county"), zones_frame(engine))


def _with_zones(geo: Geography, villages, zones) -> Geography:
    # The importer attributes a point to a zone within influence_m in geo.projection's local
    # metres; the influence area here is measured the same way (1 m inside, for rounding).
    from geo.projection import from_local, to_local

    v_local = np.asarray(to_local(np.asarray(villages.geometry.values, dtype=object)))
    v_area = shapely.area(v_local)
    tree = shapely.STRtree(v_local)
    z = zones[zones.geometry.notna()].copy()
    z["code"] = z["code"].astype(str)
    z = z.sort_values("code", kind="stable")
    out = []
    for _, row in z.iterrows():
        infl = row.get("influence_m")
        infl = 1000.0 if infl is None or pd.isna(infl) else float(infl)
        buf = shapely.buffer(to_local(row.geometry), max(infl - 1.0, 0.0))
        idx = np.sort(tree.query(buf, predicate="intersects"))
        if len(idx) == 0:
            continue
        parts = shapely.intersection(v_local[idx], buf)
        frac = shapely.area(parts) / v_area[idx]
        keep = frac > 1e-9
        area = from_local(shapely.union_all(parts[keep]))
        shapely.prepare(area)
        out.append(Zone(
            code=row["code"],
            start=_as_date(row.get("expropriation_start")),
            end=_as_date(row.get("expropriation_end")),
            area=area,
            village_fraction={int(i): float(f) for i, f in zip(idx[keep], frac[keep],
                                                             strict=True)},
        ))
    return dataclasses.replace(geo, zones=tuple(out))


def _as_date(value) -> dt.date | None:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def settlement_weights(geo: Geography, category: str) -> np.ndarray:
    """Village weights for new matters of ``category``: population × urban/rural factor."""
    urban_f, rural_f = CATEGORY_SETTLEMENT.get(category, (1.0, 1.0))
    return geo.village_population * np.where(geo.village_urban, urban_f, rural_f)


def points_in_villages(rng: np.random.Generator, geo: Geography, village: np.ndarray):
    """Uniform random points inside each matter's village polygon (lon, lat arrays).

    Rejection sampling in the village's bounding box with ``shapely.contains_xy``, one village
    at a time in code order; coordinates are rounded before the test so the written point is
    inside.
    """
    lon = np.empty(len(village))
    lat = np.empty(len(village))
    order = np.argsort(village, kind="stable")
    bounds = np.searchsorted(village[order], np.arange(geo.n_villages + 1))
    for v in np.flatnonzero(np.diff(bounds)):
        rows = order[bounds[v]:bounds[v + 1]]
        x, y = _sample_in(rng, geo.village_geom[v], len(rows))
        lon[rows] = x
        lat[rows] = y
    return lon, lat


def _sample_in(rng: np.random.Generator, geom, k: int):
    minx, miny, maxx, maxy = geom.bounds
    box = max((maxx - minx) * (maxy - miny), 1e-18)
    ratio = min(box / max(geom.area, 1e-18), 1e3)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    need = k
    for _ in range(200):
        m = int(need * ratio * 1.3) + 8
        x = np.round(rng.uniform(minx, maxx, m), COORD_DECIMALS)
        y = np.round(rng.uniform(miny, maxy, m), COORD_DECIMALS)
        ok = shapely.contains_xy(geom, x, y)
        xs.append(x[ok][:need])
        ys.append(y[ok][:need])
        need -= len(xs[-1])
        if need == 0:
            break
    if need:  # a sliver: fall back to a point known to be inside
        p = geom.representative_point()
        xs.append(np.full(need, round(p.x, COORD_DECIMALS)))
        ys.append(np.full(need, round(p.y, COORD_DECIMALS)))
    return np.concatenate(xs), np.concatenate(ys)


def points_in_zone(rng: np.random.Generator, geo: Geography, zone: Zone, k: int):
    """k uniform points inside a zone's influence area, with the village each falls in."""
    tree = shapely.STRtree(geo.village_geom)
    lon = np.empty(k)
    lat = np.empty(k)
    vil = np.empty(k, dtype=np.int32)
    filled = 0
    for _ in range(200):
        if filled == k:
            break
        x, y = _sample_in(rng, zone.area, k - filled)
        pts = shapely.points(x, y)
        src, tgt = tree.query(pts, predicate="within")
        # First village (lowest index) per point; points on a shared edge are redrawn.
        first = np.full(len(pts), -1, dtype=np.int64)
        o = np.lexsort((tgt, src))
        src, tgt = src[o], tgt[o]
        uniq = np.r_[True, src[1:] != src[:-1]] if len(src) else np.zeros(0, bool)
        first[src[uniq]] = tgt[uniq]
        ok = first >= 0
        n = int(ok.sum())
        lon[filled:filled + n] = x[ok]
        lat[filled:filled + n] = y[ok]
        vil[filled:filled + n] = first[ok]
        filled += n
    if filled < k:
        raise RuntimeError(f"could not place points in zone {zone.code}")
    return lon, lat, vil


def township_government(name: str) -> str:
    """The government of a township-level unit: 西塘镇人民政府, 岳阳楼街道办事处, 某管理处."""
    if name.endswith("街道"):
        return name + "办事处"
    if name.endswith(("镇", "乡")):
        return name + "人民政府"
    return name


def unit_names(geo: Geography, departments: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Names of the responsible units: every county × department, then every township's own.

    Returns (names, township_offset): department d of county c is ``c * len(departments) + d``;
    township t's government is ``township_offset + t``. A township government's name carries
    its county's name where two townships share a name (五里牌街道).
    """
    names = [f"{cn}{d}" for cn in geo.county_name for d in departments]
    offset = len(names)
    tnames = list(geo.township_name)
    dup = {n for n in tnames if tnames.count(n) > 1}
    for t, n in enumerate(tnames):
        gov = township_government(n)
        names.append(f"{geo.county_name[geo.township_county[t]]}{gov}" if n in dup else gov)
    assert TOWNSHIP_GOV not in departments
    return np.array(names, dtype=object), np.int64(offset)
