"""The one writer of every spreadsheet and CSV file the product hands out (issue 11, finding 2).

A cell that a spreadsheet program would read as a formula — a string starting with ``=``,
``+``, ``-`` or ``@``, or with a tab or carriage return that Excel strips before looking —
is written with a leading apostrophe, as OWASP's "CSV injection" page recommends. A package
leader's name typed as ``=HYPERLINK("http://…","点此")`` then reaches the county leader's
file as text, not as a live formula. Numbers written as numbers (``-3`` as an ``int``) are
numbers and stay untouched; only text is neutralised.

Everything that writes XLSX or CSV — the agenda and Friday list, the briefing workbook, the
importers' rejects and warnings files, the demo data, the audit export — goes through this
module, below the UI (``briefing/``, ``cli/``, ``ingest/`` may use it; it imports nothing of
the project). ``tests/security/test_exports.py`` fails when a new writer bypasses it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

#: First characters that make a spreadsheet evaluate a cell (OWASP: = + - @ tab CR).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as it may be written to a cell: text that could start a formula gets a
    leading apostrophe; numbers, dates, booleans and None are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


# --- CSV -----------------------------------------------------------------------------------------

class CsvWriter:
    """``csv.writer`` whose every cell passes through :func:`safe_cell`."""

    def __init__(self, fh: IO[str], **kwargs):
        self._w = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        self._w.writerows(safe_row(r) for r in rows)


class DictCsvWriter:
    """``csv.DictWriter`` with the same neutralising of values (header names are ours)."""

    def __init__(self, fh: IO[str], fieldnames: Sequence[str], **kwargs):
        self._w = csv.DictWriter(fh, fieldnames=list(fieldnames), **kwargs)

    def writeheader(self) -> None:
        self._w.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> None:
        self._w.writerow({k: safe_cell(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)


def frame_to_csv(frame, path, **kwargs) -> None:
    """``DataFrame.to_csv`` with text cells neutralised (numeric columns keep their type)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(safe_cell)
    out.to_csv(path, **kwargs)


# --- XLSX with openpyxl --------------------------------------------------------------------------

def openpyxl_workbook():
    """A new openpyxl ``Workbook`` whose sheets neutralise every value set through
    ``ws.cell(row, column, value)`` and ``ws.append(row)`` (openpyxl stores any string that
    starts with ``=`` as a formula)."""
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    class SafeWorksheet(Worksheet):
        def cell(self, row, column, value=None):
            return super().cell(row, column, safe_cell(value))

        def append(self, iterable):
            if isinstance(iterable, dict):
                return super().append({k: safe_cell(v) for k, v in iterable.items()})
            return super().append(safe_row(iterable))

    class SafeWorkbook(Workbook):
        def __init__(self):
            super().__init__()
            # openpyxl makes its first sheet itself; replace it with a neutralising one.
            first = self._sheets.pop(0)
            self._sheets.insert(0, SafeWorksheet(parent=self, title=first.title))
            self._active_sheet_index = 0

        def create_sheet(self, title=None, index=None):
            ws = SafeWorksheet(parent=self, title=title)
            self._add_sheet(sheet=ws, index=index)
            return ws

    return SafeWorkbook()


# --- XLSX with XlsxWriter ------------------------------------------------------------------------

def xlsxwriter_workbook(target, options: dict | None = None):
    """A new ``xlsxwriter.Workbook`` on ``target`` (a path or a binary buffer) whose sheets
    neutralise text in ``write``, ``write_string``, ``write_row`` and ``write_column``.
    Strings are never turned into numbers, formulas or links behind the caller's back."""
    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

    class SafeWorksheet(Worksheet):
        # The one place every text cell passes (write, write_string, write_row, write_column).
        def _write_string(self, row, col, string, cell_format=None):
            return super()._write_string(row, col, safe_cell(string), cell_format)

    class SafeWorkbook(xlsxwriter.Workbook):
        def add_worksheet(self, name=None, worksheet_class=None):
            return super().add_worksheet(name, worksheet_class=worksheet_class or SafeWorksheet)

    opts = {"strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, **(options or {})}
    return SafeWorkbook(target, opts)
