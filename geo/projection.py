"""A local metric, equal-area projection for Yueyang, for areas, buffers and distances.

Lambert azimuthal equal-area centred on the city: areas are exact (so area checks and km²
figures are meaningful) and within the city (~1.5° across) shapes and distances are distorted
by well under 0.5 %, good enough for metre buffers around project zones.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer

LOCAL_CRS = CRS.from_proj4(
    "+proj=laea +lat_0=29.1 +lon_0=113.2 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs")


@lru_cache(maxsize=2)
def _transformer(inverse: bool) -> Transformer:
    src, dst = ("EPSG:4326", LOCAL_CRS) if not inverse else (LOCAL_CRS, "EPSG:4326")
    return Transformer.from_crs(src, dst, always_xy=True)


def _apply(geom, inverse: bool):
    tr = _transformer(inverse)

    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def to_local(geom):
    """Project a WGS84 (lon/lat) shapely geometry, or an array of them, to the local metres."""
    return _apply(geom, inverse=False)


def from_local(geom):
    """Inverse of :func:`to_local`: local metres back to WGS84 lon/lat."""
    return _apply(geom, inverse=True)


# Stored edges are straight in lon/lat, and a long one is slightly curved once projected; adding
# vertices every ~20 m before projecting makes areas agree to ~1e-10 between a polygon and
# the cells that split its edges.
DENSIFY_DEG = 0.0002


def area_km2(geom) -> float | np.ndarray:
    """Area in km² of a WGS84 geometry (or array), measured in the equal-area projection."""
    return shapely.area(to_local(shapely.segmentize(geom, DENSIFY_DEG))) / 1e6
