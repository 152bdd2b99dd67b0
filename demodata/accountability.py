"""Demo accountability records for a generated :class:`~demodata.generate.Demo`: package rows
with progress (包案), assigned items with feedback deadlines and close-outs (交办/销号), and
leader receptions of the five kinds (四访一包) — written as the CSV files of
``ingest.accountability`` and loaded through it by ``flask --app app demo-data``.

Consistent with the matters: the leader of a package row is the ``package_leader`` the matter
file names (some county packages first had another leader), the items assigned are the demo's
backlog matters, its late answers and a sample of others, plus monthly special assignments
(专项交办) to county departments and township governments. Units behind: the poorly performing
townships of ``demodata.params.BAD_TOWNSHIPS`` and two departments per county answer their
assignments late far more often; the good townships almost never. Deterministic: the same
demo (seed, arguments) gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from demodata.generate import (
    BACKLOG_FLAGGED,
    BACKLOG_LONG,
    BACKLOG_REPETITION,
    COUNTY_LEADERS_PER_COUNTY,
    NA,
    TOWNSHIP_LEADERS_PER_TOWNSHIP,
    Demo,
    _township_class,
)
from demodata.params import BAD_TOWNSHIPS
from demodata.writer import matter_numbers
from tabular import DictCsvWriter

PACKAGES_FILE, ASSIGNMENTS_FILE, RECEPTIONS_FILE, LEADERS_FILE = (
    "packages.csv", "assignments.csv", "receptions.csv", "leaders.csv")
PACKAGE_COLUMNS = ("matter_no", "leader_name", "leader_title", "level", "since", "until",
                   "progress", "resolved_on")
ASSIGNMENT_COLUMNS = ("assignment_no", "title", "matter_no", "area_code", "assigned_unit",
                      "assigned_by", "assigned_on", "feedback_due", "feedback_on", "closed_on",
                      "close_note")
RECEPTION_COLUMNS = ("leader_name", "leader_title", "kind", "held_on", "unit_code",
                     "matters_received", "matters_resolved", "note", "leader_level",
                     "matter_no")
LEADER_COLUMNS = ("name", "title", "unit_code", "level", "weekday")

COUNTY_TITLES = ("县（市、区）委副书记", "常务副县（市、区）长", "副县（市、区）长",
                 "县（市、区）委常委", "副县（市、区）长", "县（市、区）人大常委会副主任",
                 "县（市、区）政协副主席", "县（市、区）委常委")
TOWNSHIP_TITLES = ("乡镇（街道）党（工）委书记", "乡镇长（街道办主任）", "副乡镇长（副主任）")
PROGRESS = ("已约谈信访人，了解诉求", "已召开专题协调会", "化解方案已报批",
            "正在落实化解措施", "已达成初步和解意向")
RESOLVED_NOTE = "已化解，待销号"
SPECIAL_TITLES = ("矛盾纠纷排查化解", "农民工工资拖欠专项治理", "重复信访治理",
                  "信访积案化解攻坚", "征地拆迁信访问题排查", "初信初访办理质量核查")
#: Departments that answer their assignments late (the "units clearly behind").
LATE_DEPARTMENTS = ("住建局", "自然资源局")


@dataclass(frozen=True)
class AccountabilityParams:
    """Rates of the accountability records (fractions; days are calendar days)."""

    leader_change_share: float = 0.12     # county packages that had an earlier leader
    #: Other packages marked resolved; a backlog package is resolved when its matter's
    #: backlog is (the matter's backlog_resolved_on, or the answer for a long overdue one).
    package_resolved_share: float = 0.35
    assigned_other_share: float = 0.01    # other matters assigned to their unit
    specials_per_county_month: int = 3    # special assignments per county and month
    feedback_days: int = 15               # deadline for matter assignments
    backlog_feedback_days: int = 30       # ... for backlog matters
    late_normal: float = 0.08             # feedback after the deadline
    late_bad: float = 0.45
    late_good: float = 0.01
    missing_bad: float = 0.10             # never fed back (stays overdue)
    closeout_share: float = 0.92          # fed-back items closed out (销号)
    # Reception days (领导接访日, issue 16): how often a county leader receives on their day.
    reception_day_kept: float = 0.92      # most leaders: nearly every due day
    reception_day_kept_lazy: float = 0.35  # the less active one in four


def _day(d: dt.date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def _iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def _collect(demo: Demo) -> dict[str, np.ndarray]:
    keep = ("registered_on", "township", "unit", "leader", "leader_level", "backlog_kind",
            "answered_on", "answer_due", "late", "year", "seq", "category",
            "backlog_flagged_on", "backlog_resolved_on")
    parts: dict[str, list] = {k: [] for k in keep}
    for _lo, m, _s in demo.blocks():
        for k in keep:
            parts[k].append(m[k])
    return {k: np.concatenate(v) for k, v in parts.items()}


def generate_accountability(demo: Demo, params: AccountabilityParams = AccountabilityParams()
                            ) -> dict[str, list[dict]]:
    """The rows of packages.csv, assignments.csv and receptions.csv for ``demo``."""
    p = params
    rng = np.random.default_rng(np.random.SeedSequence(demo.seed, spawn_key=(900,)))
    m = _collect(demo)
    geo, lk = demo.geo, demo.lookups
    d0, d1 = _day(demo.start), _day(demo.end)
    numbers = np.array(matter_numbers(m["year"], m["seq"]), dtype=object)
    county_of = geo.township_county[m["township"]]
    town_class = _township_class(geo)  # 0 normal, 1 bad, 2 good, per township

    # --- packages ------------------------------------------------------------------------
    packages = []
    pk = np.flatnonzero(m["leader"] >= 0)
    u = rng.random((len(pk), 4))
    for i, r in zip(pk, u, strict=True):
        reg, kind = int(m["registered_on"][i]), int(m["backlog_kind"][i])
        ans, due = int(m["answered_on"][i]), int(m["answer_due"][i])
        if kind == BACKLOG_LONG and due != NA:
            since = due + 91 + int(r[0] * 30)
        elif kind == BACKLOG_REPETITION and ans != NA:
            since = ans + 60 + int(r[0] * 60)
        elif kind == BACKLOG_FLAGGED and m["backlog_flagged_on"][i] != NA:
            since = int(m["backlog_flagged_on"][i]) + int(r[0] * 20)
        else:
            since = reg + 5 + int(r[0] * 25)
        backlog_res = int(m["backlog_resolved_on"][i])
        if backlog_res != NA:
            since = min(since, backlog_res - 1)  # a leader is in charge before it is resolved
        since = max(reg, min(since, d1))
        county_level = m["leader_level"][i] == 0
        leader = lk.leader_names[m["leader"][i]]
        title = _title(int(m["leader"][i]), county_level, len(geo.county_code))
        level = "county" if county_level else "township"
        resolved = ""
        if kind == BACKLOG_LONG and ans != NA and ans >= since:
            resolved = _iso(ans)
        elif kind in (BACKLOG_REPETITION, BACKLOG_FLAGGED):
            # The ledger resolves the backlog too (DESIGN §3): the same date as the matter's,
            # or none, so a matter's backlog ends when and only when the demo says so.
            resolved = _iso(backlog_res) if backlog_res != NA else ""
        elif r[1] < p.package_resolved_share and since + 30 < d1:
            resolved = _iso(since + 30 + int(r[2] * (d1 - since - 30)))
        progress = RESOLVED_NOTE if resolved else PROGRESS[int(r[3] * len(PROGRESS))]
        if county_level and r[2] < p.leader_change_share and since - reg > 20:
            first = reg + 5 + int(r[3] * (since - reg - 10))
            other = (int(m["leader"][i]) // COUNTY_LEADERS_PER_COUNTY * COUNTY_LEADERS_PER_COUNTY
                     + (int(m["leader"][i]) + 1) % COUNTY_LEADERS_PER_COUNTY)
            packages.append({"matter_no": numbers[i], "leader_name": lk.leader_names[other],
                             "leader_title": _title(other, True, len(geo.county_code)),
                             "level": level, "since": _iso(first), "until": _iso(since),
                             "progress": PROGRESS[0], "resolved_on": ""})
        packages.append({"matter_no": numbers[i], "leader_name": leader, "leader_title": title,
                         "level": level, "since": _iso(since), "until": "",
                         "progress": progress, "resolved_on": resolved})

    # --- assignments -----------------------------------------------------------------------
    assignments = []
    late_unit = np.zeros(len(lk.unit_names), dtype=bool)
    for name_i, name in enumerate(lk.unit_names):
        if any(name.endswith(d) for d in LATE_DEPARTMENTS) and name_i % 3 == 0:
            late_unit[name_i] = True
    offset = len(lk.unit_names) - len(geo.township_code)
    for t_code in BAD_TOWNSHIPS:
        hit = np.flatnonzero(geo.township_code == t_code)
        if len(hit):
            late_unit[offset + hit[0]] = True

    backlog = m["backlog_kind"] > 0
    other = rng.random(len(numbers)) < p.assigned_other_share
    chosen = np.flatnonzero(backlog | m["late"] | other)
    u = rng.random((len(chosen), 5))
    seq_by_year: dict[int, int] = {}
    rows = []
    for i, r in zip(chosen, u, strict=True):
        reg, kind = int(m["registered_on"][i]), int(m["backlog_kind"][i])
        due, ans = int(m["answer_due"][i]), int(m["answered_on"][i])
        if kind in (BACKLOG_LONG, BACKLOG_FLAGGED, BACKLOG_REPETITION):
            on = (due + 91 if kind == BACKLOG_LONG and due != NA else reg + 20) + int(r[0] * 10)
            days, title = p.backlog_feedback_days, "积案化解督办"
        elif m["late"][i] and due != NA:
            on, days, title = due + 1 + int(r[0] * 7), p.feedback_days, "超期事项督办"
        else:
            on, days, title = reg + 5 + int(r[0] * 20), p.feedback_days, "信访事项交办"
        if on > d1 or on < d0:
            continue
        unit = int(m["unit"][i])
        rows.append((on, i, title, days, unit, r))
    for month_start in _months(demo.start, demo.end):
        for c in range(len(geo.county_code)):
            for k in range(p.specials_per_county_month):
                r = rng.random(5)
                on = _day(month_start) + int(r[0] * 25)
                if on > d1:
                    continue
                townships = np.flatnonzero(geo.township_county == c)
                if r[1] < 0.5 and len(townships):
                    t = int(townships[int(r[2] * len(townships))])
                    unit = offset + t
                else:
                    unit = c * (offset // len(geo.county_code)) + int(
                        r[2] * (offset // len(geo.county_code)))
                rows.append((on, -1 - c, SPECIAL_TITLES[(k + month_start.month) %
                                                        len(SPECIAL_TITLES)], 30, unit, r))
    rows.sort(key=lambda x: (x[0], x[1], x[4]))
    for on, i, title, days, unit, r in rows:
        year = int(str(np.datetime64(on, "D"))[:4])
        seq_by_year[year] = seq_by_year.get(year, 0) + 1
        no = f"JB-{year}-{seq_by_year[year]:06d}"
        t_idx = unit - offset if unit >= offset else None
        cls = int(town_class[t_idx]) if t_idx is not None else 0
        late_p = p.late_bad if late_unit[unit] or cls == 1 else (
            p.late_good if cls == 2 else p.late_normal)
        feedback_due = on + days
        if r[3] < late_p:
            fb = feedback_due + 1 + int(r[4] * 20)
            if late_unit[unit] and r[4] < p.missing_bad / max(late_p, 1e-9) * 0.5:
                fb = NA  # never fed back
        else:
            fb = on + 2 + int(r[4] * (days - 2))
        fb = fb if fb != NA and fb <= d1 else NA
        closed = NA
        if fb != NA and r[2] < p.closeout_share:
            closed = fb + 1 + int(r[1] * 10)
            closed = closed if closed <= d1 else NA
        if i >= 0:
            area, matter_no = "", numbers[i]
        else:
            c = -1 - i
            area = geo.township_code[t_idx] if t_idx is not None else geo.county_code[c]
            matter_no = ""
        county_name = geo.county_name[county_of[i]] if i >= 0 else geo.county_name[-1 - i]
        assignments.append({
            "assignment_no": no, "title": title, "matter_no": matter_no, "area_code": area,
            "assigned_unit": lk.unit_names[unit], "assigned_by": f"{county_name}信访局",
            "assigned_on": _iso(on), "feedback_due": _iso(feedback_due),
            "feedback_on": _iso(fb) if fb != NA else "",
            "closed_on": _iso(closed) if closed != NA else "",
            "close_note": "核查属实，同意销号" if closed != NA else ""})

    # --- leader receptions ------------------------------------------------------------------
    receptions = _receptions(demo, rng, p, packages)
    return {"packages": packages, "assignments": assignments, "receptions": receptions,
            "leaders": _roster(demo)}


def reception_weekday(leader: int) -> int:
    """The demo roster's reception day of leader ``leader``: Monday … Friday in turn."""
    return leader % 5 + 1


