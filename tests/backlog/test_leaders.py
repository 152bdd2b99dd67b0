"""Leader reception days (issue 16, item 5): the roster import, receptions linked to it with
the matter they took into a package, and county leaders judged against their day. Every
expected value below is worked out by hand from the files written here.

October 2026 starts on a Thursday: Mondays 5, 12, 19, 26; Wednesdays 7, 14, 21, 28; Fridays
2, 9, 16, 23, 30.

- 甲区长 (岳阳楼区, Monday): receptions on all four Mondays (one of them in 西塘镇, one took
  BLK-M13 into a package) and on Wednesday 14 → kept 4 of 4, 1 other day, status kept;
- 乙副区长 (岳阳楼区, Wednesday): the 7th (took BLK-M18 into a package) and the 21st → kept 2,
  missed 2 (14, 28), status partly;
- 丙副县长 (岳阳县, Friday): only Tuesday the 6th → kept 0 of 5, missed, 1 other day;
- 丁镇长 (西塘镇, township level): not in the county view.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from briefing.reception_days import workbook
from domain.reception_days import judge, parse_weekday
from ingest.accountability import import_accountability
from ingest.leaders import import_leaders
from queries.accountability import reception_day_totals, reception_days
from queries.filters import Period
from queries.scope import Scope
from tests.backlog import handset

D = dt.date
OCT = Period.month(2026, 10)
REGION = Scope.region()

ROSTER = """领导姓名,职务,单位代码,级别,接访日
甲区长,区长,430602,县级,周一
乙副区长,副区长,430602,county,3
丙副县长,副县长,430621,县级,星期五
丁镇长,镇长,430602100,乡级,Tuesday
戊,,430699,县级,周一
己,,430602,县级,周八
庚,,430602100,县级,周一
甲区长,区长,430602,县级,周二
,,430602,县级,周一
"""

RECEPTIONS = """leader_name,leader_title,kind,held_on,unit_code,matters_received,\
matters_resolved,leader_level,matter_no
甲区长,区长,fixed_point,2026-10-05,430602,3,1,,
甲区长,区长,fixed_point,2026-10-12,430602100,2,0,县级,
甲区长,区长,package,2026-10-19,430602,1,0,county,BLK-M13
甲区长,区长,fixed_point,2026-10-26,430602,2,1,,
甲区长,区长,thematic,2026-10-14,430602100,0,0,,
甲区长,区长,fixed_point,2026-11-02,430602,5,1,,
乙副区长,副区长,fixed_point,2026-10-07,430602,4,2,,BLK-M18
乙副区长,副区长,fixed_point,2026-10-21,430602,1,0,,
丙副县长,副县长,fixed_point,2026-10-06,430621,2,1,,
丁镇长,镇长,fixed_point,2026-10-13,430602100,3,1,乡级,
乙副区长,副区长,appointment,2026-10-09,430602,1,0,,BLK-NOPE
乙副区长,副区长,thematic,2026-10-09,430602,1,0,,BLK-M04
乙副区长,副区长,thematic,2026-10-10,430602,1,0,city,
"""


@pytest.fixture(scope="module")
def loaded(dataset, tmp_path_factory):
    folder = tmp_path_factory.mktemp("leaders")
    rec = folder / "receptions.csv"
    rec.write_text(RECEPTIONS, encoding="utf-8")
    roster = folder / "leaders.csv"
    roster.write_text(ROSTER, encoding="utf-8-sig")
    # Receptions first: the roster import links them afterwards.
    r = import_accountability(rec, "receptions", dataset.engine)
    s = import_leaders(roster, dataset.engine)
    return {"folder": folder, "rec": rec, "roster": roster, "r": r, "s": s,
            "engine": dataset.engine}


def test_weekday_vocabulary():
    assert [parse_weekday(v) for v in ("1", "周一", "星期一", "Monday", "mon", "MON")] == [1] * 6
    assert [parse_weekday(v) for v in ("7", "周日", "星期天", "Sunday", "0")] == [7] * 5
    assert parse_weekday("周八") is None and parse_weekday("") is None


def test_judge_by_hand():
    r = judge(1, [D(2026, 10, 5), D(2026, 10, 5), D(2026, 10, 14), D(2026, 9, 28)],
              D(2026, 10, 1), D(2026, 10, 31))
    assert (r.due, r.kept, r.missed, r.other_days, r.status) == (4, 1, 3, 1, "partly")
    assert r.missed_dates == (D(2026, 10, 12), D(2026, 10, 19), D(2026, 10, 26))
    assert judge(5, [], D(2026, 10, 1), D(2026, 10, 1)).status == "none_due"
    assert judge(4, [D(2026, 10, 1)], D(2026, 10, 1), D(2026, 10, 1)).status == "kept"
    assert judge(4, [], D(2026, 10, 1), D(2026, 10, 8)).status == "missed"
    # A holiday on the weekday is no reception day; a reception on it is another day.
    hol = {D(2026, 10, 5)}
    r = judge(1, [D(2026, 10, 5), D(2026, 10, 12)], D(2026, 10, 1), D(2026, 10, 18),
              lambda d: d not in hol)
    assert (r.due, r.kept, r.missed, r.other_days, r.status) == (1, 1, 0, 1, "kept")


def test_roster_import_rejects_with_line_and_reason(loaded):
    s = loaded["s"]
    assert (s.inserted, s.updated, s.unchanged, s.rejected) == (4, 0, 0, 5)
    rejects = s.rejects_path.read_text(encoding="utf-8-sig").splitlines()
    by_line = {}
    for row in rejects[1:]:
        line = int(row.split(",")[0])
        by_line.setdefault(line, []).append(row)
    assert sorted(by_line) == [6, 7, 8, 9, 10]
    assert "430699" in by_line[6][0] and "unknown unit code" in by_line[6][0]
    assert "周八" in by_line[7][0]
    assert "level does not match" in by_line[8][0]
    assert "duplicate" in by_line[9][0] and "line 2" in by_line[9][0]
    assert "required" in by_line[10][0]
    with loaded["engine"].connect() as c:
        rows = c.execute(text("SELECT name, unit_code, level, weekday FROM leader"
                              " ORDER BY weekday")).all()
    assert [tuple(r) for r in rows] == [("甲区长", "430602", "county", 1),
                                        ("丁镇长", "430602100", "township", 2),
                                        ("乙副区长", "430602", "county", 3),
                                        ("丙副县长", "430621", "county", 5)]


def test_reimport_changes_nothing(loaded):
    again = import_leaders(loaded["roster"], loaded["engine"])
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 5)
    rec = import_accountability(loaded["rec"], "receptions", loaded["engine"])
    assert (rec.inserted, rec.updated, rec.rejected) == (0, 0, 3)


def test_receptions_import_and_link(loaded):
    r = loaded["r"]
    assert (r.inserted, r.rejected) == (10, 3)
    text_ = r.rejects_path.read_text(encoding="utf-8-sig")
    assert "12,matter_no" in text_ and "matter not found: BLK-NOPE" in text_
    assert "13,matter_no" in text_ and "outside the reception's county" in text_
    assert "14,leader_level" in text_
    with loaded["engine"].connect() as c:
        rows = c.execute(text(
            "SELECT r.leader_name, r.held_on, l.name, r.leader_level, m.matter_no"
            " FROM leader_reception r LEFT JOIN leader l ON l.id = r.leader_id"
            " LEFT JOIN matter m ON m.id = r.matter_id"
            " WHERE r.leader_name IN ('甲区长', '乙副区长', '丙副县长', '丁镇长')"
            " ORDER BY r.held_on, r.leader_name")).all()
        others = c.execute(text("SELECT count(*) FROM leader_reception WHERE leader_id IS NULL"
                                " AND leader_name NOT IN ('甲区长', '乙副区长', '丙副县长',"
                                " '丁镇长')")).scalar()
    # The handset's own receptions have no roster leader: they stay unlinked.
    assert others == len(handset.RECEPTIONS)
    assert [r_[0] for r_ in rows] == [r_[2] for r_ in rows]  # each found its roster leader
    packaged = {(r_[0], r_[1]): r_[4] for r_ in rows if r_[4]}
    assert packaged == {("甲区长", D(2026, 10, 19)): "BLK-M13",
                        ("乙副区长", D(2026, 10, 7)): "BLK-M18"}
    levels = {(r_[0], r_[1]): r_[3] for r_ in rows}
    assert levels[("甲区长", D(2026, 10, 12))] == "county"
    assert levels[("甲区长", D(2026, 10, 5))] is None  # not stated: the roster's level


def test_county_leaders_against_their_day(loaded):
    df = reception_days(REGION, OCT, D(2026, 11, 15))
    got = {r["leader"]: (r["weekday"], r["due"], r["kept"], r["missed"], r["other_days"],
                         r["status"], r["receptions"], r["received"], r["packaged"])
           for r in df.to_dict("records")}
    assert got == {
        "丙副县长": (5, 4, 0, 4, 1, "missed", 1, 2, 0),
        "乙副区长": (3, 3, 1, 2, 1, "partly", 2, 5, 1),
        "甲区长": (1, 3, 3, 0, 2, "kept", 5, 8, 1),
    }
    assert df["leader"].tolist() == ["丙副县长", "乙副区长", "甲区长"]  # worst first
    row = df.set_index("leader").loc["乙副区长"]
    assert row["missed_dates"] == [D(2026, 10, 14), D(2026, 10, 28)]
    assert row["unit_name"] == "岳阳楼区"
    assert reception_day_totals(df) == {
        "leaders": 3, "kept": 1, "partly": 1, "missed": 1, "due_days": 10, "kept_days": 4,
        "receptions": 8, "received": 15, "packaged": 2}


def test_as_of_cuts_the_month(loaded):
    df = reception_days(REGION, OCT, D(2026, 10, 13)).set_index("leader")
    assert df.loc["甲区长", ["due", "kept", "other_days", "status"]].tolist() == [
        1, 1, 1, "kept"]
    assert df.loc["乙副区长", ["due", "kept", "other_days", "status"]].tolist() == [
        0, 0, 1, "none_due"]
    assert df.loc["丙副县长", ["due", "kept", "missed", "other_days", "status"]].tolist() == [
        1, 0, 1, 1, "missed"]


def test_scope(loaded):
    c2 = reception_days(Scope(units=(handset.C2,)), OCT, D(2026, 11, 15))
    assert c2["leader"].tolist() == ["丙副县长"]
    # A township sees no county leader; its own leader is a township-level one.
    assert reception_days(Scope(units=(handset.T1,)), OCT, D(2026, 11, 15)).empty
    town = reception_days(Scope(units=(handset.T1,)), OCT, D(2026, 11, 15), level="township")
    assert town["leader"].tolist() == ["丁镇长"]
    assert town.iloc[0][["due", "kept", "status"]].tolist() == [3, 1, "partly"]
    assert reception_days(Scope(), OCT, D(2026, 11, 15)).empty


def test_xlsx_read_back(loaded):
    df = reception_days(REGION, OCT, D(2026, 11, 15))
    for lang, unit, status in (("zh", "岳阳楼区", "部分缺席"),
                               ("en", "Yueyanglou District", "Missed some days")):
        data = workbook(df, reception_day_totals(df), OCT, D(2026, 11, 15), lang, "x")
        ws = openpyxl.load_workbook(io.BytesIO(data)).active
        rows = [list(r) for r in ws.iter_rows(min_row=7, values_only=True)]
        assert [r[0] for r in rows] == ["丙副县长", "乙副区长", "甲区长"]
        assert rows[1][2:12] == [unit, "周三" if lang == "zh" else "Wednesday", 3, 1, 2, 1,
                                 status, 2, 5, 1]
        assert rows[1][12] == "2026-10-14, 2026-10-28"


def test_cli(loaded, tmp_path):
    from cli.accountability import import_leaders_cmd, reception_days_cmd

    result = CliRunner().invoke(import_leaders_cmd, [str(loaded["roster"])])
    assert result.exit_code == 1  # five rows rejected
    assert "unchanged 4" in result.output and "rejected 5" in result.output
    out = tmp_path / "days.xlsx"
    result = CliRunner().invoke(reception_days_cmd, ["--month", "2026-10", "--as-of",
                                                     "2026-11-15", "--out", str(out)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(7, 1).value == "丙副县长" and ws.cell(9, 6).value == 3


def test_migration_0008_schema_and_row_level_security(loaded):
    """The roster table, the reception columns and admin_unit.name_en exist as
    queries/schema.py says; the web role sees only the leaders of its scope and cannot
    write the roster."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import ProgrammingError

    from queries import schema
    from queries.db import scoped

    insp = inspect(loaded["engine"])
    for table in ("leader", "leader_reception", "admin_unit"):
        stored = {c["name"] for c in insp.get_columns(table)}
        assert {c.name for c in schema.metadata.tables[table].columns} <= stored, table
    with scoped(Scope(units=(handset.C2,))) as c:
        assert c.execute(text("SELECT name FROM leader")).scalars().all() == ["丙副县长"]
    with scoped(Scope(units=(handset.T1,))) as c:
        assert c.execute(text("SELECT name FROM leader")).scalars().all() == ["丁镇长"]
    with pytest.raises(ProgrammingError), scoped(REGION) as c:
        c.execute(text("UPDATE leader SET weekday = 1"))
