"""The importers of reporting units, daily reports and duty rosters: every bad row rejected with
its line, column and reason (never quoting a person), good rows landing, re-imports changing
nothing; encodings and XLSX; the CLI's exit codes."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from ingest.stability import ImportFileError, import_stability_file


def _write(path, header, rows, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _rejects(summary) -> list[dict]:
    if summary.rejects_path is None:
        return []
    with open(summary.rejects_path, encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_daily_reports_bad_rows_rejected_good_rows_land(world, engine, tmp_path):
    d = world.day - dt.timedelta(days=30)
    ok = d.isoformat()
    rows = [
        ["WS-T-A", ok, f"{ok} 08:30", "0", "零报告"],                       # 2 good
        ["WS-NOPE", ok, f"{ok} 08:30", "0", ""],                           # 3 unknown unit
        ["WS-T-B", "2026-13-40", f"{ok} 08:30", "0", ""],                  # 4 bad date
        ["WS-T-B", ok, "早上八点", "0", ""],                                 # 5 bad time
        ["WS-T-C", ok, f"{ok} 09:00", "-2", ""],                           # 6 negative
        ["WS-D-1", ok, f"{(d - dt.timedelta(days=1)).isoformat()} 09:00", "0", ""],  # 7 early
        ["WS-T-A", ok, f"{ok} 10:00", "1", "重复"],                         # 8 duplicate key
        ["WS-D-2", "2099-01-01", "2099-01-01 09:00", "0", ""],             # 9 future
        ["WS-D-2", ok, "", "0", ""],                                       # 10 no time
        ["WS-D-2", (d + dt.timedelta(days=1)).isoformat(),
         f"{(d + dt.timedelta(days=1)).isoformat()} 16:59", "", "缺省为零"],  # 11 good
    ]
    path = _write(tmp_path / "reports.csv",
                  ["unit_code", "report_date", "filed_at", "incidents", "note", "extra"], rows)
    s = import_stability_file(path, "daily_reports", engine)
    assert (s.inserted, s.updated, s.unchanged, s.rejected) == (2, 0, 0, 8)
    assert any("extra" in w for w in s.warnings)
    rej = _rejects(s)
    by_line = {int(r["line"]): r for r in rej}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert by_line[3]["column"] == "unit_code" and "WS-NOPE" in by_line[3]["reason_en"]
    assert by_line[4]["column"] == "report_date"
    assert by_line[5]["column"] == "filed_at" and "早上八点" in by_line[5]["reason_zh"]
    assert by_line[6]["column"] == "incidents"
    assert "before the report date" in by_line[7]["reason_en"]
    assert "line 2" in by_line[8]["reason_en"]
    assert "future" in by_line[9]["reason_en"]
    assert "required" in by_line[10]["reason_en"]
    with engine.connect() as c:
        got = c.execute(text(
            "SELECT unit_code, report_date, incidents, to_char(filed_at AT TIME ZONE"
            " 'Asia/Shanghai', 'HH24:MI') FROM daily_report WHERE report_date IN (:a, :b)"
            " AND unit_code LIKE 'WS-%' ORDER BY 1"),
            {"a": d, "b": d + dt.timedelta(days=1)}).all()
    assert [tuple(r) for r in got] == [("WS-D-2", d + dt.timedelta(days=1), 0, "16:59"),
                                       ("WS-T-A", d, 0, "08:30")]

    again = import_stability_file(path, "daily_reports", engine)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 8)
    rows[0][3] = "3"
    changed = import_stability_file(_write(tmp_path / "reports.csv",
                                           ["unit_code", "report_date", "filed_at",
                                            "incidents", "note"], rows),
                                    "daily_reports", engine)
    assert (changed.inserted, changed.updated, changed.unchanged) == (0, 1, 1)
    with engine.connect() as c:
        runs = c.execute(text("SELECT kind, inserted, updated, unchanged, rejected FROM"
                              " import_run WHERE file_name = :f ORDER BY id"),
                         {"f": str(path)}).all()
    assert [tuple(r) for r in runs][-1] == ("daily_reports", 0, 1, 1, 8)


def test_missing_column_and_encodings(world, engine, tmp_path):
    path = _write(tmp_path / "nohead.csv", ["unit_code", "report_date"], [["WS-T-A", "2026-01-01"]])
    with pytest.raises(ImportFileError, match="filed_at"):
        import_stability_file(path, "daily_reports", engine)
    d = (world.day - dt.timedelta(days=40)).isoformat()
    gb = _write(tmp_path / "gb.csv", ["单位代码", "报告日期", "报送时间", "事件数", "备注"],
                [["WS-T-B", d, f"{d} 09:10", "0", "零报告（GB18030）"]], encoding="gb18030")
    s = import_stability_file(gb, "daily_reports", engine)
    assert (s.inserted, s.rejected) == (1, 0)
    with engine.connect() as c:
        note = c.execute(text("SELECT note FROM daily_report WHERE unit_code = 'WS-T-B'"
                              " AND report_date = :d"), {"d": d}).scalar_one()
    assert note == "零报告（GB18030）"


def test_duty_roster_xlsx_never_quotes_names(world, engine, tmp_path):
    d = world.day + dt.timedelta(days=3)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位代码", "值班日期", "班次", "值班人员", "带班领导", "值班电话"])
    ws.append(["WS-T-A", d, "白班", "墙测值班员甲", "墙测领导甲", "0730-00001111"])
    ws.append(["WS-T-A", d, "夜班", "墙测值班员乙", None, "0730-00002222"])
    ws.append(["WS-T-B", d, "早班", "墙测值班员丙", None, None])
    ws.append(["WS-T-B", d, "day", "墙测值班员丁" * 20, None, None])
    ws.append(["WS-T-C", d, "full", "墙测值班员戊", None, "电话：墙测值班员戊"])
    ws.append(["WS-T-C", d, None, None, None, None])
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    s = import_stability_file(path, "duty_rosters", engine)
    assert (s.inserted, s.rejected) == (2, 4)
    rej = _rejects(s)
    assert {int(r["line"]) for r in rej} == {4, 5, 6, 7}
    text_all = " ".join(r["reason_zh"] + r["reason_en"] for r in rej)
    assert "墙测值班员" not in text_all  # staff names are never echoed
    assert {r["column"] for r in rej} >= {"班次", "值班人员", "值班电话"}
    again = import_stability_file(path, "duty_rosters", engine)
    assert (again.inserted, again.unchanged, again.rejected) == (0, 2, 4)


def test_reporting_units_rules(world, engine, tmp_path):
    towns = world.towns
    rows = [
        ["WS-U-1", "墙测甲镇综治中心", "township", "", towns["A"]],        # good (county derived)
        ["WS U 2", "空格代码", "department", "430626", ""],                  # bad code
        ["WS-U-3", "错县", "township", "430621", towns["A"]],               # mismatch
        ["WS-U-4", "无县部门", "部门", "", ""],                               # no county
        ["WS-U-5", "外省", "department", "110101", ""],                      # unknown area
        ["WS-U-6", "市墙测部门", "department", "430600", ""],                 # good (city)
    ]
    path = _write(tmp_path / "units.csv", ["code", "name", "kind", "county_code",
                                           "township_code"], rows)
    try:
        s = import_stability_file(path, "reporting_units", engine)
        assert (s.inserted, s.rejected) == (2, 4)
        assert {int(r["line"]) for r in _rejects(s)} == {3, 4, 5, 6}
        with engine.connect() as c:
            county = c.execute(text("SELECT county_code FROM reporting_unit"
                                    " WHERE code = 'WS-U-1'")).scalar_one()
        assert county == towns["A"][:6]
        assert import_stability_file(path, "reporting_units", engine).unchanged == 2
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM reporting_unit WHERE code LIKE 'WS-U-%'"))


def test_cli_exit_codes(world, tmp_path):
    from cli.stability import import_daily_reports

    d = (world.day - dt.timedelta(days=50)).isoformat()
    good = _write(tmp_path / "good.csv", ["unit_code", "report_date", "filed_at"],
                  [["WS-T-C", d, f"{d} 08:00"]])
    result = CliRunner().invoke(import_daily_reports, [str(good)])
    assert result.exit_code == 0 and "inserted 1" in result.output
    bad = _write(tmp_path / "bad.csv", ["unit_code", "report_date", "filed_at"],
                 [["WS-T-C", d, "x"]])
    result = CliRunner().invoke(import_daily_reports, [str(bad)])
    assert result.exit_code == 1 and "rejected 1" in result.output and "rejects:" in result.output
