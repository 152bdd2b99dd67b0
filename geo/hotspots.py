"""Hotspots of petition matters: the Getis-Ord Gi* local statistic on villages.

For each village i, Gi* compares the sum of the values in its neighbourhood (the village
itself and its neighbours) with what the whole study area would give at random (Getis & Ord
1992; Ord & Getis 1995, eq. 14; the same statistic as ArcGIS "Hot Spot Analysis" and PySAL
``esda.G_Local(star=True)``):

    Gi* = (Σj wij xj − x̄ Σj wij) / (S √((n Σj wij² − (Σj wij)²) / (n − 1)))

with x̄ and S the mean and standard deviation of all n values. Gi* is a z-score; the two-sided
p-value comes from the normal distribution. A village is a hot spot at 99/95/90 % confidence
when z > 0 and p < 0.01/0.05/0.10, a cold spot when z < 0, otherwise not significant.

Weights: binary contiguity (queen: sharing any boundary point; rook: sharing a stretch of
boundary) computed by PostGIS (``queries.maps.village_adjacency``), or a distance band on
village centroids. A village without neighbours is left out of the classes ("no neighbours").

Why not PySAL: ``esda`` 2.9 + ``libpysal`` install cleanly from PyPI but pull in scipy and
scikit-learn (with joblib and threadpoolctl, about 170 MB installed) for what is here a
vectorised formula over a sparse 0/1 matrix; the analytical z-scores below need numpy and
``math.erfc`` only. They were checked against ``esda.G_Local(star=True, transform="B")``'s
analytical ``Zs`` (esda 2.9.0, libpysal 4.14.1, in a scratch venv) on a 12×12 queen grid with
a planted cluster: largest difference 9e-16. PySAL's permutation pseudo p-values are not
reproduced (the analytical ones are what ArcGIS reports too).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

METHOD = "Getis-Ord Gi*"
CLASSES = ("hot99", "hot95", "hot90", "cold99", "cold95", "cold90", "ns", "island")
LEVELS = ((0.01, "99"), (0.05, "95"), (0.10, "90"))
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Weights:
    """Binary spatial weights as neighbour index arrays (without the unit itself)."""

    codes: tuple[str, ...]
    neighbours: tuple[np.ndarray, ...]
    kind: str  # queen | rook | distance

    @property
    def n(self) -> int:
        return len(self.codes)

    def cardinalities(self) -> np.ndarray:
        return np.array([len(nb) for nb in self.neighbours], dtype=int)


def weights_from_pairs(codes: Sequence[str], pairs: Iterable[tuple[str, str]],
                       kind: str = "queen") -> Weights:
    """Symmetric binary weights from neighbour pairs (unordered; unknown codes ignored)."""
    index = {c: i for i, c in enumerate(codes)}
    nbs: list[set[int]] = [set() for _ in codes]
    for a, b in pairs:
        ia, ib = index.get(a), index.get(b)
        if ia is None or ib is None or ia == ib:
            continue
        nbs[ia].add(ib)
        nbs[ib].add(ia)
    return Weights(tuple(codes), tuple(np.array(sorted(s), dtype=int) for s in nbs), kind)


def distance_band(codes: Sequence[str], lon: Sequence[float], lat: Sequence[float],
                  threshold_m: float) -> Weights:
    """Binary weights: units whose points lie within ``threshold_m`` metres (haversine)."""
    lon_r = np.radians(np.asarray(lon, dtype=float))
    lat_r = np.radians(np.asarray(lat, dtype=float))
    dlat = lat_r[:, None] - lat_r[None, :]
    dlon = lon_r[:, None] - lon_r[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat_r)[:, None] * np.cos(lat_r)[None, :] \
        * np.sin(dlon / 2) ** 2
    dist = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    near = dist <= threshold_m
    np.fill_diagonal(near, False)
    return Weights(tuple(codes), tuple(np.flatnonzero(row) for row in near), "distance")


def gi_star(values: Sequence[float], weights: Weights) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided normal p-values, one per unit of ``weights``.

    ``values`` are aligned with ``weights.codes`` and finite. Units without neighbours get
    NaN. With fewer than 3 units, or all values equal, every z is 0 and every p is 1.
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    if n != weights.n:
        raise ValueError("values and weights differ in length")
    if not np.all(np.isfinite(x)):
        raise ValueError("values must be finite (drop units without a value first)")
    z = np.zeros(n)
    p = np.ones(n)
    if n < 3:
        return z, p
    mean = x.mean()
    s = math.sqrt(max((x * x).mean() - mean * mean, 0.0))
    card = weights.cardinalities()
    if s == 0:
        z[card == 0], p[card == 0] = np.nan, np.nan
        return z, p
    local = np.array([x[i] + x[nb].sum() for i, nb in enumerate(weights.neighbours)])
    w = card + 1.0  # Σj wij with wii = 1 (the "star")
    num = local - mean * w
    den = s * np.sqrt(np.maximum(n * w - w * w, 0.0) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(den > 0, num / den, 0.0)
    p = np.array([math.erfc(abs(v) / math.sqrt(2)) for v in z])
    z[card == 0], p[card == 0] = np.nan, np.nan
    return z, p


def classify(z: Sequence[float], p: Sequence[float]) -> list[str]:
    """``hot99``…``cold90`` by sign and p-value, ``ns`` otherwise, ``island`` for NaN."""
    out = []
    for zi, pi in zip(z, p, strict=True):
        if zi is None or pi is None or math.isnan(zi) or math.isnan(pi):
            out.append("island")
            continue
        label = "ns"
        for alpha, name in LEVELS:
            if pi < alpha and zi != 0:
                label = ("hot" if zi > 0 else "cold") + name
                break
        out.append(label)
    return out


def hotspots(values: pd.Series, weights: Weights) -> pd.DataFrame:
    """Gi* for ``values`` (indexed by code): a frame indexed by code with value, z, p, class.

    Units whose value is missing (no population for a rate) are dropped together with their
    links before the statistic is computed.
    """
    v = values.reindex(list(weights.codes)).astype(float)
    keep = np.flatnonzero(np.isfinite(v.to_numpy()))
    if len(keep) < len(v):
        remap = {old: new for new, old in enumerate(keep)}
        weights = Weights(
            tuple(weights.codes[i] for i in keep),
            tuple(np.array([remap[j] for j in weights.neighbours[i] if j in remap], dtype=int)
                  for i in keep),
            weights.kind)
        v = v.iloc[keep]
    z, p = gi_star(v.to_numpy(), weights)
    return pd.DataFrame({"value": v.to_numpy(), "z": z, "p": p, "class": classify(z, p),
                         "neighbours": weights.cardinalities()},
                        index=pd.Index(weights.codes, name="code"))
