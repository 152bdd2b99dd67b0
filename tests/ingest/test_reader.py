"""ingest.reader: encodings, headers in English or Chinese, line numbers, XLSX, chunks."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from ingest.reader import ImportFileError, detect_encoding, open_source

CHINESE = "信访事项编号,登记日期,问题类别,问题属地代码,备注\n"


def _rows(source, size=1000):
    chunks = list(source.chunks(size))
    return chunks


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")])
def test_encodings_are_detected_and_chinese_headers_mapped(tmp_path, encoding, expected):
    path = tmp_path / "m.csv"
    path.write_text(CHINESE + "M1,2024-03-01,劳动工资,430602001001,备注文字\n",
                    encoding=encoding)
    assert detect_encoding(path) == expected
    source = open_source(path, "matters")
    assert source.headers["matter_no"] == "信访事项编号"
    assert source.warnings == ["已忽略未知列 ignored unknown columns: 备注"]
    (chunk,) = _rows(source)
    row = chunk.frame.iloc[0]
    assert (row["matter_no"], row["category"], row["area_code"]) == ("M1", "劳动工资",
                                                                    "430602001001")
    assert chunk.lines.tolist() == [2]


def test_gb18030_detected_even_when_the_first_megabytes_are_ascii(tmp_path):
    path = tmp_path / "m.csv"
    ascii_rows = "".join(f"M{i},2024-03-01,other,430602001001\n" for i in range(60_000))
    path.write_bytes(("matter_no,registered_on,category,area_code\n" + ascii_rows
                      + "M-last,2024-03-01,劳动工资,430602001001\n").encode("gb18030"))
    assert path.stat().st_size > 2**21
    assert detect_encoding(path) == "gb18030"


def test_line_numbers_are_physical_lines_across_quoted_newlines_blank_lines_and_chunks(
        tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "matter_no,registered_on,category,area_code,summary\n"  # 1
        'A,2024-03-01,other,430602001001,"two\nlines"\n'  # 2-3
        "\n"  # 4 (blank: skipped)
        "B,2024-03-01,other,430602001001,\n"  # 5
        ",,,,\n"  # 6 (empty cells only: skipped)
        "C,2024-03-01,other,430602001001,,extra\n"  # 7: a value past the header
        "D,2024-03-01\n",  # 8: a short record
        encoding="utf-8")
    chunks = _rows(open_source(path, "matters"), size=2)
    assert [c.lines.tolist() for c in chunks] == [[2, 5], [7, 8]]
    assert chunks[1].frame[["matter_no", "category", "summary"]].values.tolist() == [
        ["C", "other", None], ["D", None, None]]
    assert chunks[0].frame["summary"].tolist()[0] == "two\nlines"
    assert chunks[1].overflow.tolist() == [True, False]
    assert chunks[0].overflow.tolist() == [False, False]


def test_values_are_stripped_and_empty_cells_are_missing(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("matter_no , Registered_On,category,area_code\n  A ,2024-03-01, ,\n",
                    encoding="utf-8")
    (chunk,) = _rows(open_source(path, "matters"))
    row = chunk.frame.iloc[0]
    assert row["matter_no"] == "A" and row["registered_on"] == "2024-03-01"
    assert row.isna()[["category", "area_code", "lon", "summary"]].all()


def test_missing_required_column_is_a_file_error(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("matter_no,category,area_code\nA,other,430602001001\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="registered_on"):
        open_source(path, "matters")
    path.write_text("matter_no,registered_on,category,lon\nA,2024-03-01,other,113\n",
                    encoding="utf-8")
    with pytest.raises(ImportFileError, match="area_code"):
        open_source(path, "matters")


def test_xlsx_cells_become_the_text_a_csv_would_hold(tmp_path):
    path = tmp_path / "m.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["信访事项编号", "登记日期", "问题类别", "问题属地代码", "延期天数", "上级交办积案"])
    ws.append(["M1", dt.datetime(2024, 3, 1, 9, 30), "劳动工资", 430602001001, 10.0, True])
    ws.append([None] * 6)  # empty row 3: skipped
    ws.append(["M2", dt.date(2024, 3, 2), "other", "430602100", None, "否"])
    wb.save(path)
    source = open_source(path, "matters")
    assert source.fmt == "xlsx"
    (chunk,) = _rows(source)
    assert chunk.lines.tolist() == [2, 4]
    f = chunk.frame
    assert f["registered_on"].tolist() == ["2024-03-01 09:30:00", "2024-03-02"]
    assert f["area_code"].tolist() == ["430602001001", "430602100"]
    assert f["extension_days"].iloc[0] == "10" and f["extension_days"].isna().iloc[1]
    assert f["backlog_flag"].tolist() == ["yes", "否"]
