"""Leader reception days (领导接访日, issue 16 item 5): the weekday vocabulary of the roster
and the rule that judges a leader's month against their day.

The work plan fixes one weekly day on which each leader receives petitioners in person. For a
leader with weekday W and a month P (its days up to the as-of date):

- *due days*: the working days of P that fall on W (a public holiday on W is no reception
  day; the working-day calendar is ``domain.calendar``'s);
- *kept days*: due days on which the leader held at least one reception;
- *missed days*: due days without one;
- *other days*: distinct dates off W with a reception (they count as receptions, not as the
  day kept);
- status ``kept`` (every due day kept), ``partly`` (some), ``missed`` (none of at least one
  due day), ``none_due`` (no due day yet in P up to the as-of date).

Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: ISO weekday → (中文, English).
WEEKDAYS: dict[int, tuple[str, str]] = {
    1: ("周一", "Monday"), 2: ("周二", "Tuesday"), 3: ("周三", "Wednesday"),
    4: ("周四", "Thursday"), 5: ("周五", "Friday"), 6: ("周六", "Saturday"),
    7: ("周日", "Sunday"),
}
_ZH_DIGITS = "一二三四五六日"
_ALIASES: dict[str, int] = {}
for _n, (_zh, _en) in WEEKDAYS.items():
    _d = _ZH_DIGITS[_n - 1]
    for _a in (str(_n), _zh, f"星期{_d}", f"礼拜{_d}", f"周{_n}", _en.lower(), _en[:3].lower()):
        _ALIASES[_a] = _n
for _a in ("周天", "星期天", "礼拜天"):
    _ALIASES[_a] = 7
_ALIASES["0"] = 7  # a Sunday-first habit: 0 is Sunday

STATUSES = ("kept", "partly", "missed", "none_due")


def parse_weekday(value: str | None) -> int | None:
    """An ISO weekday (1 Monday … 7 Sunday) from ``1``–``7``, ``周一``, ``星期一``,
    ``Monday``/``Mon`` (any case); None when the text is none of these."""
    if value is None:
        return None
    return _ALIASES.get(str(value).strip().lower())


def due_days(weekday: int, start: dt.date, end: dt.date) -> list[dt.date]:
    """The dates from ``start`` to ``end`` (inclusive) that fall on ISO ``weekday``."""
    if end < start:
        return []
    first = start + dt.timedelta(days=(weekday - start.isoweekday()) % 7)
    out = []
    while first <= end:
        out.append(first)
        first += dt.timedelta(days=7)
    return out


@dataclass(frozen=True)
class DayRecord:
    """One leader's month against their reception day."""

    due: int
    kept: int
    missed: int
    other_days: int
    status: str
    missed_dates: tuple[dt.date, ...] = ()


def judge(weekday: int, held: Iterable[dt.date], start: dt.date, end: dt.date,
          working: Callable[[dt.date], bool] | None = None) -> DayRecord:
    """The month ``start``…``end`` (already cut at the as-of date) of a leader with ISO
    ``weekday`` who held receptions on the dates ``held`` (any dates; repeats and dates
    outside the range are ignored). ``working(day)``: whether a day is a working day (None:
    every day is); a reception on a date that is not due counts as another day."""
    days = {d for d in held if start <= d <= end}
    due = [d for d in due_days(weekday, start, end) if working is None or working(d)]
    kept = [d for d in due if d in days]
    missed = tuple(d for d in due if d not in days)
    due_set = set(due)
    other = sum(1 for d in days if d not in due_set)
    if not due:
        status = "none_due"
    elif not missed:
        status = "kept"
    elif kept:
        status = "partly"
    else:
        status = "missed"
    return DayRecord(due=len(due), kept=len(kept), missed=len(missed), other_days=other,
                     status=status, missed_dates=missed)
