"""The backlog, accountability and agenda queries on the hand-built data set: hand-written
expectations, and the SQL checked against the plain-Python rules of ``domain`` matter by
matter on several days."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from domain.clocks import clock_states, matter_state
from domain.rules import backlog_since, package_gap
from queries import accountability, agenda, backlog
from queries.filters import MatterFilter, Period
from queries.kpi import compute_kpis
from queries.scope import Scope
from tests.backlog import handset

D = dt.date
REGION = Scope.region()
T1_SCOPE = Scope(units=(handset.T1,))
DAY = D(2026, 11, 20)  # a Friday


def nos(frame) -> set[str]:
    return {n[len(handset.PREFIX):] for n in frame["matter_no"]}


@pytest.fixture(scope="module")
def world(dataset, engine):
    """Every matter of the data set with its submissions and package rows (owner view)."""
    with engine.connect() as c:
        matters = [dict(r) for r in c.execute(text(
            "SELECT * FROM matter WHERE matter_no LIKE 'BLK-%'")).mappings()]
        subs = c.execute(text("SELECT matter_id, received_on, received_level, channel"
                              " FROM submission")).all()
        pkgs = [dict(r) for r in c.execute(text("SELECT * FROM package_assignment")).mappings()]
    for m in matters:
        m["subs"] = [(r.received_on, r.received_level, r.channel) for r in subs
                     if r.matter_id == m["id"]]
        m["pkgs"] = [p for p in pkgs if p["matter_id"] == m["id"]]
    return matters


# --- hand-written expectations on 2026-11-20 --------------------------------------------------

def test_overdue_lists_by_scope(dataset):
    # On 11-20 (see handset.py): M03 forward, M08/M13/M14 answer, M09 political-legal answer
    # done 10-20 (no), M17 answer due 11-09, M18 answer due 11-14, M20 re-review 10-30,
    # M22 acceptance 10-17.
    df, total = backlog.overdue_matters(REGION, DAY)
    assert nos(df) == {"M03", "M08", "M13", "M14", "M17", "M18", "M20", "M22"}
    assert total == 8
    # Longest overdue first: M13 (answer due 07-09: 134 days), M14 (08-02: 110 days).
    assert list(df["matter_no"][:2]) == ["BLK-M13", "BLK-M14"]
    assert list(df["days_over"][:2]) == [134, 110]
    t1, n = backlog.overdue_matters(T1_SCOPE, DAY)
    assert nos(t1) == {"M03", "M13", "M18"} and n == 3
    assert nos(backlog.overdue_matters(REGION, DAY, MatterFilter(unit=handset.T2))[0]) == {
        "M08", "M14", "M17", "M20", "M22"}


def test_backlog_and_gaps_with_reasons(dataset):
    # On 11-20: M13 (since 10-08), M15 (10-12), M16 (flagged) — and M14, whose answer was due
    # 08-02: more than 90 days past due from 11-01 (08-02 + 91).
    df, total = backlog.backlog_matters(REGION, DAY)
    assert total == 4
    got = {r["matter_no"][4:]: (r["reasons"], r["backlog_since"]) for r in df.to_dict("records")}
    assert got == {"M16": (("flagged",), D(2025, 11, 10)),
                   "M13": (("long_overdue",), D(2026, 10, 8)),
                   "M15": (("repeat_after_answer",), D(2026, 10, 12)),
                   "M14": (("long_overdue",), D(2026, 11, 1))}
    assert list(df["matter_no"]) == ["BLK-M16", "BLK-M13", "BLK-M15", "BLK-M14"]
    # Package gaps: the backlog M14, M15, M16 (M13 has a county leader) and M17 (six
    # submissions at city level or above).
    gaps, n = backlog.package_gaps(REGION, DAY)
    assert n == 4
    assert {r["matter_no"][4:]: r["reasons"] for r in gaps.to_dict("records")} == {
        "M14": ("backlog",), "M15": ("backlog",), "M16": ("backlog",),
        "M17": ("upper_level",)}
    assert int(gaps.loc[gaps["matter_no"] == "BLK-M17", "upper_n"].iloc[0]) == 6
    counts = backlog.backlog_counts(REGION, DAY)
    assert counts == {"overdue": 8, "due_soon": 0, "backlog": 4, "package_gaps": 4}
    assert backlog.backlog_counts(REGION, D(2026, 10, 31)) == {
        "overdue": 6, "due_soon": 0, "backlog": 3, "package_gaps": 3}


def test_clock_board_by_unit_and_township(dataset):
    board = backlog.clock_board(REGION, DAY, by="township").set_index("key")
    assert board.loc[handset.T1, "name"] == "西塘镇（岳阳楼区）"  # the county: names repeat
    # T1: overdue M03 (forward), M13 and M18 (answer); backlog M13, M16.
    assert board.loc[handset.T1, ["overdue", "overdue_forward", "overdue_answer", "backlog",
                                  "oldest"]].tolist() == [3, 1, 2, 2, 134]
    # T2: M08 M14 M17 (answer), M20 (re-review), M22 (acceptance); backlog M14, M15.
    assert board.loc[handset.T2, ["overdue", "overdue_answer", "overdue_recheck",
                                  "overdue_accept", "backlog"]].tolist() == [5, 3, 1, 1, 2]
    units = backlog.clock_board(REGION, DAY, by="unit").set_index("key")
    assert units.loc[handset.DEPT1, "overdue"] == 1  # M18 (M01 and M06 are done)
    assert units.loc[handset.GOV1, "overdue"] == 2  # M03, M13
    assert int(units["overdue"].sum()) == 8


def test_due_soon_on_an_earlier_day(dataset):
    # On 11-12: M18 answer due 11-14 (2 days), M11 was answered; M17 (11-09) is overdue.
    df, n = backlog.due_soon_matters(REGION, D(2026, 11, 12))
    assert nos(df) == {"M18"} and n == 1


def test_resolution_series_matches_the_kpi(dataset):
    months = backlog.months_back(D(2026, 11, 20), 3)
    assert [p.start for p in months] == [D(2026, 9, 1), D(2026, 10, 1), D(2026, 11, 1)]
    series = backlog.resolution_series(REGION, months, D(2026, 11, 20)).set_index("start")
    oct_ = series.loc[D(2026, 10, 1)]
    assert (oct_["open_start"], oct_["new"], oct_["resolved"], oct_["open_end"]) == (2, 2, 1, 3)
    assert oct_["rate"] == pytest.approx(0.25)
    for p in months:
        k = compute_kpis(REGION, p, D(2026, 11, 20))
        assert series.loc[p.start, "open_end"] == k["backlog_open"]
        assert series.loc[p.start, "rate"] == k["backlog_resolution_rate"]


@pytest.mark.parametrize("day", [D(2026, 10, 31), D(2026, 11, 20), D(2027, 3, 1)])
def test_ageing_from_the_frame_is_the_overview_chart(dataset, day):
    from queries.charts import backlog_ageing

    frame = backlog.status_frame(REGION, day)
    mine = backlog.ageing(frame, day)
    assert mine.to_dict("list") == backlog_ageing(REGION, day).to_dict("list")
    # On 11-20: M16 (since 2025-11-10: 375 days), M13 (43), M15 (39), M14 (19).
    if day == D(2026, 11, 20):
        assert mine["n"].tolist() == [1, 2, 0, 0, 0, 1]


def test_matter_detail_and_scope(dataset):
    d = backlog.matter_detail(REGION, "BLK-M13", DAY)
    assert d["matter"]["leader"] == handset.LEADER_C1
    assert [p["leader_name"] for p in d["packages"]] == [handset.LEADER_C1_OLD,
                                                         handset.LEADER_C1]
    assert [a["assignment_no"] for a in d["assignments"]] == ["BLK-A01"]
    assert len(d["submissions"]) == 2
    assert backlog.matter_detail(T1_SCOPE, "BLK-M15", DAY) is None  # T2's matter
    assert backlog.matter_detail(REGION, "BLK-NOPE", DAY) is None


# --- SQL against the Python rules ---------------------------------------------------------------

@pytest.mark.parametrize("day", [D(2026, 8, 7), D(2026, 8, 8), D(2026, 9, 30), D(2026, 10, 12),
                                 D(2026, 10, 31), D(2026, 11, 1), D(2026, 11, 20)])
def test_sql_agrees_with_the_rules_matter_by_matter(world, day):
    by_no = {m["matter_no"][4:]: m for m in world}
    bl, _ = backlog.backlog_matters(REGION, day)
    sql_bl = {r["matter_no"][4:]: r["backlog_since"] for r in bl.to_dict("records")}
    py_bl = {no: backlog_since(m, m["subs"], day) for no, m in by_no.items()
             if backlog_since(m, m["subs"], day)}
    assert sql_bl == py_bl
    over, _ = backlog.overdue_matters(REGION, day)
    assert nos(over) == {no for no, m in by_no.items()
                         if "overdue" in clock_states(m, day).values()}
    soon, _ = backlog.due_soon_matters(REGION, day)
    assert nos(soon) == {no for no, m in by_no.items() if matter_state(m, day) == "due_soon"}
    gaps, _ = backlog.package_gaps(REGION, day)
    assert nos(gaps) == {no for no, m in by_no.items()
                         if package_gap(m, m["subs"], m["pkgs"], day)}


def test_reasons_explain_the_sql(world):
    day = D(2026, 10, 31)
    bl, _ = backlog.backlog_matters(REGION, day)
    for r in bl.to_dict("records"):
        assert r["reasons"], r["matter_no"]


# --- accountability ---------------------------------------------------------------------------

def test_package_board(dataset):
    board = accountability.package_board(REGION, DAY).set_index("leader")
    assert list(board.index) == [handset.LEADER_C1, handset.LEADER_T1]  # county first
    assert board.loc[handset.LEADER_C1, ["level", "title", "matters", "in_backlog",
                                         "overdue"]].tolist() == ["county", "区长", 1, 1, 1]
    assert board.loc[handset.LEADER_T1, ["level", "matters", "in_backlog",
                                         "overdue"]].tolist() == ["township", 1, 1, 0]
    # On 10-01 the earlier leader still owned M13.
    before = accountability.package_board(REGION, D(2026, 10, 1))
    assert handset.LEADER_C1_OLD in set(before["leader"])
    rows, n = accountability.package_matters(REGION, DAY, leader=handset.LEADER_C1)
    assert n == 1 and rows["package_progress"].iloc[0] == "已召开协调会"


def test_assignment_ledger_states(dataset):
    df, n = accountability.assignments(REGION, DAY)
    states = {r["assignment_no"][4:]: r["state"] for r in df.to_dict("records")}
    assert states == {"A01": "overdue", "A02": "closed_on_time", "A03": "due_soon",
                      "A04": "closed_late", "A05": "due_soon", "A06": "awaiting_closeout",
                      "A07": "open"}
    assert n == 7 and df["assignment_no"].iloc[0] == "BLK-A01"  # the worst first
    t1, _ = accountability.assignments(T1_SCOPE, DAY)
    assert set(t1["assignment_no"]) == {"BLK-A01", "BLK-A02", "BLK-A03", "BLK-A07"}
    only, m = accountability.assignments(REGION, DAY, states=("due_soon",))
    assert m == 2 and set(only["assignment_no"]) == {"BLK-A03", "BLK-A05"}
    # The county department's item (county code, no township) is the county's.
    c2, _ = accountability.assignments(Scope(units=(handset.C2,)), DAY)
    assert set(c2["assignment_no"]) == {"BLK-A04", "BLK-A05", "BLK-A06"}


def test_closeout_notice_october(dataset):
    df = accountability.closeout_notice(REGION, Period.month(2026, 10), DAY).set_index("unit")
    # Due in October: A04 (新墙镇, report 10-20 after the 10-16 deadline, closed 10-25) and
    # A06 (岳阳县信访局, report 10-18 by 10-20, not closed). A01 was assigned in October.
    assert df.loc[handset.GOV2, ["due", "on_time", "late", "missing", "closed"]].tolist() == [
        1, 0, 1, 0, 1]
    assert df.loc[handset.GOV2, "closeout_rate"] == 1.0
    assert df.loc["岳阳县信访局", ["due", "on_time", "closed"]].tolist() == [1, 1, 0]
    assert df.loc["岳阳县信访局", "closeout_rate"] == 0.0
    assert df.loc[handset.GOV1, ["assigned", "due"]].tolist() == [1, 0]
    assert pd.isna(df.loc[handset.GOV1, "closeout_rate"])
    assert list(df.index)[0] == "岳阳县信访局"  # worst close-out first


def test_receptions(dataset):
    frame = accountability.receptions(REGION, Period(D(2026, 10, 1), D(2026, 11, 30)))
    table = accountability.reception_table(frame).set_index("leader")
    assert table.loc[handset.LEADER_T1, ["fixed_point", "down_with_cases", "total",
                                         "received", "resolved"]].tolist() == [1, 1, 2, 5, 3]
    assert table.loc[handset.LEADER_C2, ["appointment", "thematic", "total"]].tolist() == [
        1, 1, 2]
    months = accountability.reception_months(frame).set_index("month")
    assert months.loc[D(2026, 10, 1), "total"] == 4 and months.loc[D(2026, 11, 1), "total"] == 1
    # A township officer sees the township's receptions only (not the county's).
    t1 = accountability.receptions(T1_SCOPE, Period(D(2026, 10, 1), D(2026, 11, 30)))
    assert set(t1["leader"]) == {handset.LEADER_T1} and int(t1["n"].sum()) == 2


def test_unit_ranking_adds_up_to_the_kpis(dataset):
    p = Period.month(2026, 10)
    k = compute_kpis(REGION, p, DAY)["counts"]
    for by in ("unit", "township", "county"):
        df = accountability.unit_ranking(REGION, p, DAY, by=by)
        for col in ("fwd_n", "fwd_ok", "acc_n", "acc_ok", "ans_n", "ans_ok"):
            assert int(df[col].sum()) == k[col], (by, col)
        assert int(df["overdue"].sum()) == k["overdue_open"], by
    df = accountability.unit_ranking(REGION, p, DAY, by="township").set_index("key")
    # T1: acceptance M01 on time, M02 late; answers M05, M10 on time, M06 late → 3 / 5.
    assert df.loc[handset.T1, "handling_rate"] == pytest.approx(3 / 5)
    # T2: acceptance M22 open; answers M07 on time, M08 open → 1 / 3 (M09 political-legal).
    assert df.loc[handset.T2, "handling_rate"] == pytest.approx(1 / 3)
    assert list(df["rank"]) == [1, 2]
    # Yellow card: T1 has 5 items at 60 % (< 90 %); T2 only 3 items (too few to judge).
    assert bool(df.loc[handset.T1, "yellow"]) and not bool(df.loc[handset.T2, "yellow"])
    from domain.rules import AccountabilityRules
    lenient = accountability.unit_ranking(REGION, p, DAY, by="township",
                                          arules=AccountabilityRules(yellow_card_line=0.5))
    assert not lenient["yellow"].any()


# --- agenda and the Friday list ------------------------------------------------------------------

def test_agenda_of_a_day(dataset):
    a = agenda.agenda(REGION, D(2026, 10, 31))
    assert nos(a.backlog) == {"M13", "M15", "M16"}
    assert nos(a.gaps) == {"M15", "M16", "M17"}
    # Visits of 50 or more persons in the 30 days up to 10-31: M17's 60 on 10-06.
    assert list(a.visits["submission_no"]) == ["BLK-S-M17-5"]
    assert a.counts["large_visit_persons"] == 60
    assert a.counts == {"backlog": 3, "package_gaps": 3, "large_visits": 1, "overdue": 6,
                        "large_visit_persons": 60}
    assert list(a.longest["matter_no"][:2]) == ["BLK-M13", "BLK-M14"]
    # A township's agenda.
    t1 = agenda.agenda(T1_SCOPE, D(2026, 10, 31))
    assert nos(t1.backlog) == {"M13", "M16"} and t1.visits.empty


def test_friday_list(dataset):
    f = agenda.friday_list(REGION, DAY)
    assert (f.week_start, f.week_end) == (D(2026, 11, 16), D(2026, 11, 22))
    # Feedback due Mon 16 – Sun 22 Nov: A02 (11-18), A03 (11-20), A05 (11-21).
    assert list(f.assignments["assignment_no"]) == ["BLK-A02", "BLK-A03", "BLK-A05"]
    assert f.clocks.empty  # nothing due 11-20 … 11-23 on the data set
    earlier = agenda.friday_list(REGION, D(2026, 11, 13))
    # On Fri 11-13: M18's answer due 11-14 (1 day left); week 11-09 … 11-15: A01 (11-14).
    assert earlier.clocks[["matter_no", "clock", "days_left"]].values.tolist() == [
        ["BLK-M18", "answer", 1]]
    assert list(earlier.assignments["assignment_no"]) == ["BLK-A01"]
    by_unit = earlier.by_unit.set_index("unit")
    assert by_unit.loc[handset.DEPT1, "clocks"] == 1
    assert by_unit.loc[handset.GOV1, ["assignments", "open"]].tolist() == [1, 1]
