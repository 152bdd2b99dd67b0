"""The work plan's test world (issue 16, items 1–4): hand-built matters and submissions at
fixed dates in one county that holds nothing else, imported through the case importer;
reporting units and daily reports through the stability importer; ledger disputes through
``queries.ledger``. The office's day is pinned to :data:`AS_OF` (Thursday of 2026-W46).

Every expected value of the tests is written by hand from this list (no project code):

First-time matters, town A, unit P2甲局, registered in July 2026 (F7 on 28 June):

====  ==========  ========  ==========  ======================  ============================
no.   registered  accepted  answered    returns                 on 2026-11-12
====  ==========  ========  ==========  ======================  ============================
F1    07-01       07-02     07-10       10-08 (day 90)          came back, answered on time
F2    07-01       07-02     07-10       10-09 (day 91)          resolved at once, on time
F3    07-03       07-04     07-10       —                       resolved at once, on time
F4    07-05       07-06     07-20       08-01 (day 12)          came back, on time
F5    07-06       —         —           —                       unanswered
F6    07-07       07-08     10-20       —                       watching; late (due 09-06)
F7    06-28       06-29     07-10       —                       not July's; in October's KPI
====  ==========  ========  ==========  ======================  ============================

July: registered 6, answered 5, on time 4, came back 2, resolved 2, watching 1.
October's KPI (answer + 90 in October): F1 F2 F3 F4 F7 = 5; resolved at once F2 F3 F7 = 3.

Irregular submissions (非访), one matter each unless said:

- October: I1 national 10-15 (town B, P2乙局); I2 three at county 10-05/06/07 (one matter,
  town C, P2丙局); I3 two at city 10-20/21 (town C, P2丁局); I4 province 10-30 (town A,
  P2戊局). October: national 1, province 1, city 2, county 3 = 7. Cards (1 / 3): units
  P2乙局 (national) and P2丙局 (count 3); townships B (national) and C (count 5).
- I5 city 2026-11-01 (Sunday of W44, town C, P2丁局).
- Week 2026-W45 (11-02 Mon … 11-08 Sun): I6 province 11-02 (town C, P2丙局); I1's second
  submission national 11-08; I7 county "2026-11-08T17:00:00Z" = 11-09 01:00 in Yueyang, so
  week 46 (town B, P2乙局).

Week 45 also: a visit of 25 persons on 11-07 in town A (collective warning, amber), eleven
online submissions in town A on 11-02 … 11-07 (town A: 12 against 2 in W44 — N99 and I4 —, p
= 106/16384 ≈ 0.0065 < 0.01, ratio 6 ≥ 2 × 2: an influx, red); a visit of 8 persons on 11-09
(week 46). Ledger: L1 resolve-by 11-05 (open: past due on Sunday), L2 resolve-by 11-12 (due
within 7 days), L3 resolve-by 11-20 (not listed). Daily reports (cutoff 17:00): unit A filed
Mon–Sat at 09:00, nothing on Sunday; unit B every day at 09:00 but Wednesday at 18:30.

W45 figures: warnings 5 (irregular national red, influx red, collective amber, ledger overdue
amber, report missing amber: 2 red, 3 amber); irregular 2 (national 1); influx areas 1;
submissions 14 against 3 (W44: N99, I4, I5); collective 1 batch, 25 persons; disputes 1
past due, 1 due; reports 1 missing, 1 late (of 14 unit-days).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

AS_OF = dt.date(2026, 11, 12)
WEEK = "2026-W45"
PREFIX = "P2"


def _d(month: int, day: int, year: int = 2026) -> str:
    return dt.date(year, month, day).isoformat()


def write_cases(folder: Path, towns: dict[str, str]) -> tuple[Path, Path]:
    a, b, c = towns["A"], towns["B"], towns["C"]
    matters, subs = [], []

    def matter(no, town, unit, registered, accepted=None, answered=None):
        matters.append({"matter_no": f"{PREFIX}-{no}", "registered_on": registered,
                        "category": "labour_wages", "area_code": town,
                        "responsible_unit": unit, "intake": "direct",
                        "accepted_on": accepted or "", "answered_on": answered or ""})

    def sub(no, matter_no, received, *, level="county", channel="online", persons=1,
            irregular=False):
        subs.append({"submission_no": f"{PREFIX}-{no}", "matter_no": f"{PREFIX}-{matter_no}",
                     "received_on": received, "channel": channel, "received_level": level,
                     "persons": persons, "irregular": "是" if irregular else "否"})

    # First-time matters (town A).
    for no, reg, acc, ans, returns in (
            ("F1", _d(7, 1), _d(7, 2), _d(7, 10), [_d(10, 8)]),
            ("F2", _d(7, 1), _d(7, 2), _d(7, 10), [_d(10, 9)]),
            ("F3", _d(7, 3), _d(7, 4), _d(7, 10), []),
            ("F4", _d(7, 5), _d(7, 6), _d(7, 20), [_d(8, 1)]),
            ("F5", _d(7, 6), None, None, []),
            ("F6", _d(7, 7), _d(7, 8), _d(10, 20), []),
            ("F7", _d(6, 28), _d(6, 29), _d(7, 10), [])):
        matter(no, a, "P2甲局", reg, acc, ans)
        sub(f"{no}-0", no, reg)
        for i, day in enumerate(returns, start=1):
            sub(f"{no}-{i}", no, day)
    # Irregular submissions.
    matter("I1", b, "P2乙局", _d(10, 15))
    sub("I1-1", "I1", _d(10, 15), level="national", channel="visit", irregular=True)
    sub("I1-2", "I1", _d(11, 8), level="national", channel="visit", irregular=True)
    matter("I2", c, "P2丙局", _d(10, 5))
    for i, day in enumerate((5, 6, 7), start=1):
        sub(f"I2-{i}", "I2", _d(10, day), level="county", channel="visit", irregular=True)
    matter("I3", c, "P2丁局", _d(10, 20))
    for i, day in enumerate((20, 21), start=1):
        sub(f"I3-{i}", "I3", _d(10, day), level="city", channel="visit", irregular=True)
    matter("I4", a, "P2戊局", _d(10, 30))
    sub("I4-1", "I4", _d(10, 30), level="province", channel="visit", irregular=True)
    matter("I5", c, "P2丁局", _d(11, 1))
    sub("I5-1", "I5", _d(11, 1), level="city", channel="visit", irregular=True)
    matter("I6", c, "P2丙局", _d(11, 2))
    sub("I6-1", "I6", _d(11, 2), level="province", channel="visit", irregular=True)
    matter("I7", b, "P2乙局", _d(11, 8))
    sub("I7-1", "I7", "2026-11-08T17:00:00Z", level="county", channel="visit",
        irregular=True)
    # Week 45 in town A: a collective visit, eleven online submissions; one in week 44.
    matter("V1", a, "P2己局", _d(11, 7))
    sub("V1-1", "V1", _d(11, 7), channel="visit", persons=25)
    for i in range(11):
        matter(f"N{i}", a, "P2己局", _d(11, 2 + i % 6))
        sub(f"N{i}-1", f"N{i}", _d(11, 2 + i % 6))
    matter("N99", a, "P2己局", _d(10, 28))
    sub("N99-1", "N99", _d(10, 28))
    matter("V2", a, "P2己局", _d(11, 9))
    sub("V2-1", "V2", _d(11, 9), channel="visit", persons=8)
    mpath, spath = folder / "p2_matters.csv", folder / "p2_submissions.csv"
    for path, rows in ((mpath, matters), (spath, subs)):
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return mpath, spath


UNITS = [("P2-T-A", "P2甲镇人民政府", "A"), ("P2-T-B", "P2乙镇人民政府", "B")]


def write_units(folder: Path, towns: dict[str, str]) -> Path:
    path = folder / "p2_units.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["单位代码", "单位名称", "类型", "所属县市区代码", "所属乡镇代码"])
        for code, name, town in UNITS:
            w.writerow([code, name, "乡镇（街道）", "", towns[town]])
    return path


def write_reports(folder: Path) -> Path:
    """Week 45: A Monday–Saturday at 09:00 (Sunday missing); B every day, Wednesday late."""
    path = folder / "p2_reports.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["unit_code", "report_date", "filed_at", "incidents", "note"])
        for i in range(7):
            day = dt.date(2026, 11, 2) + dt.timedelta(days=i)
            if i < 6:
                w.writerow(["P2-T-A", day.isoformat(), f"{day} 09:00", 0, "零报告"])
            at = "18:30" if i == 2 else "09:00"
            w.writerow(["P2-T-B", day.isoformat(), f"{day} {at}", 0, "零报告"])
    return path


#: key, town, resolve-by (L3 is past the 7 days after the week and is not listed).
LEDGER = [("L1", "A", dt.date(2026, 11, 5)), ("L2", "B", dt.date(2026, 11, 12)),
          ("L3", "C", dt.date(2026, 11, 20))]
