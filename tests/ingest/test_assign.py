"""ingest.assign without a database: point-in-polygon rules, zone choice, missing region."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ingest.assign import Geography, Layer, ZoneLayer, place_matters
from ingest.rejects import RowErrors


def _geo(with_counties: bool = True) -> Geography:
    box = shapely.box
    return Geography(
        township_of={"430602001": "430602001", "430602002": "430602002"},
        county_of={"430602001": "430602", "430602002": "430602"},
        counties=Layer.build(["430602"], [box(113.0, 29.0, 113.2, 29.2)]) if with_counties
        else None,
        townships=Layer.build(["430602001", "430602002"],
                              [box(113.0, 29.0, 113.1, 29.2), box(113.1, 29.0, 113.2, 29.2)]),
        villages=None,
        # Two zones 2 km apart; zone B reaches 3 km, zone A 1 km.
        zones=ZoneLayer.build(["A", "B"], [box(113.02, 29.05, 113.03, 29.06),
                                           box(113.0506, 29.05, 113.0606, 29.06)],
                              [1000.0, 3000.0]),
        zone_codes=frozenset({"A", "B"}),
    )


def _typed(points) -> pd.DataFrame:
    n = len(points)
    return pd.DataFrame({"lon": [p[0] for p in points], "lat": [p[1] for p in points],
                         "area_code": pd.Series([None] * n, dtype=object),
                         "project_zone": pd.Series([None] * n, dtype=object)})


def _errors(n: int) -> RowErrors:
    return RowErrors(np.arange(2, n + 2), {"matter_no": pd.Series([f"M{i}" for i in range(n)])},
                     {})


def test_shared_edges_go_to_the_lower_code_and_zones_to_the_nearest_in_reach():
    points = [(113.1, 29.1),  # on the edge of both townships
              (113.025, 29.055),  # inside zone A (B is 2 km away, within its 3 km reach)
              (113.045, 29.055),  # ~1.5 km from A (out of its reach), ~0.5 km from B
              (113.035, 29.055)]  # ~0.5 km from A, ~1.5 km from B: nearest wins
    errors = _errors(len(points))
    out = place_matters(_typed(points), errors, _geo(), "wgs84")
    assert errors.count == 0
    assert out["township_code"].tolist()[0] == "430602001"
    assert out["zone_code"].tolist()[1:] == ["A", "B", "A"]


def test_without_county_boundaries_points_are_rejected_and_a_warning_says_why():
    geo = _geo(with_counties=False)
    errors = _errors(1)
    place_matters(_typed([(113.05, 29.1)]), errors, geo, "wgs84")
    assert errors.count == 1
    assert errors.frame()["reason_en"].tolist() == ["point outside the configured region"]
    assert geo.warnings == []  # warnings come from load_geography, checked below


def test_load_geography_warns_when_no_county_polygon_is_stored():
    class Cursor:
        def __init__(self):
            self.results = [[("430602001", "township", "430602", "430602", None)], []]

        def execute(self, _sql):
            pass

        def fetchall(self):
            return self.results.pop(0)

    from ingest.assign import load_geography

    geo = load_geography(Cursor())
    assert geo.counties is None and geo.county_of == {"430602001": "430602"}
    assert geo.warnings == ["未加载县级边界（请先运行 init-geo），带经纬度的行将被拒绝 / "
                            "no county boundaries loaded (run init-geo): rows with lon/lat "
                            "will be rejected"]
