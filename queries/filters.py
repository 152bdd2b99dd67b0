"""Turning a scope and the page filters into bound SQL conditions on matters.

Every read in ``queries/`` passes through :func:`matter_conditions`, so the jurisdiction is
applied in one place (PostgreSQL row-level security is the second wall behind it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from domain.clocks import DUTY_CLOCKS, MATTER_STATES
from domain.codes import is_area_code, is_region_code
from domain.enums import CATEGORIES, CHANNELS, ROUTES

#: Clock states a page can narrow matters to, judged on ``MatterFilter.clock_day``: the
#: mutually exclusive states of ``domain.clocks.matter_state`` (DESIGN §3) — terminated,
#: overdue, due soon, running, completed late, completed on time — so a list filtered to a
#: state and the card counting it agree.
CLOCK_FILTERS = MATTER_STATES


@dataclass(frozen=True)
class Period:
    """A closed date range ``[start, end]``."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("period end before start / 结束日期早于开始日期")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return cls(start, nxt - dt.timedelta(days=1))

    @classmethod
    def parse_month(cls, text: str) -> Period:
        """``YYYY-MM`` → that calendar month."""
        try:
            year, month = (int(x) for x in text.split("-"))
            return cls.month(year, month)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"month must be YYYY-MM, got {text!r}") from exc

    @classmethod
    def parse_half(cls, text: str) -> Period:
        """``YYYYH1`` (January–June) or ``YYYYH2`` (July–December) → that half year (半年评议)."""
        raw = (text or "").strip().upper()
        if len(raw) != 6 or raw[4] != "H" or raw[5] not in "12" or not raw[:4].isdigit():
            raise ValueError(f"half year must be YYYYH1 or YYYYH2, got {text!r}")
        year, first = int(raw[:4]), 1 if raw[5] == "1" else 7
        return cls(dt.date(year, first, 1), cls.month(year, first + 5).end)

    @classmethod
    def parse_months(cls, start: str, end: str) -> Period:
        """``YYYY-MM`` … ``YYYY-MM`` (both months included) → the whole months between."""
        first, last = cls.parse_month(start), cls.parse_month(end)
        if last.end < first.start:
            raise ValueError(f"--to {end} is before --from {start} / 结束月份早于开始月份")
        return cls(first.start, last.end)

    @classmethod
    def half_of(cls, day: dt.date) -> Period:
        """The half year holding ``day``."""
        return cls.parse_half(f"{day.year}H{1 if day.month <= 6 else 2}")

    @property
    def months(self) -> int | None:
        """Number of whole calendar months the period covers, None when it is not whole
        months."""
        if self.start.day != 1 or (self.end + dt.timedelta(days=1)).day != 1:
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def kind(self) -> str:
        """``month``, ``half`` (January–June or July–December), ``months`` (other whole
        months) or ``days``."""
        n = self.months
        if n == 1:
            return "month"
        if n == 6 and self.start.month in (1, 7):
            return "half"
        return "days" if n is None else "months"

    @property
    def key(self) -> str:
        """A short name: ``2026-10``, ``2026H2``, ``2026-01_2026-03`` or
        ``2026-01-05_2026-02-04``."""
        kind = self.kind
        if kind == "month":
            return self.start.strftime("%Y-%m")
        if kind == "half":
            return f"{self.start.year}H{1 if self.start.month == 1 else 2}"
        if kind == "months":
            return f"{self.start:%Y-%m}_{self.end:%Y-%m}"
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def previous(self) -> Period:
        """The period of the same length just before this one (a month before a month)."""
        if self.start.day == 1 and (self.end + dt.timedelta(days=1)).day == 1:
            prev_end = self.start - dt.timedelta(days=1)
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            y, m = prev_end.year, prev_end.month - months + 1
            while m <= 0:
                y, m = y - 1, m + 12
            return Period(dt.date(y, m, 1), prev_end)
        length = self.end - self.start
        return Period(self.start - length - dt.timedelta(days=1), self.start - dt.timedelta(days=1))

    def year_before(self) -> Period:
        """The same dates one year earlier (29 Feb → 28 Feb)."""
        def back(d: dt.date) -> dt.date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:
                return d.replace(year=d.year - 1, day=28)
        end = back(self.end)
        if (self.end + dt.timedelta(days=1)).day == 1:  # a month end stays a month end
            end = Period.month(end.year, end.month).end
        return Period(back(self.start), end)


@dataclass(frozen=True)
class MatterFilter:
    """What a page or command narrows matters to, inside the user's scope."""

    unit: str | None = None  # a county, township or village code
    zone: str | None = None
    categories: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    channels: tuple[str, ...] = field(default=())  # matters with a submission on a channel
    clock: str | None = None  # one of CLOCK_FILTERS, judged on clock_day
    clock_day: dt.date | None = None
    due_soon_days: int = 3

    def __post_init__(self):
        for name, allowed, values in (("category", CATEGORIES, self.categories),
                                      ("route", ROUTES, self.routes),
                                      ("channel", CHANNELS, self.channels)):
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ValueError(f"unknown {name}: {bad[0]!r}")
        if self.unit is not None and not is_area_code(self.unit):
            raise ValueError(f"unit code must be 6, 9 or 12 digits, got {self.unit!r}")
        if self.clock is not None:
            if self.clock not in CLOCK_FILTERS:
                raise ValueError(f"unknown clock state: {self.clock!r}")
            if not isinstance(self.clock_day, dt.date):
                raise ValueError("a clock-state filter needs clock_day")


