"""Backlog, leader-package and accountability rules (DESIGN §3) for one matter, in plain Python.

The query layer counts these in SQL (``queries.kpi.backlog_intervals_sql``,
``queries.backlog.package_need_sql``); the functions here state the same rules for a single
matter, so pages can explain *why* a matter is listed and tests can check the SQL against them
matter by matter. Nothing here touches the database.

A matter is given as a mapping of its stored columns (``registered_on``, the stage dates, the
due columns of :mod:`domain.clocks`, ``backlog_flag``, ``package_leader``, ``package_level``);
its submissions as ``(received_on, received_level)`` pairs; its package rows as mappings with
``level``, ``since`` and ``until``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.clocks import DUTY_CLOCKS, ClockRules, as_date

#: Levels above the county at which submissions count for the package rule (DESIGN §3).
UPPER_LEVELS: tuple[str, ...] = ("city", "province", "national")

#: Why a matter is in backlog (积案) on a day.
BACKLOG_REASONS: dict[str, tuple[str, str]] = {
    "long_overdue": ("超期逾{n}天未办结", "open more than {n} days past due"),
    "repeat_after_answer": ("答复后重复信访{n}次以上", "{n}+ submissions after the answer"),
    "flagged": ("上级交办积案", "flagged by a higher level"),
}

#: Why a matter needs a county-level package leader (包案) on a day.
PACKAGE_REASONS: dict[str, tuple[str, str]] = {
    "backlog": ("积案", "backlog matter"),
    "upper_level": ("一年内市级以上信访超过{n}次", "more than {n} submissions at city level "
                    "or above in 365 days"),
}

#: 四访一包: the five kinds of leader reception work.
RECEPTION_KINDS: dict[str, tuple[str, str]] = {
    "fixed_point": ("定点接访", "Fixed-point reception"),
    "appointment": ("重点约访", "Appointment on a key case"),
    "thematic": ("专题走访", "Thematic visit"),
    "down_with_cases": ("带案下访", "Going down with cases"),
    "package": ("领导包案", "Leader package"),
}

#: States of an assigned item (交办件) on a day, worst first.
ASSIGNMENT_STATES: tuple[str, ...] = ("overdue", "due_soon", "open", "awaiting_closeout",
                                      "closed_late", "closed_on_time")


@dataclass(frozen=True)
class AccountabilityRules:
    """Thresholds of the accountability views (configurable defaults)."""

    #: A unit whose on-time rate is below this line gets a yellow card (黄牌警告).
    yellow_card_line: float = 0.90
    #: ... provided it had at least this many clocks due (a rate of 0 of 1 is no signal).
    yellow_card_min_items: int = 5
    #: Collective visit: persons ≥ this (DESIGN §3); large-scale: ≥ large_visit_persons.
    collective_persons: int = 5
    large_visit_persons: int = 50
    #: The agenda lists large collective visits received in the days up to its date.
    agenda_window_days: int = 30
    #: ... and this many of the matters overdue the longest.
    agenda_longest: int = 20
    #: An assignment is due soon this many days before its feedback deadline.
    assignment_due_soon_days: int = 3

    def __post_init__(self):
        if not 0 <= self.yellow_card_line <= 1:
            raise ValueError("yellow_card_line is a fraction between 0 and 1")
        if self.yellow_card_min_items < 1 or self.agenda_longest < 1:
            raise ValueError("counts must be positive")
        if self.large_visit_persons < self.collective_persons or self.collective_persons < 1:
            raise ValueError("large_visit_persons must be ≥ collective_persons ≥ 1")


# --- backlog (积案) -----------------------------------------------------------------------------

def _after_answer(matter: Mapping, submissions: Iterable, day: dt.date) -> list[dt.date]:
    """Receipt days of the submissions after the answer date, up to ``day``, in order."""
    answered = as_date(matter.get("answered_on"))
    if answered is None or answered > day:
        return []
    days = []
    for sub in submissions:
        received = as_date(sub[0] if isinstance(sub, tuple | list) else sub)
        if received is not None and answered < received <= day:
            days.append(received)
    return sorted(days)


def backlog_reasons(matter: Mapping, submissions: Iterable, day: dt.date,
                    rules: ClockRules = ClockRules()) -> dict[str, dt.date]:
    """The backlog reasons holding for ``matter`` on ``day``, each with the day it began.

    - ``long_overdue``: a duty clock not completed by ``day`` and more than
      ``backlog_days_past_due`` days past due (it began the day after that many days);
    - ``repeat_after_answer``: answered by ``day`` and ``backlog_submissions_after_answer``
      submissions received after the answer date, up to ``day`` (from the last of them);
    - ``flagged``: a higher level listed it (``backlog_flag``), from registration.

    ``submissions``: receipt days, or ``(received_on, level)`` pairs.
    """
    out: dict[str, dt.date] = {}
    limit = rules.backlog_days_past_due
    for c in DUTY_CLOCKS:
        due = as_date(matter.get(c.due_column))
        done = as_date(matter.get(c.done_column))
        if due is None or (done is not None and done <= day):
            continue
        if (day - due).days > limit:
            began = due + dt.timedelta(days=limit + 1)
            out["long_overdue"] = min(began, out.get("long_overdue", began))
    after = _after_answer(matter, submissions, day)
    n = rules.backlog_submissions_after_answer
    if len(after) >= n:
        out["repeat_after_answer"] = after[n - 1]
    registered = as_date(matter.get("registered_on"))
    if matter.get("backlog_flag") and registered is not None and registered <= day:
        out["flagged"] = registered
    return out


def in_backlog(matter: Mapping, submissions: Iterable, day: dt.date,
               rules: ClockRules = ClockRules()) -> bool:
    """Whether ``matter`` is a backlog matter (积案) on ``day`` (DESIGN §3)."""
    return bool(backlog_reasons(matter, submissions, day, rules))


def backlog_since(matter: Mapping, submissions: Iterable, day: dt.date,
                  rules: ClockRules = ClockRules()) -> dt.date | None:
    """The day the backlog status holding on ``day`` began (earliest reason), or None."""
    reasons = backlog_reasons(matter, submissions, day, rules)
    return min(reasons.values()) if reasons else None


# --- leader packages (包案) ----------------------------------------------------------------------

def upper_level_count(submissions: Iterable[tuple], day: dt.date,
                      rules: ClockRules = ClockRules()) -> int:
    """Submissions received at city level or above in the ``package_window_days`` days up to
    and including ``day`` (``(received_on, received_level)`` pairs)."""
    first = day - dt.timedelta(days=rules.package_window_days - 1)
    return sum(1 for received, level in submissions
               if level in UPPER_LEVELS and first <= as_date(received) <= day)


def package_reasons(matter: Mapping, submissions: Iterable[tuple], day: dt.date,
                    rules: ClockRules = ClockRules()) -> tuple[str, ...]:
    """Why ``matter`` must have a county-level package leader on ``day`` (empty: it need
    not): it is a backlog matter, and/or it received more than
    ``package_submissions_threshold`` submissions at city level or above in 365 days."""
    subs = list(submissions)
    reasons = []
    if in_backlog(matter, subs, day, rules):
        reasons.append("backlog")
    if upper_level_count(subs, day, rules) > rules.package_submissions_threshold:
        reasons.append("upper_level")
    return tuple(reasons)


def current_leader(matter: Mapping, packages: Iterable[Mapping], day: dt.date,
                   level: str | None = None) -> tuple[str, str] | None:
    """``(leader, level)`` owning ``matter`` on ``day``: the latest package row in force then
    (``since`` ≤ day < ``until``), else the leader imported with the matter; None if nobody.
    With ``level``, only leaders of that level count."""
    active = [p for p in packages
              if as_date(p["since"]) <= day
              and (as_date(p.get("until")) is None or as_date(p.get("until")) > day)
              and (level is None or p["level"] == level)]
    if active:
        latest = max(active, key=lambda p: (as_date(p["since"]), p.get("id") or 0))
        return latest["leader_name"], latest["level"]
    leader, lvl = matter.get("package_leader"), matter.get("package_level")
    if leader and lvl and (level is None or lvl == level):
        return leader, lvl
    return None


def has_county_leader(matter: Mapping, packages: Iterable[Mapping], day: dt.date) -> bool:
    """Whether a county-level leader owns ``matter`` on ``day``."""
    return current_leader(matter, packages, day, level="county") is not None


def package_gap(matter: Mapping, submissions: Iterable[tuple], packages: Iterable[Mapping],
                day: dt.date, rules: ClockRules = ClockRules()) -> bool:
    """A matter that must have a county-level package leader on ``day`` and has none."""
    return bool(package_reasons(matter, submissions, day, rules)) and not has_county_leader(
        matter, packages, day)


# --- units: on-time rates and yellow cards -----------------------------------------------------

def rate(ok: int, n: int) -> float | None:
    """``ok / n``; None when nothing was due (DESIGN §4: an empty denominator is null)."""
    return None if not n else ok / n


def yellow_card(ok: int, n: int, rules: AccountabilityRules = AccountabilityRules()) -> bool:
    """A unit gets a yellow card when at least ``yellow_card_min_items`` clocks fell due and
    fewer than ``yellow_card_line`` of them were completed on time."""
    return n >= rules.yellow_card_min_items and ok / n < rules.yellow_card_line


# --- assignments (交办 / 销号) --------------------------------------------------------------------

def assignment_state(feedback_due: dt.date, feedback_on: dt.date | None,
                     closed_on: dt.date | None, day: dt.date,
                     rules: AccountabilityRules = AccountabilityRules()) -> str:
    """State of an assigned item on ``day``.

    closed_on_time / closed_late: closed out (销号) by ``day``, the completion report
    (feedback) having come by the deadline or after it; awaiting_closeout: fed back by
    ``day``, not yet closed out; overdue: no feedback and the deadline has passed; due_soon:
    no feedback, deadline within ``assignment_due_soon_days``; open: otherwise.
    """
    feedback_due = as_date(feedback_due)
    feedback_on, closed_on = as_date(feedback_on), as_date(closed_on)
    fed = feedback_on if feedback_on is not None and feedback_on <= day else None
    if closed_on is not None and closed_on <= day:
        report = fed or closed_on
        return "closed_on_time" if report <= feedback_due else "closed_late"
    if fed is not None:
        return "awaiting_closeout"
    if feedback_due < day:
        return "overdue"
    if (feedback_due - day).days <= rules.assignment_due_soon_days:
        return "due_soon"
    return "open"


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the week holding ``day`` (the Friday tracking round's week)."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)
