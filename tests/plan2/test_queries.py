"""The work plan's queries on the hand-built world (``tests.plan2.world``): first-time
matters of July and October's resolved-at-once rate, irregular submissions by level, month,
township and unit, the month's yellow cards at their thresholds, and the weekly report's
facts of 2026-W45 as of Sunday 23:59 in Yueyang. Expected values are the world's, by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from domain.plan import IrregularCardRules
from queries.filters import MatterFilter, Period
from queries.scope import Scope
from tests.plan2 import world as W

JULY, OCTOBER = Period.month(2026, 7), Period.month(2026, 10)


@pytest.fixture(scope="module")
def county(world):
    return Scope(units=(world.county,), personal_data=False)


def test_first_time_matters_of_july(world, county):
    from queries import first_time

    tot = first_time.first_time_totals(county, JULY, W.AS_OF)
    assert {k: tot[k] for k in ("registered", "answered", "on_time", "came_back", "resolved",
                                "watching")} == {"registered": 6, "answered": 5, "on_time": 4,
                                                 "came_back": 2, "resolved": 2, "watching": 1}
    assert tot["on_time_rate"] == pytest.approx(4 / 5)
    by_unit = first_time.first_time_by_group(county, JULY, W.AS_OF, by="unit")
    row = by_unit.set_index("key").loc["P2甲局"]
    assert (row["registered"], row["came_back"], row["resolved"]) == (6, 2, 2)
    by_town = first_time.first_time_by_group(county, JULY, W.AS_OF, by="township")
    assert by_town.set_index("key").loc[world.towns["A"], "registered"] == 6
    listing, total = first_time.came_back(county, JULY, W.AS_OF)
    assert total == 2
    assert dict(zip(listing["matter_no"], listing["days_after"], strict=True)) == {
        "P2-F1": 90, "P2-F4": 12}  # day 90 came back; F2 on day 91 did not


def test_first_time_on_the_last_day_of_july(world, county):
    """Judged on 31 July: F4's return of 1 August has not happened, F1–F3 are watching."""
    from queries import first_time

    tot = first_time.first_time_totals(county, JULY, dt.date(2026, 7, 31))
    assert (tot["answered"], tot["came_back"], tot["resolved"], tot["watching"]) == (4, 0, 0, 4)


def test_resolved_at_once_rate_of_october_equals_the_kpi(world, county):
    from queries import first_time
    from queries.kpi import compute_kpis

    tot = first_time.first_time_totals(county, OCTOBER, W.AS_OF)
    assert (tot["fr_n"], tot["fr_ok"]) == (5, 3)  # F1–F4 and F7; F2 F3 F7 resolved at once
    assert tot["first_resolved_rate"] == pytest.approx(0.6)
    kpi = compute_kpis(county, OCTOBER, W.AS_OF)
    assert (kpi["counts"]["fr_n"], kpi["counts"]["fr_ok"]) == (5, 3)
    groups = first_time.first_time_by_group(county, OCTOBER, W.AS_OF, by="township")
    assert (int(groups["fr_n"].sum()), int(groups["fr_ok"].sum())) == (5, 3)


def test_irregular_counts_by_level_month_and_area(world, county):
    from queries import irregular
    from queries.kpi import compute_kpis

    tot = irregular.irregular_totals(county, OCTOBER, W.AS_OF)
    assert tot == {"national": 1, "province": 1, "city": 2, "county": 3, "township": 0,
                   "total": 7}
    assert compute_kpis(county, OCTOBER, W.AS_OF)["irregular_by_level"] == {
        "township": 0, "county": 3, "city": 2, "province": 1, "national": 1}
    months = irregular.irregular_by_month(county, Period(dt.date(2026, 9, 1),
                                                         dt.date(2026, 11, 30)), W.AS_OF)
    got = {m.strftime("%Y-%m"): (n, t) for m, n, t in zip(months["month"], months["national"],
                                                         months["total"], strict=True)}
    # November up to the 12th: I5 (1st), I6 (2nd), I1's second (8th), I7 (9th in Yueyang).
    assert got == {"2026-09": (0, 0), "2026-10": (1, 7), "2026-11": (1, 4)}
    towns = irregular.irregular_by_group(county, OCTOBER, W.AS_OF, by="township")
    t = towns.set_index("key")
    a, b, c = (world.towns[k] for k in "ABC")
    assert (t.loc[b, "national"], t.loc[b, "total"]) == (1, 1)
    assert (t.loc[c, "county"], t.loc[c, "city"], t.loc[c, "total"]) == (3, 2, 5)
    assert (t.loc[a, "province"], t.loc[a, "total"]) == (1, 1)
    assert list(towns["key"])[0] == b  # the most in Beijing first
    units = irregular.irregular_by_group(county, OCTOBER, W.AS_OF, by="unit").set_index("key")
    assert units["total"].to_dict() == {"P2乙局": 1, "P2丙局": 3, "P2丁局": 2, "P2戊局": 1}