def clock_start_sql(clock, alias: str = "m") -> str:
    """SQL: the day ``clock`` started (``domain.clocks.clock_start``)."""
    if clock.key == "forward":
        return f"{alias}.registered_on"
    if clock.key == "accept":
        return (f"CASE WHEN {alias}.intake = 'direct' THEN {alias}.registered_on"
                f" ELSE {alias}.forwarded_on END")
    return {"answer": f"{alias}.accepted_on", "review": f"{alias}.review_requested_on",
            "recheck": f"{alias}.recheck_requested_on"}[clock.key]


def clock_condition(state: str, alias: str = "m", day: str = ":clock_day",
                    soon_days: str = ":clock_soon") -> str:
    """SQL condition: the matter is in ``state`` (one of :data:`CLOCK_FILTERS`) on ``day`` —
    the first of terminated, overdue, due soon, running, completed late that holds, else
    completed on time, exactly as ``domain.clocks.matter_state`` decides."""
    def overdue(c):
        return (f"({alias}.{c.due_column} < {day} AND ({alias}.{c.done_column} IS NULL"
                f" OR {alias}.{c.done_column} > {day}))")

    def late(c):
        return (f"({alias}.{c.done_column} <= {day}"
                f" AND {alias}.{c.done_column} > {alias}.{c.due_column})")

    def soon(c):
        return (f"({alias}.{c.due_column} BETWEEN {day} AND {day} + {soon_days}"
                f" AND ({alias}.{c.done_column} IS NULL OR {alias}.{c.done_column} > {day}))")

    def running(c):
        return (f"({alias}.{c.due_column} > {day} + {soon_days}"
                f" AND {clock_start_sql(c, alias)} <= {day}"
                f" AND ({alias}.{c.done_column} IS NULL OR {alias}.{c.done_column} > {day}))")

    # A clock that has not started has NULL dates, so its terms are NULL, not false: NOT must
    # see false there, or every matter without a review would drop out of the later states.
    def any_(term) -> str:
        return "coalesce(" + " OR ".join(term(c) for c in DUTY_CLOCKS) + ", false)"

    held = {"terminated": f"coalesce({alias}.recheck_decided_on <= {day}, false)",
            "overdue": any_(overdue), "due_soon": any_(soon), "running": any_(running),
            "late": any_(late)}
    if state not in CLOCK_FILTERS:
        raise ValueError(f"unknown clock state: {state!r}")
    earlier = [held[s] for s in CLOCK_FILTERS[:CLOCK_FILTERS.index(state)]]
    terms = [f"NOT {e}" for e in earlier]
    if state != "on_time":
        terms.append(held[state])
    return "(" + " AND ".join(terms) + ")"


def unit_condition(code: str, alias: str = "m") -> str:
    """SQL condition selecting matters inside the admin unit ``code`` (bound as ``:unit``)."""
    column = {6: "county_code", 9: "township_code", 12: "village_code"}[len(code)]
    if is_region_code(code):
        return "TRUE"  # the prefecture: every matter of the region
    return f"{alias}.{column} = :unit"


def scope_condition(scope, alias: str = "m") -> tuple[str, dict]:
    """SQL condition and parameters restricting matters to ``scope``."""
    if scope.is_region:
        return "TRUE", {}
    return (f"({alias}.county_code = ANY(:scope_units) OR {alias}.township_code = ANY(:scope_units)"
            f" OR {alias}.responsible_unit = ANY(:scope_departments))",
            {"scope_units": list(scope.units), "scope_departments": list(scope.departments)})


def matter_conditions(scope, flt: MatterFilter | None = None, alias: str = "m") -> tuple[str, dict]:
    """The WHERE clause (without ``WHERE``) and bound parameters for scope plus filter."""
    flt = flt or MatterFilter()
    clause, params = scope_condition(scope, alias)
    parts = [clause]
    if flt.unit:
        parts.append(unit_condition(flt.unit, alias))
        params["unit"] = flt.unit
    if flt.zone:
        parts.append(f"{alias}.zone_code = :zone")
        params["zone"] = flt.zone
    if flt.categories:
        parts.append(f"{alias}.category = ANY(:categories)")
        params["categories"] = list(flt.categories)
    if flt.routes:
        parts.append(f"{alias}.route = ANY(:routes)")
        params["routes"] = list(flt.routes)
    if flt.channels:
        parts.append(f"EXISTS (SELECT 1 FROM submission fs WHERE fs.matter_id = {alias}.id"
                     " AND fs.channel = ANY(:channels))")
        params["channels"] = list(flt.channels)
    if flt.clock:
        parts.append(clock_condition(flt.clock, alias))
        params["clock_day"] = flt.clock_day
        params["clock_soon"] = flt.due_soon_days
    return " AND ".join(parts), params


def submission_source(scope, flt: MatterFilter | None = None,
                      alias: str = "s") -> tuple[str, str, dict]:
    """FROM clause, WHERE clause and parameters for aggregates over submissions.

    Submissions carry their matter's county, township and responsible unit (migration 0005),
    so the scope and a county or township filter apply to them directly; the matter is joined
    (as ``m``) only when a filter needs its other columns. A channel filter keeps the
    submissions on those channels (not, as for matters, every submission of such a matter).
    """
    flt = flt or MatterFilter()
    needs_matter = bool(flt.categories or flt.routes or flt.zone or flt.clock
                        or (flt.unit and len(flt.unit) == 12))
    if needs_matter:
        where, params = matter_conditions(scope, replace(flt, channels=()), alias="m")
        source = f"submission {alias} JOIN matter m ON m.id = {alias}.matter_id"
    else:
        unit_only = MatterFilter(unit=flt.unit)
        where, params = matter_conditions(scope, unit_only, alias=alias)
        source = f"submission {alias}"
    if flt.channels:
        where += f" AND {alias}.channel = ANY(:channels)"
        params["channels"] = list(flt.channels)
    return source, where, params
