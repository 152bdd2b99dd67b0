"""Statutory clocks of a petition matter (DESIGN §3) and their due dates.

This module is the single implementation of the due-date rules: the importer stores the due
columns it computes here, and the query layer derives clock states from those stored columns
with the thresholds of :class:`ClockRules`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from domain.calendar import add_working_days


@dataclass(frozen=True)
class ClockRules:
    """Time limits and thresholds; defaults follow 信访工作条例 (2022) arts. 22–23, 34–36."""

    forward_days: int = 15
    accept_days: int = 15
    objection_workdays: int = 5
    answer_days: int = 60
    max_extension_days: int = 30
    review_days: int = 30
    recheck_days: int = 30
    # "calendar": the 15/60/30-day limits count calendar days (条例 says 日);
    # "working": they count working days like the objection window.
    day_rule: str = "calendar"
    due_soon_days: int = 3
    backlog_days_past_due: int = 90
    backlog_submissions_after_answer: int = 3
    package_submissions_threshold: int = 5
    package_window_days: int = 365
    holiday_overrides: str | None = None

    def __post_init__(self):
        if self.day_rule not in ("calendar", "working"):
            raise ValueError("day_rule must be 'calendar' or 'working'")


@dataclass(frozen=True)
class Clock:
    """One statutory clock: where it starts, what completes it, which column holds its due date."""

    key: str
    due_column: str
    done_column: str | None  # None: a window, never overdue (the objection clock)
    zh: str
    en: str


CLOCKS: tuple[Clock, ...] = (
    Clock("forward", "forward_due", "forwarded_on", "转送交办", "Forward / assign"),
    Clock("accept", "accept_due", "accepted_on", "受理告知", "Acceptance notice"),
    Clock("objection", "objection_due", None, "异议期", "Objection window"),
    Clock("answer", "answer_due", "answered_on", "办理答复", "Answer"),
    Clock("review", "review_due", "review_decided_on", "复查", "Review"),
    Clock("recheck", "recheck_due", "recheck_decided_on", "复核", "Re-review"),
)

#: Clocks that can be late or overdue (the objection window cannot).
DUTY_CLOCKS: tuple[Clock, ...] = tuple(c for c in CLOCKS if c.done_column)

DUE_COLUMNS: tuple[str, ...] = tuple(c.due_column for c in CLOCKS)


def _add_days(start: pd.Series, days, rules: ClockRules) -> pd.Series:
    start = pd.to_datetime(start).astype("datetime64[s]")
    if rules.day_rule == "calendar":
        return start + pd.to_timedelta(days, unit="D")
    if np.isscalar(days):
        values = add_working_days(start.values.astype("datetime64[D]"), int(days),
                                  rules.holiday_overrides)
        return pd.Series(values, index=start.index).astype("datetime64[s]")
    # Variable-length working-day clocks (answer with extension): group by length.
    out = pd.Series(pd.NaT, index=start.index, dtype="datetime64[s]")
    for n in pd.unique(days):
        sel = days == n
        vals = add_working_days(start[sel].values.astype("datetime64[D]"), int(n),
                                rules.holiday_overrides)
        out[sel] = vals
    return out


def compute_due_dates(frame: pd.DataFrame, rules: ClockRules = ClockRules()) -> pd.DataFrame:
    """Due dates for every matter row of ``frame``.

    ``frame`` holds the stage dates of DESIGN §5 (``registered_on`` … ``recheck_requested_on``,
    ``extension_days``, ``hearing_days``) as datetimes or NaT. Returns a frame with the columns
    of :data:`DUE_COLUMNS` (datetime64, NaT where the clock has not started).
    """
    def col(name):
        if name in frame:
            return pd.to_datetime(frame[name])
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s]")

    registered = col("registered_on")
    forwarded = col("forwarded_on")
    accepted = col("accepted_on")
    extension = frame.get("extension_days", pd.Series(0, index=frame.index)).fillna(0).astype(int)
    hearing = frame.get("hearing_days", pd.Series(0, index=frame.index)).fillna(0).astype(int)

    # The acceptance clock starts at forwarding; a matter accepted directly (no forwarding date)
    # starts it at registration.
    accept_start = forwarded.where(forwarded.notna(), registered.where(accepted.notna()))

    out = pd.DataFrame(index=frame.index)
    out["forward_due"] = _add_days(registered, rules.forward_days, rules)
    out["accept_due"] = _add_days(accept_start, rules.accept_days, rules)
    objection = add_working_days(forwarded.values.astype("datetime64[D]"),
                                 rules.objection_workdays, rules.holiday_overrides)
    out["objection_due"] = pd.Series(objection, index=frame.index).astype("datetime64[s]")
    out["answer_due"] = _add_days(accepted, rules.answer_days + extension.to_numpy(), rules)
    out["review_due"] = _add_days(col("review_requested_on"), rules.review_days, rules)
    out["recheck_due"] = _add_days(col("recheck_requested_on"),
                                   rules.recheck_days + hearing.to_numpy(), rules)
    return out


def due_dates_for(rules: ClockRules = ClockRules(), **stages) -> dict[str, dt.date | None]:
    """Due dates of one matter, for callers that hold a single record (forms, tests)."""
    frame = pd.DataFrame([{k: (pd.Timestamp(v) if v is not None else pd.NaT)
                           if not k.endswith("_days") else v for k, v in stages.items()}])
    row = compute_due_dates(frame, rules).iloc[0]
    return {k: (None if pd.isna(v) else v.date()) for k, v in row.items()}


def clock_state(due: dt.date | None, done: dt.date | None, day: dt.date,
                rules: ClockRules = ClockRules()) -> str:
    """State of one clock on ``day``: not_started, on_time, late, overdue, due_soon or running.

    Completed after ``day`` counts as not completed by ``day``.
    """
    if due is None:
        return "not_started"
    if done is not None and done <= day:
        return "on_time" if done <= due else "late"
    if due < day:
        return "overdue"
    if (due - day).days <= rules.due_soon_days:
        return "due_soon"
    return "running"
