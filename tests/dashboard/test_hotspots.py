"""Getis-Ord Gi* on a hand-made grid with a known hot cluster."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.hotspots import classify, distance_band, gi_star, hotspots, weights_from_pairs

N = 8  # an 8×8 grid of cells "rrcc"


def code(r: int, c: int) -> str:
    return f"{r:02d}{c:02d}"


def grid_pairs(kind: str) -> list[tuple[str, str]]:
    steps = [(0, 1), (1, 0)] + ([(1, 1), (1, -1)] if kind == "queen" else [])
    pairs = []
    for r in range(N):
        for c in range(N):
            for dr, dc in steps:
                if 0 <= r + dr < N and 0 <= c + dc < N:
                    pairs.append((code(r, c), code(r + dr, c + dc)))
    return pairs


CODES = [code(r, c) for r in range(N) for c in range(N)]
HOT = {code(r, c) for r in range(1, 4) for c in range(1, 4)}  # a 3×3 block near a corner
rng = np.random.default_rng(5)
VALUES = pd.Series({c: (20.0 if c in HOT else 2.0) + rng.uniform(0, 1) for c in CODES})


@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_the_planted_cluster_is_hot_and_the_far_corner_is_not(kind):
    w = weights_from_pairs(CODES, grid_pairs(kind), kind)
    res = hotspots(VALUES, w)
    assert res.loc[code(2, 2), "class"] == "hot99"  # the centre of the block
    assert all(res.loc[c, "class"].startswith("hot") for c in (code(1, 2), code(2, 1)))
    far = [code(r, c) for r in range(5, 8) for c in range(5, 8)]
    assert not any(res.loc[c, "class"].startswith("hot") for c in far)
    assert res["z"].idxmax() == code(2, 2)


def test_matches_the_formula_by_hand():
    w = weights_from_pairs(CODES, grid_pairs("queen"))
    z, p = gi_star(VALUES.to_numpy(), w)
    i = CODES.index(code(0, 0))  # a corner: itself + 3 queen neighbours
    x = VALUES.to_numpy()
    n, mean = len(x), x.mean()
    s = math.sqrt((x ** 2).mean() - mean ** 2)
    members = [code(0, 0), code(0, 1), code(1, 0), code(1, 1)]
    local = VALUES[members].sum()
    wi = 4.0
    expected = (local - mean * wi) / (s * math.sqrt((n * wi - wi ** 2) / (n - 1)))
    assert z[i] == pytest.approx(expected, rel=1e-12)
    assert p[i] == pytest.approx(math.erfc(abs(expected) / math.sqrt(2)), rel=1e-12)


def test_classes_follow_sign_and_p():
    assert classify([3.0, 2.0, 1.7, -3.0, -2.0, -1.7, 0.5, float("nan")],
                    [0.005, 0.03, 0.08, 0.005, 0.03, 0.08, 0.6, float("nan")]) == [
        "hot99", "hot95", "hot90", "cold99", "cold95", "cold90", "ns", "island"]


def test_constant_values_and_islands():
    w = weights_from_pairs(["a", "b", "c", "d"], [("a", "b"), ("b", "c")])
    z, p = gi_star([1.0, 1.0, 1.0, 1.0], w)
    assert list(z[:3]) == [0, 0, 0] and list(p[:3]) == [1, 1, 1]
    assert math.isnan(z[3])  # "d" has no neighbour
    res = hotspots(pd.Series({"a": 5.0, "b": 1.0, "c": 2.0, "d": 9.0}), w)
    assert res.loc["d", "class"] == "island"


def test_missing_values_are_dropped_with_their_links():
    w = weights_from_pairs(CODES, grid_pairs("rook"))
    values = VALUES.copy()
    values[code(7, 7)] = float("nan")  # a village without population: no rate
    res = hotspots(values, w)
    assert code(7, 7) not in res.index and len(res) == N * N - 1
    assert res.loc[code(7, 6), "neighbours"] == 2  # lost its link to (7, 7)


def test_distance_band_weights():
    lon = [113.0, 113.005, 113.2]
    lat = [29.0, 29.0, 29.0]
    w = distance_band(["a", "b", "c"], lon, lat, threshold_m=1000)  # a–b ≈ 486 m
    assert [list(nb) for nb in w.neighbours] == [[1], [0], []]
