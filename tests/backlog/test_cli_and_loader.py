"""The accountability loader's contract (rejects with line and reason, re-import changes
nothing, Chinese headers) and the commands ``import-accountability``, ``agenda`` and
``ranking``."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import text

from cli import accountability as commands
from ingest.accountability import AccountabilityFileError, import_accountability
from tests.backlog import handset


@pytest.fixture
def runner(dataset):
    server = Flask("backlog-cli")
    for command in commands.COMMANDS:
        server.cli.add_command(command)
    return server.test_cli_runner()


def write(path, header, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_reimport_changes_nothing(dataset):
    for kind in ("packages", "assignments", "receptions"):
        s = import_accountability(dataset.files[kind], kind, dataset.engine)
        assert (s.inserted, s.updated, s.rejected) == (0, 0, 0), kind
        assert s.unchanged == s.rows > 0


def test_rejects_with_line_column_and_reason_and_good_rows_land(dataset, tmp_path):
    path = write(tmp_path / "r.csv",
                 ["接访领导", "接访方式", "接访日期", "单位代码", "接待事项数", "化解事项数",
                  "note2"],
                 [["测试领导甲", "定点接访", "2026-11-02", handset.T1, "2", "1", "x"],
                  ["测试领导甲", "夜访", "2026-11-03", handset.T1, "1", "0", ""],
                  ["测试领导乙", "thematic", "2026-11-31", handset.T2, "1", "0", ""],
                  ["测试领导乙", "thematic", "2026-11-04", "110101001", "1", "0", ""],
                  ["测试领导乙", "appointment", "2026-11-05", handset.T2, "1", "3", ""],
                  ["测试领导甲", "fixed_point", "2026-11-02", handset.T1, "2", "1", ""]])
    s = import_accountability(path, "receptions", dataset.engine)
    assert (s.inserted, s.rejected) == (1, 5)
    assert "ignored unknown columns: note2" in s.warnings[0]
    rejects = list(csv.DictReader(open(s.rejects_path, encoding="utf-8-sig")))
    assert [(r["line"], r["column"]) for r in rejects] == [
        ("3", "kind"), ("4", "held_on"), ("5", "unit_code"), ("6", "matters_resolved"),
        ("7", "leader_name")]
    assert "duplicate of line 2" in rejects[-1]["reason"]
    bad = write(tmp_path / "p.csv", ["matter_no", "leader_name", "level", "since"],
                [["BLK-NOPE", "某领导", "county", "2026-11-01"],
                 ["BLK-M17", "某领导", "city", "2026-11-01"],
                 ["BLK-M17", "某领导", "county", "2026-08-01"]])
    s = import_accountability(bad, "packages", dataset.engine)
    assert s.rejected == 3 and s.inserted == 0
    with pytest.raises(AccountabilityFileError, match="assignment_no"):
        import_accountability(write(tmp_path / "a.csv", ["title"], [["x"]]), "assignments",
                              dataset.engine)


def test_assignment_reimport_keeps_a_close_out_made_in_the_application(dataset, tmp_path):
    with dataset.engine.begin() as c:
        c.execute(text("UPDATE assignment SET closed_on = '2026-11-20', feedback_on ="
                       " '2026-11-19', close_note = '页面销号' WHERE assignment_no = 'BLK-A03'"))
    s = import_accountability(dataset.files["assignments"], "assignments", dataset.engine)
    assert s.updated == 0 and s.inserted == 0
    with dataset.engine.connect() as c:
        row = c.execute(text("SELECT closed_on, close_note FROM assignment"
                             " WHERE assignment_no = 'BLK-A03'")).one()
    assert str(row.closed_on) == "2026-11-20" and row.close_note == "页面销号"


def test_import_command_exit_codes(runner, dataset, tmp_path):
    ok = runner.invoke(args=["import-accountability", str(dataset.files["packages"]),
                             "--kind", "packages"])
    assert ok.exit_code == 0 and "拒绝 rejected 0" in ok.output
    bad = write(tmp_path / "b.csv", ["matter_no", "leader_name", "level", "since"],
                [["BLK-NOPE", "x", "county", "2026-11-01"]])
    result = runner.invoke(args=["import-accountability", str(bad), "--kind", "packages"])
    assert result.exit_code == 1 and "rejects:" in result.output


def test_agenda_command_writes_the_workbook_and_an_audit_row(runner, dataset, tmp_path):
    out = tmp_path / "agenda.xlsx"
    result = runner.invoke(args=["agenda", "--date", "2026-11-20", "--unit", handset.T2,
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(io.BytesIO(out.read_bytes()))
    assert [r[1] for r in wb["积案"].iter_rows(min_row=2, values_only=True)] == [
        "BLK-M15", "BLK-M14"]
    with dataset.engine.connect() as c:
        row = c.execute(text("SELECT username, detail FROM audit_log WHERE action = 'export'"
                             " AND target = :t"), {"t": f"agenda 2026-11-20 {handset.T2}"}).one()
    assert row.username.startswith("cli") and row.detail["unit"] == handset.T2
    bad = runner.invoke(args=["agenda", "--date", "2026-11-20", "--unit", "110101",
                              "--out", str(out)])
    assert bad.exit_code == 2


def test_ranking_command(runner, dataset):
    result = runner.invoke(args=["ranking", "--month", "2026-10", "--as-of", "2026-11-20",
                                 "--by", "township", "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    units = {u["key"]: u for u in got["units"]}
    # T1: 3 of 5 handling clocks on time (see test_queries); T2: 1 of 3.
    assert units[handset.T1]["handling_rate"] == pytest.approx(0.6)
    assert units[handset.T1]["yellow"] is True and units[handset.T1]["rank"] == 1
    assert units[handset.T2]["yellow"] is False  # 3 items: too few to judge
    lenient = json.loads(runner.invoke(args=[
        "ranking", "--month", "2026-10", "--as-of", "2026-11-20", "--by", "township",
        "--line", "0.5", "--json"]).output)
    assert lenient["line"] == 0.5 and not any(u["yellow"] for u in lenient["units"])
    text_out = runner.invoke(args=["ranking", "--month", "2026-10", "--as-of", "2026-11-20",
                                   "--by", "township"]).output
    assert re.search(r"1\s+西塘镇（岳阳楼区）\s+60\.0%\s+\(3/5\)\s+办理时效黄牌", text_out)
