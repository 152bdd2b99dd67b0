"""Schematic township and village cells: a deterministic partition of the parent unit.

No open township or village polygons exist for Yueyang (DESIGN §6), so each unit gets a cell
inside its real parent: urban units (街道 among townships, 社区 among villages) small and near
the middle, rural ones (镇, 乡, 村 and the rest) large and outside. The cells cover the parent
exactly, without overlaps or gaps, so point-in-polygon assignment is unambiguous.

Method, per parent, in a "true shape" plane (longitudes scaled by cos(latitude)):

1. Sample points uniformly inside the parent. Split them into a central disc holding the urban
   units' target share of the area and the rest; k-means in each places the first seeds.
2. Balance a capacity-constrained power diagram (Balzer et al. 2009): alternate Lloyd steps
   with weight updates until every unit holds its target share of the samples. A plain Voronoi
   diagram cannot do this: its edges lie half way between seeds, so a small urban cell next to
   a large rural one always grows.
3. Build the cells exactly: clip convex power cells by half-planes, node their edges together
   with the parent's boundary, polygonize, and give every face inside the parent to the unit
   with the least power distance at a point of that face. Faces of one noded arrangement share
   their edges exactly, so the cells cover the parent without overlaps or gaps.
4. If a unit's cell came out empty (possible for a power diagram in a concave parent), fall
   back to the plain Voronoi cells of the step-1 seeds: they are samples inside the parent, so
   no cell can be empty. A part cut off by a bay of the parent joins its main neighbour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geo.boundaries import COLUMNS, split_integer

# Target area of a rural cell relative to an urban one; each unit's target is also jittered
# (lognormal) so that cells are not all alike.
OUTER_AREA_RATIO = 5.0
TARGET_JITTER = 0.25
# Residents per km² in urban units relative to rural ones, for splitting populations.
URBAN_DENSITY_RATIO = {"township": 8.0, "village": 5.0}
# Coverage tolerance: cell areas must add up to the parent's to this relative error.
AREA_RTOL = 1e-9

SCHEMATIC_SOURCE = ("schematic cell (power diagram inside the parent unit); real NBS code and "
                    "name, codes as of 2022-10-31; not a surveyed boundary")

_SAMPLES_PER_CELL = 40
_MIN_SAMPLES = 1000
_KMEANS_ITER = 10
_BALANCE_ITER = 40
_BALANCE_TOL = 0.05  # relative error of every unit's sample share that ends the balancing
_BASE_SEED = 20221031  # the NBS data date; any constant keeps the cells reproducible


class TessellationError(RuntimeError):
    """The cells of a parent failed the coverage checks (a bug, not a data problem)."""


def is_urban_township(code: str) -> bool:
    """街道: digits 7–9 of the NBS code in 001–099 (100–199 镇, 200–399 乡, 400+ others)."""
    return 1 <= int(code[6:9]) <= 99


def is_urban_village(code: str) -> bool:
    """社区/居委会: digits 10–12 of the NBS code below 200 (200–399 村, 400+ others)."""
    return int(code[9:12]) < 200


def seed_for(parent_code: str) -> int:
    """The random seed of a parent's cells: fixed per parent, so its cells do not depend on
    which other parents are built."""
    return _BASE_SEED + int(parent_code)


# --- sampling and seeds --------------------------------------------------------------------


def _sample_inside(parent, n: int, rng: np.random.Generator) -> np.ndarray:
    shapely.prepare(parent)
    minx, miny, maxx, maxy = parent.bounds
    out: list[np.ndarray] = []
    have = 0
    for _ in range(200):
        x = rng.uniform(minx, maxx, 2 * n)
        y = rng.uniform(miny, maxy, 2 * n)
        inside = shapely.contains_xy(parent, x, y)
        out.append(np.column_stack([x[inside], y[inside]]))
        have += int(inside.sum())
        if have >= n:
            break
    pts = np.concatenate(out)[:n]
    if len(pts) < n:
        raise TessellationError("could not sample points inside the parent polygon")
    return pts


def _sq_dist(pts: np.ndarray, centres: np.ndarray) -> np.ndarray:
    # |p|² - 2 p·c + |c|²: one matrix product instead of an (n, k, 2) temporary.
    return ((pts ** 2).sum(axis=1)[:, None] - 2.0 * pts @ centres.T
            + (centres ** 2).sum(axis=1)[None, :])


def _kmeans_seeds(pts: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k well-spread seed points, each one of ``pts`` (so inside the parent, even if concave)."""
    if k <= 0:
        return np.empty((0, 2))
    if k >= len(pts):
        return pts[:k].copy()
    centres = pts[rng.choice(len(pts), size=k, replace=False)]
    labels = np.full(len(pts), -1, dtype=np.int64)
    for _ in range(_KMEANS_ITER):
        d2 = _sq_dist(pts, centres)
        new_labels = d2.argmin(axis=1)
        counts = np.bincount(new_labels, minlength=k)
        empty = np.flatnonzero(counts == 0)
        if len(empty):  # re-seed an empty cluster at the worst-served sample
            worst = np.argsort(-d2[np.arange(len(pts)), new_labels])[: len(empty)]
            centres[empty] = pts[worst]
            continue
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        centres = np.column_stack([
            np.bincount(labels, weights=pts[:, 0], minlength=k) / counts,
            np.bincount(labels, weights=pts[:, 1], minlength=k) / counts])
    # A cluster's mean can fall outside a concave parent: snap it to its nearest own sample.
    d2 = _sq_dist(pts, centres)
    labels = d2.argmin(axis=1)
    own = np.where(labels[:, None] == np.arange(k)[None, :], d2, np.inf)
    nearest = np.where(np.isfinite(own.min(axis=0)), own.argmin(axis=0), d2.argmin(axis=0))
    seeds = pts[nearest].copy()
    # Two clusters can snap to the same sample: replace repeats by unused samples.
    _, first = np.unique(seeds, axis=0, return_index=True)
    if len(first) < k:
        taken = {tuple(s) for s in seeds[np.sort(first)]}
        spare = (p for p in pts if tuple(p) not in taken)
        for j in sorted(set(range(k)) - set(first.tolist())):
            seeds[j] = next(spare)
    return seeds


