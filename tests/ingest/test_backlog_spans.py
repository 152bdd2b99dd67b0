"""The importer's derived backlog spans (b) and (c) in the database (DESIGN §3 revised): they
end on a resolution, start again, keep every resolution a re-import ever brought, and end when
the accountability ledger marks the matter's package resolved. Expected dates by hand.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from queries.quality import quality_by_import, quality_by_unit
from queries.scope import Scope
from tests.ingest.conftest import T1, id_number, matter_row, read_rejects, write_csv, wrong_check

D = dt.date
ANSWERED = dict(registered_on="2026-01-02", forwarded_on="2026-01-05",
                accepted_on="2026-01-10", answered_on="2026-03-01")


def spans(engine, no: str) -> list[tuple]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(
            "SELECT b.reason, b.s, b.e FROM matter_backlog_span b JOIN matter m"
            " ON m.id = b.matter_id WHERE m.matter_no = :n ORDER BY b.s"), {"n": no})]


def subs(no: str, days: list[str]) -> list[dict]:
    return [{"submission_no": f"IT-S-{no}-{i}", "matter_no": f"IT-M-{no}", "received_on": d,
             "channel": "letter"} for i, d in enumerate(days, start=1)]


def test_b_resolved_and_started_again_and_resolutions_accumulate(importer, engine, tmp_path):
    m = write_csv(tmp_path / "m.csv", [matter_row("B1", **ANSWERED)])
    importer(m)
    importer(write_csv(tmp_path / "s.csv", subs("B1", [
        "2026-03-10", "2026-04-10", "2026-05-10", "2026-07-01", "2026-07-02", "2026-08-02",
        "2026-09-02"])), kind="submissions")
    # No resolution yet: one span from the third submission after the answer, open.
    assert spans(engine, "IT-M-B1") == [("repeat_after_answer", D(2026, 5, 10), None)]
    # A re-import brings the resolution of 07-01: the span ends there; the submission of
    # 07-01 does not count after it; three more (07-02, 08-02, 09-02) start a new one.
    importer(write_csv(tmp_path / "m2.csv", [matter_row("B1", **ANSWERED,
                                                        backlog_resolved_on="2026-07-01")]))
    expected = [("repeat_after_answer", D(2026, 5, 10), D(2026, 7, 1)),
                ("repeat_after_answer", D(2026, 9, 2), None)]
    assert spans(engine, "IT-M-B1") == expected
    # A later export without the resolution column value erases nothing (past months keep
    # their answer); a second resolution ends the second span.
    importer(write_csv(tmp_path / "m3.csv", [matter_row("B1", **ANSWERED)]))
    assert spans(engine, "IT-M-B1") == expected
    importer(write_csv(tmp_path / "m4.csv", [matter_row("B1", **ANSWERED,
                                                        backlog_resolved_on="2026-10-20")]))
    assert spans(engine, "IT-M-B1") == [expected[0], ("repeat_after_answer", D(2026, 9, 2),
                                                      D(2026, 10, 20))]
    with engine.connect() as c:
        kept = c.execute(text("SELECT resolved_on FROM backlog_resolution r JOIN matter m"
                              " ON m.id = r.matter_id WHERE m.matter_no = 'IT-M-B1'"
                              " ORDER BY 1")).scalars().all()
    assert kept == [D(2026, 7, 1), D(2026, 10, 20)]


def test_c_with_and_without_a_flag_date(importer, engine, tmp_path):
    s = importer(write_csv(tmp_path / "m.csv", [
        matter_row("C1", **ANSWERED, backlog_flag="是", backlog_flagged_on="2026-04-15",
                   backlog_resolved_on="2026-06-30"),
        matter_row("C2", **ANSWERED, backlog_flag="yes")]))
    assert s.rejected == 0 and s.warned == 1
    assert spans(engine, "IT-M-C1") == [("flagged", D(2026, 4, 15), D(2026, 6, 30))]
    # No flag date: from registration, with a warning naming the column.
    assert spans(engine, "IT-M-C2") == [("flagged", D(2026, 1, 2), None)]
    assert [(r["column"], r["matter_no"]) for r in read_rejects(s.warnings_path)] == [
        ("backlog_flagged_on", "IT-M-C2")]


def test_a_resolved_package_in_the_ledger_ends_the_backlog(importer, engine, tmp_path):
    importer(write_csv(tmp_path / "m.csv", [matter_row("P1", **ANSWERED, backlog_flag="yes",
                                                       backlog_flagged_on="2026-04-15")]))
    assert spans(engine, "IT-M-P1") == [("flagged", D(2026, 4, 15), None)]
    with engine.begin() as c:
        mid = c.execute(text("SELECT id FROM matter WHERE matter_no = 'IT-M-P1'")).scalar()
        c.execute(text("INSERT INTO package_assignment (matter_id, leader_name, level, since)"
                       " VALUES (:m, '测试领导甲', 'county', '2026-04-20')"), {"m": mid})
        assert spans(engine, "IT-M-P1") == [("flagged", D(2026, 4, 15), None)]
        c.execute(text("UPDATE package_assignment SET resolved_on = '2026-08-01'"
                       " WHERE matter_id = :m"), {"m": mid})
    assert spans(engine, "IT-M-P1") == [("flagged", D(2026, 4, 15), D(2026, 8, 1))]
    with engine.begin() as c:
        c.execute(text("DELETE FROM package_assignment WHERE matter_id = :m"), {"m": mid})
    assert spans(engine, "IT-M-P1") == [("flagged", D(2026, 4, 15), None)]


def test_data_quality_by_unit_and_by_import(importer, engine, tmp_path):
    number = id_number("43060219800101001")
    s = importer(write_csv(tmp_path / "q.csv", [
        # accepted blank, answered set: acceptance and answer unrecorded (2 clocks).
        matter_row("Q1", registered_on="2026-06-01", forwarded_on="2026-06-03",
                   answered_on="2026-07-01", responsible_unit="测试单位甲"),
        # explicit office, forwarded blank, accepted: forward and acceptance (2 clocks).
        matter_row("Q2", registered_on="2026-06-01", intake="信访部门转送",
                   accepted_on="2026-06-05", responsible_unit="测试单位甲"),
        # a mistyped ID: a warning, no unrecorded clock.
        matter_row("Q3", registered_on="2026-06-01", petitioner_id=wrong_check(number),
                   responsible_unit="测试单位乙"),
        matter_row("Q4", registered_on="2026-06-01", responsible_unit="测试单位乙")]))
    assert (s.inserted, s.rejected, s.warned) == (4, 0, 3)
    units = quality_by_unit(Scope.region(), D(2026, 11, 20)).set_index("name")
    assert units.loc["测试单位甲", ["matters", "unrecorded", "unrecorded_matters", "warned",
                                 "unrec_forward", "unrec_accept", "unrec_answer"]
                      ].tolist() == [2, 4, 2, 2, 1, 2, 1]
    assert units.loc["测试单位乙", ["matters", "unrecorded", "warned"]].tolist() == [2, 0, 1]
    # A township officer of another township sees none of it.
    assert quality_by_unit(Scope(units=("430603001",)), D(2026, 11, 20)).empty
    run = quality_by_import(Scope.region()).set_index("run_id").loc[s.run_id]
    assert (run["inserted"], run["rejected"], run["warned"]) == (4, 0, 3)
    # Four warning lines: two unrecorded-clock lines for Q1 and Q2 each would make five;
    # by kind: unrecorded clocks on 2 rows, a dropped ID on 1 row.
    assert run["by_code"] == "unrecorded: 2, id_dropped: 1"
    with engine.connect() as c:
        n = c.execute(text("SELECT unrecorded_n FROM matter WHERE matter_no LIKE 'IT-M-Q%'"
                           " ORDER BY matter_no")).scalars().all()
    assert n == [2, 2, 0, 0]
    assert T1  # the fixture geography is loaded
