"""Rejected rows and warnings: collected per chunk as masks, written to ``<input>.rejects.csv``
and ``<input>.warnings.csv`` (the same columns).

A reject (the row does not land) or a warning (the row lands; DESIGN §5: a flaw in an optional
field) names the line, the column, the reason (Chinese and English) and the row's key, never
the row itself: rows may hold personal data (DESIGN §1.2), and a reason only quotes the
offending value for columns that are not personal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tabular import CsvWriter

_MAX_QUOTED = 40


class RowErrors:
    """The errors of one chunk. Checks add boolean masks; ``bad`` marks rejected rows."""

    def __init__(self, lines: np.ndarray, keys: dict[str, pd.Series],
                 headers: dict[str, str]):
        self.lines = lines
        self.keys = {k: v.to_numpy(dtype=object, na_value="") for k, v in keys.items()}
        self.headers = headers
        self.bad = np.zeros(len(lines), dtype=bool)
        self._parts: list[pd.DataFrame] = []

    def add(self, mask, column: str, zh: str, en: str, values: pd.Series | None = None,
            code: str = "invalid") -> None:
        """Reject the rows where ``mask`` is true, for ``column``.

        With ``values`` (never for personal columns) the reason quotes each row's value in
        place of ``{value}`` in ``zh`` and ``en``. ``code`` names the kind of flaw.
        """
        if isinstance(mask, pd.Series):
            mask = mask.to_numpy(dtype=bool, na_value=False)
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        self.bad[idx] = True
        if values is None:
            zh_r, en_r = [zh] * len(idx), [en] * len(idx)
        else:
            quoted = [_quote(v) for v in values.to_numpy(dtype=object)[idx]]
            zh_r = [zh.format(value=q) for q in quoted]
            en_r = [en.format(value=q) for q in quoted]
        part = {"line": self.lines[idx],
                "column": self.headers.get(column, column), "field": column, "code": code}
        for k, v in self.keys.items():
            part[k] = v[idx]
        part["reason_zh"] = zh_r
        part["reason_en"] = en_r
        self._parts.append(pd.DataFrame(part))

    @property
    def count(self) -> int:
        """Number of rejected rows (a row with several errors counts once)."""
        return int(self.bad.sum())

    def frame(self) -> pd.DataFrame:
        """All errors, by line, in the order the checks found them within a line."""
        if not self._parts:
            return pd.DataFrame()
        return pd.concat(self._parts, ignore_index=True).sort_values("line", kind="stable")


class RowWarnings(RowErrors):
    """The warnings of one chunk: like :class:`RowErrors`, but the rows still land; ``bad``
    marks the rows with at least one warning (the summary counts warned rows)."""


def _quote(value) -> str:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return text if len(text) <= _MAX_QUOTED else text[:_MAX_QUOTED] + "…"


def rejects_path_for(path: str | Path) -> Path:
    """``<input>.rejects.csv`` beside the input file."""
    path = Path(path)
    return path.with_name(path.name + ".rejects.csv")


def warnings_path_for(path: str | Path) -> Path:
    """``<input>.warnings.csv`` beside the input file."""
    path = Path(path)
    return path.with_name(path.name + ".warnings.csv")


class RejectsWriter:
    """Streams rejects to the file, created on the first reject (UTF-8 with BOM for Excel)."""

    def __init__(self, path: Path, key_columns: list[str]):
        self.path = path
        self.columns = ["line", "column", *key_columns, "reason_zh", "reason_en"]
        self._fh = None
        self._writer = None
        self.rows = 0

    def write(self, errors: pd.DataFrame) -> None:
        if errors.empty:
            return
        if self._fh is None:
            self._fh = open(self.path, "w", encoding="utf-8-sig", newline="")
            self._writer = CsvWriter(self._fh)
            self._writer.writerow(self.columns)
        self._writer.writerows(errors[self.columns].itertuples(index=False, name=None))
        self.rows += len(errors)

    def close(self) -> Path | None:
        """Close the file; returns its path, or None (and removes a stale one) if empty."""
        if self._fh is not None:
            self._fh.close()
            return self.path
        # A rejects file from an earlier run of the same input would now be misleading.
        self.path.unlink(missing_ok=True)
        return None
