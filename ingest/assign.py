"""Placing matters: county, township, village and project zone of every row, and the region.

The admin polygons and zones are read once per import (:func:`load_geography`) and indexed in
memory with shapely's STRtree. A chunk is then placed with array operations: a bounding-box
query of the tree followed by a point-in-polygon test against prepared polygons. (An SQL
``ST_Contains`` update took 84 s for 1M points against ~1 s (stack notes §8), and STRtree's own
predicate queries do not prepare the tree's polygons: 20–30 s for 1M points here.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from ingest.rejects import RowErrors


@dataclass
class Layer:
    """Polygons with codes, indexed for point lookup."""

    codes: np.ndarray
    geoms: np.ndarray
    tree: STRtree

    @classmethod
    def build(cls, codes: list[str], geoms: list) -> Layer | None:
        if not codes:
            return None
        g = np.asarray(geoms, dtype=object)
        shapely.prepare(g)
        return cls(np.asarray(codes, dtype=object), g, STRtree(g))

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Code of the polygon holding each point (boundary included), or None.

        A point on a shared edge belongs to the polygon with the lowest code, so the result
        does not depend on the order of the rows.
        """
        out = np.full(len(x), None, dtype=object)
        if not len(x):
            return out
        pt_idx, poly_idx = self.tree.query(shapely.points(x, y))
        hit = shapely.intersects_xy(self.geoms[poly_idx], x[pt_idx], y[pt_idx])
        return _first_per_point(out, pt_idx[hit], poly_idx[hit], self.codes)


def _first_per_point(out: np.ndarray, pt_idx: np.ndarray, cand_idx: np.ndarray,
                     codes: np.ndarray, by: np.ndarray | None = None) -> np.ndarray:
    """Give each point the code of its first candidate: lowest ``by`` (when given), then
    lowest candidate position, which is code order."""
    keys = (cand_idx, pt_idx) if by is None else (cand_idx, by, pt_idx)
    order = np.lexsort(keys)
    pt_idx, cand_idx = pt_idx[order], cand_idx[order]
    _, first = np.unique(pt_idx, return_index=True)
    out[pt_idx[first]] = codes[cand_idx[first]]
    return out


