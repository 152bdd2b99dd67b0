"""Every clock of DESIGN §3 at its edges, and the backlog, package-gap, yellow-card and
assignment rules of ``domain.rules`` — plain Python, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.clocks import (
    ClockRules,
    clock_states,
    days_overdue,
    due_dates_for,
    matter_state,
    timeline,
)
from domain.rules import (
    AccountabilityRules,
    assignment_state,
    backlog_reasons,
    backlog_since,
    current_leader,
    has_county_leader,
    in_backlog,
    package_gap,
    package_reasons,
    upper_level_count,
    week_of,
    yellow_card,
)

D = dt.date


def matter(**stages) -> dict:
    """A matter row: the given stage dates plus the due dates domain.clocks computes."""
    rules = stages.pop("rules", ClockRules())
    extra = {k: stages.pop(k) for k in ("backlog_flag", "package_leader", "package_level")
             if k in stages}
    row = dict(stages)
    row.update(due_dates_for(rules, **stages))
    row.update(extra)
    return row


# --- each clock: the due day itself and the day after ------------------------------------------

# (clock, stages, due date by hand)
CLOCK_CASES = [
    # forward: registered 2026-03-02 + 15 = 03-17
    ("forward", {"registered_on": D(2026, 3, 2)}, "forwarded_on", D(2026, 3, 17)),
    # accept: forwarded 03-10 + 15 = 03-25
    ("accept", {"registered_on": D(2026, 3, 2), "forwarded_on": D(2026, 3, 10)},
     "accepted_on", D(2026, 3, 25)),
    # answer: accepted 03-20 + 60 = 05-19 (no extension)
    ("answer", {"registered_on": D(2026, 3, 2), "forwarded_on": D(2026, 3, 10),
                "accepted_on": D(2026, 3, 20), "extension_days": 0}, "answered_on",
     D(2026, 5, 19)),
    # answer with the longest extension: 03-20 + 60 + 30 = 06-18
    ("answer", {"registered_on": D(2026, 3, 2), "forwarded_on": D(2026, 3, 10),
                "accepted_on": D(2026, 3, 20), "extension_days": 30}, "answered_on",
     D(2026, 6, 18)),
    # review: requested 07-01 + 30 = 07-31
    ("review", {"registered_on": D(2026, 3, 2), "review_requested_on": D(2026, 7, 1)},
     "review_decided_on", D(2026, 7, 31)),
    # re-review without a hearing: 08-10 + 30 = 09-09
    ("recheck", {"registered_on": D(2026, 3, 2), "recheck_requested_on": D(2026, 8, 10),
                 "hearing_days": 0}, "recheck_decided_on", D(2026, 9, 9)),
    # re-review with 12 hearing days (excluded from the limit): 08-10 + 30 + 12 = 09-21
    ("recheck", {"registered_on": D(2026, 3, 2), "recheck_requested_on": D(2026, 8, 10),
                 "hearing_days": 12}, "recheck_decided_on", D(2026, 9, 21)),
]


@pytest.mark.parametrize("key,stages,done_col,due", CLOCK_CASES)
def test_each_clock_at_its_due_day_and_the_day_after(key, stages, done_col, due):
    after = due + dt.timedelta(days=1)
    m = matter(**stages)
    assert m[f"{key}_due"] == due
    # Not completed: due soon on the due day itself, overdue the day after (1 day).
    assert clock_states(m, due)[key] == "due_soon"
    assert clock_states(m, after)[key] == "overdue"
    assert days_overdue(due, None, after) == 1 and days_overdue(due, None, due) is None
    assert clock_states(m, due - dt.timedelta(days=3))[key] == "due_soon"
    assert clock_states(m, due - dt.timedelta(days=4))[key] == "running"
    # Completed on the due day: on time; the day after: late (and never overdue again).
    assert clock_states({**m, done_col: due}, after)[key] == "on_time"
    assert clock_states({**m, done_col: after}, after)[key] == "late"
    assert clock_states({**m, done_col: after}, due + dt.timedelta(days=40))[key] == "late"
    # Completed after the day asked about: still open on that day.
    assert clock_states({**m, done_col: after + dt.timedelta(days=1)}, after)[key] == "overdue"


def test_extension_is_capped_by_the_importer_not_silently_by_the_clock():
    # 0 and 30 are the edges the importer accepts (DESIGN §5); the clock adds what it gets.
    base = {"registered_on": D(2026, 1, 1), "accepted_on": D(2026, 1, 20)}
    assert due_dates_for(**base, extension_days=0)["answer_due"] == D(2026, 3, 21)
    assert due_dates_for(**base, extension_days=30)["answer_due"] == D(2026, 4, 20)
    assert ClockRules().max_extension_days == 30


def test_objection_window_across_labour_day_and_a_make_up_saturday():
    # Forwarded Thu 2026-04-30; 1–5 May are holidays, Sat 9 May a make-up working day:
    # the five working days are 6, 7, 8, 9 (Sat) and 11 May.
    m = matter(registered_on=D(2026, 4, 28), forwarded_on=D(2026, 4, 30))
    assert m["objection_due"] == D(2026, 5, 11)
    # A window, not a duty: never overdue, not among the duty clocks.
    assert "objection" not in clock_states(m, D(2026, 6, 1))
    entry = next(e for e in timeline(m, D(2026, 6, 1)) if e.key == "objection")
    assert entry.state == "window_closed" and entry.days_over is None
    entry = next(e for e in timeline(m, D(2026, 5, 11)) if e.key == "objection")
    assert entry.state == "window"


def test_working_day_rule_across_a_weekend_and_national_day():
    # day_rule "working": registered Thu 2026-09-24. Fri 25 Sep (Mid-Autumn), 26–27 Sep
    # (weekend) and 1–7 Oct (National Day) are off; Sat 10 Oct is a make-up working day.
    # Working days: 28 29 30 Sep, 8 9 10 12 13 14 15 16 19 20 21 22 Oct → the 15th is 22 Oct.
    rules = ClockRules(day_rule="working")
    m = matter(registered_on=D(2026, 9, 24), rules=rules)
    assert m["forward_due"] == D(2026, 10, 22)
    assert clock_states(m, D(2026, 10, 22), rules)["forward"] == "due_soon"
    assert clock_states(m, D(2026, 10, 23), rules)["forward"] == "overdue"
    # The calendar rule gives 9 Oct for the same matter.
    assert matter(registered_on=D(2026, 9, 24))["forward_due"] == D(2026, 10, 9)


def test_matter_state_and_termination():
    m = matter(registered_on=D(2026, 1, 5), forwarded_on=D(2026, 1, 6),
               accepted_on=D(2026, 1, 8), answered_on=D(2026, 2, 1),
               review_requested_on=D(2026, 2, 10), review_decided_on=D(2026, 3, 20),
               recheck_requested_on=D(2026, 3, 25), hearing_days=5)
    # review due 03-12, decided 03-20: late. Re-review due 03-25 + 35 = 04-29: running on
    # 04-01, which comes before "completed late" (the states are exclusive, DESIGN §3).
    assert matter_state(m, D(2026, 4, 1)) == "running"
    assert matter_state(m, D(2026, 3, 24)) == "late"  # before the re-review was requested
    assert matter_state(m, D(2026, 4, 27)) == "due_soon"
    assert matter_state(m, D(2026, 4, 30)) == "overdue"
    done = {**m, "recheck_decided_on": D(2026, 4, 28)}
    assert matter_state(done, D(2026, 4, 27)) == "due_soon"
    assert matter_state(done, D(2026, 4, 28)) == "terminated"
    keys = [e.key for e in timeline(done, D(2026, 5, 1))]
    assert keys == ["forward", "accept", "objection", "answer", "review", "recheck"]
    review = next(e for e in timeline(done, D(2026, 5, 1)) if e.key == "review")
    assert (review.state, review.days_over) == ("late", 8)


# --- backlog (积案) ---------------------------------------------------------------------------

OPEN = dict(registered_on=D(2026, 1, 2), forwarded_on=D(2026, 1, 5),
            accepted_on=D(2026, 1, 10))  # answer due 03-11


def test_backlog_more_than_90_days_past_due():
    m = matter(**OPEN)
    assert m["answer_due"] == D(2026, 3, 11)
    # 03-11 + 90 = 06-09: exactly 90 days past due, not more.
    assert not in_backlog(m, [], D(2026, 6, 9))
    assert backlog_reasons(m, [], D(2026, 6, 10)) == {"long_overdue": D(2026, 6, 10)}
    # Answered on the day asked about: not open by then.
    assert not in_backlog({**m, "answered_on": D(2026, 6, 10)}, [], D(2026, 6, 10))
    # Answered later: still in backlog that day, out of it on the answer day.
    late = {**m, "answered_on": D(2026, 7, 1)}
    assert in_backlog(late, [], D(2026, 6, 30)) and not in_backlog(late, [], D(2026, 7, 1))
    # The threshold is configurable.
    assert in_backlog(m, [], D(2026, 4, 11), ClockRules(backlog_days_past_due=30))


def test_backlog_three_submissions_after_the_answer():
    m = matter(**OPEN, answered_on=D(2026, 3, 1))
    subs = [(D(2026, 1, 2), "county"), (D(2026, 3, 1), "county"),  # on the answer day: no
            (D(2026, 3, 5), "city"), (D(2026, 4, 9), "county"), (D(2026, 5, 20), "online")]
    assert not in_backlog(m, subs, D(2026, 5, 19))  # two after the answer so far
    assert backlog_reasons(m, subs, D(2026, 5, 20)) == {"repeat_after_answer": D(2026, 5, 20)}
    assert backlog_since(m, subs, D(2026, 12, 31)) == D(2026, 5, 20)
    # Not answered: submissions never count for this reason.
    assert not in_backlog(matter(**OPEN), subs, D(2026, 5, 20))


def test_backlog_flagged_by_a_higher_level_and_the_earliest_reason_wins():
    m = matter(**OPEN, backlog_flag=True)
    assert not in_backlog(m, [], D(2026, 1, 1))  # before registration
    assert backlog_reasons(m, [], D(2026, 1, 2)) == {"flagged": D(2026, 1, 2)}
    both = backlog_reasons(m, [], D(2026, 7, 1))
    assert both == {"flagged": D(2026, 1, 2), "long_overdue": D(2026, 6, 10)}
    assert backlog_since(m, [], D(2026, 7, 1)) == D(2026, 1, 2)


# --- leader packages (包案) -------------------------------------------------------------------

def test_upper_level_submissions_in_365_days_and_the_threshold():
    day = D(2026, 10, 31)
    first = day - dt.timedelta(days=364)  # 2025-11-01: the window's first day
    subs = [(first, "national", "visit"), (D(2026, 1, 1), "province", "visit"),
            (D(2026, 2, 1), "city", "visit"), (D(2026, 3, 1), "national", "visit"),
            (D(2026, 4, 1), "city", "visit"),
            (first - dt.timedelta(days=1), "national", "visit"),  # 365 days before: outside
            (D(2026, 5, 1), "county", "visit"),  # below the city
            (D(2026, 11, 1), "national", "visit"),  # after D
            # Online posts and letters at national level are not visits (DESIGN §3).
            (D(2026, 6, 2), "national", "online"), (D(2026, 6, 3), "province", "letter")]
    assert upper_level_count(subs, day) == 5
    # Answered (late) on 10-20: no backlog reason on 10-31, no submission after the answer.
    m = matter(**OPEN, answered_on=D(2026, 10, 20))
    assert package_reasons(m, subs, day) == ()  # 5 is not more than 5
    six = subs + [(D(2026, 6, 1), "city", "visit")]
    assert package_reasons(m, six, day) == ("upper_level",)
    assert package_gap(m, six, [], day)


def test_county_leader_from_the_import_or_a_package_row_in_force():
    day = D(2026, 7, 1)
    m = matter(**OPEN)  # in backlog on 07-01 (since 06-10)
    assert package_reasons(m, [], day) == ("backlog",)
    assert package_gap(m, [], [], day)
    assert not package_gap({**m, "package_leader": "县领导甲", "package_level": "county"},
                           [], [], day)
    assert package_gap({**m, "package_leader": "乡干部乙", "package_level": "township"},
                       [], [], day)
    row = {"leader_name": "县领导丙", "level": "county", "since": D(2026, 6, 15), "until": None}
    assert has_county_leader(m, [row], day) and not package_gap(m, [], [row], day)
    assert not has_county_leader(m, [row], D(2026, 6, 14))  # before it started
    ended = {**row, "until": D(2026, 7, 1)}
    assert not has_county_leader(m, [ended], day)  # ended that day
    township = {**row, "level": "township"}
    assert package_gap(m, [], [township], day)
    # The newest row in force is the current leader; an imported leader is the fallback.
    newer = {"leader_name": "县领导丁", "level": "county", "since": D(2026, 6, 20),
             "until": None}
    assert current_leader(m, [row, newer], day) == ("县领导丁", "county")
    assert current_leader({**m, "package_leader": "甲", "package_level": "county"}, [],
                          day) == ("甲", "county")


# --- yellow cards, assignments ----------------------------------------------------------------

def test_yellow_card_line_and_minimum():
    r = AccountabilityRules(yellow_card_line=0.9, yellow_card_min_items=5)
    assert not yellow_card(9, 10, r)  # exactly on the line
    assert yellow_card(8, 10, r)
    assert not yellow_card(0, 4, r)  # too few items to judge
    assert yellow_card(4, 5, r)
    assert not yellow_card(4, 5, AccountabilityRules(yellow_card_line=0.8))
    with pytest.raises(ValueError):
        AccountabilityRules(yellow_card_line=90)


@pytest.mark.parametrize("fb,closed,day,state", [
    (None, None, D(2026, 11, 16), "open"),
    (None, None, D(2026, 11, 17), "due_soon"),  # 3 days before the deadline
    (None, None, D(2026, 11, 20), "due_soon"),  # the deadline itself
    (None, None, D(2026, 11, 21), "overdue"),
    (D(2026, 11, 20), None, D(2026, 11, 25), "awaiting_closeout"),
    (D(2026, 11, 20), D(2026, 11, 24), D(2026, 11, 25), "closed_on_time"),
    (D(2026, 11, 21), D(2026, 11, 24), D(2026, 11, 25), "closed_late"),
    (None, D(2026, 11, 19), D(2026, 11, 25), "closed_on_time"),
    (D(2026, 11, 22), D(2026, 11, 24), D(2026, 11, 21), "overdue"),  # later than the day
])
def test_assignment_states(fb, closed, day, state):
    assert assignment_state(D(2026, 11, 20), fb, closed, day) == state


def test_week_of_a_friday():
    assert week_of(D(2026, 11, 20)) == (D(2026, 11, 16), D(2026, 11, 22))
    assert week_of(D(2026, 11, 16)) == (D(2026, 11, 16), D(2026, 11, 22))
