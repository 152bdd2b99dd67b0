"""What a briefing is about (:class:`BriefingRequest`) and everything gathered for it
(:class:`BriefingData`): query results as plain dicts and frames, no formatting, no Dash."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from domain.clocks import ClockRules
from domain.rules import AccountabilityRules
from queries.filters import Period

FORMATS = ("pdf", "docx", "xlsx")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The level whose units the map colours and the area table lists, under each level.
CHILD_LEVEL = {"prefecture": "township", "county": "township", "township": "village"}
#: The level of the area table (the region lists its counties: 138 townships is a long table).
TABLE_LEVEL = {"prefecture": "county", "county": "township", "township": "village"}
#: Months of the trend charts (the month itself and the twelve before it).
TREND_MONTHS = 13


@dataclass(frozen=True)
class BriefingRequest:
    """One briefing: a calendar month — or whole months, a half year (issue 16; ``month`` is
    then that period) —, a jurisdiction (the region, a county or a township), the as-of date
    (only clocks due by then count) and the language."""

    month: Period
    unit: str
    as_of: dt.date
    lang: str = "zh"

    @property
    def day(self) -> dt.date:
        """D: the month's last day, or the as-of date if earlier (DESIGN §4)."""
        return min(self.month.end, self.as_of)

    @property
    def month_key(self) -> str:
        """``2026-10`` for a month; ``2026H2``, ``2026-01_2026-03`` for a longer period
        (``queries.filters.Period.key``)."""
        return self.month.key


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    level: str  # prefecture | county | township
    county_name: str | None = None  # a township's county (names repeat across counties)

    @property
    def child_level(self) -> str:
        return CHILD_LEVEL[self.level]

    @property
    def table_level(self) -> str:
        return TABLE_LEVEL[self.level]


@dataclass(frozen=True)
class KpiSet:
    """``queries.kpi.compute_kpis`` for one period, with the as-of date it was asked for."""

    period: Period
    as_of: dt.date
    values: dict


@dataclass(frozen=True)
class SensitiveSummary:
    """A sensitive period that fell in the month and the stability measures of its days in
    the month against a baseline of the same length (``queries.stability.influx_totals``)."""

    name: str
    name_en: str | None
    level: str
    starts_on: dt.date
    ends_on: dt.date
    days_in_month: int
    influx: dict


@dataclass
class MapData:
    """Outlines (GeoJSON text from ``queries.maps``) and the values the map colours."""

    units: str  # the coloured units (GeoJSON FeatureCollection)
    frame: pd.DataFrame  # queries.areas.measures_by_area of those units (index: code)
    outline: str  # the jurisdiction itself
    counties: str | None  # county outlines over a region map
    zones: str  # project zones visible to the scope (filtered to the jurisdiction later)
    hot_codes: tuple[str, ...] = ()  # villages that are significant hot spots


@dataclass
class BriefingData:
    request: BriefingRequest
    jurisdiction: Jurisdiction
    generated_at: dt.datetime
    rules: ClockRules
    arules: AccountabilityRules
    kpis: KpiSet
    previous: KpiSet
    year_ago: KpiSet
    map: MapData
    areas: pd.DataFrame  # measures per unit of jurisdiction.table_level
    trend_period: Period
    trend: pd.DataFrame  # month, channel, n
    rates: pd.DataFrame  # month, submissions, repeats, visits, cross_visits, *_rate
    categories: pd.DataFrame  # category, n
    hotspots: pd.DataFrame  # code, name, township, matters, per_10k, z, p, class
    hotspot_units: int
    counts: dict  # overdue, due_soon, backlog, package_gaps on D
    board: pd.DataFrame  # queries.backlog.clock_board by responsible unit
    ageing: pd.DataFrame  # bucket, n
    packages: pd.DataFrame  # queries.accountability.package_board
    gaps: pd.DataFrame  # queries.backlog.package_gaps rows
    gaps_total: int
    closeout: pd.DataFrame  # queries.accountability.closeout_notice
    periods: list[SensitiveSummary] = field(default_factory=list)
    #: 非访 of the period (``briefing.irregular_section.gather``): by month and level, by
    #: township and unit, the yellow cards of its last month.
    irregular: dict = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per gathered part
