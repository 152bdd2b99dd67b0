"""The one query the briefing reads its backlog and package lists with returns exactly what
``queries.backlog.status_frame`` and ``queries.accountability.packages_frame`` return."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.briefing.conftest import AS_OF, TOWN

COLUMNS = ["id", "matter_no", "township_code", "responsible_unit", "backlog_since",
           "package_gap", "leader", "leader_level", "days_over", "upper_n"]


def _rows(frame: pd.DataFrame, cols: list[str]) -> list[tuple]:
    """The frame's rows as plain tuples (None for every kind of missing), sorted by id."""
    out = []
    for r in frame[cols].to_dict("records"):
        out.append(tuple(None if v is None or (not isinstance(v, str) and pd.isna(v)) else v
                         for v in r.values()))
    return sorted(out, key=lambda t: t[0])


@pytest.mark.parametrize("unit", [None, TOWN])
def test_status_and_package_frames_equal_the_two_queries(world, unit):
    from queries import accountability, backlog
    from queries.filters import MatterFilter
    from queries.scope import Scope

    scope = Scope.region() if unit is None else Scope(units=(unit,))
    flt = MatterFilter(unit=unit)
    day = AS_OF
    status, packages = backlog.status_and_package_frames(scope, day, flt)
    want_status = backlog.status_frame(scope, day, flt)
    want_packages = accountability.packages_frame(scope, day, flt)
    assert len(want_status) > 10 and len(want_packages) > 10  # not vacuous
    for got, want, extra in ((status, want_status, ["overdue", "due_soon", "in_backlog"]),
                             (packages, want_packages, ["leader_title", "package_since",
                                                        "package_resolved_on"])):
        cols = COLUMNS + extra
        assert _rows(got, cols) == _rows(want, cols)
    # and the boards built from them agree
    assert backlog.backlog_counts(scope, day, flt, frame=status) == \
        backlog.backlog_counts(scope, day, flt, frame=want_status)
    pd.testing.assert_frame_equal(
        accountability.package_board(scope, day, flt, frame=packages),
        accountability.package_board(scope, day, flt, frame=want_packages))
