"""The three project zones: types, windows, inside 岳阳楼区, apart from each other."""

from datetime import date

import numpy as np
import shapely

from geo.boundaries import cnmaps_geometry
from geo.projection import area_km2, to_local
from geo.zones import build_zones

TODAY = date(2026, 11, 26)  # the zones' windows are fixed dates; this is when they were set


def _zones():
    return build_zones(cnmaps_geometry("430602")).set_index("code")


def test_three_zones_of_the_work_plan():
    z = _zones()
    assert sorted(z["zone_type"]) == ["renewal", "road", "scenic"]
    assert (z["county_code"] == "430602").all() and (z["influence_m"] == 1000).all()
    assert z["is_synthetic"].all() and z["source"].str.contains("schematic").all()
    scenic = z[z.zone_type == "scenic"].iloc[0]
    assert scenic["phase"] == "2" and "二期" in scenic["name"] and "phase II" in scenic["name_en"]
    assert all(name and name_en for name, name_en in zip(z["name"], z["name_en"], strict=True))
    assert all(len(code) <= 32 for code in z.index)


def test_one_window_running_others_within_the_past_two_years():
    z = _zones()
    running = z[(z.expropriation_start <= TODAY) & (z.expropriation_end >= TODAY)]
    assert running["zone_type"].tolist() == ["scenic"]
    assert running.iloc[0]["expropriation_start"] == date(2026, 9, 1)
    assert running.iloc[0]["expropriation_end"] == date(2027, 3, 31)
    past = z[z.expropriation_end < TODAY]
    assert len(past) == 2
    assert (past.expropriation_start >= date(2024, 11, 26)).all()
    assert (z.expropriation_start < z.expropriation_end).all()


def test_zones_inside_the_district_and_shaped_as_described():
    district = cnmaps_geometry("430602")
    z = _zones()
    for geom in z.geometry:
        assert geom.geom_type == "MultiPolygon" and geom.is_valid
        assert shapely.difference(geom, district).area < 1e-12
    km2 = dict(zip(z.zone_type, area_km2(np.asarray(z.geometry.values)), strict=True))
    assert 1 < km2["scenic"] < 5 and 1 < km2["road"] < 5 and 1 < km2["renewal"] < 4
    # The belt runs along the lake shore, i.e. the district's western edge.
    belt = z[z.zone_type == "scenic"].geometry.iloc[0]
    assert belt.bounds[0] - district.bounds[0] < 0.01
    assert shapely.intersection(belt.boundary, district.boundary).length > 0.03
    # The road corridor is long and thin (160 m wide).
    road = to_local(z[z.zone_type == "road"].geometry.iloc[0])
    assert road.area / (road.length / 2) < 200


def test_influence_zones_do_not_overlap():
    g = to_local(np.asarray(_zones().geometry.values))
    for i in range(3):
        for j in range(i + 1, 3):
            assert shapely.distance(g[i], g[j]) > 2000  # two 1 km influence distances
