"""The hand-built data set of the backlog tests, written as import files (DESIGN §5).

Twenty matters ``BLK-M01`` … ``BLK-M22`` (no M21) in two townships of two counties, with
their submissions, package rows, assignments and leader receptions. Every date was chosen for
an edge of a rule; the expected KPI values are worked out by hand in ``test_kpi_handset.py``
from this table, not computed by the code under test.

T1 = 430602100 西塘镇 (岳阳楼区 430602), T2 = 430621105 新墙镇 (岳阳县 430621). Due dates
(calendar days): forward = registered + 15, accept = forwarded + 15, answer = accepted + 60 +
extension, review = requested + 30, re-review = requested + 30 + hearing days.

====  ====  ==========  ==========  ==========  ==========  =======================================
no.   town  registered  forwarded   accepted    answered    what it is for
====  ====  ==========  ==========  ==========  ==========  =======================================
M01   T1    2026-09-20  10-05       10-08       —           forward due 10-05, done on the due day
M02   T1    2026-09-21  10-07       10-23       —           forward late by 1; accept late by 1
M03   T1    2026-10-10  —           —           —           forward due 10-25 not done: overdue
M04   T2    2026-10-20  10-22       10-25       —           two submissions on the same day
M05   T1    2026-07-20  07-25       08-02       10-01       answer due 10-01, answered that day
M06   T1    2026-07-01  07-05       07-10       10-09       extension 30: due 10-08; 1 day late
M07   T2    2026-07-25  07-30       08-05       09-30       answer due 10-04 in P, answered in Sep
M08   T2    2026-08-01  08-03       08-10       —           answer due 10-09, open: overdue
M09   T2    2026-07-28  07-29       08-03       10-20       political-legal route: not in 按期答复率
M10   T1    2026-08-20  08-22       08-25       10-15       answer due 10-24, on time; not evaluated
M11   T2    2026-09-01  09-03       09-05       10-28       answer due 11-04; satisfaction blank
M12   T1    2026-03-01  03-05       03-10       10-10       answer due 05-09: backlog 08-08..10-10
M13   T1    2026-05-01  05-05       05-10       —           answer due 07-09: backlog from 10-08
M14   T2    2026-05-28  06-01       06-03       —           answer due 08-02: 90 days past on 10-31
M15   T2    2026-04-01  04-03       04-08       05-20       3 submissions after answer: 10-12 on
M16   T1    2025-11-10  11-12       11-15       2026-01-05  flagged by a higher level
M17   T2    2026-09-01  09-05       09-10       —           6 upper-level submissions: needs leader
M18   T1    2026-09-10  09-12       09-15       —           exactly 5 upper-level submissions
M19   T1    2026-05-01  05-03       05-06       06-20       review 09-15, due 10-15, decided 10-16
M20   T2    2026-03-01  03-03       03-05       04-20       re-review 09-20 + 10 hearing days: 10-30
M22   T2    2026-09-28  10-02       —           —           accept due 10-17 not done: overdue
====  ====  ==========  ==========  ==========  ==========  =======================================
"""

from __future__ import annotations

import csv
from pathlib import Path

T1, T2 = "430602100", "430621105"
C1, C2 = "430602", "430621"
REGION = "430600"
UNITS = [  # code, name, level, parent
    (REGION, "岳阳市", "prefecture", None),
    (C1, "岳阳楼区", "county", REGION),
    (C2, "岳阳县", "county", REGION),
    (T1, "西塘镇", "township", C1),
    (T2, "新墙镇", "township", C2),
]
PREFIX = "BLK-"
GOV1, DEPT1 = "西塘镇人民政府", "岳阳楼区住建局"
GOV2, DEPT2 = "新墙镇人民政府", "岳阳县人社局"

MATTER_COLUMNS = (
    "matter_no", "registered_on", "category", "route", "area_code", "responsible_unit",
    "forwarded_on", "accepted_on", "extension_days", "answered_on", "satisfaction",
    "review_requested_on", "review_decided_on", "recheck_requested_on", "recheck_decided_on",
    "hearing_days", "package_leader", "package_level", "backlog_flag")


def _m(no, town, reg, fwd="", acc="", ans="", *, unit=None, ext="0", sat="", route="ordinary",
       cat="urban_construction", rv=("", ""), rc=("", ""), hearing="0", leader=("", ""),
       flag="no"):
    return {"matter_no": PREFIX + no, "registered_on": reg, "category": cat, "route": route,
            "area_code": town, "responsible_unit": unit or (GOV1 if town == T1 else GOV2),
            "forwarded_on": fwd, "accepted_on": acc, "extension_days": ext, "answered_on": ans,
            "satisfaction": sat, "review_requested_on": rv[0], "review_decided_on": rv[1],
            "recheck_requested_on": rc[0], "recheck_decided_on": rc[1], "hearing_days": hearing,
            "package_leader": leader[0], "package_level": leader[1], "backlog_flag": flag}


LEADER_C1 = "岳阳楼区演示领导01"
LEADER_C1_OLD = "岳阳楼区演示领导02"
LEADER_T1 = "西塘镇演示干部1"
LEADER_C2 = "岳阳县演示领导02"

