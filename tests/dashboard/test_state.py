"""The view state and its URL form: round trips, validation, periods, scope checks."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.state import (
    StateError,
    ViewState,
    check_scope,
    from_query,
    from_store,
    resolve_period,
    viewable,
)
from queries.filters import Period
from queries.scope import Scope

FULL = ViewState(unit="430626101", period="custom", start=dt.date(2026, 1, 1),
                 end=dt.date(2026, 3, 31), categories=("land_expropriation", "demolition"),
                 channels=("visit", "online"), routes=("ordinary",), clock="overdue",
                 measure="per_10k")


def test_default_state_is_the_bare_url():
    assert ViewState().to_query() == ""
    assert from_query("") == (ViewState(), [])
    assert from_query(None) == (ViewState(), [])


@pytest.mark.parametrize("state", [
    FULL,
    ViewState(unit="430626"),
    ViewState(period="last_12m", categories=("other",)),
    ViewState(period="sp12", clock="due_soon"),
    ViewState(unit="430626101001", measure="collective", channels=("hotline_12345",)),
])
def test_url_round_trip(state):
    query = state.to_query()
    back, problems = from_query(query)
    assert problems == []
    assert back == state
    assert from_store(state.to_store()) == state


def test_full_query_reads_as_documented():
    q = FULL.to_query()
    assert q.startswith("?unit=430626101&period=custom&from=2026-01-01&to=2026-03-31")
    assert "cat=land_expropriation,demolition" in q and "ch=visit,online" in q
    assert "clock=overdue" in q and "measure=per_10k" in q


def test_dash_query_dict_with_repeated_keys():
    state, problems = from_query({"unit": "430626", "cat": ["demolition", "other"]})
    assert problems == [] and state.categories == ("demolition", "other")


@pytest.mark.parametrize("params, kind", [
    ({"unit": "4306'; DROP TABLE matter; --"}, "unit"),
    ({"unit": "110101"}, "unit"),  # Beijing: outside the region
    ({"unit": "4306261"}, "unit"),  # 7 digits
    ({"period": "forever"}, "filter"),
    ({"period": "custom", "from": "2026-02-30", "to": "2026-03-01"}, "dates"),
    ({"period": "custom", "from": "2026-03-01", "to": "2026-02-01"}, "dates"),
    ({"period": "custom", "from": "1899-01-01", "to": "2026-02-01"}, "dates"),
    ({"period": "custom", "from": "2000-01-01", "to": "2026-02-01"}, "dates"),  # > 10 years
    ({"cat": "land_expropriation,' OR 1=1"}, "filter"),
    ({"ch": "pigeon"}, "filter"),
    ({"route": "<script>"}, "filter"),
    ({"clock": "late;--"}, "filter"),
    ({"measure": "salary"}, "filter"),
])
def test_bad_values_are_reported_and_dropped(params, kind):
    state, problems = from_query(params)
    assert [p.kind for p in problems] == [kind]
    assert state == ViewState()  # the bad part falls back to its default
    with pytest.raises(StateError):
        from_store({**ViewState().to_store(), **params})


def test_store_must_be_a_mapping():
    with pytest.raises(StateError):
        from_store(["unit", "430626"])


DAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize("period, start, end", [
    ("this_month", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
    ("last_month", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    ("this_year", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ("last_12m", dt.date(2025, 12, 1), dt.date(2026, 11, 30)),
])
def test_named_periods(period, start, end):
    assert resolve_period(ViewState(period=period), DAY) == Period(start, end)


def test_january_edges():
    jan = dt.date(2027, 1, 5)
    assert resolve_period(ViewState(period="last_month"), jan) == Period(
        dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert resolve_period(ViewState(period="last_12m"), jan).start == dt.date(2026, 2, 1)


def test_custom_and_sensitive_periods():
    assert resolve_period(FULL, DAY) == Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    found = {7: ("两会", "Two Sessions", dt.date(2026, 3, 1), dt.date(2026, 3, 15))}
    assert resolve_period(ViewState(period="sp7"), DAY, found.get) == Period(
        dt.date(2026, 3, 1), dt.date(2026, 3, 15))
    with pytest.raises(StateError):  # a sensitive period the user may not see
        resolve_period(ViewState(period="sp8"), DAY, found.get)


def test_scope_checks():
    region = Scope.region()
    county = Scope(units=("430626",))
    town = Scope(units=("430626101",))
    dept = Scope(departments=("住建局",))
    assert viewable(region, "430682101001")
    assert viewable(county, "430626101") and not viewable(county, "430682")
    assert viewable(town, "430626101001") and not viewable(town, "430626")
    assert viewable(dept, "430682")  # a department's matters may lie anywhere
    check_scope(ViewState(unit="430626101"), county)
    with pytest.raises(StateError) as exc:
        check_scope(ViewState(unit="430682"), county)
    assert exc.value.kind == "unit"
    with pytest.raises(StateError) as exc:
        check_scope(ViewState(), Scope.none())
    assert exc.value.kind == "scope"


def test_matter_filter_of_a_state():
    flt = FULL.matter_filter(clock_day=DAY)
    assert flt.unit == "430626101" and flt.clock == "overdue" and flt.clock_day == DAY
    assert flt.categories == ("land_expropriation", "demolition")
    assert ViewState(unit="430600").matter_filter().unit is None  # the region: no narrowing
