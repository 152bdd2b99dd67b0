"""GCJ-02 <-> WGS84: agrees with prcoords, round-trips to far below a centimetre."""

import numpy as np
import prcoords
import pytest
import shapely
from pyproj import Geod

from geo.coords import (
    gcj02_to_wgs84,
    gcj02_to_wgs84_geometry,
    wgs84_to_gcj02,
    wgs84_to_gcj02_geometry,
)

GEOD = Geod(ellps="WGS84")


def _points(n=500, seed=7):
    rng = np.random.default_rng(seed)
    # Yueyang, plus the whole of China's box (the offset varies a lot across it).
    lon = np.concatenate([rng.uniform(112.3, 114.2, n), rng.uniform(75, 134, n)])
    lat = np.concatenate([rng.uniform(28.4, 29.9, n), rng.uniform(18, 53, n)])
    return lon, lat


def _metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def test_forward_matches_prcoords_exactly():
    lon, lat = _points()
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    ref = np.array([prcoords.wgs_gcj((la, lo)) for lo, la in zip(lon, lat, strict=True)])
    assert np.max(np.abs(g_lat - ref[:, 0])) < 1e-12
    assert np.max(np.abs(g_lon - ref[:, 1])) < 1e-12


def test_inverse_matches_prcoords_bored_within_a_centimetre():
    lon, lat = _points()
    w_lon, w_lat = gcj02_to_wgs84(lon, lat)
    ref = np.array([prcoords.gcj_wgs_bored((la, lo)) for lo, la in zip(lon, lat, strict=True)])
    # prcoords stops iterating at 1e-5° of residual, so it is the less exact of the two.
    assert np.max(_metres(w_lon, w_lat, ref[:, 1], ref[:, 0])) < 0.01


@pytest.mark.parametrize("direction", ["gcj_first", "wgs_first"])
def test_round_trip_error_far_below_a_centimetre(direction):
    lon, lat = _points(2000, seed=11)
    if direction == "gcj_first":
        back = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    else:
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    err = _metres(lon, lat, back[0], back[1])
    assert np.max(err) < 1e-3  # a millimetre; the budget is 1 cm


def test_offset_in_yueyang_is_six_to_seven_hundred_metres():
    lon, lat = _points(500)
    w_lon, w_lat = gcj02_to_wgs84(lon[:500], lat[:500])
    shift = _metres(lon[:500], lat[:500], w_lon, w_lat)
    assert 550 < shift.min() and shift.max() < 720


def test_outside_china_is_unchanged():
    lon, lat = np.array([2.35, -74.0, 139.7]), np.array([48.85, 40.7, 35.7])
    for f in (gcj02_to_wgs84, wgs84_to_gcj02):
        out = f(lon, lat)
        assert np.array_equal(out[0], lon) and np.array_equal(out[1], lat)


def test_scalars_and_shape_mismatch():
    lon, lat = gcj02_to_wgs84(113.1, 29.37)
    assert np.shape(lon) == () and 113.09 < float(lon) < 113.1
    with pytest.raises(ValueError, match="shape"):
        gcj02_to_wgs84([1.0, 2.0], [3.0])


def test_geometry_helper_converts_every_vertex_and_round_trips():
    poly = shapely.box(113.05, 29.30, 113.20, 29.42)
    wgs = gcj02_to_wgs84_geometry(poly)
    expected = np.column_stack(gcj02_to_wgs84(*shapely.get_coordinates(poly).T))
    assert np.array_equal(shapely.get_coordinates(wgs), expected)
    back = wgs84_to_gcj02_geometry(wgs)
    assert np.max(np.abs(shapely.get_coordinates(back) - shapely.get_coordinates(poly))) < 1e-10


def test_yueyanglou_centroid_moves_about_six_hundred_metres():
    from geo.boundaries import cnmaps_geometry

    raw = cnmaps_geometry("430602", wgs84=False)
    converted = gcj02_to_wgs84_geometry(raw)
    a, b = raw.centroid, converted.centroid
    moved_km = _metres(a.x, a.y, b.x, b.y) / 1000
    assert 0.5 < moved_km < 0.75
    # Here GCJ-02 is pushed east (and a little south): the WGS84 outline sits west of it.
    assert _metres(a.x, a.y, b.x, a.y) / 1000 > 0.5 and b.x < a.x