MATTERS = [
    _m("M01", T1, "2026-09-20", "2026-10-05", "2026-10-08", unit=DEPT1),
    _m("M02", T1, "2026-09-21", "2026-10-07", "2026-10-23"),
    _m("M03", T1, "2026-10-10"),
    _m("M04", T2, "2026-10-20", "2026-10-22", "2026-10-25", unit=DEPT2),
    _m("M05", T1, "2026-07-20", "2026-07-25", "2026-08-02", "2026-10-01", sat="satisfied"),
    _m("M06", T1, "2026-07-01", "2026-07-05", "2026-07-10", "2026-10-09", ext="30",
       sat="dissatisfied", unit=DEPT1),
    _m("M07", T2, "2026-07-25", "2026-07-30", "2026-08-05", "2026-09-30", sat="satisfied"),
    _m("M08", T2, "2026-08-01", "2026-08-03", "2026-08-10", unit=DEPT2),
    _m("M09", T2, "2026-07-28", "2026-07-29", "2026-08-03", "2026-10-20",
       sat="basically_satisfied", route="political_legal", cat="law_related"),
    _m("M10", T1, "2026-08-20", "2026-08-22", "2026-08-25", "2026-10-15", sat="not_evaluated"),
    _m("M11", T2, "2026-09-01", "2026-09-03", "2026-09-05", "2026-10-28", unit=DEPT2),
    _m("M12", T1, "2026-03-01", "2026-03-05", "2026-03-10", "2026-10-10",
       cat="land_expropriation"),
    _m("M13", T1, "2026-05-01", "2026-05-05", "2026-05-10", cat="demolition",
       leader=(LEADER_C1, "county")),
    _m("M14", T2, "2026-05-28", "2026-06-01", "2026-06-03", unit=DEPT2),
    _m("M15", T2, "2026-04-01", "2026-04-03", "2026-04-08", "2026-05-20", sat="dissatisfied"),
    _m("M16", T1, "2025-11-10", "2025-11-12", "2025-11-15", "2026-01-05",
       leader=(LEADER_T1, "township"), flag="yes", cat="labour_wages"),
    _m("M17", T2, "2026-09-01", "2026-09-05", "2026-09-10", cat="demolition"),
    _m("M18", T1, "2026-09-10", "2026-09-12", "2026-09-15", unit=DEPT1),
    _m("M19", T1, "2026-05-01", "2026-05-03", "2026-05-06", "2026-06-20", sat="dissatisfied",
       rv=("2026-09-15", "2026-10-16")),
    _m("M20", T2, "2026-03-01", "2026-03-03", "2026-03-05", "2026-04-20", sat="dissatisfied",
       rv=("2026-05-10", "2026-06-05"), rc=("2026-09-20", ""), hearing="10"),
    _m("M22", T2, "2026-09-28", "2026-10-02"),
]

SUBMISSION_COLUMNS = ("submission_no", "matter_no", "received_on", "channel", "received_level",
                      "persons", "irregular")


def _first_submissions() -> list[dict]:
    """Each matter's first submission: a letter received at county level on its registration
    day, except for the matters whose submissions are all listed below."""
    special = {"M03", "M04", "M13", "M17", "M18"}
    out = []
    for m in MATTERS:
        no = m["matter_no"][len(PREFIX):]
        if no in special:
            continue
        out.append(_s(no, 1, m["registered_on"], "letter", "county"))
    return out


def _s(matter, k, day, channel, level, persons=1):
    return {"submission_no": f"{PREFIX}S-{matter}-{k}", "matter_no": PREFIX + matter,
            "received_on": day, "channel": channel, "received_level": level,
            "persons": str(persons), "irregular": "no"}


SUBMISSIONS = _first_submissions() + [
    # M03: first submission a visit in October (county, 1 person).
    _s("M03", 1, "2026-10-10", "visit", "county"),
    # M04: two on 2026-10-20; the second (higher number) is a repeat; a visit of 5 persons.
    _s("M04", 1, "2026-10-20", "online", "national"),
    _s("M04", 2, "2026-10-20", "visit", "county", 5),
    # M08: a repeat by phone in October.
    _s("M08", 2, "2026-10-16", "phone", "county"),
    # M13: first in May; a national-level visit of 6 in October (repeat, cross-level).
    _s("M13", 1, "2026-05-01", "visit", "county", 2),
    _s("M13", 2, "2026-10-03", "visit", "national", 6),
    # M15: answered 05-20; three submissions after it, the third in October: backlog 10-12.
    _s("M15", 2, "2026-06-01", "letter", "county"),
    _s("M15", 3, "2026-08-15", "online", "county"),
    _s("M15", 4, "2026-10-12", "letter", "county", 8),
    # M17: six visits at city level or above in 365 days (> 5): a county leader is required
    # (DESIGN §3: visits count, not online posts or letters).
    _s("M17", 1, "2026-09-01", "visit", "national"),
    _s("M17", 2, "2026-09-08", "visit", "province"),
    _s("M17", 3, "2026-09-15", "visit", "city"),
    _s("M17", 4, "2026-09-22", "visit", "national"),
    _s("M17", 5, "2026-10-06", "visit", "province", 60),
    _s("M17", 6, "2026-10-13", "visit", "city"),
    # M18: exactly five upper-level visits (not more than 5) and a call at county level.
    _s("M18", 1, "2026-09-10", "visit", "national"),
    _s("M18", 2, "2026-09-15", "phone", "county"),
    _s("M18", 3, "2026-09-20", "visit", "province"),
    _s("M18", 4, "2026-09-25", "visit", "city"),
    _s("M18", 5, "2026-09-28", "visit", "national"),
    _s("M18", 6, "2026-10-22", "visit", "city", 4),
]

