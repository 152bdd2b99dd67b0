"""Rules of the work plan's mechanisms (issue 16, items 1–4), in plain Python: first-time
matters (初信初访) and whether one came back, the yellow card for irregular petitions
(非访黄牌警告), and the weeks of the weekly early-warning report (每周预警信息).

The query layer counts these in SQL (``queries.first_time``, ``queries.irregular``); the
functions here state the same rules for one matter or one unit, so pages can say *why* and
the tests can check the SQL against them. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.clocks import as_date

# --- first-time matters (初信初访) ---------------------------------------------------------------

#: A first-time matter's standing on a day, in the order the page lists them.
FIRST_TIME_STATES = ("came_back", "resolved_at_once", "watching", "unanswered")


def first_time_state(matter: Mapping, submissions: Iterable, day: dt.date,
                     days: int = 90) -> str:
    """Where a first-time matter stands on ``day`` (DESIGN §3, 一次性化解):

    - ``unanswered``: no answer by ``day``;
    - ``came_back``: a submission arrived on answer + 1 … answer + ``days`` and by ``day``
      (one on day ``days`` counts; the matter was not resolved at once);
    - ``resolved_at_once``: the ``days`` after the answer have passed with none;
    - ``watching``: answered, the window still open and nothing back yet.

    ``submissions``: receipt days (or tuples starting with one).
    """
    answered = as_date(matter.get("answered_on"))
    if answered is None or answered > day:
        return "unanswered"
    last = answered + dt.timedelta(days=days)
    for sub in submissions:
        got = as_date(sub[0] if isinstance(sub, tuple | list) else sub)
        if got is not None and answered < got <= min(last, day):
            return "came_back"
    return "resolved_at_once" if last <= day else "watching"


def answered_on_time(matter: Mapping) -> bool | None:
    """Answered by its answer due date (None when not answered or no due date)."""
    answered, due = as_date(matter.get("answered_on")), as_date(matter.get("answer_due"))
    if answered is None or due is None:
        return None
    return answered <= due


# --- the yellow card for irregular petitions (非访黄牌警告) --------------------------------------

@dataclass(frozen=True)
class IrregularCardRules:
    """The thresholds of DESIGN §3 (settings ``IRREGULAR_CARD_NATIONAL``,
    ``IRREGULAR_CARD_ANY``)."""

    national: int = 1  # irregular submissions received at national level (非访进京) ...
    any_level: int = 3  # ... or irregular submissions at any level, in one month

    def __post_init__(self):
        if self.national < 1 or self.any_level < 1:
            raise ValueError("yellow-card thresholds are at least 1")


def irregular_card_rules() -> IrregularCardRules:
    """The configured thresholds (one place: ``settings``)."""
    from settings import get_settings

    s = get_settings()
    return IrregularCardRules(national=s.irregular_card_national, any_level=s.irregular_card_any)


def irregular_card(by_level: Mapping[str, int], rules: IrregularCardRules = IrregularCardRules()
                   ) -> tuple[str, ...]:
    """Why a unit gets the month's 非访黄牌 (empty: it does not): ``national`` when its
    matters had at least ``rules.national`` irregular submissions received at national
    level, ``count`` when at least ``rules.any_level`` irregular submissions at any level.
    ``by_level``: the month's irregular submissions of the unit's matters per received level.
    """
    reasons = []
    if int(by_level.get("national", 0)) >= rules.national:
        reasons.append("national")
    if sum(int(v) for v in by_level.values()) >= rules.any_level:
        reasons.append("count")
    return tuple(reasons)


# --- weeks of the weekly report (每周预警信息) ---------------------------------------------

_WEEK_RE = re.compile(r"(\d{4})-?W(\d{2})")


def parse_week(text: str) -> tuple[dt.date, dt.date]:
    """``YYYY-Www`` (ISO 8601 week) → its Monday and Sunday; ValueError otherwise."""
    m = _WEEK_RE.fullmatch((text or "").strip().upper())
    if not m:
        raise ValueError(f"week must be YYYY-Www (e.g. 2026-W45), got {str(text)[:20]!r}")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {week}") from None
    return monday, monday + dt.timedelta(days=6)


def week_key(day: dt.date) -> str:
    """The ISO week holding ``day``: ``2026-W45``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_as_of(sunday: dt.date, tz: str = "Asia/Shanghai") -> dt.datetime:
    """The moment the weekly report is computed at: the week's Sunday, 23:59 office time."""
    return dt.datetime.combine(sunday, dt.time(23, 59), tzinfo=ZoneInfo(tz))


def office_now(tz: str = "Asia/Shanghai") -> dt.datetime:
    """Now on the office clock: the time in ``tz``, on the day ``ATLAS_AS_OF`` pins when set
    (as ``dashboard.state.today`` and the wall do), so a command run for a demo or a test
    sees the same "now" as the pages."""
    import os

    now = dt.datetime.now(ZoneInfo(tz))
    pinned = os.environ.get("ATLAS_AS_OF")
    if pinned:
        now = dt.datetime.combine(dt.date.fromisoformat(pinned), now.time(), tzinfo=now.tzinfo)
    return now