def _centre(parent, scale: float) -> np.ndarray:
    # The centre of the largest inscribed circle: inside the parent whatever its shape.
    tol = max(parent.bounds[2] - parent.bounds[0], parent.bounds[3] - parent.bounds[1]) / 200
    line = shapely.maximum_inscribed_circle(parent, tol)
    x, y = shapely.get_coordinates(line)[0]
    return np.array([x * scale, y])


def _initial_seeds(pts: np.ndarray, urban: np.ndarray, targets: np.ndarray, centre: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """Seeds (one per child, among ``pts``): urban ones in a central disc, rural ones outside."""
    n = len(urban)
    n_in = int(urban.sum())
    if n_in in (0, n):
        return _kmeans_seeds(pts, n, rng)
    seeds = np.empty((n, 2))
    share = targets[urban].sum() / targets.sum()
    dist = np.hypot(*(pts - centre).T)
    inner = dist <= np.quantile(dist, share)
    for mask, which in ((inner, urban), (~inner, ~urban)):
        k = int(which.sum())
        found = _kmeans_seeds(pts[mask] if mask.sum() >= k else pts, k, rng)
        # Within a group, nearest the centre first: code order runs from the middle out.
        seeds[np.flatnonzero(which)] = found[np.argsort(np.hypot(*(found - centre).T),
                                                        kind="stable")]
    return seeds


def _balance(pts: np.ndarray, seeds: np.ndarray, targets: np.ndarray,
             area: float) -> tuple[np.ndarray, np.ndarray]:
    """Capacity-constrained power diagram on the samples: ``(seeds, weights)`` such that each
    unit holds about its target share of the samples (the best state reached is returned)."""
    seeds = seeds.copy()
    t = targets / targets.sum()
    # Counts are whole numbers: allow one sample of slack on small cells.
    slack = np.maximum(_BALANCE_TOL * t * len(pts), 1.0)
    w = np.zeros(len(seeds))
    best = (np.inf, seeds.copy(), w.copy())
    for _ in range(_BALANCE_ITER):
        # argmin_i |p - s_i|² - w_i  =  argmin_i |s_i|² - w_i - 2 p·s_i  (|p|² is common)
        labels = ((seeds ** 2).sum(axis=1) - w - 2.0 * pts @ seeds.T).argmin(axis=1)
        counts = np.bincount(labels, minlength=len(seeds))
        share = counts / len(pts)
        err = float(np.max(np.abs(share - t) * len(pts) / slack))
        if err < best[0]:
            best = (err, seeds.copy(), w.copy())
        if err <= 1.0:
            break
        # Raising a weight by δ moves the cell's edges out by about δ / (2 · seed spacing),
        # gaining roughly δ of area; a step of 0.4 of the shortfall converges without
        # oscillating (0.8 oscillates).
        w += 0.4 * (t - share) * area
        w -= w.mean()
        held = counts > 0
        mx = np.bincount(labels, weights=pts[:, 0], minlength=len(seeds))
        my = np.bincount(labels, weights=pts[:, 1], minlength=len(seeds))
        # Damped Lloyd step (half way to the centroid of the samples held) keeps it stable.
        seeds[held, 0] = 0.5 * seeds[held, 0] + 0.5 * mx[held] / counts[held]
        seeds[held, 1] = 0.5 * seeds[held, 1] + 0.5 * my[held] / counts[held]
    return best[1], best[2]


# --- exact cells ---------------------------------------------------------------------------


def _clip(poly: list[tuple[float, float]], ax: float, ay: float, b: float,
          ) -> list[tuple[float, float]]:
    """Convex polygon clipped to the half-plane ax·x + ay·y <= b (Sutherland–Hodgman).

    Plain floats: for a handful of vertices this is several times faster than numpy.
    """
    f = [ax * x + ay * y - b for x, y in poly]
    out = []
    k = len(poly)
    for i in range(k):
        j = (i + 1) % k
        if f[i] <= 0:
            out.append(poly[i])
        if (f[i] <= 0) != (f[j] <= 0):
            t = f[i] / (f[i] - f[j])
            (xi, yi), (xj, yj) = poly[i], poly[j]
            out.append((xi + (xj - xi) * t, yi + (yj - yi) * t))
    return out


def _power_cells(seeds: np.ndarray, w: np.ndarray, box: tuple[float, float, float, float],
                 ) -> list[np.ndarray]:
    minx, miny, maxx, maxy = box
    frame = [(minx, miny), (maxx, miny), (maxx, maxy), (minx, maxy)]
    sq = (seeds ** 2).sum(axis=1)
    base = sq - w
    # Vertices made by a clip sit on its line up to rounding: ignore excesses below this.
    eps = 1e-12 * ((maxx - minx) ** 2 + (maxy - miny) ** 2)
    cells = []
    for i in range(len(seeds)):
        poly = frame
        used = np.zeros(len(seeds), dtype=bool)
        used[i] = True
        # Clip only by units that still own part of the polygon, worst offender first: about
        # as many clips as the cell has edges, instead of one per unit.
        while poly:
            power = base - 2.0 * np.asarray(poly) @ seeds.T  # less |x|², common to all
            excess = (power[:, [i]] - power).max(axis=0)
            excess[used] = 0.0
            j = int(excess.argmax())
            if excess[j] <= eps:
                break
            used[j] = True
            # power(x, i) <= power(x, j)  <=>  2x·(s_j - s_i) <= |s_j|² - |s_i|² - w_j + w_i
            a = 2.0 * (seeds[j] - seeds[i])
            poly = _clip(poly, float(a[0]), float(a[1]), float(sq[j] - sq[i] - w[j] + w[i]))
        cells.append(np.asarray(poly, dtype=float).reshape(-1, 2))
    return cells


def _polygons(geom) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in _polygons(g)]


