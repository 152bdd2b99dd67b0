"""Stability rules (issue 6): enumerations of the ledger, duty and sensitive periods, the
significance test for a rise of submissions against its baseline, the early-warning rules with
their thresholds, and the traffic lights of the wall screen's KPI board.

Plain Python, no database: ``queries/warnings.py`` gathers the facts and calls
:func:`evaluate`; the tests call the rules directly.

**Influx test.** A period's count ``c1`` is compared with the count ``c0`` of a baseline of the
same length just before it. Under "no change" both are Poisson with the same rate, so given
``n = c1 + c0`` the period's count is Binomial(n, ½) (the conditional "C-test" of
Przyborowski & Wilenski 1940, the exact test for comparing two Poisson rates). The one-sided
p-value of a rise is ``P(X ≥ c1)`` for X ~ Binomial(n, ½), computed exactly through the
regularised incomplete beta function ``I_½(c1, c0 + 1)``. A rise is *significant* when
``p < alpha`` (default 0.01 outside, 0.05 inside a sensitive period) and the period has at
least ``min_count`` events; with ~140 townships tested at once, 0.01 keeps the expected number
of false flags near one per screen (no further multiple-testing correction is applied).

**Early warnings** (each with its time, area and a link): an irregular submission received
at national level (非访进京: always red and listed first, whatever the period); a collective
visit of at least N persons; a township's (or project zone's) submissions at least X times
its baseline *and* a significant rise; a ledger dispute past its resolve-by date (during a
sensitive period also those due within a few days); a unit without today's daily report
after the cutoff (plus a grace outside sensitive periods). Inside a sensitive period every
threshold tightens (:data:`SENSITIVE`). Thresholds are configurable through ``WARN_*``
environment variables
(:func:`rules_from_env`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from scipy.stats import binom

from domain import measures

# --- enumerations (code -> (zh, en)) -------------------------------------------------------

RISK_LEVELS: dict[str, tuple[str, str]] = {
    "high": ("高", "High"),
    "medium": ("中", "Medium"),
    "low": ("低", "Low"),
}
RISK_ORDER = {"high": 0, "medium": 1, "low": 2}

LEDGER_STATUSES: dict[str, tuple[str, str]] = {
    "open": ("未化解", "Open"),
    "resolving": ("化解中", "Being resolved"),
    "resolved": ("已化解", "Resolved"),
}
OPEN_STATUSES = ("open", "resolving")

PERIOD_LEVELS: dict[str, tuple[str, str]] = {
    "national": ("国家级", "National"),
    "provincial": ("省级", "Provincial"),
    "city": ("市级", "City"),
    "local": ("县级", "County"),
}
PERIOD_LEVEL_ORDER = {"national": 0, "provincial": 1, "city": 2, "local": 3}

SHIFTS: dict[str, tuple[str, str]] = {
    "day": ("白班", "Day"),
    "night": ("夜班", "Night"),
    "full": ("全天（24小时）", "24 hours"),
}

UNIT_KINDS: dict[str, tuple[str, str]] = {
    "township": ("乡镇（街道）", "Township / street"),
    "department": ("部门", "Department"),
}

WARNING_KINDS = ("irregular_national", "collective_visit", "influx", "ledger_overdue",
                 "ledger_due_soon", "report_missing")
#: Kinds reported at once, above every other warning whatever its time (the work plan:
#: "information on irregular petitions to Beijing reported at the first time").
IMMEDIATE_KINDS = ("irregular_national",)
SEVERITIES = ("red", "amber")

# Free text of the ledger must describe disputes, not people: an 18-digit ID number or an
# 11-digit mobile number in a title or a measure is refused.
_ID_RE = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")


def personal_data_in(text: str | None) -> str | None:
    """``"id"`` or ``"phone"`` when ``text`` holds an ID or mobile number, else None."""
    if not text:
        return None
    if _ID_RE.search(text):
        return "id"
    if _MOBILE_RE.search(text):
        return "phone"
    return None


# --- the influx test -------------------------------------------------------------------------

def binom_sf(k: int, n: int, p: float = 0.5) -> float:
    """``P(X ≥ k)`` for X ~ Binomial(n, p), exact — SciPy's, tested for decades (this module
    once carried its own incomplete beta function)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return float(binom.sf(k - 1, n, p))


