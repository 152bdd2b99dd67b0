"""The clock-state filter: the six mutually exclusive states of ``domain.clocks.matter_state``,
on matters whose later clocks have not started (NULL dates)."""

import datetime as dt

import pytest
from sqlalchemy import text

from domain.clocks import DUTY_CLOCKS, matter_state
from queries.filters import CLOCK_FILTERS, clock_condition

COLUMNS = list(dict.fromkeys([
    "registered_on", "intake", "forwarded_on", "accepted_on", "review_requested_on",
    "recheck_requested_on",
    *[c for clock in DUTY_CLOCKS for c in (clock.due_column, clock.done_column)]]))
DAY = dt.date(2026, 11, 20)
REG = dt.date(2026, 11, 1)
# name: {column: value}; every other clock not started. Each in one state, by hand.
MATTERS = {
    "soon": {"forward_due": dt.date(2026, 11, 22)},
    "over": {"forward_due": dt.date(2026, 11, 10)},
    "ok": {"forward_due": dt.date(2026, 11, 10), "forwarded_on": dt.date(2026, 11, 9)},
    "late": {"forward_due": dt.date(2026, 11, 10), "forwarded_on": dt.date(2026, 11, 12)},
    "far": {"forward_due": dt.date(2026, 12, 30)},
    # The review clock starts after the day: on the day only the forward clock, done, counts.
    "future": {"forward_due": dt.date(2026, 11, 10), "forwarded_on": dt.date(2026, 11, 9),
               "review_requested_on": dt.date(2026, 11, 25),
               "review_due": dt.date(2026, 12, 25)},
    "term": {"forward_due": dt.date(2026, 11, 10), "forwarded_on": dt.date(2026, 11, 9),
             "recheck_due": dt.date(2026, 11, 30), "recheck_requested_on": dt.date(2026, 10, 1),
             "recheck_decided_on": dt.date(2026, 11, 2)},
}
EXPECTED = {"due_soon": {"soon"}, "overdue": {"over"}, "late": {"late"},
            "on_time": {"ok", "future"}, "running": {"far"}, "terminated": {"term"}}


def _row(name):
    return {"registered_on": REG, "intake": "office", **MATTERS[name]}


@pytest.mark.parametrize("state", CLOCK_FILTERS)
def test_each_state_selects_exactly_its_matters(engine, state):
    def cast(name, c):
        return f"CAST(:{name}_{c} AS {'text' if c == 'intake' else 'date'})"

    rows = ", ".join("(" + ", ".join([f"'{name}'"] + [cast(name, c) for c in COLUMNS]) + ")"
                     for name in MATTERS)
    params = {f"{name}_{c}": _row(name).get(c) for name in MATTERS for c in COLUMNS}
    params.update(clock_day=DAY, clock_soon=3)
    sql = (f"SELECT name FROM (VALUES {rows}) AS m(name, {', '.join(COLUMNS)})"
           f" WHERE {clock_condition(state, 'm')}")
    with engine.connect() as conn:
        found = {r[0] for r in conn.execute(text(sql), params)}
    assert found == EXPECTED[state]


def test_python_and_sql_agree_on_every_matter():
    got = {name: matter_state(_row(name), DAY) for name in MATTERS}
    assert got == {n: s for s, names in EXPECTED.items() for n in names}
