"""Demo data of the stability features (issue 6), deterministic for a seed and an end date.

- **Reporting units**: 27 townships (the deliberately good and bad ones of
  :mod:`demodata.params` among them) and 30 departments (14 city departments, each county's
  信访局, and 住建局 / 自然资源局 of the three busiest counties).
- **Daily reports** for the last ``days`` days: 97 % on time (filed 07:30–16:59), 2 % late,
  1 % missing; two units are clearly behind (85 % on time, 8 % missing); incidents on 8 % of
  days. Today: units file between 07:30 and 10:00 (only those before ``now`` exist); a few
  do not file, so after the cutoff the screens have units that missed today's report.
- **Duty rosters** from 30 days back to 7 days ahead: one 24-hour duty a day per unit, with
  obviously synthetic staff (演示值班员…, 演示带班领导…, phone ``0730-0000xxxx``); two units
  have no one on duty today.
- **Sensitive periods**: 全国两会 and 国庆 of the last year, and one starting in the coming
  month.
- **Ledger**: ~1.5 disputes per reporting township per month over the last 12 months, 60 %
  resolved within 90 days, nearly all the rest later, 3 % still open long after; points
  inside the township (placed by PostGIS with a fixed seed).

Files are written in the import formats of :mod:`ingest.stability`; the ledger and the
periods go through :func:`ingest.stability.load_ledger` / :func:`ingest.stability.load_periods`.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from demodata.params import BAD_TOWNSHIPS, GOOD_TOWNSHIPS
from demodata.places import township_government
from tabular import frame_to_csv

CITY_DEPARTMENTS = ("信访局", "住建局", "自然资源和规划局", "人社局", "公安局", "民政局",
                    "生态环境局", "农业农村局", "教育局", "卫生健康委", "市场监管局",
                    "交通运输局", "应急管理局", "司法局")
BUSY_COUNTIES = ("430602", "430621", "430626")
N_TOWNSHIPS = 27
LEDGER_PER_TOWN_MONTH = 1.5

#: Dispute templates per category: (title pattern, typical people involved, risk weights).
LEDGER_TEMPLATES: dict[str, tuple[tuple[str, ...], tuple[int, int], tuple[float, ...]]] = {
    "land_expropriation": (("{p}项目征地补偿标准分歧", "{p}项目青苗补偿争议",
                            "{p}片区集体土地征收安置诉求"), (15, 80), (0.35, 0.45, 0.20)),
    "demolition": (("{p}片区房屋征收补偿协商", "{p}安置房交付延期", "{p}过渡安置费发放争议"),
                   (10, 60), (0.30, 0.50, 0.20)),
    "labour_wages": (("{p}工地农民工工资拖欠", "{p}企业欠薪纠纷", "{p}项目劳务费结算争议"),
                     (8, 50), (0.30, 0.40, 0.30)),
    "urban_construction": (("{p}小区物业服务纠纷", "{p}老旧小区改造施工扰民",
                            "{p}小区停车位权属争议"),
                           (20, 120), (0.10, 0.40, 0.50)),
    "enterprise_restructuring": (("{p}改制企业职工安置诉求", "{p}原国企下岗职工待遇诉求"),
                                 (10, 40), (0.25, 0.45, 0.30)),
    "environment": (("{p}搅拌站噪声扬尘投诉", "{p}养殖场污染纠纷"), (10, 40),
                    (0.10, 0.40, 0.50)),
    "agriculture": (("{p}村集体经济收益分配分歧", "{p}土地流转租金纠纷"), (10, 60),
                    (0.15, 0.45, 0.40)),
}
PLACES = ("东湖", "南岸", "新港", "金桥", "城南", "滨湖", "北站", "白石", "青山", "桃林", "白羊",
          "新华", "河西", "长湖")
MEASURES = ("成立工作专班，包案领导每周调度", "组织政策解释和法律咨询", "开展第三方评估与调解",
            "落实资金筹措方案，分期兑付", "召开听证会听取各方意见", "联合执法，督促企业整改")


@dataclass(frozen=True)
class StabilityDemo:
    units: pd.DataFrame
    reports: pd.DataFrame
    rosters: pd.DataFrame
    periods: list[dict]
    ledger: list[dict]


def _pick_townships(towns: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    towns = towns.sort_values("code").reset_index(drop=True)
    fixed = [c for c in (*BAD_TOWNSHIPS, *GOOD_TOWNSHIPS) if c in set(towns["code"])]
    rest = towns[~towns["code"].isin(fixed)]
    k = max(0, min(N_TOWNSHIPS - len(fixed), len(rest)))
    extra = rest.iloc[np.sort(rng.choice(len(rest), size=k, replace=False))] if k else rest[:0]
    return pd.concat([towns[towns["code"].isin(fixed)], extra]).sort_values("code")


def reporting_units(towns: pd.DataFrame, counties: pd.DataFrame, region_code: str,
                    rng: np.random.Generator) -> pd.DataFrame:
    """27 township units and 30 departments (code, name, kind, county_code, township_code)."""
    picked = _pick_townships(towns, rng)
    names = dict(zip(counties["code"], counties["name"], strict=True))
    rows = [{"code": f"T{r.code}", "name": township_government(r.name), "kind": "township",
             "county_code": r.code[:6], "township_code": r.code} for r in picked.itertuples()]
    for i, d in enumerate(CITY_DEPARTMENTS, start=1):
        rows.append({"code": f"D{region_code}{i:02d}", "name": f"市{d}", "kind": "department",
                     "county_code": region_code, "township_code": None})
    for code in sorted(names):
        rows.append({"code": f"D{code}01", "name": f"{names[code]}信访局", "kind": "department",
                     "county_code": code, "township_code": None})
    for code in BUSY_COUNTIES:
        if code in names:
            for j, d in ((2, "住建局"), (3, "自然资源局")):
                rows.append({"code": f"D{code}{j:02d}", "name": f"{names[code]}{d}",
                             "kind": "department", "county_code": code,
                             "township_code": None})
    return pd.DataFrame(rows)


def daily_reports(units: pd.DataFrame, end: dt.date, now: dt.datetime, days: int,
                  rng: np.random.Generator) -> pd.DataFrame:
    """Reports for ``days`` days up to ``end`` (today, judged at ``now``)."""
    codes = list(units["code"])
    behind = set(codes[3:4] + codes[-5:-4])  # one township, one department clearly behind
    skip_today = set(codes[7::11])  # a few units that have not filed today
    rows = []
    for back in range(days - 1, -1, -1):
        day = end - dt.timedelta(days=back)
        u = rng.random(len(codes))
        minutes = rng.integers(7 * 60 + 30, 17 * 60, len(codes))
        late_minutes = rng.integers(17 * 60 + 1, 22 * 60, len(codes))
        incidents = np.where(rng.random(len(codes)) < 0.08, rng.integers(1, 4, len(codes)), 0)
        for i, code in enumerate(codes):
            p_miss, p_late = (0.08, 0.07) if code in behind else (0.01, 0.02)
            if u[i] < p_miss:
                continue
            m = int(late_minutes[i] if u[i] < p_miss + p_late else minutes[i])
            filed = dt.datetime.combine(day, dt.time(m // 60, m % 60))
            if day == end:
                if code in skip_today:
                    continue
                # Today: filed by the morning, and only what has been filed by ``now``.
                m = 7 * 60 + 30 + int(u[i] * 150)
                filed = dt.datetime.combine(day, dt.time(m // 60, m % 60))
                if filed > now.replace(tzinfo=None):
                    continue
            rows.append({"unit_code": code, "report_date": day.isoformat(),
                         "filed_at": filed.strftime("%Y-%m-%d %H:%M:%S"),
                         "incidents": int(incidents[i]), "note": "零报告" if not incidents[i]
                         else f"排查发现矛盾纠纷{int(incidents[i])}起，已录入台账"})
    return pd.DataFrame(rows)


def duty_rosters(units: pd.DataFrame, end: dt.date, rng: np.random.Generator) -> pd.DataFrame:
    codes = list(units["code"])
    uncovered_today = set(codes[5:6] + codes[-3:-2])
    rows = []
    for back in range(30, -8, -1):
        day = end - dt.timedelta(days=back)
        for i, code in enumerate(codes):
            if day == end and code in uncovered_today:
                continue
            n = int(rng.integers(1, 13))
            rows.append({"unit_code": code, "duty_date": day.isoformat(), "shift": "full",
                         "officer_name": f"演示值班员{i + 1:02d}{'甲乙丙丁'[n % 4]}",
                         "leader_name": f"演示带班领导{(i + n) % 9 + 1:02d}",
                         "phone": f"0730-0000{(i * 37 + n) % 10000:04d}"})
    return pd.DataFrame(rows)


def sensitive_periods(end: dt.date) -> list[dict]:
    """全国两会 and 国庆 of the last year and one period starting in the coming month."""
    y = end.year if end >= dt.date(end.year, 3, 16) else end.year - 1
    npc = (dt.date(y, 3, 1), dt.date(y, 3, 15))
    oy = end.year if end >= dt.date(end.year, 10, 9) else end.year - 1
    national_day = (dt.date(oy, 9, 28), dt.date(oy, 10, 8))
    coming = (end + dt.timedelta(days=10), end + dt.timedelta(days=20))
    return [
        {"name": "全国两会期间（演示）", "name_en": "National Two Sessions (demo)",
         "starts_on": npc[0], "ends_on": npc[1], "level": "national", "scope_code": None},
        {"name": "国庆节期间（演示）", "name_en": "National Day holiday (demo)",
         "starts_on": national_day[0], "ends_on": national_day[1], "level": "national",
         "scope_code": None},
        {"name": "岁末年初集中排查期（演示）", "name_en": "Year-end screening period (demo)",
         "starts_on": coming[0], "ends_on": coming[1], "level": "city", "scope_code": None},
    ]


def ledger_entries(units: pd.DataFrame, counties: dict[str, str], end: dt.date,
                   rng: np.random.Generator) -> list[dict]:
    """Disputes of the reporting townships over the last 12 months (see the module text)."""
    towns = units[units["kind"] == "township"]
    cats = list(LEDGER_TEMPLATES)
    out = []
    seq = 0
    start = end - dt.timedelta(days=365)
    for t in towns.itertuples():
        n = int(rng.poisson(LEDGER_PER_TOWN_MONTH * 12))
        opened = np.sort(rng.integers(0, 366, n))
        for k in range(n):
            seq += 1
            cat = cats[int(rng.integers(0, len(cats)))]
            titles, (lo, hi), risk_w = LEDGER_TEMPLATES[cat]
            place = PLACES[int(rng.integers(0, len(PLACES)))]
            opened_on = start + dt.timedelta(days=int(opened[k]))
            risk = ("high", "medium", "low")[int(rng.choice(3, p=np.array(risk_w)))]
            resolve_by = opened_on + dt.timedelta(days=int(rng.choice((30, 60, 90))))
            u = rng.random()
            closed_on = None
            if u < 0.6:
                closed_on = opened_on + dt.timedelta(days=int(rng.integers(10, 91)))
            elif u < 0.97:  # resolved, some after the resolve-by date
                closed_on = resolve_by + dt.timedelta(days=int(rng.integers(-20, 45)))
                closed_on = max(closed_on, opened_on + dt.timedelta(days=5))
            if closed_on is not None and closed_on > end:
                closed_on = None
            status = "resolved" if closed_on else ("resolving" if rng.random() < 0.6
                                                   else "open")
            if status != "resolved" and resolve_by < end and u < 0.97 and rng.random() < 0.8:
                # Most unfinished disputes got a new deadline when the old one passed.
                resolve_by = end + dt.timedelta(days=int(rng.integers(3, 46)))
            dept = "住建局" if cat in ("urban_construction", "demolition") else \
                "自然资源局" if cat in ("land_expropriation", "agriculture") else \
                "人社局" if cat in ("labour_wages", "enterprise_restructuring") else "生态环境局"
            unit = t.name if rng.random() < 0.5 else f"{counties.get(t.county_code, '')}{dept}"
            out.append({
                "ledger_no": f"TZ-DEMO-{seq:05d}",
                "title": titles[int(rng.integers(0, len(titles)))].format(p=place),
                "category": cat, "township_code": t.township_code,
                "county_code": t.county_code,
                "people_involved": int(rng.integers(lo, hi + 1)), "risk_level": risk,
                "responsible_unit": unit,
                "responsible_leader": f"演示包案领导{int(rng.integers(1, 30)):02d}",
                "measures": "；".join(MEASURES[j] for j in
                                     sorted(rng.choice(len(MEASURES), 2, replace=False))),
                "opened_on": opened_on, "resolve_by": resolve_by, "status": status,
                "closed_on": closed_on, "point_seed": seq})
    return out


def generate(towns: pd.DataFrame, counties: pd.DataFrame, region_code: str, seed: int,
             end: dt.date, now: dt.datetime, days: int = 120) -> StabilityDemo:
    """Everything above for ``end`` (today) judged at ``now`` (office time)."""
    rng = np.random.default_rng([seed, 6])
    units = reporting_units(towns, counties, region_code, rng)
    reports = daily_reports(units, end, now, days, np.random.default_rng([seed, 6, 1]))
    rosters = duty_rosters(units, end, np.random.default_rng([seed, 6, 2]))
    names = dict(zip(counties["code"], counties["name"], strict=True))
    ledger = ledger_entries(units, names, end, np.random.default_rng([seed, 6, 3]))
    return StabilityDemo(units, reports, rosters, sensitive_periods(end), ledger)


def write_csvs(demo: StabilityDemo, out_dir: Path) -> dict[str, Path]:
    """The three import files (UTF-8 with BOM, English headers)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, frame in (("reporting_units", demo.units), ("daily_reports", demo.reports),
                        ("duty_rosters", demo.rosters)):
        path = out_dir / f"{kind}.csv"
        frame_to_csv(frame, path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
        paths[kind] = path
    return paths
