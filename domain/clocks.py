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


# --- states of one matter's clocks (pages, rules, tests) ---------------------------------------

#: Clock states in the order a page shows the worst first.
STATE_ORDER: tuple[str, ...] = ("overdue", "due_soon", "running", "late", "on_time",
                                "not_started")
CLOCK_BY_KEY: dict[str, Clock] = {c.key: c for c in CLOCKS}


def as_date(value) -> dt.date | None:
    """A date from a date, datetime, pandas Timestamp or ISO text; None for empty/NaT."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10]) if value else None
    if pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def clock_start(clock: Clock, matter) -> dt.date | None:
    """The day ``clock`` started for ``matter`` (a mapping of the stage columns), or None.

    The acceptance clock starts at forwarding, or at registration for a matter accepted with no
    forwarding date (DESIGN §3); the objection window at forwarding.
    """
    get = matter.get
    if clock.key == "forward":
        return as_date(get("registered_on"))
    if clock.key == "accept":
        fwd = as_date(get("forwarded_on"))
        if fwd is not None:
            return fwd
        return as_date(get("registered_on")) if as_date(get("accepted_on")) else None
    if clock.key == "objection":
        return as_date(get("forwarded_on"))
    if clock.key == "answer":
        return as_date(get("accepted_on"))
    if clock.key == "review":
        return as_date(get("review_requested_on"))
    if clock.key == "recheck":
        return as_date(get("recheck_requested_on"))
    raise KeyError(clock.key)


def clock_states(matter, day: dt.date, rules: ClockRules = ClockRules()) -> dict[str, str]:
    """State on ``day`` of every duty clock of ``matter`` (stored due and stage columns), keyed
    by clock key: not_started, on_time, late, overdue, due_soon or running."""
    return {c.key: clock_state(as_date(matter.get(c.due_column)),
                               as_date(matter.get(c.done_column)), day, rules)
            for c in DUTY_CLOCKS}


def is_terminated(matter, day: dt.date) -> bool:
    """After 复核 (re-review decided by ``day``) a matter is terminated (终结)."""
    decided = as_date(matter.get("recheck_decided_on"))
    return decided is not None and decided <= day


def matter_state(matter, day: dt.date, rules: ClockRules = ClockRules()) -> str:
    """One word for a matter on ``day``: terminated, overdue (a clock overdue), due_soon (none
    overdue, one due within ``due_soon_days``), late (a clock completed after its due date) or
    on_time — the states of ``queries.filters.CLOCK_FILTERS``."""
    if is_terminated(matter, day):
        return "terminated"
    states = set(clock_states(matter, day, rules).values())
    for state in ("overdue", "due_soon", "late"):
        if state in states:
            return state
    return "on_time"


def days_overdue(due: dt.date | None, done: dt.date | None, day: dt.date) -> int | None:
    """Days a clock is past due on ``day`` when it is overdue then (not completed by ``day``);
    None otherwise. The day after the due date is 1."""
    if due is None or (done is not None and done <= day) or due >= day:
        return None
    return (day - due).days


@dataclass(frozen=True)
class TimelineEntry:
    """One clock of a matter as a timeline row."""

    key: str
    zh: str
    en: str
    start: dt.date | None
    due: dt.date | None
    done: dt.date | None  # None for the objection window (never completed, never overdue)
    state: str  # a clock_state, or "window" / "window_closed" for the objection window
    days_over: int | None  # overdue: days past due on the day; late: days after due when done


def timeline(matter, day: dt.date, rules: ClockRules = ClockRules()) -> list[TimelineEntry]:
    """Every clock of ``matter`` that has started, in statutory order, with its state on
    ``day`` — the timeline of a matter on the backlog page."""
    out = []
    for c in CLOCKS:
        start = clock_start(c, matter)
        due = as_date(matter.get(c.due_column))
        if start is None and due is None:
            continue
        if c.done_column is None:
            state = "not_started" if due is None else ("window" if due >= day
                                                      else "window_closed")
            out.append(TimelineEntry(c.key, c.zh, c.en, start, due, None, state, None))
            continue
        done = as_date(matter.get(c.done_column))
        state = clock_state(due, done, day, rules)
        over = days_overdue(due, done, day)
        if state == "late" and due is not None and done is not None:
            over = (done - due).days
        out.append(TimelineEntry(c.key, c.zh, c.en, start, due,
                                 done if done is not None and done <= day else None,
                                 state, over))
    return out