@dataclass
class ZoneLayer:
    """Project zones in the local metric projection, for "within the zone or within its
    influence distance"."""

    codes: np.ndarray
    geoms: np.ndarray  # local metres (geo.projection)
    influence_m: np.ndarray
    tree: STRtree  # of each zone's envelope grown by its influence distance

    @classmethod
    def build(cls, codes: list[str], geoms: list, influence_m: list[float]) -> ZoneLayer | None:
        if not codes:
            return None
        from geo.projection import to_local

        local = np.asarray(to_local(np.asarray(geoms, dtype=object)), dtype=object)
        reach = np.asarray(influence_m, dtype=np.float64)
        boxes = shapely.buffer(shapely.envelope(local), reach, join_style="mitre")
        shapely.prepare(local)
        return cls(np.asarray(codes, dtype=object), local, reach, STRtree(boxes))

    def assign(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Code of the nearest zone within its influence distance of each point, or None
        (inside a zone is distance 0; ties go to the lowest code)."""
        from geo.projection import to_local

        out = np.full(len(lon), None, dtype=object)
        if not len(lon):
            return out
        pts = to_local(shapely.points(lon, lat))
        pt_idx, zone_idx = self.tree.query(pts)
        dist = shapely.distance(self.geoms[zone_idx], pts[pt_idx])
        near = dist <= self.influence_m[zone_idx]
        pt_idx, zone_idx, dist = pt_idx[near], zone_idx[near], dist[near]
        # Nearest first; equal distances (inside two zones) fall back to code order.
        return _first_per_point(out, pt_idx, zone_idx, self.codes, by=dist)


@dataclass
class Geography:
    """Everything an import needs to know about places, loaded once per import."""

    township_of: dict[str, str]  # township and village codes -> their township code
    county_of: dict[str, str]  # township and village codes -> their county code
    counties: Layer | None
    townships: Layer | None
    villages: Layer | None
    zones: ZoneLayer | None
    zone_codes: frozenset[str]
    warnings: list[str] = field(default_factory=list)


_UNITS_SQL = """
    SELECT code, level, parent_code, county_code,
           CASE WHEN geom IS NULL THEN NULL ELSE ST_AsBinary(geom) END
    FROM admin_unit WHERE level IN ('county', 'township', 'village') ORDER BY code
"""
_ZONES_SQL = "SELECT code, influence_m, ST_AsBinary(geom) FROM project_zone ORDER BY code"


def load_geography(cursor) -> Geography:
    """Read admin units and project zones through a DB-API ``cursor`` and index them."""
    cursor.execute(_UNITS_SQL)
    units = cursor.fetchall()
    cursor.execute(_ZONES_SQL)
    zones = cursor.fetchall()

    township_of: dict[str, str] = {}
    county_of: dict[str, str] = {}
    polys: dict[str, tuple[list, list]] = {"county": ([], []), "township": ([], []),
                                           "village": ([], [])}
    for code, level, parent, county, wkb in units:
        # NBS codes nest (village 430602001001 is in township 430602001, county 430602);
        # the stored parent and county columns win where they are filled.
        if level == "village":
            township_of[code] = parent if parent and len(parent) == 9 else code[:9]
            county_of[code] = county or township_of[code][:6]
        elif level == "township":
            township_of[code] = code
            county_of[code] = county or (parent if parent and len(parent) == 6 else code[:6])
        if wkb is not None:
            polys[level][0].append(code)
            polys[level][1].append(shapely.from_wkb(bytes(wkb)))
    geo = Geography(
        township_of=township_of,
        county_of=county_of,
        counties=Layer.build(*polys["county"]),
        townships=Layer.build(*polys["township"]),
        villages=Layer.build(*polys["village"]),
        zones=ZoneLayer.build([z[0] for z in zones],
                              [shapely.from_wkb(bytes(z[2])) for z in zones],
                              [float(z[1]) for z in zones]),
        zone_codes=frozenset(z[0] for z in zones),
    )
    if geo.counties is None:
        geo.warnings.append("未加载县级边界（请先运行 init-geo），带经纬度的行将被拒绝 / "
                            "no county boundaries loaded (run init-geo): rows with lon/lat "
                            "will be rejected")
    return geo


def to_wgs84(lon: np.ndarray, lat: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Input coordinates in ``crs`` ("wgs84" or "gcj02", as Amap and most Chinese apps give
    them) as WGS84."""
    if crs == "wgs84":
        return lon, lat
    if crs == "gcj02":
        from geo.coords import gcj02_to_wgs84

        return gcj02_to_wgs84(lon, lat)
    raise ValueError("crs must be wgs84 or gcj02")


def place_matters(typed: pd.DataFrame, errors: RowErrors, geo: Geography, crs: str
                  ) -> pd.DataFrame:
    """County, township, village and zone codes and the WGS84 point of each matter row.

    The area code, when given, decides the admin codes (a village gives its township and
    county); otherwise the point does, by point-in-polygon. A point must lie in the region
    (the union of the county polygons) either way and is kept for the map; a row with a code
    and no point gets no point. The zone is the given ``project_zone`` code, else the zone the
    point is in or within the zone's influence distance of.
    """
    n = len(typed)
    lon = typed["lon"].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    lat = typed["lat"].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    has_point = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if has_point.any():
        lon[has_point], lat[has_point] = to_wgs84(lon[has_point], lat[has_point], crs)
    lon[~has_point] = np.nan
    lat[~has_point] = np.nan

    def at_points(layer: Layer | None, mask: np.ndarray) -> np.ndarray:
        out = np.full(n, None, dtype=object)
        if layer is not None and mask.any():
            out[mask] = layer.locate(lon[mask], lat[mask])
        return out

    county_pt = at_points(geo.counties, has_point)
    outside = has_point & pd.isna(county_pt)
    errors.add(outside, "lon", "坐标不在本辖区范围内", "point outside the configured region")

    area = typed["area_code"]
    codes = area.to_numpy(dtype=object, na_value=None)
    shaped = area.str.match(r"^(?:\d{9}|\d{12})$").to_numpy(dtype=bool, na_value=False)
    from_code = shaped & area.map(geo.county_of).notna().to_numpy()
    errors.add(shaped & ~from_code, "area_code", "问题属地代码不存在：{value}",
               "unknown area code: {value}", area)

    village = np.full(n, None, dtype=object)
    township = np.full(n, None, dtype=object)
    county = np.full(n, None, dtype=object)
    is_village = from_code & (area.str.len() == 12).to_numpy(dtype=bool, na_value=False)
    village[is_village] = codes[is_village]
    township[from_code] = _lookup(codes[from_code], geo.township_of)
    county[from_code] = _lookup(codes[from_code], geo.county_of)

    by_point = has_point & ~outside & ~from_code
    v = at_points(geo.villages, by_point)
    sel = by_point & pd.notna(v)
    village[sel] = v[sel]
    township[sel] = _lookup(v[sel], geo.township_of)
    county[sel] = _lookup(v[sel], geo.county_of)
    rest = by_point & pd.isna(v)
    t = at_points(geo.townships, rest)
    sel = rest & pd.notna(t)
    township[sel] = t[sel]
    county[sel] = _lookup(t[sel], geo.county_of)
    sel = rest & pd.isna(t)
    county[sel] = county_pt[sel]

    zone_in = typed["project_zone"]
    errors.add(zone_in.notna() & ~zone_in.isin(geo.zone_codes), "project_zone",
               "项目片区代码不存在：{value}", "unknown project zone: {value}", zone_in)
    zone = zone_in.to_numpy(dtype=object, na_value=None, copy=True)
    spatial = has_point & ~outside & pd.isna(zone)
    if geo.zones is not None and spatial.any():
        zone[spatial] = geo.zones.assign(lon[spatial], lat[spatial])

    return pd.DataFrame({"county_code": county, "township_code": township,
                         "village_code": village, "zone_code": zone, "lon": lon, "lat": lat},
                        index=typed.index)


def _lookup(codes: np.ndarray, mapping: dict[str, str]) -> np.ndarray:
    return np.array([mapping.get(c) for c in codes], dtype=object)
