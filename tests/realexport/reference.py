"""An independent reference calculator of the KPIs of DESIGN §4, written from the text of
DESIGN §3–§5 alone.

It imports nothing from the project (no ``domain/``, ``queries/``, ``ingest/``, ``dashboard/``,
``briefing/``, ``settings``): it reads the two office export files itself with the standard
library (``csv``, ``datetime``, ``zoneinfo``) and computes every §4 key for a month P, an
as-of date and a scope (the region, or one township), so that the product's figures can be
checked against a second, naive implementation. It is deliberately slow and literal: backlog
intervals are found by walking the days one by one.

Readings of DESIGN made here (each is the plain reading of a sentence; where DESIGN leaves a
case open, :class:`Ambiguous` is raised and the fixture avoids that case):

* Days are Asia/Shanghai days; a date-time with an offset is converted first, one without
  an offset is local.
* Intake: the ``受理方式`` given, else ``direct`` when ``转送交办日期`` is blank and ``受理日期``
  is set, else ``office``. Only ``office`` matters have a forward clock; the acceptance clock
  starts at forwarding (office) or registration (direct).
* Clocks (calendar days): forward = registered + 15, accept = start + 15, answer = accepted +
  60 + extension, review = requested + 30, re-review = requested + 30 + hearing days.
* A clock is unrecorded when its stage date is blank while a later stage of the matter has a
  date, or its start is blank while its stage date is set. Unrecorded clocks are never open,
  overdue, backlog (a) or in a rate's denominator.
* Overdue on D: due < D and not completed by D. D = min(last day of P, as-of).
* Backlog (a): [due + 91, completion). (b): from the day of the third submission received
  after the reference day (the answer, or the last resolution that ended a backlog: a
  submission on that day does not count). (c): from the flag date (blank: registration).
  (b) and (c) end on the first resolution (``积案化解日期``) after their start.
* Package need on D: in backlog on D, or more than 5 visits received at city, province or
  national level in (D − 365, D]; a gap unless the matter has a package leader at county
  level (``包案领导`` set and ``包案级别`` 县级).
* First resolved: answer + 90 in P (up to as-of); resolved at once when no submission was
  received on answer + 1 … answer + 90.
* Unrecorded clocks counted among matters registered in (D − 1 year, D].
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.timedelta(days=1)

# --- DESIGN §3 defaults ---------------------------------------------------------------------
FORWARD_DAYS = 15
ACCEPT_DAYS = 15
ANSWER_DAYS = 60
REVIEW_DAYS = 30
RECHECK_DAYS = 30
DUE_SOON_DAYS = 3
BACKLOG_PAST_DUE = 90  # "more than 90 days past due"
BACKLOG_SUBMISSIONS = 3
PACKAGE_VISITS = 5  # "more than 5 visits"
PACKAGE_WINDOW = 365
PACKAGE_LEVELS = ("city", "province", "national")
CROSS_LEVELS = ("province", "national")  # two or more levels above the county
COLLECTIVE = 5
FIRST_RESOLVED_DAYS = 90
LEVELS = ("township", "county", "city", "province", "national")

# --- DESIGN §5: headers (English and Chinese) and enumeration labels -------------------------
MATTER_HEADERS = {
    "信访事项编号": "matter_no", "登记日期": "registered_on", "问题类别": "category",
    "信访性质": "nature", "办理途径": "route", "问题属地代码": "area_code", "经度": "lon",
    "纬度": "lat", "项目片区": "project_zone", "责任单位": "responsible_unit",
    "转送交办日期": "forwarded_on", "受理日期": "accepted_on", "延期天数": "extension_days",
    "答复日期": "answered_on", "满意度": "satisfaction", "复查申请日期": "review_requested_on",
    "复查意见日期": "review_decided_on", "复核申请日期": "recheck_requested_on",
    "复核意见日期": "recheck_decided_on", "听证天数": "hearing_days", "包案领导": "package_leader",
    "包案级别": "package_level", "上级交办积案": "backlog_flag",
    "积案交办日期": "backlog_flagged_on",
    "积案化解日期": "backlog_resolved_on", "受理方式": "intake", "内容摘要": "summary",
    "信访人": "petitioner_name", "身份证号": "petitioner_id",
}
SUBMISSION_HEADERS = {
    "信访件编号": "submission_no", "信访事项编号": "matter_no", "来信来访日期": "received_on",
    "信访形式": "channel", "接收层级": "received_level", "人数": "persons", "非正常": "irregular",
}
ROUTES = {"普通": "ordinary", "简易": "simplified", "政法": "political_legal", "纪检": "discipline",
          "法定途径": "legal_channel"}
SATISFACTION = {"满意": "satisfied", "基本满意": "basically_satisfied", "不满意": "dissatisfied",
                "未评价": "not_evaluated"}
INTAKES = {"信访部门转送": "office", "直接受理": "direct"}
PACKAGE_LEVEL_LABELS = {"县级": "county", "乡级": "township"}
CHANNELS = {"来信": "letter", "来访": "visit", "网上信访": "online", "来电": "phone",
            "12345转办": "hotline_12345", "领导信箱": "leader_mailbox"}
RECEIVED_LEVELS = {"乡镇": "township", "县": "county", "市": "city", "省": "province",
                   "国家": "national"}
YES = {"是": True, "否": False, "yes": True, "no": False, "": False}

STAGES = ("registered_on", "forwarded_on", "accepted_on", "answered_on", "review_requested_on",
          "review_decided_on", "recheck_requested_on", "recheck_decided_on")
EVALUATED = ("satisfied", "basically_satisfied", "dissatisfied")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class Ambiguous(Exception):
    """A case DESIGN does not settle; the fixture must not contain it."""


def parse_day(text: str | None) -> dt.date | None:
    """An export's date or date-time as an Asia/Shanghai day (DESIGN §3)."""
    s = (text or "").strip()
    if not s:
        return None
    if len(s) == 10:
        return dt.date.fromisoformat(s)
    stamp = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if stamp.tzinfo is not None:
        return stamp.astimezone(TZ).date()
    return stamp.date()