def _interior_points(faces: np.ndarray) -> np.ndarray:
    """A point strictly inside each face (off every edge, so its owner is unambiguous)."""
    reps = shapely.point_on_surface(faces)
    # point_on_surface can return a boundary point of an odd face: use the centroid of the
    # face's largest triangle instead, which is strictly inside.
    for i in np.flatnonzero(~shapely.contains_properly(faces, reps)):
        triangles = shapely.get_parts(shapely.constrained_delaunay_triangles(faces[i]))
        reps[i] = shapely.centroid(triangles[np.argmax(shapely.area(triangles))])
    return reps


def _assemble(parent, rings: list[np.ndarray], seeds: np.ndarray, w: np.ndarray,
              scale: float) -> list[list[Polygon]]:
    """Faces of the noded (cell edges + parent boundary) arrangement inside the parent, each
    given to the unit with the least power distance at a point inside the face."""
    lines = [parent.boundary]
    for ring in rings:
        if len(ring) >= 3:
            xy = np.vstack([ring, ring[:1]])
            lines.append(shapely.linestrings(xy[:, 0] / scale, xy[:, 1]))
    noded = shapely.union_all(np.asarray(lines, dtype=object))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    reps = _interior_points(faces)
    shapely.prepare(parent)
    inside = shapely.contains(parent, reps)
    faces, reps = faces[inside], reps[inside]
    xy = shapely.get_coordinates(reps)
    xy[:, 0] *= scale
    owner = (_sq_dist(xy, seeds) - w).argmin(axis=1)
    cells: list[list[Polygon]] = []
    for i in range(len(seeds)):
        mine = faces[owner == i]
        if len(mine) <= 1:
            cells.append(_polygons(mine[0]) if len(mine) else [])
        else:
            cells.append(_polygons(shapely.coverage_union_all(mine)))
    return cells


