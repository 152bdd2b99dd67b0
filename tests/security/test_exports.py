"""Finding 2: formula injection. Every XLSX and CSV the product writes neutralises text that a
spreadsheet would evaluate, keeps numbers as numbers, and goes through ``tabular``."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

import tabular

ROOT = Path(__file__).resolve().parents[2]
EVIL = '=HYPERLINK("http://evil.example/x","点此查看")'


@pytest.mark.parametrize("value", [EVIL, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_starts_a_formula_is_neutralised(value):
    assert tabular.safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [-3, -2.5, 0, 7, None, True, "张三", "2026-11-20", "—"])
def test_numbers_and_plain_text_are_untouched(value):
    assert tabular.safe_cell(value) == value


def test_openpyxl_workbook_keeps_formula_text_as_text(tmp_path):
    wb = tabular.openpyxl_workbook()
    wb.active.cell(1, 1, EVIL)
    wb.active.cell(1, 2, -42)
    other = wb.create_sheet("二")
    other.append(["@cmd", -1.5, "正常"])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    back = openpyxl.load_workbook(path)
    a1, b1 = back.worksheets[0]["A1"], back.worksheets[0]["B1"]
    assert (a1.data_type, a1.value) == ("s", "'" + EVIL)
    assert (b1.data_type, b1.value) == ("n", -42)
    assert [c.value for c in back["二"][1]] == ["'@cmd", -1.5, "正常"]


def test_xlsxwriter_workbook_keeps_formula_text_as_text():
    buf = io.BytesIO()
    wb = tabular.xlsxwriter_workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("s")
    ws.write(0, 0, EVIL)
    ws.write_string(1, 0, "+cmd")
    ws.write_row(2, 0, ["-x", -7, 3.5])
    wb.close()
    sheet = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    assert [(c.value, c.data_type) for c in sheet["A"]] == [
        ("'" + EVIL, "s"), ("'+cmd", "s"), ("'-x", "s")]
    assert [c.value for c in sheet[3]] == ["'-x", -7, 3.5]


def test_csv_writers_neutralise(tmp_path):
    path = tmp_path / "x.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = tabular.CsvWriter(fh)
        w.writerow(["a", "b"])
        w.writerow([EVIL, -5])
        d = tabular.DictCsvWriter(fh, ["a", "b"])
        d.writerow({"a": "@x", "b": 2})
    rows = list(csv.reader(open(path, encoding="utf-8-sig")))
    assert rows == [["a", "b"], ["'" + EVIL, "-5"], ["'@x", "2"]]


def test_import_rejects_file_neutralises_the_key(tmp_path, db_url):
    """The importer's rejects file quotes the row's key; a key typed as a formula arrives
    as text in the file the office opens in Excel."""
    from ingest.matters import import_file

    src = tmp_path / "matters.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["matter_no", "registered_on", "category", "area_code"],
                                  [EVIL, "not-a-date", "other", "430602001"]])
    summary = import_file(src, kind="matters", refresh_summaries=False)
    assert summary.rejected == 1
    rows = list(csv.reader(open(summary.rejects_path, encoding="utf-8-sig")))
    keys = [r[rows[0].index("matter_no")] for r in rows[1:]]
    assert keys and all(k == "'" + EVIL for k in keys)


# Writers of spreadsheets and CSV files, found by what they call. ``demodata/writer.py``
# streams millions of synthetic rows whose every field comes from fixed tables (codes,
# dates, numbers, generated names), joined by hand for speed; nothing a person typed.
WRITER_CALL = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(|xlsxwriter\.Workbook|"
                         r"\.to_csv\(|\.to_excel\(")
EXEMPT = {"tabular.py", "demodata/writer.py"}


def test_every_writer_goes_through_tabular():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "bench/", "var/")) or rel in EXEMPT:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WRITER_CALL.search(line) and "load_workbook" not in line:
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []
