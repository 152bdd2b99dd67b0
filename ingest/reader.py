"""Reading import files: encodings, header names, streaming in chunks with line numbers.

A file is CSV (UTF-8 with or without BOM, or GB18030 as Excel saves it on a Chinese Windows)
or XLSX. Headers are the English or Chinese names of :mod:`ingest.columns` in any order. The
reader never holds the whole file: it yields :class:`Chunk` frames of text values, each row
with the physical line (CSV) or row (XLSX) it started on, the header being line 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.columns import COLUMNS, Column

# Summaries can be long; the csv module's 128 KiB default would abort the whole import.
csv.field_size_limit(16 * 2**20)

_BLOCK = 2**20


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, a required column missing)."""


@dataclass
class Chunk:
    """Consecutive data rows of a file, as text.

    ``frame`` has one column per contract column (English names, object dtype holding
    stripped ``str`` values, None where empty or absent from the file); ``lines`` is the
    physical line/row each record starts on; ``overflow`` marks records with values beyond
    the last header.
    """

    frame: pd.DataFrame
    lines: np.ndarray
    overflow: np.ndarray


@dataclass
class Source:
    """An opened import file: its format, encoding, header mapping and warnings."""

    path: Path
    kind: str
    fmt: str  # csv | xlsx
    encoding: str | None
    header_line: int
    positions: dict[str, int]  # English column name -> position in the file
    headers: dict[str, str]  # English column name -> header text as written in the file
    width: int
    warnings: list[str] = field(default_factory=list)
    delimiter: str = ","
    #: ``(kind, names)`` of the header's ignored columns: kind "unknown" or "repeated".
    header_notes: list[tuple[str, list[str]]] = field(default_factory=list)

    def chunks(self, size: int) -> Iterator[Chunk]:
        """Yield the data rows in chunks of at most ``size`` rows."""
        records = self._csv_records() if self.fmt == "csv" else self._xlsx_records()
        rows: list = []
        lines: list[int] = []
        for line, rec in records:
            rows.append(rec)
            lines.append(line)
            if len(rows) >= size:
                yield self._chunk(rows, lines)
                rows, lines = [], []
        if rows:
            yield self._chunk(rows, lines)

    # -- records ---------------------------------------------------------------------------

    def _csv_records(self) -> Iterator[tuple[int, list[str]]]:
        with open(self.path, encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            for _rec in reader:  # up to and including the header record
                if reader.line_num >= self.header_line:
                    break
            prev = reader.line_num
            for rec in reader:
                # A record spans several physical lines when a quoted field holds newlines;
                # it starts on the line after the end of the previous one.
                start, prev = prev + 1, reader.line_num
                if any(rec):
                    yield start, rec

    def _xlsx_records(self) -> Iterator[tuple[int, tuple]]:
        wb = _open_workbook(self.path)
        try:
            ws = wb.worksheets[0]
            for number, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
                if number <= self.header_line:
                    continue
                if any(v is not None and v != "" for v in row):
                    yield number, row
        finally:
            wb.close()

    # -- frames ----------------------------------------------------------------------------

    def _chunk(self, rows: list, lines: list[int]) -> Chunk:
        width = self.width
        overflow = np.zeros(len(rows), dtype=bool)
        for i, rec in enumerate(rows):
            n = len(rec)
            if n != width:
                if n > width:
                    overflow[i] = any(v not in (None, "") for v in rec[width:])
                    rows[i] = rec[:width]
                else:  # a short record: the missing trailing cells are empty
                    rows[i] = tuple(rec) + ("",) * (width - n)
        by_position = list(zip(*rows, strict=True)) if rows else [()] * width
        data = {}
        for col in COLUMNS[self.kind]:
            pos = self.positions.get(col.name)
            if pos is None:
                data[col.name] = pd.Series(None, index=range(len(rows)), dtype=object)
                continue
            data[col.name] = _clean(by_position[pos], self.fmt == "xlsx")
        return Chunk(pd.DataFrame(data), np.asarray(lines, dtype=np.int64), overflow)


# Whitespace an office file puts around values: ASCII, no-break and ideographic spaces.
_SPACES = (" ", "\t", "\r", "\n", "\xa0", "\u3000")


def _needs_strip(joined: str) -> bool:
    # Substring tests run at memchr speed; a regex over the joined column took ~50 ms.
    if not joined:
        return False
    if joined[0].isspace() or joined[-1].isspace():
        return True
    return any(sp + "\x00" in joined or "\x00" + sp in joined for sp in _SPACES)


def _clean(values: tuple, xlsx: bool) -> pd.Series:
    """Cell values -> stripped text, None for empty (object dtype: no per-value NA logic)."""
    if xlsx:
        values = [_cell_text(v) for v in values]
        values = ["" if v is None else v for v in values]
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    # Strip only a column that has some value with space at an edge: one test over the
    # joined column instead of a Python call per value.
    if _needs_strip("\x00".join(values)):
        arr[:] = [v.strip() for v in values]
    arr[arr == ""] = None
    return pd.Series(arr, dtype=object)


def open_source(path: str | Path, kind: str) -> Source:
    """Open ``path`` for import as ``kind``: detect format and encoding, map the header.

    Raises :class:`ImportFileError` when the file cannot be read or lacks a required column.
    """
    if kind not in COLUMNS:
        raise ValueError(f"kind must be one of {sorted(COLUMNS)}")
    path = Path(path)
    fmt, encoding, header_line, header, delimiter = _read_header(path)
    if header is None:
        raise ImportFileError(f"{path.name}: 文件为空 / the file is empty")
    positions, headers, warnings = map_header(header, COLUMNS[kind])
    _check_required(kind, positions, path)
    source = Source(path, kind, fmt, encoding, header_line, positions, headers, len(header),
                    warnings, delimiter)
    source.header_notes = _header_notes(header, COLUMNS[kind])
    return source


def _read_header(path: Path):
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        header_line, header = _xlsx_header(path)
        return "xlsx", None, header_line, header, ","
    encoding = detect_encoding(path)
    header_line, header, delimiter = _csv_header(path, encoding)
    return "csv", encoding, header_line, header, delimiter


def read_header(path: Path) -> list[str]:
    """The header cells of an import file as written (empty when the file is empty)."""
    return _read_header(Path(path))[3] or []


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (BOM), ``utf-8`` when every byte decodes as UTF-8, else ``gb18030``.

    The whole file is checked (a C-speed pass, ~1 GB/s) because a GB18030 file can look like
    UTF-8 for its first megabytes when the early rows are ASCII.
    """
    with open(path, "rb") as fh:
        if fh.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for block in iter(lambda: fh.read(_BLOCK), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _csv_header(path: Path, encoding: str) -> tuple[int, list[str] | None, str]:
    try:
        with open(path, encoding=encoding, newline="") as fh:
            first = fh.readline()
            # Excel saves "Unicode text" with tabs; everything else here uses commas.
            delimiter = "\t" if "\t" in first and "," not in first else ","
            fh.seek(0)
            reader = csv.reader(fh, delimiter=delimiter)
            for rec in reader:
                if any(rec):
                    return reader.line_num, rec, delimiter
    except UnicodeDecodeError:
        raise ImportFileError(f"{path.name}: 无法识别的文件编码（应为 UTF-8 或 GB18030）/ "
                              "the file is neither UTF-8 nor GB18030") from None
    return 0, None, delimiter


def _open_workbook(path: Path):
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    # Some writers put a wrong <dimension> in the sheet; openpyxl would cut columns to it.
    wb.worksheets[0].reset_dimensions()
    return wb


def _xlsx_header(path: Path) -> tuple[int, list[str] | None]:
    try:
        wb = _open_workbook(path)
    except Exception as exc:  # zipfile/openpyxl errors: a damaged or mislabelled file
        raise ImportFileError(f"{path.name}: 无法读取 XLSX 文件 / cannot read the XLSX file "
                              f"({type(exc).__name__})") from None
    try:
        for number, row in enumerate(wb.worksheets[0].iter_rows(min_row=1, values_only=True),
                                     start=1):
            if any(v is not None and v != "" for v in row):
                return number, ["" if v is None else str(v) for v in row]
    finally:
        wb.close()
    return 0, None


def _normalise_header(text: str) -> str:
    return re.sub(r"\s+", "", str(text).replace("\ufeff", "")).lower()


def map_header(header: Iterable[str], columns: tuple[Column, ...]
               ) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Positions of the contract columns in ``header`` (English or Chinese names).

    Returns ``(positions, headers as written, warnings)``; unknown and repeated columns are
    ignored with a warning.
    """
    names = {}
    for col in columns:
        names[_normalise_header(col.name)] = col.name
        names[_normalise_header(col.zh)] = col.name
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for i, text in enumerate(header):
        key = _normalise_header(text)
        if not key:
            continue
        name = names.get(key)
        if name is None:
            unknown.append(str(text).strip())
        elif name in positions:
            repeated.append(str(text).strip())
        else:
            positions[name] = i
            written[name] = str(text).replace("\ufeff", "").strip()
    warnings = []
    if unknown:
        warnings.append(f"已忽略未知列 ignored unknown columns: {', '.join(unknown)}")
    if repeated:
        warnings.append(f"已忽略重复列 ignored repeated columns: {', '.join(repeated)}")
    return positions, written, warnings


def _header_notes(header: Iterable[str], columns: tuple[Column, ...]
                  ) -> list[tuple[str, list[str]]]:
    """The unknown and repeated columns of ``header``, for the warnings file."""
    names = {_normalise_header(n) for c in columns for n in (c.name, c.zh)}
    seen: set[str] = set()
    unknown, repeated = [], []
    for text in header:
        key = _normalise_header(text)
        if not key:
            continue
        if key not in names:
            unknown.append(str(text).strip())
            continue
        canon = next(c.name for c in columns
                     if key in (_normalise_header(c.name), _normalise_header(c.zh)))
        if canon in seen:
            repeated.append(str(text).strip())
        seen.add(canon)
    return [(k, v) for k, v in (("unknown", unknown), ("repeated", repeated)) if v]


def _check_required(kind: str, positions: dict[str, int], path: Path) -> None:
    from ingest.columns import by_name

    cols = by_name(kind)
    missing = [c for c in cols.values() if c.required and c.name not in positions]
    if kind == "matters" and "area_code" not in positions and not (
            "lon" in positions and "lat" in positions):
        missing.append(cols["area_code"])
    if missing:
        names = ", ".join(f"{c.name} ({c.zh})" for c in missing)
        raise ImportFileError(f"{path.name}: 缺少必需的列 missing required column(s): {names}")


def _cell_text(value) -> str | None:
    """An XLSX cell value as the text a CSV would hold."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        # Excel stores every date as a datetime; midnight means "a date".
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # Codes and counts typed into Excel come back as floats: 430602001.0 -> "430602001".
        return str(int(value))
    return str(value)