def _shared_length(a, b) -> float:
    return shapely.intersection(a.boundary, b.boundary).length


def _best_neighbour(cells: list[list[Polygon]], i: int, part: Polygon) -> int:
    best, best_len = i, 0.0
    for other, other_parts in enumerate(cells):
        if other == i:
            continue
        for op in other_parts:
            if op.envelope.intersects(part.envelope):
                length = _shared_length(part, op)
                if length > best_len:
                    best, best_len = other, length
    return best


def _absorb_detached(cells: list[list[Polygon]]) -> list[list[Polygon]]:
    """Give each part of a cell but its largest to the neighbour it shares most border with
    (a cell can cross a bay of a concave parent and come out in pieces).

    A part touching no other cell (an island of the parent) stays where it is.
    """
    for _ in range(3):  # a gift can land next to a part that itself moves: settle again
        keep: list[list[Polygon]] = [[] for _ in cells]
        gifts: list[list[Polygon]] = [[] for _ in cells]
        for i, parts in enumerate(cells):
            if len(parts) < 2:
                keep[i] = list(parts)
                continue
            home = int(np.argmax([p.area for p in parts]))
            for j, part in enumerate(parts):
                target = i if j == home else _best_neighbour(cells, i, part)
                (keep if target == i else gifts)[target].append(part)
        if not any(gifts):
            return cells
        cells = [_polygons(shapely.union_all(keep[i] + gifts[i])) if gifts[i] else keep[i]
                 for i in range(len(cells))]
    return cells


def _check_cover(parent, cells: list[MultiPolygon]) -> None:
    total = float(shapely.area(np.asarray(cells, dtype=object)).sum())
    if abs(total - parent.area) > AREA_RTOL * parent.area:
        raise TessellationError(
            f"cells cover {total!r} but the parent has {parent.area!r} (square degrees)")


# --- public --------------------------------------------------------------------------------