def rise_p_value(current: int, baseline: int) -> float:
    """One-sided p-value that ``current`` events in a period are more than chance would give
    when the rate equals that of a baseline of the same length with ``baseline`` events."""
    current, baseline = int(current), int(baseline)
    if current < 0 or baseline < 0:
        raise ValueError("counts must be ≥ 0")
    return binom_sf(current, current + baseline, 0.5)


@dataclass(frozen=True)
class Rise:
    current: int
    baseline: int
    ratio: float | None  # current ÷ baseline; None when the baseline is 0
    p: float
    significant: bool


def assess_rise(current: int, baseline: int, *, alpha: float = 0.01,
                min_count: int = 5) -> Rise:
    """The ratio, the p-value and whether the rise is significant (see the module text)."""
    p = rise_p_value(current, baseline)
    ratio = current / baseline if baseline else None
    significant = current > baseline and current >= min_count and p < alpha
    return Rise(int(current), int(baseline), ratio, p, significant)


def baseline_window(start: dt.date, end: dt.date, as_of: dt.date
                    ) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """``(cur_start, cur_end, base_start, base_end)``: the period up to ``as_of`` (a period
    still running is compared over its elapsed days) and the baseline of the same number of
    days just before it."""
    if end < start:
        raise ValueError("period end before start / 结束日期早于开始日期")
    cur_end = min(end, as_of)
    if cur_end < start:  # a period that has not started: nothing elapsed
        cur_end = start - dt.timedelta(days=1)
        return start, cur_end, start, cur_end
    days = (cur_end - start).days + 1
    base_end = start - dt.timedelta(days=1)
    return start, cur_end, base_end - dt.timedelta(days=days - 1), base_end


# --- thresholds ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Thresholds:
    """One set of warning thresholds."""

    collective_persons: int = 20  # a collective visit of at least N persons
    large_scale_persons: int = 50  # DESIGN §3 "large-scale": always red
    lookback_days: int = 7  # collective visits received in the last N days
    influx_ratio: float = 2.0  # submissions ≥ X × baseline ...
    influx_min_count: int = 10  # ... with at least this many in the period ...
    alpha: float = 0.01  # ... and a significant rise at this level
    ledger_lead_days: int = 0  # ledger disputes due within N days (0: only past due)
    report_grace_minutes: int = 60  # minutes after the cutoff before a missing report warns

    def __post_init__(self):
        if self.collective_persons < 5:
            raise ValueError("a collective visit has at least 5 persons (DESIGN §3)")
        if self.influx_ratio <= 1 or not 0 < self.alpha < 1:
            raise ValueError("influx ratio must exceed 1 and alpha lie in (0, 1)")
        if min(self.lookback_days, self.influx_min_count, self.ledger_lead_days,
               self.report_grace_minutes) < 0:
            raise ValueError("thresholds must be ≥ 0")


#: Everyday thresholds.
NORMAL = Thresholds()
#: Inside a sensitive period: every collective visit warns, smaller rises count, disputes
#: due within three days warn, and a missing daily report warns at the cutoff itself.
SENSITIVE = Thresholds(collective_persons=5, influx_ratio=1.5, influx_min_count=5, alpha=0.05,
                       ledger_lead_days=3, report_grace_minutes=0)


@dataclass(frozen=True)
class WarningRules:
    normal: Thresholds = NORMAL
    sensitive: Thresholds = SENSITIVE

    def for_period(self, sensitive: bool) -> Thresholds:
        return self.sensitive if sensitive else self.normal


_ENV_FIELDS = {
    "WARN_COLLECTIVE_PERSONS": ("collective_persons", int),
    "WARN_LOOKBACK_DAYS": ("lookback_days", int),
    "WARN_INFLUX_RATIO": ("influx_ratio", float),
    "WARN_INFLUX_MIN_COUNT": ("influx_min_count", int),
    "WARN_ALPHA": ("alpha", float),
    "WARN_LEDGER_LEAD_DAYS": ("ledger_lead_days", int),
    "WARN_REPORT_GRACE_MINUTES": ("report_grace_minutes", int),
}


def rules_from_env(environ: Mapping[str, str] | None = None) -> WarningRules:
    """Thresholds from ``WARN_*`` variables: ``NORMAL/SENSITIVE`` (``WARN_INFLUX_RATIO=2/1.5``)
    or one value for both. Unset variables keep the defaults; a bad value raises ValueError."""
    environ = os.environ if environ is None else environ
    normal, sensitive = {}, {}
    for var, (name, cast) in _ENV_FIELDS.items():
        raw = environ.get(var)
        if raw is None or not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("/")]
        if len(parts) not in (1, 2):
            raise ValueError(f"{var}: expected VALUE or NORMAL/SENSITIVE, got {raw!r}")
        try:
            normal[name] = cast(parts[0])
            sensitive[name] = cast(parts[-1])
        except ValueError:
            raise ValueError(f"{var}: not a number: {raw!r}") from None
    return WarningRules(replace(NORMAL, **normal), replace(SENSITIVE, **sensitive))


