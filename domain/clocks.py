"""Statutory clocks of a petition matter (DESIGN §3) and their due dates.

This module is the single implementation of the due-date rules: the importer stores the due
columns it computes here, and the query layer derives clock states from those stored columns
with the thresholds of :class:`ClockRules`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
    #: Package rule (DESIGN §3): more than this many submissions on ``package_channels``
    #: received at ``package_levels`` in the ``package_window_days`` days up to a day.
    package_submissions_threshold: int = 5
    package_window_days: int = 365
    package_channels: tuple[str, ...] = ("visit",)
    package_levels: tuple[str, ...] = ("city", "province", "national")
    #: First-time matter resolved at once: no submission on answer + 1 … answer + this.
    first_resolved_days: int = 90
    #: A collective visit has at least this many persons (DESIGN §3).
    collective_persons: int = 5
    holiday_overrides: str | None = None

    def __post_init__(self):
        if self.day_rule not in ("calendar", "working"):
            raise ValueError("day_rule must be 'calendar' or 'working'")

    def stored_fingerprint(self) -> str:
        """What the stored due dates and derived backlog spans were computed with: the
        limits, the day rule (with its holiday overrides) and the resubmission count. The
        refresh contract (DESIGN §3) recomputes them when this changes."""
        holidays = ""
        if self.holiday_overrides:
            try:
                with open(self.holiday_overrides, "rb") as fh:
                    holidays = hashlib.sha256(fh.read()).hexdigest()[:16]
            except OSError:
                holidays = "missing:" + self.holiday_overrides
        parts = (self.forward_days, self.accept_days, self.objection_workdays,
                 self.answer_days, self.max_extension_days, self.review_days,
                 self.recheck_days, self.day_rule, holidays,
                 self.backlog_submissions_after_answer)
        return "v2|" + "|".join(str(p) for p in parts)


def rule_values(rules: ClockRules) -> dict:
    """The stored-rule record (``rule_state.rules``): the fingerprint's values by name; the
    database's backlog function reads ``backlog_subs`` from it."""
    return {"fingerprint": rules.stored_fingerprint(), "day_rule": rules.day_rule,
            "forward_days": rules.forward_days, "accept_days": rules.accept_days,
            "answer_days": rules.answer_days, "review_days": rules.review_days,
            "recheck_days": rules.recheck_days,
            "backlog_subs": rules.backlog_submissions_after_answer}


@dataclass(frozen=True)
class Clock:
    """One statutory clock: where it starts, what completes it, which column holds its due date."""

    key: str
    due_column: str
    done_column: str | None  # None: a window, never overdue (the objection clock)
    zh: str
    en: str
    #: Bit of the clock in ``matter.unrecorded_mask`` (0: cannot be unrecorded).
    bit: int = 0


CLOCKS: tuple[Clock, ...] = (
    Clock("forward", "forward_due", "forwarded_on", "转送交办", "Forward / assign", 1),
    Clock("accept", "accept_due", "accepted_on", "受理告知", "Acceptance notice", 2),
    Clock("objection", "objection_due", None, "异议期", "Objection window"),
    Clock("answer", "answer_due", "answered_on", "办理答复", "Answer", 4),
    Clock("review", "review_due", "review_decided_on", "复查", "Review", 8),
    Clock("recheck", "recheck_due", "recheck_decided_on", "复核", "Re-review", 16),
)

#: Stage dates of a matter in process order (DESIGN §5: each ≥ the latest earlier one).
STAGE_ORDER: tuple[str, ...] = (
    "registered_on", "forwarded_on", "accepted_on", "answered_on", "review_requested_on",
    "review_decided_on", "recheck_requested_on", "recheck_decided_on",
)

#: Intake (受理方式, DESIGN §3): through the petition office, or directly by the handling organ.
INTAKES: dict[str, tuple[str, str]] = {
    "office": ("信访部门转送", "Forwarded by the petition office"),
    "direct": ("直接受理", "Received directly"),
}

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


def infer_intake(intake, forwarded, accepted):
    """Intake of a matter (DESIGN §3): the explicit value, else ``direct`` when nothing was
    forwarded and it was accepted, else ``office``. Works on scalars and on Series."""
    if isinstance(intake, pd.Series):
        fwd = pd.Series(forwarded, index=intake.index)
        acc = pd.Series(accepted, index=intake.index)
        inferred = np.where(fwd.isna() & acc.notna(), "direct", "office")
        return intake.where(intake.notna(), pd.Series(inferred, index=intake.index)
                            ).astype(object)
    if intake:
        return intake
    return "direct" if forwarded is None and accepted is not None else "office"