def tessellate(parent, urban: Sequence[bool], seed: int) -> list[MultiPolygon]:
    """Partition ``parent`` (WGS84 Polygon/MultiPolygon) into one cell per child.

    ``urban[i]`` marks child ``i`` as urban (small, central cell). The result is in the order of
    ``urban``; every cell is a non-empty MultiPolygon, the cells do not overlap and their areas
    add up to the parent's within :data:`AREA_RTOL` (checked; :class:`TessellationError` if not).
    The same ``seed`` gives the same cells.
    """
    urban = np.asarray(urban, dtype=bool)
    n = len(urban)
    if n == 0:
        return []
    if n == 1:
        return [MultiPolygon(_polygons(parent))]
    rng = np.random.default_rng(seed)
    # Work in true shape: degrees of longitude are cos(lat) shorter than degrees of latitude.
    scale = float(np.cos(np.radians(parent.centroid.y)))
    pts = _sample_inside(parent, max(_MIN_SAMPLES, _SAMPLES_PER_CELL * n), rng)
    pts[:, 0] *= scale
    targets = np.where(urban, 1.0, OUTER_AREA_RATIO) * rng.lognormal(0.0, TARGET_JITTER, n)
    start = _initial_seeds(pts, urban, targets, _centre(parent, scale), rng)
    minx, miny, maxx, maxy = parent.bounds
    margin = max(maxx - minx, maxy - miny)
    box = (minx * scale - margin, miny - margin, maxx * scale + margin, maxy + margin)

    seeds, w = _balance(pts, start, targets, parent.area * scale)
    cells = _assemble(parent, _power_cells(seeds, w, box), seeds, w, scale)
    if not all(cells):
        seeds, w = start, np.zeros(n)
        cells = _assemble(parent, _power_cells(seeds, w, box), seeds, w, scale)
    cells = _absorb_detached(cells)
    result = []
    for i, cell_parts in enumerate(cells):
        if not cell_parts:
            raise TessellationError(f"cell {i} came out empty")
        result.append(MultiPolygon(cell_parts))
    _check_cover(parent, result)
    return result


def build_cells(parents: gpd.GeoDataFrame, children: pd.DataFrame, parent_field: str,
                level: str, is_urban: Callable[[str], bool]) -> gpd.GeoDataFrame:
    """Schematic cells and estimated populations for ``children`` of ``parents``.

    ``parents``: GeoDataFrame with ``code``, ``county_code``, ``population`` and geometry.
    ``children``: ``code``, ``name`` and ``parent_field`` (the parent's code). Returns admin_unit
    rows (see ``geo.boundaries.COLUMNS``) for ``level``, ordered by code. Each parent's
    population is split over its children in proportion to cell area, urban cells weighted
    :data:`URBAN_DENSITY_RATIO` times denser; every such population is flagged estimated.
    """
    parents = parents.set_index("code")
    missing = sorted(set(children[parent_field]) - set(parents.index))
    if missing:
        raise ValueError(f"{level} rows refer to unknown parents {missing[:5]}")
    rows = []
    for parent_code, group in children.sort_values("code").groupby(parent_field, sort=True):
        parent = parents.loc[parent_code]
        urban = np.array([is_urban(c) for c in group["code"]])
        cells = tessellate(parent.geometry, urban, seed_for(parent_code))
        weights = shapely.area(np.asarray(cells, dtype=object)) * np.where(
            urban, URBAN_DENSITY_RATIO[level], 1.0)
        pop = parent.get("population")
        pops = (split_integer(int(pop), weights) if pop is not None and not pd.isna(pop)
                else [None] * len(cells))
        county = parent.get("county_code") or parent_code
        for (code, name), cell, p in zip(group[["code", "name"]].itertuples(index=False),
                                         cells, pops, strict=True):
            rows.append(dict(code=code, name=name, level=level, parent_code=parent_code,
                             county_code=county, population=None if p is None else int(p),
                             population_estimated=True, is_synthetic=True,
                             source=SCHEMATIC_SOURCE, geometry=cell))
    out = gpd.GeoDataFrame(rows, columns=COLUMNS, geometry="geometry", crs="EPSG:4326")
    return out.sort_values("code", ignore_index=True)