def test_irregular_list_names_no_person(world, county):
    from queries import irregular

    rows = irregular.irregular_list(county, dt.date(2026, 10, 1), W.AS_OF)
    assert len(rows) == 11
    assert rows[0]["received_level"] == "national"
    assert set(rows[0]) == {"submission_no", "matter_no", "received_on", "received_level",
                            "channel", "persons", "category", "township_code",
                            "township_name", "county_name", "responsible_unit"}


def test_yellow_cards_for_irregular_petitions(world, county):
    from queries import irregular

    cards = irregular.irregular_cards(county, OCTOBER, W.AS_OF)
    got = {(r["kind"], r["key"]): r["reasons"] for r in cards.to_dict("records")}
    b, c = world.towns["B"], world.towns["C"]
    assert got == {("unit", "P2乙局"): ("national",), ("unit", "P2丙局"): ("count",),
                   ("township", b): ("national",), ("township", c): ("count",)}
    # P2丁局 had two (no card); town A one (no card). Stricter settings take cards away.
    strict = irregular.irregular_cards(county, OCTOBER, W.AS_OF,
                                       rules=IrregularCardRules(national=2, any_level=4))
    assert {(r["kind"], r["key"]) for r in strict.to_dict("records")} == {("township", c)}
    # November so far: I5, I6, I1's second, I7 — town B has one in Beijing again.
    nov = irregular.irregular_cards(county, Period.month(2026, 11), W.AS_OF)
    assert {(r["kind"], r["key"]) for r in nov.to_dict("records")} == {
        ("unit", "P2乙局"), ("township", b)}


def test_a_township_scope_sees_only_its_own(world):
    from queries import irregular

    town_a = Scope(units=(world.towns["A"],), personal_data=False)
    assert irregular.irregular_totals(town_a, OCTOBER, W.AS_OF)["total"] == 1
    assert irregular.irregular_cards(town_a, OCTOBER, W.AS_OF).empty
    flt = MatterFilter(unit=world.towns["C"])
    assert irregular.irregular_totals(Scope(units=(world.county,)), OCTOBER, W.AS_OF,
                                      flt)["total"] == 5


def test_weekly_facts_of_week_45(world, county):
    from queries import weekly

    facts = weekly.gather(county, W.WEEK, now=dt.datetime(2026, 11, 12, 10, 0,
                                                           tzinfo=dt.UTC))
    assert (facts["monday"], facts["sunday"]) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    assert facts["as_of"].isoformat() == "2026-11-08T23:59:00+08:00"
    assert weekly.figures(facts) == {
        "warnings_total": 5, "warnings_red": 2, "warnings_amber": 3,
        "irregular_national": 1, "irregular_total": 2, "influx_areas": 1,
        "submissions": 14, "submissions_base": 3, "collective_visits": 1,
        "collective_persons": 25, "disputes_overdue": 1, "disputes_due": 1,
        "reports_missing": 1, "reports_late": 1}
    kinds = [w["kind"] for w in facts["warnings"]]
    assert kinds[0] == "irregular_national"  # first, whatever its time
    assert sorted(kinds) == sorted(["irregular_national", "influx", "collective_visit",
                                    "ledger_overdue", "report_missing"])
    assert {r["submission_no"] for r in facts["irregular_list"]} == {"P2-I6-1", "P2-I1-2"}
    assert list(facts["disputes"]["ledger_no"]) == ["P2-L1", "P2-L2"]


def test_the_running_week_is_computed_as_of_now(world, county):
    from queries import weekly

    now = dt.datetime(2026, 11, 4, 12, 0, tzinfo=dt.UTC)  # Wednesday 20:00 in Yueyang
    facts = weekly.gather(county, W.WEEK, now=now)
    assert facts["as_of"].isoformat() == "2026-11-04T20:00:00+08:00"
    figs = weekly.figures(facts)
    assert (figs["irregular_total"], figs["irregular_national"]) == (1, 0)  # I6 only
    with pytest.raises(ValueError):
        weekly.gather(county, "2026-W47", now=now)  # not begun