def _roster(demo: Demo) -> list[dict]:
    """The leader roster (领导接访日): every county and township leader with a weekday."""
    geo, lk = demo.geo, demo.lookups
    n_county = len(geo.county_code) * COUNTY_LEADERS_PER_COUNTY
    rows = []
    for leader, name in enumerate(lk.leader_names):
        county_level = leader < n_county
        if county_level:
            unit = geo.county_code[leader // COUNTY_LEADERS_PER_COUNTY]
        else:
            unit = geo.township_code[(leader - n_county) // TOWNSHIP_LEADERS_PER_TOWNSHIP]
        rows.append({"name": name, "title": _title(leader, county_level, len(geo.county_code)),
                     "unit_code": unit, "level": "county" if county_level else "township",
                     "weekday": str(reception_weekday(leader))})
    return rows


def _title(leader: int, county_level: bool, n_counties: int) -> str:
    n_county = n_counties * COUNTY_LEADERS_PER_COUNTY
    if county_level:
        return COUNTY_TITLES[leader % COUNTY_LEADERS_PER_COUNTY]
    return TOWNSHIP_TITLES[(leader - n_county) % TOWNSHIP_LEADERS_PER_TOWNSHIP]


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, y, mo = [], start.year, start.month
    while (y, mo) <= (end.year, end.month):
        out.append(dt.date(y, mo, 1))
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return out


def _receptions(demo: Demo, rng: np.random.Generator,
                p: AccountabilityParams = AccountabilityParams(),
                packages: list[dict] | None = None) -> list[dict]:
    """Every county leader and township leader, month by month: fixed-point receptions, on
    the leader's reception day for county leaders (most keep nearly every one, the less
    active one in four about a third, with a reception on another day instead), on working
    days otherwise; appointments, thematic visits, going down with cases, package visits —
    a package visit of a county leader names a matter the leader took into a package that
    month when there is one. One leader in four of each county is clearly less active."""
    geo, lk = demo.geo, demo.lookups
    work = demo.work_days
    d0, d1 = _day(demo.start), _day(demo.end)
    rows = []
    n_county = len(geo.county_code) * COUNTY_LEADERS_PER_COUNTY
    # leader name → [(package since, matter), …] of county packages, earliest first
    taken: dict[str, list[tuple[int, str]]] = {}
    for pk in packages or ():
        if pk["level"] == "county" and not pk["until"]:
            taken.setdefault(pk["leader_name"], []).append((_day(dt.date.fromisoformat(
                pk["since"])), pk["matter_no"]))
    for v in taken.values():
        v.sort()
    used: set[str] = set()
    for month_start in _months(demo.start, demo.end):
        lo = max(_day(month_start), d0)
        nxt = _months(month_start, month_start + dt.timedelta(days=40))[1]
        hi = min(_day(nxt) - 1, d1)
        days = work[(work >= lo) & (work <= hi)]
        if not len(days):
            continue
        for leader in range(len(lk.leader_names)):
            county_level = leader < n_county
            if county_level:
                c = leader // COUNTY_LEADERS_PER_COUNTY
                lazy = leader % 4 == 3
                plan = {"fixed_point": 1 if lazy else 2, "appointment": 0 if lazy else 2,
                        "thematic": 1, "down_with_cases": 0 if lazy else 1, "package": 1}
                towns = np.flatnonzero(geo.township_county == c)
                home = geo.county_code[c]
            else:
                t = (leader - n_county) // TOWNSHIP_LEADERS_PER_TOWNSHIP
                plan = {"fixed_point": 1, "down_with_cases": 1, "appointment": 0,
                        "thematic": 0, "package": 0}
                towns = np.array([t])
                home = geo.township_code[t]
            name = lk.leader_names[leader]
            title = _title(leader, county_level, len(geo.county_code))
            level = "county" if county_level else "township"
            for kind, n in plan.items():
                if county_level and kind == "fixed_point":
                    picked = _on_their_day(days, reception_weekday(leader), lazy, p, rng)
                else:
                    n = int(rng.binomial(n + 1, n / (n + 1))) if n else 0
                    picked = np.sort(rng.choice(days, size=min(n, len(days)), replace=False))
                for day in picked:
                    unit = home
                    if kind in ("thematic", "down_with_cases") and len(towns):
                        unit = geo.township_code[int(towns[int(rng.random() * len(towns))])]
                    received = int(rng.integers(2, 9)) if kind == "fixed_point" else int(
                        rng.integers(0, 4))
                    resolved = int(rng.binomial(received, 0.45))
                    matter_no = ""
                    if kind == "package" and county_level:
                        for since, no in taken.get(name, ()):
                            if no not in used and int(day) - 45 <= since <= int(day):
                                matter_no = no
                                used.add(no)
                                break
                    rows.append({"leader_name": name, "leader_title": title, "kind": kind,
                                 "held_on": _iso(int(day)), "unit_code": unit,
                                 "matters_received": str(received),
                                 "matters_resolved": str(resolved), "note": "",
                                 "leader_level": level, "matter_no": matter_no})
    return rows


def _on_their_day(days: np.ndarray, weekday: int, lazy: bool, p: AccountabilityParams,
                  rng: np.random.Generator) -> np.ndarray:
    """Fixed-point reception days of a county leader in one month (``days``: its working
    days): each working day on the leader's weekday kept with the leader's probability; a
    less active leader who missed one receives once on another working day instead."""
    weekdays = (days + 3) % 7 + 1  # day 0 (1970-01-01) was a Thursday: ISO weekday 4
    due = days[weekdays == weekday]
    keep = rng.random(len(due)) < (p.reception_day_kept_lazy if lazy else p.reception_day_kept)
    picked = list(due[keep])
    others = days[weekdays != weekday]
    if lazy and (~keep).any() and len(others):
        picked.append(others[int(rng.random() * len(others))])
    return np.sort(np.array(picked, dtype=days.dtype))


def write_accountability(demo: Demo, out_dir: Path,
                         params: AccountabilityParams = AccountabilityParams()
                         ) -> dict[str, Path]:
    """Write packages.csv, assignments.csv, receptions.csv and the leader roster leaders.csv
    into ``out_dir`` (UTF-8 with BOM, complete when they appear); returns their paths by
    kind (the roster first: receptions link to it either way)."""
    data = generate_accountability(demo, params)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, name, cols in (("leaders", LEADERS_FILE, LEADER_COLUMNS),
                             ("packages", PACKAGES_FILE, PACKAGE_COLUMNS),
                             ("assignments", ASSIGNMENTS_FILE, ASSIGNMENT_COLUMNS),
                             ("receptions", RECEPTIONS_FILE, RECEPTION_COLUMNS)):
        path = out / name
        tmp = path.with_name(name + ".part")
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = DictCsvWriter(fh, fieldnames=list(cols), lineterminator="\n")
            w.writeheader()
            w.writerows(data[kind])
        os.replace(tmp, path)
        paths[kind] = path
    return paths
