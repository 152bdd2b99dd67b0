"""The three project zones of the office's work plan, as schematic polygons in 岳阳楼区.

The work plan names the office's stability priorities: (1) a lakeside scenic belt, phase II;
(2) a road project; (3) upgrading (renewal) of the district. Their real footprints are not
published, so these are schematic shapes placed where such projects plausibly sit: the belt
along the Dongting Lake shore (the district's western edge, where 岳阳楼 stands), a ring-road
corridor through the eastern part of the town, and a renewal area in the old town inland from
the tower (which also falls among the schematic street cells). They lie over 2 km apart, so
their 1 km influence zones do not overlap and a matter is attributed to at most one of them.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import shapely
from shapely.geometry import LineString, Polygon

from geo.boundaries import as_multipolygon
from geo.projection import from_local, to_local

DISTRICT_CODE = "430602"
INFLUENCE_M = 1000
SOURCE = ("schematic zone after the work plan's three priorities; not a surveyed project "
          "boundary")

# The lake shore stretch of the belt (latitudes) and its depth inland, metres.
_BELT_LATS = (29.325, 29.372)
_BELT_DEPTH_M = 400
# Ring-road centre line (WGS84 lon, lat) and the half-width of its expropriation corridor.
_ROAD_LINE = [(113.163, 29.428), (113.182, 29.395), (113.190, 29.355), (113.183, 29.318),
              (113.165, 29.283)]
_ROAD_HALF_WIDTH_M = 80
# Old-town renewal block outline (WGS84 lon, lat).
_RENEWAL_OUTLINE = [(113.1207, 29.3692), (113.1319, 29.3678), (113.1387, 29.3745),
                    (113.1364, 29.3820), (113.1259, 29.3842), (113.1184, 29.3782)]

COLUMNS = ["code", "name", "name_en", "zone_type", "phase", "county_code",
           "expropriation_start", "expropriation_end", "influence_m", "is_synthetic", "source",
           "geometry"]


def _buffer_m(geom, metres: float):
    return from_local(shapely.buffer(to_local(geom), metres))


def _lake_shore(district) -> LineString:
    # The district's western boundary is the lake shore; keep the belt's stretch of it.
    lo, hi = _BELT_LATS
    minx, _, _, _ = district.bounds
    window = shapely.box(minx - 0.01, lo, minx + 0.04, hi)
    return shapely.intersection(district.boundary, window)


def build_zones(district) -> gpd.GeoDataFrame:
    """The three project zones (project_zone rows) inside ``district`` (the 岳阳楼区 outline).

    Every zone is clipped to the district. One expropriation window is running now
    (2026-09 to 2027-03); the other two ended within the past 24 months.
    """
    belt = shapely.intersection(_buffer_m(_lake_shore(district), _BELT_DEPTH_M), district)
    road = shapely.intersection(_buffer_m(LineString(_ROAD_LINE), _ROAD_HALF_WIDTH_M), district)
    renewal = shapely.intersection(Polygon(_RENEWAL_OUTLINE), district)
    rows = [
        dict(code=f"{DISTRICT_CODE}-SCENIC-2", name="洞庭湖滨风光带（二期）",
             name_en="Dongting lakeside scenic belt (phase II)", zone_type="scenic", phase="2",
             expropriation_start=date(2026, 9, 1), expropriation_end=date(2027, 3, 31),
             geometry=belt),
        dict(code=f"{DISTRICT_CODE}-ROAD-1", name="城区环线道路工程走廊",
             name_en="Urban ring road corridor", zone_type="road", phase="1",
             expropriation_start=date(2025, 3, 1), expropriation_end=date(2025, 8, 31),
             geometry=road),
        dict(code=f"{DISTRICT_CODE}-RENEWAL-1", name="老城区提质改造片区",
             name_en="Old-town upgrading (renewal) area", zone_type="renewal", phase="1",
             expropriation_start=date(2025, 11, 1), expropriation_end=date(2026, 4, 30),
             geometry=renewal),
    ]
    for row in rows:
        row.update(county_code=DISTRICT_CODE, influence_m=INFLUENCE_M, is_synthetic=True,
                   source=SOURCE, geometry=as_multipolygon(row["geometry"]))
    return gpd.GeoDataFrame(rows, columns=COLUMNS, geometry="geometry", crs="EPSG:4326")