PACKAGE_COLUMNS = ("matter_no", "leader_name", "leader_title", "level", "since", "until",
                   "progress", "resolved_on")
PACKAGES = [
    {"matter_no": PREFIX + "M13", "leader_name": LEADER_C1_OLD, "leader_title": "副区长",
     "level": "county", "since": "2026-07-15", "until": "2026-10-10",
     "progress": "已约谈信访人", "resolved_on": ""},
    {"matter_no": PREFIX + "M13", "leader_name": LEADER_C1, "leader_title": "区长",
     "level": "县级", "since": "2026-10-10", "until": "", "progress": "已召开协调会",
     "resolved_on": ""},
    {"matter_no": PREFIX + "M16", "leader_name": LEADER_T1, "leader_title": "镇长",
     "level": "township", "since": "2026-01-10", "until": "", "progress": "方案已报批",
     "resolved_on": ""},
]

ASSIGNMENT_COLUMNS = ("assignment_no", "title", "matter_no", "area_code", "assigned_unit",
                      "assigned_by", "assigned_on", "feedback_due", "feedback_on", "closed_on",
                      "close_note")


def _a(no, title, matter, area, unit, on, due, fb="", closed="", note=""):
    return {"assignment_no": PREFIX + no, "title": title,
            "matter_no": PREFIX + matter if matter else "", "area_code": area,
            "assigned_unit": unit, "assigned_by": "岳阳市信访局", "assigned_on": on,
            "feedback_due": due, "feedback_on": fb, "closed_on": closed, "close_note": note}


ASSIGNMENTS = [
    _a("A01", "督办积案化解", "M13", "", GOV1, "2026-10-15", "2026-11-14"),
    _a("A02", "核查转送情况", "M03", "", GOV1, "2026-11-02", "2026-11-18", "2026-11-17",
       "2026-11-19", "已核实"),
    _a("A03", "排查征拆矛盾", "", T1, GOV1, "2026-11-05", "2026-11-20"),
    _a("A04", "重复信访化解", "M15", "", GOV2, "2026-10-01", "2026-10-16", "2026-10-20",
       "2026-10-25"),
    _a("A05", "工资拖欠专项", "", T2, DEPT2, "2026-11-10", "2026-11-21"),
    _a("A06", "信访积案排查", "", C2, "岳阳县信访局", "2026-10-05", "2026-10-20", "2026-10-18"),
    _a("A07", "答复期限提醒", "M18", "", GOV1, "2026-11-16", "2026-12-01"),
]

RECEPTION_COLUMNS = ("leader_name", "leader_title", "kind", "held_on", "unit_code",
                     "matters_received", "matters_resolved", "note")
RECEPTIONS = [
    {"leader_name": LEADER_T1, "leader_title": "镇长", "kind": "fixed_point",
     "held_on": "2026-10-08", "unit_code": T1, "matters_received": "3",
     "matters_resolved": "1", "note": ""},
    {"leader_name": LEADER_T1, "leader_title": "镇长", "kind": "带案下访",
     "held_on": "2026-10-20", "unit_code": T1, "matters_received": "2",
     "matters_resolved": "2", "note": ""},
    {"leader_name": LEADER_C1, "leader_title": "区长", "kind": "package",
     "held_on": "2026-10-12", "unit_code": C1, "matters_received": "1",
     "matters_resolved": "0", "note": ""},
    {"leader_name": LEADER_C2, "leader_title": "副县长", "kind": "appointment",
     "held_on": "2026-11-03", "unit_code": T2, "matters_received": "4",
     "matters_resolved": "1", "note": ""},
    {"leader_name": LEADER_C2, "leader_title": "副县长", "kind": "thematic",
     "held_on": "2026-10-28", "unit_code": C2, "matters_received": "0",
     "matters_resolved": "0", "note": ""},
]


def write(path: Path, columns, rows) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns))
        w.writeheader()
        w.writerows(rows)
    return path


def write_all(folder: Path) -> dict[str, Path]:
    """The five import files of the data set in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "matters": write(folder / "matters.csv", MATTER_COLUMNS, MATTERS),
        "submissions": write(folder / "submissions.csv", SUBMISSION_COLUMNS, SUBMISSIONS),
        "packages": write(folder / "packages.csv", PACKAGE_COLUMNS, PACKAGES),
        "assignments": write(folder / "assignments.csv", ASSIGNMENT_COLUMNS, ASSIGNMENTS),
        "receptions": write(folder / "receptions.csv", RECEPTION_COLUMNS, RECEPTIONS),
    }
