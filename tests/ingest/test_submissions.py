"""Importing submissions: field rules, the matter reference, derived repeat and cross-level."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.ingest.conftest import matter_row, read_rejects, write_csv


@pytest.fixture
def matters(importer, tmp_path):
    s = importer(write_csv(tmp_path / "matters.csv",
                           [matter_row("A"), matter_row("B"), matter_row("C")]))
    assert s.inserted == 3


def sub(no: str, matter: str | None, received_on: str | None, channel: str = "visit",
        **values) -> dict:
    row = {"submission_no": f"IT-S-{no}", "matter_no": matter and f"IT-M-{matter}",
           "received_on": received_on, "channel": channel}
    row.update(values)
    return row


HEADER = ["submission_no", "matter_no", "received_on", "channel", "received_level", "persons",
          "irregular"]


def _flags(engine) -> dict[str, tuple]:
    with engine.connect() as c:
        rows = c.execute(text(
            "SELECT s.submission_no, m.matter_no, s.is_repeat, s.is_cross_level "
            "FROM submission s JOIN matter m ON m.id = s.matter_id "
            "WHERE s.submission_no LIKE 'IT-%'")).all()
    return {no: (m, rep, cross) for no, m, rep, cross in rows}


def _snapshot(engine) -> list:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(
            "SELECT * FROM submission WHERE submission_no LIKE 'IT-%' ORDER BY submission_no"))]


def test_bad_rows_are_rejected_and_good_ones_land(importer, engine, tmp_path, matters):
    rows = [
        sub("001", "A", "2024-01-10"),  # 2
        sub("002", "ZZ", "2024-01-10"),  # 3: no such matter
        sub("003", "A", "2024-01-10", persons="0"),  # 4
        sub("004", "A", "2024-01-10", channel="fax"),  # 5
        sub("005", "A", None),  # 6
        sub("001", "B", "2024-01-11"),  # 7: duplicate key
        sub("006", "A", "2024-01-10", irregular="maybe"),  # 8
        sub("007", "A", "2024-01-10", received_level="village"),  # 9
        sub("008", None, "2024-01-10"),  # 10
        sub("009", "B", "2024-01-12", channel="来访", received_level="省", persons="7",
            irregular="是"),  # 11
        sub("010", "C", "2024-01-13", persons="2.5"),  # 12
        sub("011", "C", "2024-01-13", persons="99999999999"),  # 13
    ]
    s = importer(write_csv(tmp_path / "s.csv", rows, HEADER), kind="submissions")
    got = [(r["line"], r["column"], r["submission_no"], r["matter_no"], r["reason_en"])
           for r in read_rejects(s.rejects_path)]
    assert got == [
        ("3", "matter_no", "IT-S-002", "IT-M-ZZ", "matter_no not found (import the matter first)"),
        ("4", "persons", "IT-S-003", "IT-M-A", "persons must be an integer 1–100000: 0"),
        ("5", "channel", "IT-S-004", "IT-M-A", "unknown channel value: fax"),
        ("6", "received_on", "IT-S-005", "IT-M-A", "required value missing"),
        ("7", "submission_no", "IT-S-001", "IT-M-B",
         "duplicate submission_no in this file (first on line 2)"),
        ("8", "irregular", "IT-S-006", "IT-M-A", "expected yes/no (是/否): maybe"),
        ("9", "received_level", "IT-S-007", "IT-M-A", "unknown received_level value: village"),
        ("10", "matter_no", "IT-S-008", "", "required value missing"),
        ("12", "persons", "IT-S-010", "IT-M-C", "persons is not a valid number: 2.5"),
        ("13", "persons", "IT-S-011", "IT-M-C",
         "persons must be an integer 1–100000: 99999999999"),
    ]
    assert (s.inserted, s.updated, s.unchanged, s.rejected) == (2, 0, 0, 10)
    with engine.connect() as c:
        stored = c.execute(text(
            "SELECT submission_no, channel, received_level, persons, irregular "
            "FROM submission WHERE submission_no LIKE 'IT-%' ORDER BY 1")).all()
    assert stored == [("IT-S-001", "visit", "county", 1, False),
                      ("IT-S-009", "visit", "province", 7, True)]


def test_repeat_and_cross_level_are_derived_and_re_derived(importer, engine, tmp_path, matters):
    rows = [
        sub("001", "A", "2024-01-10", received_level="county"),
        sub("002", "A", "2024-01-05", channel="letter", received_level="township"),
        sub("003", "A", "2024-01-10", channel="online", received_level="province"),
        sub("010", "B", "2024-02-01", received_level="national", persons="6"),
        sub("9", "B", "2024-02-01", received_level="city"),
    ]
    path = write_csv(tmp_path / "s.csv", rows, HEADER)
    s = importer(path, kind="submissions")
    assert (s.inserted, s.rejected) == (5, 0)
    assert _flags(engine) == {
        "IT-S-002": ("IT-M-A", False, False),  # the matter's first
        "IT-S-001": ("IT-M-A", True, False),  # later date
        "IT-S-003": ("IT-M-A", True, True),  # same day as 001, higher number; province
        "IT-S-9": ("IT-M-B", False, False),  # same day as 010: 9 is the lower number; city
        "IT-S-010": ("IT-M-B", True, True),  # national
    }

    # Re-import: nothing changes, flags included.
    before = _snapshot(engine)
    again = importer(path, kind="submissions")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    assert _snapshot(engine) == before

    # An earlier submission arrives: 002 becomes a repeat. 9 moves to matter C: 010 is now
    # B's first, and 9 is C's first.
    rows[4]["matter_no"] = "IT-M-C"
    more = importer(write_csv(tmp_path / "s2.csv",
                              [sub("000", "A", "2024-01-01", received_level="city"), rows[4]],
                              HEADER), kind="submissions")
    assert (more.inserted, more.updated, more.unchanged) == (1, 1, 0)
    assert _flags(engine) == {
        "IT-S-000": ("IT-M-A", False, False),
        "IT-S-002": ("IT-M-A", True, False),
        "IT-S-001": ("IT-M-A", True, False),
        "IT-S-003": ("IT-M-A", True, True),
        "IT-S-9": ("IT-M-C", False, False),
        "IT-S-010": ("IT-M-B", False, True),
    }


def test_chinese_headers_and_labels(importer, engine, tmp_path, matters):
    zh = {"submission_no": "信访件编号", "matter_no": "信访事项编号", "received_on": "来信来访日期",
          "channel": "信访形式", "received_level": "接收层级", "persons": "人数",
          "irregular": "非正常"}
    rows = [sub("Z1", "A", "2024-03-01", channel="12345转办", received_level="国家",
                persons="50", irregular="否")]
    s = importer(write_csv(tmp_path / "s.csv", rows, HEADER, encoding="gb18030", rename=zh),
                 kind="submissions")
    assert (s.inserted, s.rejected) == (1, 0)
    with engine.connect() as c:
        got = c.execute(text("SELECT channel, received_level, persons, irregular, "
                             "is_cross_level FROM submission WHERE submission_no = 'IT-S-Z1'"
                             )).one()
    assert tuple(got) == ("hotline_12345", "national", 50, False, True)


def _areas(engine) -> dict[str, tuple]:
    with engine.connect() as c:
        rows = c.execute(text(
            "SELECT submission_no, county_code, township_code, responsible_unit "
            "FROM submission WHERE submission_no LIKE 'IT-%' ORDER BY 1")).all()
    return {no: (county, township, unit) for no, county, township, unit in rows}


def test_submissions_carry_their_matters_area_and_follow_its_changes(engine, importer,
                                                                     tmp_path):
    importer(write_csv(tmp_path / "m.csv", [
        matter_row("A", area_code="430602001001", responsible_unit="区住建局"),
        matter_row("B", area_code="430602100206", responsible_unit="区人社局")]))
    importer(write_csv(tmp_path / "s.csv", [sub("1", "A", "2026-03-02"),
                                            sub("2", "B", "2026-03-03")], HEADER),
             kind="submissions")
    assert _areas(engine) == {"IT-S-1": ("430602", "430602001", "区住建局"),
                              "IT-S-2": ("430602", "430602100", "区人社局")}
    # The matter moves to another township and unit: its submissions follow (trigger).
    importer(write_csv(tmp_path / "m2.csv", [
        matter_row("A", area_code="430602100206", responsible_unit="区城管局"),
        matter_row("B", area_code="430602100206", responsible_unit="区人社局")]))
    assert _areas(engine)["IT-S-1"] == ("430602", "430602100", "区城管局")
    assert _areas(engine)["IT-S-2"] == ("430602", "430602100", "区人社局")