def unrecorded_frame(stages: dict[str, pd.Series], direct: pd.Series) -> pd.DataFrame:
    """Per clock key, whether the clock is unrecorded (DESIGN §3) — vectorised.

    A clock is unrecorded when its stage date is blank while a later stage of the matter has
    a date, or its start date is blank while its stage date is set. Judged on the whole
    record, never as of a day.
    """
    has = {k: v.notna() for k, v in stages.items()}
    later_from = {}
    acc = pd.Series(False, index=direct.index)
    for name in reversed(STAGE_ORDER):
        later_from[name] = acc.copy()  # any stage after ``name`` has a date
        acc = acc | has[name]
    office = ~direct
    out = pd.DataFrame(index=direct.index)
    out["forward"] = office & ~has["forwarded_on"] & later_from["forwarded_on"]
    accept_start = has["forwarded_on"] | direct
    out["accept"] = ((~has["accepted_on"] & later_from["accepted_on"])
                     | (~accept_start & has["accepted_on"]))
    out["answer"] = ((~has["answered_on"] & later_from["answered_on"])
                     | (~has["accepted_on"] & has["answered_on"]))
    out["review"] = ((~has["review_decided_on"] & later_from["review_decided_on"])
                     | (~has["review_requested_on"] & has["review_decided_on"]))
    out["recheck"] = ~has["recheck_requested_on"] & has["recheck_decided_on"]
    return out


def compute_due_dates(frame: pd.DataFrame, rules: ClockRules = ClockRules()) -> pd.DataFrame:
    """Due dates for every matter row of ``frame``, and its intake and unrecorded clocks.

    ``frame`` holds the stage dates of DESIGN §5 (``registered_on`` … ``recheck_requested_on``,
    ``extension_days``, ``hearing_days``) as datetimes or NaT, and optionally ``intake``
    (blank: inferred, DESIGN §3). Returns the columns of :data:`DUE_COLUMNS` (datetime64, NaT
    where the clock has not started, does not exist — the forward clock of a direct matter —
    or is unrecorded), ``intake`` and ``unrecorded_mask`` (bits of :attr:`Clock.bit`).
    """
    def col(name):
        if name in frame:
            return pd.to_datetime(frame[name])
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s]")

    stages = {name: col(name) for name in STAGE_ORDER}
    registered, forwarded, accepted = (stages["registered_on"], stages["forwarded_on"],
                                       stages["accepted_on"])
    extension = frame.get("extension_days", pd.Series(0, index=frame.index)).fillna(0).astype(int)
    hearing = frame.get("hearing_days", pd.Series(0, index=frame.index)).fillna(0).astype(int)
    given = frame["intake"] if "intake" in frame else pd.Series(None, index=frame.index,
                                                                   dtype=object)
    intake = infer_intake(given, forwarded, accepted)
    direct = pd.Series(intake == "direct", index=frame.index)

    # The acceptance clock starts at forwarding (office intake) or at registration (direct).
    accept_start = registered.where(direct, forwarded)

    out = pd.DataFrame(index=frame.index)
    out["forward_due"] = _add_days(registered.where(~direct), rules.forward_days, rules)
    out["accept_due"] = _add_days(accept_start, rules.accept_days, rules)
    objection = add_working_days(forwarded.values.astype("datetime64[D]"),
                                 rules.objection_workdays, rules.holiday_overrides)
    out["objection_due"] = pd.Series(objection, index=frame.index).astype("datetime64[s]")
    out["answer_due"] = _add_days(accepted, rules.answer_days + extension.to_numpy(), rules)
    out["review_due"] = _add_days(stages["review_requested_on"], rules.review_days, rules)
    out["recheck_due"] = _add_days(stages["recheck_requested_on"],
                                   rules.recheck_days + hearing.to_numpy(), rules)
    unrecorded = unrecorded_frame(stages, direct)
    mask = np.zeros(len(frame), dtype=np.int64)
    for c in DUTY_CLOCKS:
        flags = unrecorded[c.key].to_numpy(dtype=bool)
        # An unrecorded clock is never open, never overdue, in no denominator: no due date.
        out.loc[flags, c.due_column] = pd.NaT
        mask |= np.where(flags, c.bit, 0)
    out["intake"] = intake.to_numpy(dtype=object)
    out["unrecorded_mask"] = mask
    return out


def unrecorded_clocks(mask: int | None) -> tuple[str, ...]:
    """The keys of the clocks set in an ``unrecorded_mask``."""
    mask = int(mask or 0)
    return tuple(c.key for c in DUTY_CLOCKS if mask & c.bit)


def due_dates_for(rules: ClockRules = ClockRules(), **stages) -> dict[str, dt.date | None]:
    """Due dates of one matter, for callers that hold a single record (forms, tests)."""
    frame = pd.DataFrame([{k: (pd.Timestamp(v) if v is not None else pd.NaT)
                           if k.endswith("_on") else v for k, v in stages.items()}])
    row = compute_due_dates(frame, rules).iloc[0]
    return {k: (None if pd.isna(row[k]) else row[k].date()) for k in DUE_COLUMNS}


def derived_for(rules: ClockRules = ClockRules(), **stages) -> dict:
    """Due dates plus ``intake`` and ``unrecorded_mask`` of one matter (forms, tests)."""
    frame = pd.DataFrame([{k: (pd.Timestamp(v) if v is not None else pd.NaT)
                           if k.endswith("_on") else v for k, v in stages.items()}])
    row = compute_due_dates(frame, rules).iloc[0]
    out = {k: (None if pd.isna(row[k]) else row[k].date()) for k in DUE_COLUMNS}
    out["intake"] = row["intake"]
    out["unrecorded_mask"] = int(row["unrecorded_mask"])
    return out