def valid_id(value: str) -> bool:
    """An 18-character resident ID with a valid birth date and ISO 7064 check character."""
    v = value.strip().upper()
    if len(v) != 18 or not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        return False
    try:
        born = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return False
    if not dt.date(1900, 1, 1) <= born <= dt.date(2100, 12, 31):
        return False
    total = sum(int(d) * w for d, w in zip(v[:17], ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == v[17]


@dataclass
class Clock:
    key: str
    start: dt.date | None
    due: dt.date | None
    done: dt.date | None
    unrecorded: bool


@dataclass
class Submission:
    no: str
    matter_no: str
    received: dt.date
    channel: str
    level: str
    persons: int
    irregular: bool
    line: int


@dataclass
class Matter:
    no: str
    line: int
    township: str
    route: str
    intake: str
    intake_given: bool
    stages: dict[str, dt.date | None]
    extension: int
    hearing: int
    satisfaction: str | None
    leader: str
    leader_level_text: str
    flag: bool
    flagged_on: dt.date | None
    resolutions: tuple[dt.date, ...]
    petitioner_id: str
    petitioner_name: str
    submissions: list[Submission] = field(default_factory=list)
    clocks: list[Clock] = field(default_factory=list)

    @property
    def registered(self) -> dt.date:
        return self.stages["registered_on"]

    @property
    def answered(self) -> dt.date | None:
        return self.stages["answered_on"]

    @property
    def county_leader(self) -> bool:
        return bool(self.leader) and PACKAGE_LEVEL_LABELS.get(self.leader_level_text) == "county"

    def unrecorded(self) -> list[Clock]:
        return [c for c in self.clocks if c.unrecorded]

    def counted(self) -> list[Clock]:
        return [c for c in self.clocks if not c.unrecorded and c.due is not None]


def _read(path: Path, headers: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of an export (GB18030 as Excel saves it in China) keyed by English name, with the
    file line each starts on (the header is line 1). Unknown columns are ignored."""
    with open(path, encoding="gb18030", newline="") as fh:
        reader = csv.reader(fh)
        head = next(reader)
        names = [headers.get(h.strip()) for h in head]
        rows = []
        for record in reader:
            rows.append((reader.line_num, {n: v.strip() for n, v in zip(names, record,
                                                                    strict=True) if n}))
    return rows


def _clocks(m: Matter) -> list[Clock]:
    st = m.stages

    def later(name: str) -> bool:
        return any(st[s] is not None for s in STAGES[STAGES.index(name) + 1:])

    def clock(key, start, days, stage):
        done = st[stage]
        unrecorded = (done is None and later(stage)) or (start is None and done is not None)
        if start is None and done is None and not unrecorded:
            return None  # not started
        due = start + dt.timedelta(days=days) if start is not None else None
        return Clock(key, start, due, done, unrecorded)

    out = []
    if m.intake == "office":
        out.append(clock("forward", m.registered, FORWARD_DAYS, "forwarded_on"))
    accept_start = st["forwarded_on"] if m.intake == "office" else m.registered
    out.append(clock("accept", accept_start, ACCEPT_DAYS, "accepted_on"))
    out.append(clock("answer", st["accepted_on"], ANSWER_DAYS + m.extension, "answered_on"))
    out.append(clock("review", st["review_requested_on"], REVIEW_DAYS, "review_decided_on"))
    out.append(clock("recheck", st["recheck_requested_on"], RECHECK_DAYS + m.hearing,
                     "recheck_decided_on"))
    return [c for c in out if c is not None]


def load(matters_path: Path, submissions_path: Path) -> dict[str, Matter]:
    """The matters of the export, with their submissions and clocks, by matter number."""
    matters: dict[str, Matter] = {}
    for line, r in _read(matters_path, MATTER_HEADERS):
        stages = {s: parse_day(r.get(s)) for s in STAGES}
        given = INTAKES.get(r.get("intake", ""))
        if r.get("intake") and given is None:
            raise ValueError(f"unknown intake {r.get('intake')!r} on line {line}")
        if given is None:
            inferred = ("direct" if stages["forwarded_on"] is None
                        and stages["accepted_on"] is not None else "office")
        sat = r.get("satisfaction") or ""
        res = parse_day(r.get("backlog_resolved_on"))
        m = Matter(
            no=r["matter_no"], line=line, township=r["area_code"][:9],
            route=ROUTES[r["route"]] if r.get("route") else "ordinary",
            intake=given or inferred, intake_given=given is not None, stages=stages,
            extension=int(r.get("extension_days") or 0), hearing=int(r.get("hearing_days") or 0),
            satisfaction=SATISFACTION[sat] if sat else None,
            leader=r.get("package_leader", ""), leader_level_text=r.get("package_level", ""),
            flag=YES[r.get("backlog_flag", "")], flagged_on=parse_day(r.get("backlog_flagged_on")),
            resolutions=(res,) if res else (), petitioner_id=r.get("petitioner_id", ""),
            petitioner_name=r.get("petitioner_name", ""))
        m.clocks = _clocks(m)
        matters[m.no] = m
    for line, r in _read(submissions_path, SUBMISSION_HEADERS):
        s = Submission(no=r["submission_no"], matter_no=r["matter_no"],
                       received=parse_day(r["received_on"]), channel=CHANNELS[r["channel"]],
                       level=RECEIVED_LEVELS[r["received_level"]] if r.get("received_level")
                       else "county", persons=int(r.get("persons") or 1),
                       irregular=YES[r.get("irregular", "")], line=line)
        matters[s.matter_no].submissions.append(s)
    for m in matters.values():
        m.submissions.sort(key=submission_order)
    return matters


def submission_order(s: Submission) -> tuple:
    """Received date, then the submission number: shorter first, then character order."""
    return (s.received, len(s.no), s.no)


# --- backlog ---------------------------------------------------------------------------------

def backlog_intervals(m: Matter, until: dt.date) -> list[tuple[dt.date, dt.date | None, str]]:
    """The matter's backlog intervals ``[start, end)`` (end None: still open) that start on
    or before ``until``, with their kind: a, b or c."""
    out: list[tuple[dt.date, dt.date | None, str]] = []
    for c in m.counted():
        start = c.due + dt.timedelta(days=BACKLOG_PAST_DUE + 1)
        if start > until or (c.done is not None and c.done <= start):
            continue
        out.append((start, c.done, "a"))

    resolutions = sorted(set(m.resolutions))
    flag_start = (m.flagged_on or m.registered) if m.flag else None
    first = min([m.registered, *resolutions, *(s.received for s in m.submissions),
                 *([flag_start] if flag_start else [])])
    b_open = c_open = None
    restart = None  # the last resolution that ended a backlog
    for day in _days(first, until):
        ref = _reference_day(m, restart)
        if day in resolutions:
            ended = False
            if b_open is not None:
                out.append((b_open, day, "b"))
                b_open, ended = None, True
            if c_open is not None:
                out.append((c_open, day, "c"))
                c_open, ended = None, True
            if ended:
                restart = day
            elif ref is not None and _count_after(m, ref, day):
                raise Ambiguous(f"{m.no}: a resolution on {day} ends no backlog while "
                                "submissions after the answer were being counted")
        if flag_start is not None and day == flag_start:
            if day in resolutions:
                raise Ambiguous(f"{m.no}: flagged and resolved on the same day {day}")
            c_open = day
        ref = _reference_day(m, restart)
        if ref is not None and b_open is None and \
                _count_after(m, ref, day) >= BACKLOG_SUBMISSIONS:
            b_open = day  # the day of the third submission after the reference day
    for start, kind in ((b_open, "b"), (c_open, "c")):
        if start is not None:
            out.append((start, None, kind))
    return out


def _reference_day(m: Matter, restart: dt.date | None) -> dt.date | None:
    """(b) counts submissions received after this day: the answer, or the last resolution
    that ended a backlog after it. None: not answered."""
    if m.answered is None:
        return None
    return m.answered if restart is None or restart < m.answered else restart


def _count_after(m: Matter, ref: dt.date, day: dt.date) -> int:
    return sum(1 for s in m.submissions if ref < s.received <= day)


def _days(first: dt.date, last: dt.date):
    d = first
    while d <= last:
        yield d
        d += DAY


def in_backlog(intervals, day: dt.date) -> bool:
    return any(s <= day and (e is None or e > day) for s, e, _k in intervals)


def in_backlog_during(intervals, first: dt.date, last: dt.date) -> bool:
    return any(s <= last and (e is None or e > first) for s, e, _k in intervals)


# --- the KPIs --------------------------------------------------------------------------------

def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    y, mo = (int(x) for x in month.split("-"))
    start = dt.date(y, mo, 1)
    nxt = dt.date(y + (mo == 12), mo % 12 + 1, 1)
    return start, nxt - DAY


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _rate(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


@dataclass
class Result:
    values: dict
    counts: dict
    detail: dict  # key -> sorted matter (or submission) numbers behind a count


def compute(matters: dict[str, Matter], month: str, as_of: dt.date,
            unit: str | None = None) -> Result:
    """Every §4 KPI of ``month`` as of ``as_of`` for the region or the township ``unit``."""
    ps, p_end = month_bounds(month)
    pe = min(p_end, as_of)  # P's days stop at the as-of date
    d = pe  # D: the last day of P, or the as-of date if earlier
    scope = [m for m in matters.values() if unit is None or m.township == unit]
    det: dict[str, list[str]] = defaultdict(list)

    def in_p(day):
        return day is not None and ps <= day <= pe

    for m in scope:
        for c in m.counted():
            if in_p(c.due) and c.key in ("forward", "accept", "answer"):
                if c.key == "answer" and m.route != "ordinary":
                    continue
                det[f"{c.key}_n"].append(m.no)
                if c.done is not None and c.done <= c.due:
                    det[f"{c.key}_ok"].append(m.no)
        if any(c.due < d and (c.done is None or c.done > d) for c in m.counted()):
            det["overdue_open"].append(m.no)
        if in_p(m.answered):
            det["answered"].append(m.no)
            if m.satisfaction in EVALUATED:
                det["evaluated"].append(m.no)
                if m.satisfaction in ("satisfied", "basically_satisfied"):
                    det["satisfied"].append(m.no)
        intervals = backlog_intervals(m, d)
        at_end = in_backlog(intervals, d)
        if at_end:
            det["backlog_open"].append(m.no)
        if in_backlog_during(intervals, ps, d):
            det["backlog_during"].append(m.no)
            if not at_end:
                det["backlog_resolved"].append(m.no)
        visits = sum(1 for s in m.submissions if s.channel == "visit"
                     and s.level in PACKAGE_LEVELS
                     and d - dt.timedelta(days=PACKAGE_WINDOW) < s.received <= d)
        if (at_end or visits > PACKAGE_VISITS) and not m.county_leader:
            det["package_gaps"].append(m.no)
        if m.answered is not None and in_p(m.answered + dt.timedelta(days=FIRST_RESOLVED_DAYS)):
            det["fr_n"].append(m.no)
            window = (m.answered + DAY, m.answered + dt.timedelta(days=FIRST_RESOLVED_DAYS))
            if not any(window[0] <= s.received <= window[1] for s in m.submissions):
                det["fr_ok"].append(m.no)
        if year_before(d) < m.registered <= d:
            det["unrecorded"].extend([m.no] * len(m.unrecorded()))
        for i, s in enumerate(m.submissions):
            if not in_p(s.received):
                continue
            det["subs"].append(s.no)
            if i > 0:
                det["repeats"].append(s.no)
            if s.channel == "online":
                det["online"].append(s.no)
            if s.channel == "visit":
                det["visits"].append(s.no)
                if s.level in CROSS_LEVELS:
                    det["cross_visits"].append(s.no)
                if s.persons >= COLLECTIVE:
                    det["collective_visits"].append(s.no)
                    det["collective_persons"].extend([s.no] * s.persons)
            if s.irregular:
                det[f"irr_{s.level}"].append(s.no)
    n = {k: len(v) for k, v in det.items()}

    def c(key):
        return n.get(key, 0)

    by_level = {lvl: c(f"irr_{lvl}") for lvl in LEVELS}
    values = {
        "timely_forward_rate": _rate(c("forward_ok"), c("forward_n")),
        "timely_accept_rate": _rate(c("accept_ok"), c("accept_n")),
        "on_time_answer_rate": _rate(c("answer_ok"), c("answer_n")),
        "participation_rate": _rate(c("evaluated"), c("answered")),
        "satisfaction_rate": _rate(c("satisfied"), c("evaluated")),
        "repeat_rate": _rate(c("repeats"), c("subs")),
        "cross_level_rate": _rate(c("cross_visits"), c("visits")),
        "online_share": _rate(c("online"), c("subs")),
        "collective_visits": c("collective_visits"),
        "collective_persons": c("collective_persons"),
        "overdue_open": c("overdue_open"),
        "backlog_open": c("backlog_open"),
        "backlog_resolution_rate": _rate(c("backlog_resolved"), c("backlog_during")),
        "first_resolved_rate": _rate(c("fr_ok"), c("fr_n")),
        "irregular_submissions": sum(by_level.values()),
        "irregular_by_level": by_level,
        "unrecorded_clocks": c("unrecorded"),
        "package_gaps": c("package_gaps"),
    }
    counts = {
        "fwd_ok": c("forward_ok"), "fwd_n": c("forward_n"), "acc_ok": c("accept_ok"),
        "acc_n": c("accept_n"), "ans_ok": c("answer_ok"), "ans_n": c("answer_n"),
        "answered": c("answered"), "evaluated": c("evaluated"), "satisfied": c("satisfied"),
        "subs": c("subs"), "repeats": c("repeats"), "online": c("online"),
        "visits": c("visits"), "cross_visits": c("cross_visits"),
        "backlog_during": c("backlog_during"), "backlog_resolved": c("backlog_resolved"),
        "fr_n": c("fr_n"), "fr_ok": c("fr_ok"),
    }
    return Result(values, counts, {k: sorted(set(v)) for k, v in det.items()})


def clock_state(c: Clock, day: dt.date) -> str | None:
    """The state of a counted clock on ``day`` (DESIGN §3): on_time, late, overdue, due_soon,
    running; None for an unrecorded clock."""
    if c.unrecorded or c.due is None:
        return None
    if c.done is not None and c.done <= day:
        return "on_time" if c.done <= c.due else "late"
    if c.due < day:
        return "overdue"
    if (c.due - day).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "running"


# --- the warnings the import must list (DESIGN §5) -------------------------------------------

def expected_warnings(matters: dict[str, Matter]) -> dict[int, list[str]]:
    """File line → the flaws of the row (``id``, ``package_level``, ``flag_date``,
    ``unrecorded:<clock>``), for rows with at least one flaw."""
    out: dict[int, list[str]] = {}
    for m in matters.values():
        flaws = []
        if m.petitioner_id and not valid_id(m.petitioner_id):
            flaws.append("id")
        if m.leader_level_text and m.leader_level_text not in PACKAGE_LEVEL_LABELS:
            flaws.append("package_level")
        if m.flag and m.flagged_on is None:
            flaws.append("flag_date")
        flaws += [f"unrecorded:{c.key}" for c in m.unrecorded()]
        if flaws:
            out[m.line] = flaws
    return out
