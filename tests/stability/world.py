"""The stability tests' world: the grid geography of ``tests.dashboard.world`` (real codes),
matters and submissions with known counts and obviously synthetic petitioners, imported
through the case importer; reporting units, daily reports and duty rosters through the
stability importers; ledger disputes through ``queries.ledger``.

Everything is relative to ``day`` (today in the office's time zone):

- township A: 12 submissions in ``[day-6, day]`` (3 at province, 1 at national level) against
  2 in ``[day-13, day-7]`` — a significant rise (p = 106/16384 ≈ 0.0065), ratio 6;
- township B: 5 against 5 — no rise;
- township C: collective visits of 60 persons (day-1) and 6 persons (day-2); 7 persons in
  the baseline (day-8);
- background matters registered 20–90 days ago (their submissions fall outside both windows);
- units: A, B, C (townships) and two departments; daily reports for the last 10 days at
  09:00 (today's at 00:00), except B missing day-3, C late (18:30) on day-2, and B and C
  not filed today;
- ledger: L1 in A, high risk, resolve-by day-5; L2 in B, low risk, resolve-by day+2; L3 in C,
  resolved.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd

from demodata.generate import with_check_digit

PREFIX = "WS"
NAMES = tuple(f"墙测{a}{b}" for a in "甲乙丙丁戊己庚辛" for b in "一二三四五")
SUMMARY = "【墙屏测试摘要】不应出现在大屏上的事项内容"


def pick_townships() -> dict[str, str]:
    towns = pd.read_csv(Path(__file__).resolve().parents[2] / "data" / "yueyang_townships.csv",
                        dtype=str)
    a, b = sorted(towns[towns["county_code"] == "430626"]["code"])[:2]
    c = sorted(towns[towns["county_code"] == "430621"]["code"])[0]
    return {"A": a, "B": b, "C": c}


def _id(i: int) -> str:
    return with_check_digit(f"43062619000101{i % 1000:03d}")


def write_cases(folder: Path, day: dt.date, towns: dict[str, str]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    matters, subs = [], []
    seq = 0

    def add(town: str, received: dt.date, *, level="county", channel="online", persons=1,
            registered: dt.date | None = None):
        nonlocal seq
        seq += 1
        no = f"{PREFIX}{seq:05d}"
        reg = registered or received
        matters.append({"matter_no": no, "registered_on": reg.isoformat(),
                        "category": "labour_wages", "area_code": town,
                        "responsible_unit": "墙测住建局",
                        "petitioner_name": NAMES[seq % len(NAMES)],
                        "petitioner_id": _id(seq), "summary": f"{SUMMARY}{seq}"})
        subs.append({"submission_no": f"{no}-1", "matter_no": no,
                     "received_on": received.isoformat(), "channel": channel,
                     "received_level": level, "persons": persons})

    a, b, c = towns["A"], towns["B"], towns["C"]
    levels = ["province"] * 3 + ["national"] + ["county"] * 8
    for i in range(12):
        add(a, day - dt.timedelta(days=i % 7), level=levels[i])
    for i in range(2):
        add(a, day - dt.timedelta(days=8 + i))
    for i in range(5):
        add(b, day - dt.timedelta(days=i))
        add(b, day - dt.timedelta(days=7 + i))
    add(c, day - dt.timedelta(days=1), channel="visit", persons=60)
    add(c, day - dt.timedelta(days=2), channel="visit", persons=6)
    add(c, day - dt.timedelta(days=8), channel="visit", persons=7)
    for i in range(40):  # background, outside both windows
        town = (a, b, c)[i % 3]
        add(town, day - dt.timedelta(days=20 + i * 2))
    mpath, spath = folder / "ws_matters.csv", folder / "ws_submissions.csv"
    for path, rows in ((mpath, matters), (spath, subs)):
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return mpath, spath


UNITS = [  # code, name, kind, county, township (filled from the towns)
    ("WS-T-A", "墙测甲镇人民政府", "township", None, "A"),
    ("WS-T-B", "墙测乙镇人民政府", "township", None, "B"),
    ("WS-T-C", "墙测丙镇人民政府", "township", None, "C"),
    ("WS-D-1", "平江县墙测信访局", "department", "430626", None),
    ("WS-D-2", "市墙测应急管理局", "department", "430600", None),
]


def write_units(folder: Path, towns: dict[str, str]) -> Path:
    path = folder / "ws_units.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["单位代码", "单位名称", "类型", "所属县市区代码", "所属乡镇代码"])
        for code, name, kind, county, town in UNITS:
            tcode = towns[town] if town else ""
            w.writerow([code, name, "乡镇（街道）" if kind == "township" else "部门",
                        county or "", tcode])
    return path


def write_reports(folder: Path, day: dt.date) -> Path:
    path = folder / "ws_reports.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["unit_code", "report_date", "filed_at", "incidents", "note"])
        for back in range(9, -1, -1):
            d = day - dt.timedelta(days=back)
            for code, *_rest in UNITS:
                if code == "WS-T-B" and back in (3, 0):
                    continue
                if code == "WS-T-C" and back == 0:
                    continue
                # Today's reports are filed at midnight: a real filing time is never in the
                # future, whatever hour of the office's day the tests run at.
                at = "18:30" if code == "WS-T-C" and back == 2 else "09:00" if back else "00:00"
                w.writerow([code, d.isoformat(), f"{d.isoformat()} {at}", 0, "零报告"])
    return path


def write_rosters(folder: Path, day: dt.date) -> Path:
    path = folder / "ws_rosters.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["unit_code", "duty_date", "shift", "officer_name", "leader_name", "phone"])
        for i, (code, *_rest) in enumerate(UNITS):
            if code == "WS-T-C":
                continue  # nobody on duty in C today
            w.writerow([code, day.isoformat(), "全天（24小时）", f"墙测值班员{i}",
                        f"墙测带班领导{i}", f"0730-0000{i:04d}"])
    return path
