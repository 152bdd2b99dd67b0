"""DESIGN §3 as revised (issue 10), rule by rule at its edges, on hand-built matters.

Every expected value is written here by hand from the rule's text (dates worked out in the
comments); nothing is computed by the code under test to decide what it should say.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from domain.clocks import (
    ClockRules,
    derived_for,
    matter_state,
    timeline,
    unrecorded_clocks,
)
from domain.rules import (
    backlog_intervals,
    backlog_reasons,
    in_backlog,
    package_reasons,
    resolved_at_once,
    resolved_in,
    upper_level_count,
)

D = dt.date


def matter(**stages) -> dict:
    """A matter row as stored: the given columns plus what the importer derives."""
    extra = {k: stages.pop(k) for k in ("backlog_flag", "backlog_flagged_on", "package_leader",
                                         "package_level") if k in stages}
    row = dict(stages)
    row.update(derived_for(**stages))
    row.update(extra)
    return row


# --- intake and the forward clock -------------------------------------------------------------

def test_office_intake_has_a_forward_clock_from_registration():
    m = matter(registered_on=D(2026, 10, 1), intake="office")
    # 10-01 + 15 = 10-16; not forwarded: overdue on 10-17, never a direct matter's fate.
    assert (m["intake"], m["forward_due"]) == ("office", D(2026, 10, 16))
    assert matter_state(m, D(2026, 10, 17)) == "overdue"


def test_direct_intake_has_no_forward_clock_and_accepts_from_registration():
    m = matter(registered_on=D(2026, 10, 1), intake="direct")
    # No forwarding date will ever come: no forward clock; acceptance due 10-01 + 15 = 10-16.
    assert (m["forward_due"], m["accept_due"]) == (None, D(2026, 10, 16))
    assert matter_state(m, D(2026, 10, 10)) == "running"
    assert matter_state(m, D(2026, 10, 17)) == "overdue"  # the acceptance, not the forward
    assert [e.key for e in timeline(m, D(2026, 10, 17))] == ["accept"]


def test_blank_intake_is_inferred_from_the_dates():
    # Forwarded blank and accepted set: direct.
    direct = matter(registered_on=D(2026, 10, 1), accepted_on=D(2026, 10, 5))
    assert (direct["intake"], direct["forward_due"]) == ("direct", None)
    assert direct["accept_due"] == D(2026, 10, 16)
    # Forwarded set: office. Nothing yet: office (the usual way in).
    office = matter(registered_on=D(2026, 10, 1), forwarded_on=D(2026, 10, 3),
                    accepted_on=D(2026, 10, 5))
    assert (office["intake"], office["accept_due"]) == ("office", D(2026, 10, 18))
    assert matter(registered_on=D(2026, 10, 1))["intake"] == "office"


# --- unrecorded clocks -------------------------------------------------------------------------

@pytest.mark.parametrize("stages,unrecorded", [
    # Accepted blank but answered set: the acceptance clock (stage blank, later stage set) and
    # the answer clock (start blank, end set). Intake inferred office (nothing says direct).
    (dict(forwarded_on=D(2026, 3, 5), answered_on=D(2026, 5, 1)), {"accept", "answer"}),
    # Explicit office, forwarded blank, accepted: the forward clock (stage blank, later set)
    # and the acceptance clock (start blank, end set).
    (dict(intake="office", accepted_on=D(2026, 3, 5)), {"forward", "accept"}),
    # The same dates without an explicit intake are a direct matter: nothing unrecorded.
    (dict(accepted_on=D(2026, 3, 5)), set()),
    # An answer with no acceptance date on a direct matter: the acceptance (stage blank,
    # later set) and the answer (start blank, end set).
    (dict(intake="direct", answered_on=D(2026, 4, 1)), {"accept", "answer"}),
    # Review decided with no request date: the review clock.
    (dict(forwarded_on=D(2026, 3, 2), accepted_on=D(2026, 3, 5), answered_on=D(2026, 4, 1),
          review_decided_on=D(2026, 6, 1)), {"review"}),
    # Re-review requested while the review's decision is blank: the review clock.
    (dict(forwarded_on=D(2026, 3, 2), accepted_on=D(2026, 3, 5), answered_on=D(2026, 4, 1),
          review_requested_on=D(2026, 5, 1), recheck_requested_on=D(2026, 6, 1)),
     {"review"}),
    # Everything recorded up to an open answer: nothing.
    (dict(forwarded_on=D(2026, 3, 2), accepted_on=D(2026, 3, 5)), set()),
])
def test_unrecorded_clocks(stages, unrecorded):
    m = matter(registered_on=D(2026, 3, 1), **stages)
    assert set(unrecorded_clocks(m["unrecorded_mask"])) == unrecorded
    due = {"forward": "forward_due", "accept": "accept_due", "answer": "answer_due",
           "review": "review_due"}
    for key in unrecorded:
        assert m[due[key]] is None  # never open, never overdue, in no denominator
    # Long after every limit, an unrecorded clock never makes the matter overdue.
    states = {e.key: e.state for e in timeline(m, D(2027, 6, 1))}
    for key in unrecorded:
        assert states[key] == "unrecorded"
    if unrecorded >= {"accept", "answer"} and "forward" not in unrecorded:
        assert matter_state(m, D(2027, 6, 1)) in ("on_time", "late")


def test_an_accepted_but_unanswered_direct_matter_is_not_unrecorded():
    m = matter(registered_on=D(2026, 3, 1), intake="direct", accepted_on=D(2026, 3, 5))
    # Answer due 03-05 + 60 = 05-04: open and overdue on 05-05 — a real delay, not a gap.
    assert m["unrecorded_mask"] == 0 and m["answer_due"] == D(2026, 5, 4)
    assert matter_state(m, D(2026, 5, 5)) == "overdue"


# --- backlog as dated intervals ----------------------------------------------------------------

ANSWERED = dict(registered_on=D(2026, 1, 2), forwarded_on=D(2026, 1, 5),
                accepted_on=D(2026, 1, 10), answered_on=D(2026, 3, 1))


def test_backlog_b_ends_on_a_resolution_and_starts_again_after_three_new_submissions():
    m = matter(**ANSWERED)
    subs = [D(2026, 3, 10), D(2026, 4, 10), D(2026, 5, 10),  # third after the answer: 05-10
            D(2026, 7, 1),  # on the resolution day: does not count after it
            D(2026, 7, 2), D(2026, 8, 2), D(2026, 9, 2)]  # three after it: from 09-02
    res = [D(2026, 7, 1)]
    assert backlog_intervals(m, subs, res) == [
        ("repeat_after_answer", D(2026, 5, 10), D(2026, 7, 1)),
        ("repeat_after_answer", D(2026, 9, 2), None)]
    assert not in_backlog(m, subs, D(2026, 5, 9), resolutions=res)
    assert in_backlog(m, subs, D(2026, 5, 10), resolutions=res)
    assert in_backlog(m, subs, D(2026, 6, 30), resolutions=res)
    # The interval excludes its end day: out of backlog on the resolution day itself.
    assert not in_backlog(m, subs, D(2026, 7, 1), resolutions=res)
    assert not in_backlog(m, subs, D(2026, 9, 1), resolutions=res)
    assert in_backlog(m, subs, D(2026, 9, 2), resolutions=res)
    # Resolved in July (in backlog on 07-01? no; on 06-30 yes — June, then): resolved in
    # June's period [06-01, 07-01) … a period is resolved when in backlog in it and not on
    # its last day.
    assert resolved_in(m, subs, D(2026, 7, 1), D(2026, 7, 31), resolutions=res) is False
    assert resolved_in(m, subs, D(2026, 6, 1), D(2026, 7, 1), resolutions=res) is True
    assert resolved_in(m, subs, D(2026, 6, 1), D(2026, 6, 30), resolutions=res) is False


def test_without_a_resolution_backlog_b_never_ends():
    m = matter(**ANSWERED)
    subs = [D(2026, 3, 10), D(2026, 4, 10), D(2026, 5, 10), D(2026, 7, 2)]
    assert backlog_intervals(m, subs) == [("repeat_after_answer", D(2026, 5, 10), None)]


def test_backlog_c_from_the_flag_date_or_else_registration_until_a_resolution():
    flagged = matter(**ANSWERED, backlog_flag=True, backlog_flagged_on=D(2026, 4, 15))
    assert backlog_intervals(flagged, [], [D(2026, 6, 30)]) == [
        ("flagged", D(2026, 4, 15), D(2026, 6, 30))]
    assert not in_backlog(flagged, [], D(2026, 4, 14), resolutions=[D(2026, 6, 30)])
    assert backlog_reasons(flagged, [], D(2026, 4, 15), resolutions=[D(2026, 6, 30)]) == {
        "flagged": D(2026, 4, 15)}
    # Without a flag date: from registration (the importer warns).
    undated = matter(**ANSWERED, backlog_flag=True)
    assert backlog_intervals(undated, []) == [("flagged", D(2026, 1, 2), None)]
    # A resolution before the flag does not end it.
    assert backlog_intervals(flagged, [], [D(2026, 4, 1)]) == [
        ("flagged", D(2026, 4, 15), None)]


def test_an_interval_ending_on_d_itself_is_not_in_backlog_on_d():
    m = matter(**{**ANSWERED, "answered_on": None})  # answer due 01-10 + 60 = 03-11
    # (a): from 03-11 + 91 = 06-10; answered 07-01: [06-10, 07-01).
    late = {**m, "answered_on": D(2026, 7, 1)}
    assert backlog_intervals(late, []) == [("long_overdue", D(2026, 6, 10), D(2026, 7, 1))]
    assert in_backlog(late, [], D(2026, 6, 30))
    assert not in_backlog(late, [], D(2026, 7, 1))


# --- the package rule counts visits ------------------------------------------------------------

def test_visits_count_for_the_package_rule_online_posts_do_not():
    day = D(2026, 10, 31)
    visits = [(D(2026, 9, d), "national", "visit") for d in (1, 2, 3, 4, 5)]
    online = [(D(2026, 9, d), "national", "online") for d in range(10, 20)]
    # Open and recent (answer due 09-05 + 60 = 11-04): no backlog reason of its own. (An
    # answered matter with these submissions would be backlog (b): three after the answer.)
    m = matter(registered_on=D(2026, 9, 1), forwarded_on=D(2026, 9, 2),
               accepted_on=D(2026, 9, 5))
    assert upper_level_count(visits + online, day) == 5
    assert package_reasons(m, visits + online, day) == ()  # five visits: not more than five
    sixth = visits + online + [(D(2026, 10, 1), "city", "visit")]
    assert package_reasons(m, sixth, day) == ("upper_level",)
    # County-level visits do not count, whatever their number.
    county = [(D(2026, 9, d), "county", "visit") for d in range(1, 20)]
    assert upper_level_count(county, day) == 0
    # The channels and levels are settings.
    assert upper_level_count(online, day, ClockRules(package_channels=("online",))) == 10


# --- first-time matters: resolved at once --------------------------------------------------------

def test_a_submission_on_day_90_after_the_answer_means_not_resolved_at_once():
    m = matter(**ANSWERED)  # answered 03-01; day 90 = 05-30, day 91 = 05-31
    assert resolved_at_once(m, [D(2026, 5, 30)]) is False
    assert resolved_at_once(m, [D(2026, 5, 31)]) is True
    assert resolved_at_once(m, [D(2026, 3, 1)]) is True  # on the answer day: before it counts
    assert resolved_at_once(m, []) is True
    assert resolved_at_once(matter(registered_on=D(2026, 1, 2)), []) is None  # no answer


# --- dates: a UTC time on 31 October is 1 November in Yueyang -----------------------------------

def test_times_with_an_offset_are_office_days():
    from ingest.validate import parse_dates

    s = pd.Series(["2026-10-31T18:00:00Z", "2026-10-31T15:59:59Z", "2026-10-31 18:00",
                   "2026-10-31T18:00:00+08:00", "2026-10-31T23:30:00-05:00", "2026/10/31",
                   "2026-10-31T18:00:00.250Z", None, "2026-13-01T00:00:00Z"], dtype=object)
    dates, bad = parse_dates(s)
    got = [None if pd.isna(v) else v.date() for v in dates]
    assert got == [D(2026, 11, 1),   # 18:00 UTC = 02:00 on 1 Nov in Asia/Shanghai
                   D(2026, 10, 31),  # 15:59:59 UTC = 23:59:59 on 31 Oct
                   D(2026, 10, 31),  # no offset: already local
                   D(2026, 10, 31),  # +08:00 is local
                   D(2026, 11, 1),   # 23:30 at -05:00 = 04:30 UTC 1 Nov = 12:30 local
                   D(2026, 10, 31), D(2026, 11, 1), None, None]
    assert list(bad) == [False] * 8 + [True]
