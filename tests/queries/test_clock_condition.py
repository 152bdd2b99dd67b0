"""The clock-state filter on matters whose later clocks have not started (NULL dates)."""

import datetime as dt

import pytest
from sqlalchemy import text

from domain.clocks import DUTY_CLOCKS
from queries.filters import clock_condition

COLUMNS = [c for clock in DUTY_CLOCKS for c in (clock.due_column, clock.done_column)]
DAY = dt.date(2026, 11, 20)
# name: {column: date}; every other clock not started.
MATTERS = {
    "soon": {"forward_due": dt.date(2026, 11, 22)},
    "over": {"forward_due": dt.date(2026, 11, 10)},
    "ok": {"forward_due": dt.date(2026, 11, 10), "forwarded_on": dt.date(2026, 11, 9)},
    "late": {"forward_due": dt.date(2026, 11, 10), "forwarded_on": dt.date(2026, 11, 12)},
    "far": {"forward_due": dt.date(2026, 12, 30)},
}


@pytest.mark.parametrize("state,expected", [
    ("due_soon", {"soon"}), ("overdue", {"over"}), ("late", {"late"}),
    ("on_time", {"soon", "ok", "far"}),
])
def test_clock_states_with_unstarted_clocks(engine, state, expected):
    rows = ", ".join(
        "(" + ", ".join([f"'{name}'"] + [f"CAST(:{name}_{c} AS date)" for c in COLUMNS]) + ")"
        for name in MATTERS)
    params = {f"{name}_{c}": values.get(c) for name, values in MATTERS.items() for c in COLUMNS}
    params.update(clock_day=DAY, clock_soon=3)
    sql = (f"SELECT name FROM (VALUES {rows}) AS m(name, {', '.join(COLUMNS)})"
           f" WHERE {clock_condition(state, 'm')}")
    with engine.connect() as conn:
        found = {r[0] for r in conn.execute(text(sql), params)}
    assert found == expected
