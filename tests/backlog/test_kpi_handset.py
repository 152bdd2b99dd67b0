"""Every KPI of DESIGN §4 on the hand-built data set (``handset.py``), month P = 2026-10,
as of 2026-11-20, so D = 2026-10-31: through ``queries.kpi.compute_kpis`` and through the
``kpi`` command on files imported with ``import-cases``; for the region and for township T1.

Expected values are worked out by hand below from the rules (DESIGN §3, §4), matter by matter.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask

from queries.filters import MatterFilter, Period
from queries.kpi import KPI_KEYS, compute_kpis
from queries.scope import Scope
from tests.backlog import handset

P = Period.month(2026, 10)
AS_OF = dt.date(2026, 11, 20)

# --- region ----------------------------------------------------------------------------------
# timely_forward_rate: forward_due = registered + 15 in October:
#   M01 (09-20 → 10-05, forwarded 10-05: on time), M02 (09-21 → 10-06, forwarded 10-07: late),
#   M03 (10-10 → 10-25, not forwarded), M22 (09-28 → 10-13, forwarded 10-02: on time);
#   M04 (10-20 → 11-04) and M17/M18/M11 (September) fall outside.            2 / 4 = 0.5
# timely_accept_rate: accept_due = forwarded + 15 in October:
#   M01 (10-05 → 10-20, accepted 10-08: on time), M02 (10-07 → 10-22, accepted 10-23: late),
#   M22 (10-02 → 10-17, not accepted); M04 (10-22 → 11-06) outside.           1 / 3
# on_time_answer_rate: ordinary route, answer_due = accepted + 60 + extension in October:
#   M05 (08-02 → 10-01, answered 10-01: on time), M06 (07-10 + 90 → 10-08, answered 10-09:
#   late), M07 (08-05 → 10-04, answered 09-30: on time), M08 (08-10 → 10-09, open),
#   M10 (08-25 → 10-24, answered 10-15: on time); M09 (10-02) is political-legal.  3 / 5 = 0.6
# participation_rate: answered in October: M05, M06, M09, M10, M11, M12 = 6; evaluated
#   (satisfied, basically satisfied, dissatisfied): M05, M06, M09 = 3.           3 / 6 = 0.5
# satisfaction_rate: of those 3, satisfied or basically: M05, M09.              2 / 3
# Submissions received in October (9): M03-1 visit county 1 person; M04-1 online national;
#   M04-2 visit county 5 (same day, higher number: repeat); M08-2 phone; M13-2 visit national
#   6; M15-4 letter county 8 persons; M17-5 visit province 60; M17-6 visit city; M18-6 visit
#   city 4.
# repeat_rate: all but M03-1 and M04-1 are repeats.                            7 / 9
# cross_level_rate: visits: M03-1, M04-2, M13-2, M17-5, M17-6, M18-6 = 6; received two or
#   more levels above the county (province, national): M13-2, M17-5 (M04-1 is online). 2 / 6
# online_share: M04-1.                                                         1 / 9
# collective_visits / _persons: visits with persons ≥ 5: M04-2 (5), M13-2 (6), M17-5 (60);
#   the letter of 8 (M15-4) and the visit of 4 (M18-6) do not count.           3 / 71
# overdue_open on D = 10-31: M03 (forward 10-25), M08 (answer 10-09), M13 (answer 07-09),
#   M14 (answer 08-02), M20 (re-review 09-20 + 30 + 10 hearing days = 10-30), M22 (accept
#   10-17). Not M19 (review due 10-15, decided 10-16: late, not open).        6
# backlog_open on D: M13 (answer due 07-09 + 90 → in backlog from 10-08), M15 (third
#   submission after its answer on 10-12), M16 (flagged). Not M14: 08-02 + 90 = 10-31, exactly
#   90 days past due, not more. Not M12: answered 10-10.                      3
# backlog_resolution_rate: in backlog on some day of October: M12 (05-09 + 91 = 08-08 …
#   10-10), M16 (flagged, no flag date: from registration), M13 (from 10-08), M15 (from 10-12)
#   = 4; resolved in October (in backlog in it, not on 10-31): M12 = 1.      1 / 4 = 0.25
# first_resolved_rate: no matter's answer + 90 days falls in October (answers 07-03 … 08-02:
#   none).                                                                     null
# irregular_submissions: none is marked irregular.                            0
# unrecorded_clocks: every stage before a recorded one is recorded.           0
# package_gaps on D: must have a county leader: the backlog M13, M15, M16, and M17 (six
#   visits at city level or above in 365 days; M18 has exactly five). M13 has one (county);
#   M15 none, M16 a township leader only, M17 none.                           3
REGION = {
    "timely_forward_rate": 2 / 4, "timely_accept_rate": 1 / 3, "on_time_answer_rate": 3 / 5,
    "participation_rate": 3 / 6, "satisfaction_rate": 2 / 3, "repeat_rate": 7 / 9,
    "cross_level_rate": 2 / 6, "online_share": 1 / 9, "collective_visits": 3,
    "collective_persons": 71, "overdue_open": 6, "backlog_open": 3,
    "backlog_resolution_rate": 1 / 4, "first_resolved_rate": None,
    "irregular_submissions": 0, "unrecorded_clocks": 0, "package_gaps": 3,
}

# --- township T1 (西塘镇): M01 M02 M03 M05 M06 M10 M12 M13 M16 M18 M19 ----------------------
# forward: M01 on time, M02 late, M03 open                                     1 / 3
# accept: M01 on time, M02 late                                                1 / 2
# answer (ordinary): M05 on time, M06 late, M10 on time                        2 / 3
# answered in October: M05, M06, M10, M12 = 4; evaluated: M05, M06            2 / 4
# satisfied or basically of the evaluated: M05                                 1 / 2
# submissions in October: M03-1 (visit county), M13-2 (visit national 6), M18-6 (visit city 4)
#   repeats M13-2, M18-6: 2 / 3; online 0 / 3; cross-level visits M13-2: 1 / 3;
#   collective visits M13-2: 1, 6 persons
# overdue on D: M03, M13                                                       2
# backlog on D: M13, M16; in backlog during October M12, M13, M16; resolved M12  2; 1 / 3
# package gaps: M16 (township leader only); M13 has a county leader; M18 has five
#   upper-level submissions, not more                                          1
T1 = {
    "timely_forward_rate": 1 / 3, "timely_accept_rate": 1 / 2, "on_time_answer_rate": 2 / 3,
    "participation_rate": 2 / 4, "satisfaction_rate": 1 / 2, "repeat_rate": 2 / 3,
    "cross_level_rate": 1 / 3, "online_share": 0.0, "collective_visits": 1,
    "collective_persons": 6, "overdue_open": 2, "backlog_open": 2,
    "backlog_resolution_rate": 1 / 3, "first_resolved_rate": None,
    "irregular_submissions": 0, "unrecorded_clocks": 0, "package_gaps": 1,
}


def _check(got: dict, expected: dict) -> None:
    assert set(expected) == set(KPI_KEYS)
    for key, value in expected.items():
        if value is None:
            assert got[key] is None, key
            continue
        assert got[key] == pytest.approx(value, abs=1e-12), key
        assert type(got[key]) is type(value) or isinstance(value, float), key


def test_every_kpi_for_the_region(dataset):
    _check(compute_kpis(Scope.region(), P, AS_OF), REGION)


def test_every_kpi_for_township_t1(dataset):
    _check(compute_kpis(Scope.region(), P, AS_OF, MatterFilter(unit=handset.T1)), T1)
    # The township officer's own scope gives the same figures.
    _check(compute_kpis(Scope(units=(handset.T1,)), P, AS_OF), T1)


def test_only_clocks_due_by_the_as_of_date_count(dataset):
    # As of 2026-10-15: forward clocks due 10-01 … 10-15: M01 (on time), M02 (late), M22
    # (on time); M03's 10-25 is not due yet.                                 2 / 3
    # Answer clocks due by then (ordinary): M05 on time, M06 late (answered 10-09), M07 on
    # time, M08 open (due 10-09); M10 (due 10-24) not yet.                     2 / 4
    got = compute_kpis(Scope.region(), P, dt.date(2026, 10, 15))
    assert got["timely_forward_rate"] == pytest.approx(2 / 3)
    assert got["on_time_answer_rate"] == pytest.approx(2 / 4)
    # D = 10-15: overdue M08 (answer 10-09), M09 (political-legal: answer due 10-02, answered
    # only on 10-20 — every route counts here), M13, M14; not M03 (forward due 10-25), M22
    # (accept due 10-17), M20 (re-review due 10-30), M19 (review due 10-15 = D).  4
    assert got["overdue_open"] == 4
    # Backlog on 10-15: M12 answered 10-10 (left), M13 (from 10-08), M15 (from 10-12), M16.
    assert got["backlog_open"] == 3


def test_an_empty_denominator_is_null(dataset):
    got = compute_kpis(Scope.region(), Period.month(2027, 6), dt.date(2027, 6, 30))
    for key in ("timely_forward_rate", "timely_accept_rate", "on_time_answer_rate",
                "participation_rate", "satisfaction_rate", "repeat_rate", "cross_level_rate",
                "online_share"):
        assert got[key] is None, key


# --- the command, on files imported with import-cases ---------------------------------------

@pytest.fixture
def cli(empty_store):
    from cli import register_commands, reports

    server = Flask("backlog-kpi-cli")
    register_commands(server)
    if "kpi" not in server.cli.commands:  # until the lead registers cli.reports
        for command in reports.COMMANDS:
            server.cli.add_command(command)
    runner = server.test_cli_runner()
    for kind in ("matters", "submissions"):
        result = runner.invoke(args=["import-cases", str(empty_store.files[kind]),
                                     "--kind", kind])
        assert result.exit_code == 0, result.output
        assert "拒绝 rejected 0" in result.output
    return runner


def _kpi_json(runner, *extra) -> dict:
    result = runner.invoke(args=["kpi", "--month", "2026-10", "--as-of", "2026-11-20",
                                 "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_kpi_command_prints_every_key_for_region_and_township(cli):
    region = _kpi_json(cli)
    assert region["month"] == "2026-10" and region["as_of"] == "2026-11-20"
    assert region["unit"] == "430600"
    assert set(KPI_KEYS) <= set(region)
    _check(region, REGION)
    town = _kpi_json(cli, "--unit", handset.T1)
    assert town["unit"] == handset.T1
    _check(town, T1)
    # A county: T1 is the only township of 岳阳楼区 in the data set.
    _check(_kpi_json(cli, "--unit", handset.C1), T1)


@pytest.mark.parametrize("unit", [None, handset.T2])
def test_the_overdue_list_agrees_with_the_overdue_card(dataset, unit):
    """A list filtered to a clock state holds exactly the matters its card counts: M20's
    overdue clock is the re-review of a matter answered in April (the Overview list once left
    it out)."""
    from queries.maps import matter_list

    day = min(P.end, AS_OF)
    flt = MatterFilter(unit=unit)
    card = compute_kpis(Scope.region(), P, AS_OF, flt)["overdue_open"]
    listed, total = matter_list(Scope.region(), P, AS_OF,
                                MatterFilter(unit=unit, clock="overdue", clock_day=day),
                                limit=100)
    assert total == card == len(listed)
    # Region: M03 M08 M13 M14 M20 M22 (see the overdue_open line above); T2: M08 M14 M20 M22.
    expected = ({"M03", "M08", "M13", "M14", "M20", "M22"} if unit is None
                else {"M08", "M14", "M20", "M22"})
    assert {n[len(handset.PREFIX):] for n in listed["matter_no"]} == expected