# --- states of one matter's clocks (pages, rules, tests) ---------------------------------------

#: The states of a matter on a day, mutually exclusive, in the order a page shows the worst
#: first (DESIGN §3; ``queries.filters.CLOCK_FILTERS`` is the same tuple): terminated
#: (复核 decided), overdue (a clock past due, not done), due soon (none overdue, one due within
#: ``due_soon_days``), running (a clock open, none overdue or due soon), completed late (no
#: clock open, one completed after its due date), completed on time (everything else).
MATTER_STATES: tuple[str, ...] = ("terminated", "overdue", "due_soon", "running", "late",
                                  "on_time")
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


def intake_of(matter) -> str:
    """The stored intake of ``matter``, or the one DESIGN §3 infers from its dates."""
    return infer_intake(matter.get("intake"), as_date(matter.get("forwarded_on")),
                        as_date(matter.get("accepted_on")))


def clock_start(clock: Clock, matter) -> dt.date | None:
    """The day ``clock`` started for ``matter`` (a mapping of the stage columns), or None.

    The forward clock exists for office intake only; the acceptance clock starts at
    forwarding (office) or registration (direct); the objection window at forwarding.
    """
    get = matter.get
    if clock.key == "forward":
        return as_date(get("registered_on")) if intake_of(matter) == "office" else None
    if clock.key == "accept":
        if intake_of(matter) == "direct":
            return as_date(get("registered_on"))
        return as_date(get("forwarded_on"))
    if clock.key == "objection":
        return as_date(get("forwarded_on"))
    if clock.key == "answer":
        return as_date(get("accepted_on"))
    if clock.key == "review":
        return as_date(get("review_requested_on"))
    if clock.key == "recheck":
        return as_date(get("recheck_requested_on"))
    raise KeyError(clock.key)


def clock_state(due: dt.date | None, done: dt.date | None, day: dt.date,
                rules: ClockRules = ClockRules(), start: dt.date | None = None) -> str:
    """State of one clock on ``day``: not_started, on_time, late, overdue, due_soon or running.

    Completed after ``day`` counts as not completed by ``day``; with ``start`` given, a clock
    starting after ``day`` has not started on it.
    """
    if due is None or (start is not None and start > day):
        return "not_started"
    if done is not None and done <= day:
        return "on_time" if done <= due else "late"
    if due < day:
        return "overdue"
    if (due - day).days <= rules.due_soon_days:
        return "due_soon"
    return "running"


def clock_states(matter, day: dt.date, rules: ClockRules = ClockRules()) -> dict[str, str]:
    """State on ``day`` of every duty clock of ``matter`` (stored due and stage columns), keyed
    by clock key: not_started, on_time, late, overdue, due_soon or running. An unrecorded
    clock has no due date and is not_started."""
    return {c.key: clock_state(as_date(matter.get(c.due_column)),
                               as_date(matter.get(c.done_column)), day, rules,
                               clock_start(c, matter))
            for c in DUTY_CLOCKS}


def is_terminated(matter, day: dt.date) -> bool:
    """After 复核 (re-review decided by ``day``) a matter is terminated (终结)."""
    decided = as_date(matter.get("recheck_decided_on"))
    return decided is not None and decided <= day


def matter_state(matter, day: dt.date, rules: ClockRules = ClockRules()) -> str:
    """One of :data:`MATTER_STATES` for ``matter`` on ``day`` — the first that holds."""
    if is_terminated(matter, day):
        return "terminated"
    states = set(clock_states(matter, day, rules).values())
    for state in ("overdue", "due_soon", "running", "late"):
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
    ``day`` — the timeline of a matter on the backlog page. An unrecorded clock (DESIGN §3)
    is listed with the state ``unrecorded`` and no due date."""
    out = []
    unrecorded = unrecorded_clocks(matter.get("unrecorded_mask"))
    for c in CLOCKS:
        start = clock_start(c, matter)
        due = as_date(matter.get(c.due_column))
        if c.key in unrecorded:
            done = as_date(matter.get(c.done_column))
            out.append(TimelineEntry(c.key, c.zh, c.en, start, None, done, "unrecorded", None))
            continue
        if start is None and due is None:
            continue
        if c.done_column is None:
            state = "not_started" if due is None else ("window" if due >= day
                                                      else "window_closed")
            out.append(TimelineEntry(c.key, c.zh, c.en, start, due, None, state, None))
            continue
        done = as_date(matter.get(c.done_column))
        state = clock_state(due, done, day, rules, start)
        if state == "not_started":
            continue
        over = days_overdue(due, done, day)
        if state == "late" and due is not None and done is not None:
            over = (done - due).days
        out.append(TimelineEntry(c.key, c.zh, c.en, start, due,
                                 done if done is not None and done <= day else None,
                                 state, over))
    return out
