"""The view state of the Overview and Map pages and its URL form.

The query string holds everything a shared link must reopen::

    /map?unit=430626101&period=custom&from=2026-01-01&to=2026-03-31&cat=land_expropriation
         &ch=visit,online&route=ordinary&clock=overdue&measure=per_10k

Defaults are left out, so the plain page URL is the default view. Parsing never trusts the
browser: every value is checked against the enumerations and date rules here, and the unit
against the user's scope (:func:`check_scope`) on the server, in every callback.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from domain.codes import is_region_code
from domain.enums import CATEGORIES, CHANNELS, ROUTES
from queries.areas import MEASURES
from queries.filters import CLOCK_FILTERS, MatterFilter, Period
from queries.scope import InvalidCode, Scope, validate_unit_code
from settings import get_settings

PERIODS = ("this_month", "last_month", "this_year", "last_12m", "custom")
DEFAULT_PERIOD = "this_month"
DEFAULT_MEASURE = "matters"
MIN_DATE = dt.date(2000, 1, 1)
MAX_SPAN_DAYS = 366 * 10
_SENSITIVE_RE = re.compile(r"sp(\d{1,9})")
_MULTI = (("cat", "categories", CATEGORIES), ("ch", "channels", CHANNELS),
          ("route", "routes", ROUTES))


class StateError(ValueError):
    """A view state that cannot be shown; ``kind`` picks the message (unit, dates, filter)."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class ViewState:
    unit: str | None = None  # None: the user's whole jurisdiction
    period: str = DEFAULT_PERIOD  # one of PERIODS or "sp<id>" (a sensitive period)
    start: dt.date | None = None  # custom range only
    end: dt.date | None = None
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    clock: str | None = None
    measure: str = DEFAULT_MEASURE

    # --- conversions -------------------------------------------------------------------------

    def to_params(self) -> dict[str, str]:
        """The non-default parts as query parameters (stable order)."""
        out: dict[str, str] = {}
        if self.unit:
            out["unit"] = self.unit
        if self.period != DEFAULT_PERIOD:
            out["period"] = self.period
        if self.period == "custom":
            out["from"] = self.start.isoformat() if self.start else ""
            out["to"] = self.end.isoformat() if self.end else ""
        for key, attr, _enum in _MULTI:
            values = getattr(self, attr)
            if values:
                out[key] = ",".join(values)
        if self.clock:
            out["clock"] = self.clock
        if self.measure != DEFAULT_MEASURE:
            out["measure"] = self.measure
        return out

    def to_query(self) -> str:
        """``?unit=…&period=…`` (empty string for the default view)."""
        params = self.to_params()
        return "?" + urlencode(params, safe=",") if params else ""

    def to_store(self) -> dict:
        """JSON-safe dict for a ``dcc.Store`` (the same fields as the query string)."""
        d = asdict(self)
        d["start"] = self.start.isoformat() if self.start else None
        d["end"] = self.end.isoformat() if self.end else None
        for _key, attr, _enum in _MULTI:
            d[attr] = list(d[attr])
        return d

    def with_(self, **changes) -> ViewState:
        return replace(self, **changes)

    def matter_filter(self, *, clock_day: dt.date | None = None,
                      due_soon_days: int | None = None) -> MatterFilter:
        """The query-layer filter of this state (the unit narrowing included)."""
        unit = None if self.unit is None or is_region_code(self.unit) else self.unit
        return MatterFilter(
            unit=unit, categories=self.categories, routes=self.routes, channels=self.channels,
            clock=self.clock, clock_day=clock_day if self.clock else None,
            due_soon_days=due_soon_days if due_soon_days is not None
            else get_settings().due_soon_days)


# --- parsing ---------------------------------------------------------------------------------

def _first(value) -> str | None:
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    return value.strip()


