"""Working-day calendar for the statutory clocks.

China moves working days around public holidays (调休: a Sunday can be a working day), so a plain
Monday–Friday rule is wrong. The official schedule comes from the `chinese_calendar` package
(covers 2004 up to the latest published year); later years fall back to Monday–Friday until the
package is updated, and an office can add its own overrides in a CSV (``date,kind`` with kind
``holiday`` or ``workday``), named by the ``HOLIDAY_OVERRIDES`` setting.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

import chinese_calendar
import numpy as np

_FIRST = dt.date(2000, 1, 1)
_LAST = dt.date(2040, 12, 31)


def _is_workday(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def read_overrides(path: str | Path | None) -> dict[dt.date, bool]:
    """Read a ``date,kind`` CSV of local holiday/workday overrides (kind: holiday|workday)."""
    if not path:
        return {}
    out: dict[dt.date, bool] = {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            kind = row["kind"].strip().lower()
            if kind not in ("holiday", "workday"):
                raise ValueError(f"{path}: kind must be holiday or workday, got {kind!r}")
            out[dt.date.fromisoformat(row["date"].strip())] = kind == "workday"
    return out


@lru_cache(maxsize=8)
def working_days(overrides_path: str | None = None) -> np.ndarray:
    """Sorted array (datetime64[D]) of every working day from 2000 to 2040."""
    overrides = read_overrides(overrides_path)
    days = np.arange(np.datetime64(_FIRST), np.datetime64(_LAST) + 1, dtype="datetime64[D]")
    mask = np.fromiter(
        (_is_workday(d, overrides) for d in days.astype(object)), dtype=bool, count=len(days)
    )
    return days[mask]


def add_working_days(start, n: int, overrides_path: str | None = None):
    """The n-th working day strictly after ``start`` (a date, or a datetime64[D] array).

    NaT entries stay NaT. A clock started on a Friday with n=1 is due the next working Monday.
    """
    work = working_days(overrides_path)
    arr = np.asarray(start, dtype="datetime64[D]")
    nat = np.isnat(arr)
    safe = np.where(nat, work[0], arr)
    idx = np.searchsorted(work, safe, side="right") + (n - 1)
    if np.any(idx >= len(work)):
        raise ValueError("date beyond the working-day calendar (2040)")
    out = np.where(nat, np.datetime64("NaT"), work[idx])
    if arr.ndim == 0:
        value = out[()]
        return None if np.isnat(value) else value.astype(object)
    return out
