"""The Backlog page's view: its own URL parameters and the filter state resolved against the
user's scope (a module of its own: a Dash page module cannot hold dataclasses)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from dashboard import data as shared_data
from dashboard.state import ViewState, check_scope, resolve_period, today
from domain.rules import AccountabilityRules
from queries import accountability
from queries.filters import MatterFilter, Period
from queries.scope import Scope

TABS = ("clocks", "backlog", "first_time", "packages", "assignments", "receptions", "ranking",
        "quality")
BYS = ("unit", "township", "county")
SAVED = ("package", "progress", "closeout", "reception")
_ID_RE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


# --- the view ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Extras:
    """The page's own URL parameters (validated; defaults left out of the URL)."""

    tab: str = "clocks"
    by: str = "unit"
    line: int | None = None  # yellow-card line in %, None: the configured one
    matter: str | None = None
    saved: str | None = None
    pk: str | None = None  # prefill of the package form
    close: str | None = None  # prefill of the close-out form
    half: str | None = None  # the ranking's half year (半年评议), e.g. 2026H2

    def params(self) -> dict:
        return {"tab": None if self.tab == "clocks" else self.tab,
                "by": None if self.by == "unit" else self.by,
                "line": self.line, "matter": self.matter, "half": self.half}


def parse_extras(query: dict) -> Extras:
    def one(key):
        v = query.get(key)
        if isinstance(v, list | tuple):
            v = v[-1] if v else None
        return v.strip() if isinstance(v, str) else None

    def ident(key):
        v = one(key)
        return v if v and _ID_RE.fullmatch(v) else None

    half = one("half")
    try:
        half = Period.parse_half(half).key if half else None
    except ValueError:
        half = None
    line = one("line")
    line_v = int(line) if line and line.isdigit() and 1 <= int(line) <= 100 else None
    return Extras(tab=one("tab") if one("tab") in TABS else "clocks",
                  by=one("by") if one("by") in BYS else "unit", line=line_v,
                  matter=ident("matter"), saved=one("saved") if one("saved") in SAVED else None,
                  pk=ident("pk"), close=ident("close"), half=half)


@dataclass(frozen=True)
class View:
    state: ViewState
    extras: Extras
    period: Period
    day: dt.date
    flt: MatterFilter

    def params(self, **changes) -> dict:
        p = {**self.state.to_params(), **self.extras.params()}
        p.update(changes)
        return p


def arules_for(extras: Extras) -> AccountabilityRules:
    base = accountability.accountability_rules()
    if extras.line is None:
        return base
    return replace(base, yellow_card_line=extras.line / 100)


def resolve(state: ViewState, extras: Extras, scope: Scope) -> View:
    check_scope(state, scope)
    now = today()
    period = resolve_period(state, now, lambda i: shared_data.sensitive_period(scope, i))
    day = min(period.end, now)
    flt = replace(state.matter_filter(clock_day=day), clock=None, clock_day=None)
    return View(state=state, extras=extras, period=period, day=day, flt=flt)