def _codes(value, enum: Mapping, name: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items: list[str] = []
    for part in (value if isinstance(value, (list, tuple)) else [value]):
        if not isinstance(part, str):
            raise StateError("filter", f"{name}: {str(part)[:40]!r}")
        items.extend(p.strip() for p in part.split(",") if p.strip())
    bad = [v for v in items if v not in enum]
    if bad:
        raise StateError("filter", f"{name}: {bad[0][:40]!r}")
    return tuple(dict.fromkeys(items))


def _date(value, name: str) -> dt.date:
    text = _first(value) or ""
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        raise StateError("dates", f"{name}={text[:20]!r} (YYYY-MM-DD)") from None
    if d < MIN_DATE or d > dt.date(2100, 12, 31):
        raise StateError("dates", f"{name}={text} out of range")
    return d


def parse(params: Mapping, *, strict: bool = False) -> tuple[ViewState, list[StateError]]:
    """A state from query parameters or a stored dict.

    Invalid parts are reported and replaced by their defaults; with ``strict`` the first
    problem is raised instead (callbacks: the browser sent something the page never made).
    """
    errors: list[StateError] = []
    kw: dict = {}

    def attempt(fn):
        try:
            fn()
        except StateError as exc:
            if strict:
                raise
            errors.append(exc)

    def unit():
        code = _first(params.get("unit"))
        if code:
            try:
                kw["unit"] = validate_unit_code(code)
            except InvalidCode as exc:
                raise StateError("unit", str(exc)) from None

    def period():
        p = _first(params.get("period")) or DEFAULT_PERIOD
        if p not in PERIODS and not _SENSITIVE_RE.fullmatch(p):
            raise StateError("filter", f"period={p[:40]!r}")
        if p == "custom":
            start = _date(params.get("from", params.get("start")), "from")
            end = _date(params.get("to", params.get("end")), "to")
            if end < start:
                raise StateError("dates", f"{start} > {end}")
            if (end - start).days > MAX_SPAN_DAYS:
                raise StateError("dates", f"{start} – {end}: more than 10 years")
            kw.update(start=start, end=end)
        kw["period"] = p

    def multi():
        for key, attr, enum in _MULTI:
            raw = params.get(key, params.get(attr))
            kw[attr] = _codes(raw, enum, key)

    def clock():
        c = _first(params.get("clock"))
        if c:
            if c not in CLOCK_FILTERS:
                raise StateError("filter", f"clock={c[:40]!r}")
            kw["clock"] = c

    def measure():
        m = _first(params.get("measure"))
        if m:
            if m not in MEASURES:
                raise StateError("filter", f"measure={m[:40]!r}")
            kw["measure"] = m

    for part in (unit, period, multi, clock, measure):
        attempt(part)
    return ViewState(**kw), errors


def from_query(search: str | Mapping | None) -> tuple[ViewState, list[StateError]]:
    """Lenient parse of a query string (``?a=b``) or of Dash's parsed query dict."""
    if search is None:
        return ViewState(), []
    if isinstance(search, str):
        from urllib.parse import parse_qs

        params = {k: v[-1] for k, v in parse_qs(search.lstrip("?"),
                                                keep_blank_values=True).items()}
        return parse(params)
    return parse(search)


def from_store(data) -> ViewState:
    """Strict parse of the page's ``dcc.Store`` (raises :class:`StateError`)."""
    if not isinstance(data, Mapping):
        raise StateError("filter", "state")
    state, _ = parse(data, strict=True)
    return state


# --- scope and periods -------------------------------------------------------------------------

def viewable(scope: Scope, code: str) -> bool:
    """Whether the user may look at admin unit ``code``: it lies inside their jurisdiction,
    or they are scoped by department only (their matters may lie anywhere)."""
    code = validate_unit_code(code)
    if scope.allows(code):
        return True
    return not scope.units and bool(scope.departments)


def check_scope(state: ViewState, scope: Scope) -> ViewState:
    """``state`` if its unit is viewable for ``scope``, else :class:`StateError`."""
    if scope.is_empty:
        raise StateError("scope", "empty scope")
    if state.unit:
        try:
            ok = viewable(scope, state.unit)
        except InvalidCode as exc:
            raise StateError("unit", str(exc)) from None
        if not ok:
            raise StateError("unit", state.unit)
    return state


def today() -> dt.date:
    """Today in the office's time zone; ``ATLAS_AS_OF`` (YYYY-MM-DD) pins it for demos,
    benchmarks and tests."""
    pinned = os.environ.get("ATLAS_AS_OF")
    if pinned:
        return dt.date.fromisoformat(pinned)
    return dt.datetime.now(ZoneInfo(get_settings().timezone)).date()


def resolve_period(state: ViewState, day: dt.date, sensitive=None) -> Period:
    """The dates of ``state.period`` on ``day``. ``sensitive(id)`` returns a sensitive
    period's ``(name, name_en, start, end)`` visible to the user, or None."""
    p = state.period
    if p == "this_month":
        return Period.month(day.year, day.month)
    if p == "last_month":
        return Period.month(day.year, day.month).previous()
    if p == "this_year":
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    if p == "last_12m":
        y, m = day.year, day.month - 11
        if m <= 0:
            y, m = y - 1, m + 12
        return Period(dt.date(y, m, 1), Period.month(day.year, day.month).end)
    if p == "custom":
        if not state.start or not state.end:
            raise StateError("dates", "custom range needs from and to")
        return Period(state.start, state.end)
    match = _SENSITIVE_RE.fullmatch(p)
    if match and sensitive is not None:
        found = sensitive(int(match.group(1)))
        if found:
            return Period(found[2], found[3])
    raise StateError("filter", f"period={p[:40]!r}")
