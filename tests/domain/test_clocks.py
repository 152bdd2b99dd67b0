"""Due dates and clock states at their edges (DESIGN §3)."""

import datetime as dt

import pandas as pd
import pytest

from domain.calendar import add_working_days
from domain.clocks import ClockRules, clock_state, compute_due_dates, due_dates_for

D = dt.date


def test_calendar_day_clocks():
    # Every stage recorded (a blank stage date before a later one is unrecorded: no due).
    due = due_dates_for(registered_on=D(2026, 1, 1), forwarded_on=D(2026, 1, 10),
                        accepted_on=D(2026, 1, 20), extension_days=0,
                        answered_on=D(2026, 3, 1), review_requested_on=D(2026, 5, 1),
                        review_decided_on=D(2026, 5, 20), recheck_requested_on=D(2026, 6, 1),
                        hearing_days=7)
    assert due["forward_due"] == D(2026, 1, 16)
    assert due["accept_due"] == D(2026, 1, 25)
    assert due["answer_due"] == D(2026, 3, 21)  # 20 Jan + 60 d
    assert due["review_due"] == D(2026, 5, 31)
    assert due["recheck_due"] == D(2026, 7, 8)  # 1 Jun + 30 + 7 hearing days


@pytest.mark.parametrize("extension,expected", [(0, D(2026, 3, 21)), (30, D(2026, 4, 20))])
def test_answer_extension_edges(extension, expected):
    due = due_dates_for(registered_on=D(2026, 1, 1), accepted_on=D(2026, 1, 20),
                        extension_days=extension)
    assert due["answer_due"] == expected


def test_accept_clock_starts_at_registration_when_accepted_without_forwarding():
    due = due_dates_for(registered_on=D(2026, 2, 2), accepted_on=D(2026, 2, 5))
    assert due["accept_due"] == D(2026, 2, 17)
    not_started = due_dates_for(registered_on=D(2026, 2, 2))
    assert not_started["accept_due"] is None and not_started["answer_due"] is None


def test_objection_window_counts_working_days_across_holidays():
    # Forwarded Thu 2026-09-24. Fri 25 Sep (Mid-Autumn) and 1-7 Oct (National Day) are
    # holidays: the five working days are 28, 29, 30 Sep, 8 and 9 Oct.
    due = due_dates_for(registered_on=D(2026, 9, 20), forwarded_on=D(2026, 9, 24))
    assert due["objection_due"] == D(2026, 10, 9)


def test_make_up_saturday_is_a_working_day():
    # Sat 2026-10-10 is a make-up working day (调休).
    assert add_working_days(D(2026, 10, 8), 2) == D(2026, 10, 10)


def test_objection_plain_weekend():
    # Friday 2026-11-20 + 5 working days = Friday 2026-11-27.
    assert due_dates_for(registered_on=D(2026, 11, 18),
                         forwarded_on=D(2026, 11, 20))["objection_due"] == D(2026, 11, 27)


def test_working_day_rule_is_configurable():
    rules = ClockRules(day_rule="working")
    due = due_dates_for(rules, registered_on=D(2026, 11, 20))  # a Friday
    # 15 working days from Friday 20 Nov 2026: Mon 23 Nov ... Fri 11 Dec.
    assert due["forward_due"] == D(2026, 12, 11)


def test_vectorised_matches_scalar_and_keeps_nat():
    frame = pd.DataFrame({
        "registered_on": pd.to_datetime(["2026-01-01", "2026-03-01"]),
        "forwarded_on": pd.to_datetime(["2026-01-05", None]),
        "accepted_on": pd.to_datetime([None, None]),
        "extension_days": [0, 0], "hearing_days": [0, 0],
    })
    out = compute_due_dates(frame)
    assert out.loc[0, "forward_due"] == pd.Timestamp("2026-01-16")
    assert out.loc[0, "accept_due"] == pd.Timestamp("2026-01-20")
    assert pd.isna(out.loc[1, "accept_due"]) and pd.isna(out.loc[1, "objection_due"])


@pytest.mark.parametrize("done,day,state", [
    (None, D(2026, 3, 21), "due_soon"),   # the due day itself: not overdue yet
    (None, D(2026, 3, 22), "overdue"),    # the day after
    (None, D(2026, 3, 18), "due_soon"),   # 3 days before
    (None, D(2026, 3, 17), "running"),
    (D(2026, 3, 21), D(2026, 4, 1), "on_time"),
    (D(2026, 3, 22), D(2026, 4, 1), "late"),
    (D(2026, 3, 25), D(2026, 3, 23), "overdue"),  # completed later than the day asked about
])
def test_clock_states(done, day, state):
    assert clock_state(D(2026, 3, 21), done, day) == state


def test_clock_not_started():
    assert clock_state(None, None, D(2026, 1, 1)) == "not_started"
