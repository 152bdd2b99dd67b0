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

#: Levels above the county at which visits count for the package rule (DESIGN §3); the
#: setting is ``ClockRules.package_levels``, of which this is the default.
UPPER_LEVELS: tuple[str, ...] = ClockRules().package_levels

#: Why a matter is in backlog (积案) on a day.
BACKLOG_REASONS: dict[str, tuple[str, str]] = {
    "long_overdue": ("超期逾{n}天未办结", "open more than {n} days past due"),
    "repeat_after_answer": ("答复后重复信访{n}次以上", "{n}+ submissions after the answer"),
    "flagged": ("上级交办积案", "flagged by a higher level"),
}

#: Why a matter needs a county-level package leader (包案) on a day.
PACKAGE_REASONS: dict[str, tuple[str, str]] = {
    "backlog": ("积案", "backlog matter"),
    "upper_level": ("一年内到市赴省进京上访超过{n}次", "more than {n} visits at city level "
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

def _received(sub) -> dt.date | None:
    return as_date(sub[0] if isinstance(sub, tuple | list) else sub)


def backlog_intervals(matter: Mapping, submissions: Iterable, resolutions: Iterable = (),
                      rules: ClockRules = ClockRules()) -> list[tuple[str, dt.date,
                                                                        dt.date | None]]:
    """Every backlog interval of ``matter`` (DESIGN §3) as ``(reason, start, end)``; an
    interval holds its start day and not its end day, ``end`` None while it lasts.

    - ``long_overdue`` (a): a duty clock more than ``backlog_days_past_due`` days past due
      and not completed: from due + days + 1 until the day it completes;
    - ``repeat_after_answer`` (b): ``backlog_submissions_after_answer`` submissions received
      after the answer date — the count restarting after each resolution — from the day of the
      last of them until the next resolution;
    - ``flagged`` (c): ``backlog_flag`` set, from ``backlog_flagged_on`` (blank: the
      registration date) until the first resolution on or after that day.

    ``submissions``: receipt days or tuples starting with one; ``resolutions``: backlog
    resolution days (imported 积案化解日期 and resolved leader packages).
    """
    out: list[tuple[str, dt.date, dt.date | None]] = []
    limit = rules.backlog_days_past_due
    for c in DUTY_CLOCKS:
        due = as_date(matter.get(c.due_column))
        if due is None:
            continue
        start = due + dt.timedelta(days=limit + 1)
        done = as_date(matter.get(c.done_column))
        if done is None or done > start:
            out.append(("long_overdue", start, done))
    res = sorted({d for d in (as_date(r) for r in resolutions) if d is not None})

    def next_resolution(day: dt.date) -> dt.date | None:
        return next((r for r in res if r >= day), None)

    answered = as_date(matter.get("answered_on"))
    if answered is not None:
        n = rules.backlog_submissions_after_answer
        received = sorted(d for d in (_received(x) for x in submissions)
                          if d is not None and d > answered)
        # The count runs from the latest of the answer and the resolutions on or before each
        # submission; a submission on a resolution's own day does not count after it.
        counts: dict[dt.date, int] = {}
        for day in received:
            anchor = max([answered, *(r for r in res if r <= day)])
            if day <= anchor:
                continue
            counts[anchor] = counts.get(anchor, 0) + 1
            if counts[anchor] == n:
                out.append(("repeat_after_answer", day, next_resolution(day)))
    if matter.get("backlog_flag"):
        flagged = as_date(matter.get("backlog_flagged_on")) or as_date(
            matter.get("registered_on"))
        if flagged is not None:
            end = next_resolution(flagged)
            if end is None or end > flagged:
                out.append(("flagged", flagged, end))
    return out


def backlog_reasons(matter: Mapping, submissions: Iterable, day: dt.date,
                    rules: ClockRules = ClockRules(), resolutions: Iterable = ()
                    ) -> dict[str, dt.date]:
    """The backlog reasons holding for ``matter`` on ``day``, each with the day its interval
    began (see :func:`backlog_intervals`)."""
    out: dict[str, dt.date] = {}
    for reason, start, end in backlog_intervals(matter, submissions, resolutions, rules):
        if start <= day and (end is None or end > day):
            out[reason] = min(start, out.get(reason, start))
    return out


def in_backlog(matter: Mapping, submissions: Iterable, day: dt.date,
               rules: ClockRules = ClockRules(), resolutions: Iterable = ()) -> bool:
    """Whether ``matter`` is a backlog matter (积案) on ``day`` (DESIGN §3)."""
    return bool(backlog_reasons(matter, submissions, day, rules, resolutions))


def backlog_since(matter: Mapping, submissions: Iterable, day: dt.date,
                  rules: ClockRules = ClockRules(), resolutions: Iterable = ()
                  ) -> dt.date | None:
    """The day the backlog status holding on ``day`` began (earliest reason), or None."""
    reasons = backlog_reasons(matter, submissions, day, rules, resolutions)
    return min(reasons.values()) if reasons else None


def resolved_in(matter: Mapping, submissions: Iterable, first: dt.date, last: dt.date,
                rules: ClockRules = ClockRules(), resolutions: Iterable = ()) -> bool:
    """Resolved in the period ``[first, last]`` (DESIGN §3): in backlog on some day of it and
    not on its last day."""
    if in_backlog(matter, submissions, last, rules, resolutions):
        return False
    return any(start <= last and (end is None or end > first)
               for _r, start, end in backlog_intervals(matter, submissions, resolutions, rules))


# --- first-time matters (初信初访) ---------------------------------------------------------------

def resolved_at_once(matter: Mapping, submissions: Iterable,
                     rules: ClockRules = ClockRules()) -> bool | None:
    """一次性化解: answered, and no submission received on answer + 1 … answer +
    ``first_resolved_days``; None when the matter has no answer."""
    answered = as_date(matter.get("answered_on"))
    if answered is None:
        return None
    last = answered + dt.timedelta(days=rules.first_resolved_days)
    return not any(answered < d <= last
                   for d in (_received(x) for x in submissions) if d is not None)


# --- leader packages (包案) ----------------------------------------------------------------------

def upper_level_count(submissions: Iterable[tuple], day: dt.date,
                      rules: ClockRules = ClockRules()) -> int:
    """Submissions on the package channels (visits) received at the package levels (city and
    above) in the ``package_window_days`` days up to and including ``day``;
    ``submissions`` as ``(received_on, received_level, channel)``."""
    first = day - dt.timedelta(days=rules.package_window_days - 1)
    return sum(1 for received, level, channel in submissions
               if level in rules.package_levels and channel in rules.package_channels
               and first <= as_date(received) <= day)


def package_reasons(matter: Mapping, submissions: Iterable[tuple], day: dt.date,
                    rules: ClockRules = ClockRules(), resolutions: Iterable = ()
                    ) -> tuple[str, ...]:
    """Why ``matter`` must have a county-level package leader on ``day`` (empty: it need
    not): it is a backlog matter, and/or it had more than ``package_submissions_threshold``
    visits received at city level or above in 365 days."""
    subs = list(submissions)
    reasons = []
    if in_backlog(matter, subs, day, rules, resolutions):
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
                day: dt.date, rules: ClockRules = ClockRules(), resolutions: Iterable = ()
                ) -> bool:
    """A matter that must have a county-level package leader on ``day`` and has none."""
    return bool(package_reasons(matter, submissions, day, rules, resolutions)
                ) and not has_county_leader(matter, packages, day)


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