# --- warnings --------------------------------------------------------------------------------

@dataclass(frozen=True)
class EarlyWarning:
    """One warning. ``params`` fill the message template of ``kind`` (numbers, area and unit
    names, never a person); ``link`` is the page that shows the detail."""

    kind: str
    severity: str  # red | amber
    at: dt.datetime
    area_code: str | None
    area_name: str
    link: str
    key: str  # stable identity (the same condition gives the same key on every refresh)
    params: dict = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "at": self.at.isoformat(),
                "area_code": self.area_code, "area_name": self.area_name, "link": self.link,
                "key": self.key, "params": dict(self.params)}


def _midnight(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def collective_warnings(visits: Iterable[Mapping], th: Thresholds, now: dt.datetime
                        ) -> list[EarlyWarning]:
    """Visits (``received_on``, ``persons``, ``township_code``, ``township_name``,
    ``category``, ``submission_no``) of at least ``th.collective_persons`` persons received in
    the last ``th.lookback_days`` days up to today."""
    today = now.date()
    since = today - dt.timedelta(days=max(th.lookback_days - 1, 0))
    out = []
    for v in visits:
        day = v["received_on"]
        persons = int(v["persons"])
        if persons < th.collective_persons or not since <= day <= today:
            continue
        code = v.get("township_code")
        out.append(EarlyWarning(
            kind="collective_visit",
            severity="red" if persons >= th.large_scale_persons else "amber",
            at=_midnight(day, now.tzinfo), area_code=code,
            area_name=v.get("township_name") or code or "—",
            link=f"/map?unit={code}" if code else "/map",
            key=f"collective:{v['submission_no']}",
            params={"persons": persons, "category": v.get("category"), "day": day.isoformat()}))
    return out


def influx_warnings(rows: Iterable[Mapping], th: Thresholds, now: dt.datetime, *,
                    window: str) -> list[EarlyWarning]:
    """Areas (``code``, ``name``, ``level`` township|zone, ``current``, ``baseline``) whose
    submissions are at least ``th.influx_ratio`` × the baseline with a significant rise."""
    out = []
    for r in rows:
        cur, base = int(r["current"]), int(r["baseline"])
        rise = assess_rise(cur, base, alpha=th.alpha, min_count=th.influx_min_count)
        ratio_ok = cur >= th.influx_ratio * base if base else cur >= th.influx_min_count
        if not (rise.significant and ratio_ok):
            continue
        strong = (rise.ratio is None or rise.ratio >= 2 * th.influx_ratio) or rise.p < 0.001
        code = r["code"]
        unit_q = f"unit={code}" if r.get("level", "township") == "township" else f"zone={code}"
        out.append(EarlyWarning(
            kind="influx", severity="red" if strong else "amber", at=now, area_code=code,
            area_name=r.get("name") or code, link=f"/stability?{unit_q}",
            key=f"influx:{r.get('level', 'township')}:{code}:{window}",
            params={"current": cur, "baseline": base,
                    "ratio": None if rise.ratio is None else round(rise.ratio, 2),
                    "p": rise.p, "level": r.get("level", "township")}))
    return out


def ledger_warnings(items: Iterable[Mapping], th: Thresholds, now: dt.datetime
                    ) -> list[EarlyWarning]:
    """Open ledger disputes (``ledger_no``, ``title``, ``township_code``, ``township_name``,
    ``risk_level``, ``resolve_by``, ``status``, ``people_involved``) past their resolve-by
    date, or due within ``th.ledger_lead_days`` days."""
    today = now.date()
    out = []
    for it in items:
        due = it.get("resolve_by")
        if due is None or it.get("status") not in OPEN_STATUSES:
            continue
        days_late = (today - due).days
        if days_late > 0:
            kind = "ledger_overdue"
            severity = "red" if it.get("risk_level") == "high" or days_late > 7 else "amber"
            at = _midnight(due + dt.timedelta(days=1), now.tzinfo)
        elif -days_late <= th.ledger_lead_days and th.ledger_lead_days > 0:
            kind, severity = "ledger_due_soon", "amber"
            at = _midnight(due - dt.timedelta(days=th.ledger_lead_days), now.tzinfo)
            at = min(at, now)
        else:
            continue
        out.append(EarlyWarning(
            kind=kind, severity=severity, at=at, area_code=it.get("township_code"),
            area_name=it.get("township_name") or it.get("township_code") or "—",
            link=f"/stability?ledger={it['ledger_no']}",
            key=f"{kind}:{it['ledger_no']}",
            params={"ledger_no": it["ledger_no"], "title": it.get("title"),
                    "risk": it.get("risk_level"), "due": due.isoformat(),
                    "days": abs(days_late), "people": int(it.get("people_involved") or 0)}))
    return out


def report_warnings(missing: Iterable[Mapping], cutoff: dt.time, th: Thresholds,
                    now: dt.datetime, *, strict: bool) -> list[EarlyWarning]:
    """Units (``code``, ``name``, ``township_code``) without today's daily report, once the
    cutoff plus ``th.report_grace_minutes`` has passed."""
    due_at = dt.datetime.combine(now.date(), cutoff, tzinfo=now.tzinfo) + \
        dt.timedelta(minutes=th.report_grace_minutes)
    if now < due_at:
        return []
    day = now.date().isoformat()
    return [EarlyWarning(
        kind="report_missing", severity="red" if strict else "amber", at=due_at,
        area_code=u.get("township_code"), area_name=u.get("name") or u["code"],
        link="/stability#compliance", key=f"report:{u['code']}:{day}",
        params={"unit": u.get("name") or u["code"], "unit_code": u["code"], "day": day,
                "cutoff": cutoff.strftime("%H:%M")}) for u in missing]


def irregular_warnings(submissions: Iterable[Mapping], th: Thresholds, now: dt.datetime
                       ) -> list[EarlyWarning]:
    """Irregular submissions received at national level (非访进京: ``received_on``,
    ``submission_no``, ``matter_no``, ``township_code``, ``township_name``,
    ``responsible_unit``) in the last ``th.lookback_days`` days up to today: each an
    immediate, red warning. Counted by submission and matter, never by person."""
    today = now.date()
    since = today - dt.timedelta(days=max(th.lookback_days - 1, 0))
    out = []
    for s in submissions:
        day = s["received_on"]
        if not since <= day <= today:
            continue
        code = s.get("township_code")
        out.append(EarlyWarning(
            kind="irregular_national", severity="red", at=_midnight(day, now.tzinfo),
            area_code=code, area_name=s.get("township_name") or code or "—",
            link="/stability#irregular", key=f"irregular:{s['submission_no']}",
            params={"day": day.isoformat(), "matter_no": s.get("matter_no"),
                    "unit": s.get("responsible_unit") or ""}))
    return out


def sort_warnings(warnings: Iterable[EarlyWarning]) -> list[EarlyWarning]:
    """Immediate kinds (a national irregular submission) first, then red before amber,
    newest first, then by key (a stable order for screens)."""
    return sorted(warnings, key=lambda w: (w.kind not in IMMEDIATE_KINDS,
                                           SEVERITIES.index(w.severity),
                                           -w.at.timestamp(), w.key))


def evaluate(*, now: dt.datetime, sensitive: bool, rules: WarningRules | None = None,
             visits: Iterable[Mapping] = (), influx: Iterable[Mapping] = (),
             influx_window: str = "", ledger: Iterable[Mapping] = (),
             missing_reports: Iterable[Mapping] = (), cutoff: dt.time = dt.time(17, 0),
             irregular: Iterable[Mapping] = ()) -> list[EarlyWarning]:
    """Every warning of the five rules, sorted (see :func:`sort_warnings`)."""
    rules = rules or WarningRules()
    th = rules.for_period(sensitive)
    found = [*irregular_warnings(irregular, th, now),
             *collective_warnings(visits, th, now),
             *influx_warnings(influx, th, now, window=influx_window),
             *ledger_warnings(ledger, th, now),
             *report_warnings(missing_reports, cutoff, th, now, strict=sensitive)]
    return sort_warnings(found)


# --- traffic lights of the KPI board ---------------------------------------------------------

# The targets and bands live with the KPIs in the one catalogue (domain.measures); the names
# stay importable from here for the callers of the stability views.
LIGHTS = measures.LIGHTS
traffic_light = measures.traffic_light
