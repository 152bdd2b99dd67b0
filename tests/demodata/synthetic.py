"""A small synthetic geography shaped like ``queries.geography.units_frame`` output.

20 townships in a 5 × 4 grid around (113.2 E, 29.35 N), each split into 3 × 3 villages (one of
them a triangle, to exercise rejection sampling); the named bad and good townships of
``demodata.params`` are among them. One project zone sits in the middle of township 0.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import shapely

from demodata.params import BAD_TOWNSHIPS, GOOD_TOWNSHIPS

X0, Y0 = 113.0, 29.2
T_W, T_H = 0.08, 0.075          # township cell, degrees (~7.8 km × 8.3 km)
ZONE_START = dt.date(2025, 3, 1)
ZONE_END = dt.date(2025, 8, 31)
FAKE_COUNTY = "430699"


def township_codes() -> list[str]:
    fake = [f"{FAKE_COUNTY}{i:03d}" for i in range(1, 13)]
    # Township 0 (with the zone) is an ordinary one.
    return fake[:1] + list(BAD_TOWNSHIPS) + list(GOOD_TOWNSHIPS) + fake[1:]


def frames():
    """(villages, townships, counties, zones) GeoDataFrames in EPSG:4326."""
    t_rows, v_rows = [], []
    for ti, tcode in enumerate(township_codes()):
        col, row = ti % 5, ti // 5
        tx, ty = X0 + col * T_W, Y0 + row * T_H
        county = tcode[:6]
        name = (BAD_TOWNSHIPS | GOOD_TOWNSHIPS).get(tcode, f"测试{ti}镇")
        t_rows.append({"code": tcode, "name": name, "level": "township",
                       "parent_code": county, "county_code": county, "population": None,
                       "geometry": shapely.box(tx, ty, tx + T_W, ty + T_H)})
        for vi in range(9):
            vx, vy = tx + (vi % 3) * T_W / 3, ty + (vi // 3) * T_H / 3
            cell = shapely.box(vx, vy, vx + T_W / 3, vy + T_H / 3)
            if vi == 4:  # a triangle: half its bounding box is outside
                cell = shapely.Polygon([(vx, vy), (vx + T_W / 3, vy), (vx, vy + T_H / 3)])
            suffix = f"{vi + 1:03d}" if vi < 3 else f"{200 + vi:03d}"  # 3 communities, 6 villages
            v_rows.append({"code": tcode + suffix, "name": f"测试{ti}-{vi}村",
                           "level": "village", "parent_code": tcode, "county_code": county,
                           "population": 800 + (ti * 9 + vi) * 37 % 4000,
                           "geometry": cell})
    villages = gpd.GeoDataFrame(v_rows, crs="EPSG:4326")
    townships = gpd.GeoDataFrame(t_rows, crs="EPSG:4326")
    counties = gpd.GeoDataFrame(
        [{"code": c, "name": {FAKE_COUNTY: "测试县"}.get(c, None)}
         for c in sorted({t[:6] for t in township_codes()})],
        geometry=[None] * len({t[:6] for t in township_codes()}), crs="EPSG:4326")
    zx, zy = X0 + T_W / 2, Y0 + T_H / 2
    zones = gpd.GeoDataFrame([{
        "code": "TEST-ZONE", "zone_type": "renewal", "expropriation_start": ZONE_START,
        "expropriation_end": ZONE_END, "influence_m": 1000,
        "geometry": shapely.box(zx - 0.012, zy - 0.012, zx + 0.012, zy + 0.012)}],
        crs="EPSG:4326")
    return villages, townships, counties, zones


def zone_center() -> tuple[float, float]:
    return X0 + T_W / 2, Y0 + T_H / 2
