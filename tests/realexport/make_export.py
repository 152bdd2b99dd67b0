"""Write the realistic office export of ``tests/realexport``: ``fixtures/matters.csv`` and
``fixtures/submissions.csv``, GB18030 with CRLF line ends as Excel saves a CSV on a Chinese
Windows, Chinese headers in the office's own column order, two columns the contract does not
know, and the flaws real exports have.

``python -m tests.realexport.make_export`` rewrites both files (seeded: the same files every
time); the files are committed, so the tests read an export the way an office hands one over.

What the export holds (see ``EDGES`` for the hand-placed cases, all numbered like the rest):

* about 430 matters in nine real townships of Yueyang (codes from ``data/``, the NBS list that
  ``/work/shared/reference/geo/yueyang_townships.csv`` also holds), registered 2025-10 … 2026-11;
* a third of the matters carry an ID number (身份证号) with a mistyped check digit, a few
  have the wrong length; every name is synthetic (测试甲一 …), every birth year is 1900–1909;
* intake given (信访部门转送 / 直接受理) or blank (inferred), blank stage dates — some simply
  not reached yet, some unrecorded clocks (受理日期 blank but 答复日期 set, 转送交办日期 blank
  on an explicit office matter that was accepted …);
* date-times with an offset (``2026-10-31T18:00:00Z`` is 1 November in Yueyang), local
  date-times without one, plain dates;
* backlog flags (上级交办积案 是) with and without 积案交办日期, resolutions (积案化解日期),
  repeat submissions after an answer (backlog b), resolved and started again;
* submissions on every channel at every level, collective and irregular (非正常 是) ones,
  visits at city / province / national level for the package rule, answers whose + 90 days
  fall in October 2026 with a submission on day 90 or day 91.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from tests.realexport import reference

ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(__file__).resolve().parent / "fixtures"
MATTERS = FOLDER / "matters.csv"
SUBMISSIONS = FOLDER / "submissions.csv"
SEED = 20261120
EXPORT_DAY = dt.date(2026, 11, 20)  # the day the office exported: nothing is later
N_RANDOM = 380

#: The township the township-level tests use (长寿镇, 平江县) and the others of the export.
TOWN = "430626104"
TOWNS = ("430626104", "430602001", "430602014", "430621104", "430623120", "430624120",
         "430681101", "430682108", "430626116")
TOWN_WEIGHTS = (22, 12, 8, 10, 10, 9, 11, 9, 9)

# The office's column order (not the contract's), with two columns the contract does not know.
MATTER_HEADER = (
    "信访事项编号", "信访人", "身份证号", "登记日期", "问题属地代码", "问题类别", "内容摘要",
    "受理方式", "转送交办日期", "受理日期", "责任单位", "备注", "答复日期", "延期天数", "满意度",
    "办理途径", "复查申请日期", "复查意见日期", "复核申请日期", "复核意见日期", "听证天数",
    "上级交办积案", "积案交办日期", "积案化解日期", "包案领导", "包案级别", "信访性质", "录入批次")
SUBMISSION_HEADER = ("来信来访日期", "信访件编号", "信访事项编号", "信访形式", "接收层级", "人数",
                     "非正常", "经办窗口")
EN = {**{zh: en for zh, en in reference.MATTER_HEADERS.items()},
      **{zh: en for zh, en in reference.SUBMISSION_HEADERS.items()}}

CATEGORIES = {"城乡建设": 15, "拆迁安置": 8, "劳动工资": 9, "社会保障": 6, "涉法涉诉": 12,
              "征地": 10, "农业农村": 7, "民政": 5, "生态环境": 4, "其他": 3, "教育": 2}
CHANNELS = {"网上信访": 50, "来访": 22, "来信": 10, "来电": 8, "12345转办": 5, "领导信箱": 5}
VISIT_LEVELS = {"乡镇": 10, "县": 55, "市": 15, "省": 10, "国家": 10}
OTHER_LEVELS = {"县": 75, "市": 15, "省": 6, "国家": 4}
SATISFACTION = {"满意": 40, "基本满意": 15, "不满意": 8, "未评价": 20, "": 17}
DEPARTMENTS = ("住建局", "人社局", "自然资源局", "公安局", "民政局")
LEADERS = ("测试领导甲", "测试领导乙", "测试领导丙")
STEMS = "甲乙丙丁戊己庚辛壬癸"
NUMERALS = "一二三四五六七八九十"


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def id_number(rng: random.Random, county: str, *, bad: str | None = None) -> str:
    """A synthetic resident ID (birth year 1900–1909, sequence 999x): valid, or with a
    mistyped check character (``bad="check"``) or a missing digit (``bad="length"``)."""
    body = (f"{county}{1900 + rng.randint(0, 9)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            f"99{rng.randint(0, 9)}")
    total = sum(int(c) * w for c, w in zip(body, reference.ID_WEIGHTS, strict=True))
    check = "10X98765432"[total % 11]
    if bad == "check":
        check = rng.choice([c for c in "0123456789X" if c != check])
    number = body + check
    if bad == "length":
        number = number[:-1]
    return number


class Export:
    """The rows being built: matters (dicts keyed by English column name, dates as
    ``date`` or as text already formatted) and submissions."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.matters: list[dict] = []
        self.subs: list[dict] = []
        self.seq = 0

    def matter(self, reg: dt.date, town: str = TOWN, **kw) -> dict:
        self.seq += 1
        row = {"matter_no": f"XF{reg.year}{self.seq:05d}", "registered_on": reg,
               "area_code": town, "category": pick(self.rng, CATEGORIES), "route": "普通",
               "intake": "信访部门转送", "responsible_unit": self._unit(town),
               "extension_days": "", "hearing_days": "", "backlog_flag": "否", "nature": ""}
        row.update(kw)
        self.matters.append(row)
        return row

    def _unit(self, town: str) -> str:
        names = _town_names()
        if self.rng.random() < 0.6:
            return f"{names[town]}人民政府"
        return f"{_county_names()[town[:6]]}{self.rng.choice(DEPARTMENTS)}"

    def sub(self, matter: dict, received, channel: str = "网上信访", level: str = "县",
            persons: int | str = "", irregular: str = "", no: str | None = None) -> dict:
        row = {"matter_no": matter["matter_no"], "received_on": received, "channel": channel,
               "received_level": level, "persons": persons, "irregular": irregular,
               "submission_no": no}
        self.subs.append(row)
        return row


_NAMES: dict[str, str] = {}


def _town_names() -> dict[str, str]:
    if not _NAMES:
        with open(ROOT / "data" / "yueyang_townships.csv", encoding="utf-8") as fh:
            _NAMES.update({r["code"]: r["name"] for r in csv.DictReader(fh)})
    return _NAMES


def _county_names() -> dict[str, str]:
    return {"430602": "岳阳楼区", "430603": "云溪区", "430611": "君山区", "430621": "岳阳县",
            "430623": "华容县", "430624": "湘阴县", "430626": "平江县", "430681": "汨罗市",
            "430682": "临湘市"}


# --- the hand-placed cases -------------------------------------------------------------------

def edges(x: Export) -> dict[str, str]:
    """The cases each rule needs at its edge; returns matter number → what it is for."""
    why: dict[str, str] = {}
    direct = "直接受理"

    def m(purpose, reg, town=TOWN, **kw):
        row = x.matter(d(reg), town, **kw)
        why[row["matter_no"]] = purpose
        return row

    # forward clock
    r = m("forward due 10-01, forwarded that day", "2026-09-16", forwarded_on=d("2026-10-01"),
          accepted_on=d("2026-10-03"))
    x.sub(r, d("2026-09-16"), "来访", "县")
    x.sub(r, d("2026-10-09"), "来访", "省", irregular="是")
    r = m("forward due 10-31 = D, forwarded 11-02: late, not overdue on D", "2026-10-16",
          forwarded_on=d("2026-11-02"))
    x.sub(r, d("2026-10-16"))
    # intake
    r = m("direct intake: no forward clock, accept due 10-10 met", "2026-09-25", intake=direct,
          accepted_on=d("2026-10-05"))
    x.sub(r, d("2026-09-25"), "来信")
    r = m("blank intake, forwarded blank, accepted set: inferred direct, accept late",
          "2026-09-20", intake="", accepted_on=d("2026-10-08"))
    x.sub(r, d("2026-09-20"), "来访", "县")
    r = m("blank intake, nothing after registration: office, forward overdue", "2026-09-10",
          "430602001", intake="")
    x.sub(r, d("2026-09-10"))
    r = m("explicit office, forwarded blank, accepted: forward + accept unrecorded",
          "2026-09-18", intake="信访部门转送", accepted_on=d("2026-10-02"))
    x.sub(r, d("2026-09-18"))
    r = m("accepted blank, answered in P: accept + answer unrecorded", "2026-08-20",
          forwarded_on=d("2026-08-25"), answered_on=d("2026-10-20"), satisfaction="满意")
    x.sub(r, d("2026-08-20"))
    r = m("accepted blank, answered 11-10: accept clock due 10-10 unrecorded", "2026-09-20",
          "430681101", forwarded_on=d("2026-09-25"), answered_on=d("2026-11-10"))
    x.sub(r, d("2026-09-20"))
    r = m("registered 2025-10-31: unrecorded clock outside the 12 months", "2025-10-31",
          forwarded_on=d("2025-11-03"), answered_on=d("2025-12-20"))
    x.sub(r, d("2025-10-31"))
    r = m("registered 2025-11-01: unrecorded clock inside the 12 months", "2025-11-01",
          forwarded_on=d("2025-11-03"), answered_on=d("2025-12-20"))
    x.sub(r, d("2025-11-01"))
    r = m("answered blank while a review was requested: answer clock unrecorded",
          "2026-05-10", "430602014", forwarded_on=d("2026-05-12"),
          accepted_on=d("2026-05-15"), review_requested_on=d("2026-09-01"),
          review_decided_on=d("2026-09-25"))
    x.sub(r, d("2026-05-10"))
    # time zones
    r = m("answer 2026-10-31T18:00:00Z = 11-01: late and overdue on D", "2026-08-20",
          forwarded_on=d("2026-08-22"), accepted_on=d("2026-08-26"),
          answered_on="2026-10-31T18:00:00Z", satisfaction="满意")
    x.sub(r, d("2026-08-20"))
    r = m("answer 2026-09-30T17:00:00Z = 10-01: answered in P", "2026-07-20",
          forwarded_on=d("2026-07-22"), accepted_on=d("2026-08-02"),
          answered_on="2026-09-30T17:00:00Z", satisfaction="不满意")
    x.sub(r, d("2026-07-20"))
    r = m("answer 2026-10-15T23:30:00 without offset: local", "2026-08-01",
          forwarded_on=d("2026-08-03"), accepted_on="2026-08-05 09:12:00",
          answered_on="2026-10-15T23:30:00", satisfaction="基本满意")
    x.sub(r, "2026-08-01T01:30:00+08:00")
    r = m("registered 2026-09-30T20:00:00Z = 10-01 local", "2026-10-01", "430602001")
    r["registered_on"] = "2026-09-30T20:00:00Z"
    x.sub(r, "2026-09-30T16:30:00Z", "网上信访", "县")  # 10-01 local: in P
    r = m("submissions at the month's edges in UTC", "2026-09-05", forwarded_on=d("2026-09-08"),
          accepted_on=d("2026-09-10"))
    x.sub(r, d("2026-09-05"))
    x.sub(r, "2026-10-31T15:59:59Z", "来访", "县")  # 10-31 23:59:59 local: in P
    x.sub(r, "2026-10-31T16:00:00Z", "来访", "县")  # 11-01 local: not in P
    # answer clock, route, extension, review, re-review
    r = m("political-legal route: answer due 10-12 not in the rate, overdue", "2026-08-01",
          "430621104", route="政法", category="涉法涉诉", forwarded_on=d("2026-08-08"),
          accepted_on=d("2026-08-13"))
    x.sub(r, d("2026-08-01"))
    r = m("extension 30: due 10-18, answered 10-17", "2026-07-10", forwarded_on=d("2026-07-15"),
          accepted_on=d("2026-07-20"), extension_days=30, answered_on=d("2026-10-17"),
          satisfaction="")
    x.sub(r, d("2026-07-10"))
    r = m("review due 10-20 decided 10-22", "2026-04-01", "430623120",
          forwarded_on=d("2026-04-03"), accepted_on=d("2026-04-06"),
          answered_on=d("2026-05-20"), review_requested_on=d("2026-09-20"),
          review_decided_on=d("2026-10-22"))
    x.sub(r, d("2026-04-01"))
    r = m("re-review due 10-25 (10 hearing days), not decided: overdue", "2026-03-01",
          "430623120", forwarded_on=d("2026-03-03"), accepted_on=d("2026-03-05"),
          answered_on=d("2026-04-20"), review_requested_on=d("2026-05-01"),
          review_decided_on=d("2026-05-28"), recheck_requested_on=d("2026-09-15"),
          hearing_days=10)
    x.sub(r, d("2026-03-01"))
    # backlog (a)
    r = m("(a) answer due 05-31 + 91 = 08-31, still open", "2026-03-20",
          forwarded_on=d("2026-03-25"), accepted_on=d("2026-04-01"))
    x.sub(r, d("2026-03-20"))
    r = m("(a) from 08-30, answered 10-14: resolved in P", "2026-03-20", "430602001",
          forwarded_on=d("2026-03-25"), accepted_on=d("2026-03-31"),
          answered_on=d("2026-10-14"), satisfaction="未评价")
    x.sub(r, d("2026-03-20"))
    r = m("(a) answer due 08-01: 91 days past on D, in backlog from D", "2026-05-20",
          forwarded_on=d("2026-05-25"), accepted_on=d("2026-06-02"))
    x.sub(r, d("2026-05-20"))
    r = m("(a) answer due 08-02: exactly 90 days past on D, not backlog", "2026-05-20",
          forwarded_on=d("2026-05-25"), accepted_on=d("2026-06-03"))
    x.sub(r, d("2026-05-20"))
    r = m("(a) forward clock never done: due 05-16, backlog from 08-15", "2026-05-01",
          "430682108")
    x.sub(r, d("2026-05-01"))
    # backlog (b)
    r = m("(b) from 07-05, resolved 09-10, again from 10-20", "2026-03-01",
          forwarded_on=d("2026-03-03"), accepted_on=d("2026-03-06"),
          answered_on=d("2026-05-10"), backlog_resolved_on=d("2026-09-10"),
          package_leader="测试领导甲", package_level="县级")
    for day, ch, lv in (("2026-03-01", "来访", "县"), ("2026-05-10", "来访", "县"),
                        ("2026-06-01", "网上信访", "市"), ("2026-06-20", "来信", "县"),
                        ("2026-07-05", "来访", "省"), ("2026-09-10", "来访", "市"),
                        ("2026-09-25", "来访", "县"), ("2026-10-08", "网上信访", "县"),
                        ("2026-10-20", "来访", "国家")):
        x.sub(r, d(day), ch, lv)
    r = m("(b) from 08-15, resolved 10-12: resolved in P", "2026-02-01",
          forwarded_on=d("2026-02-03"), accepted_on=d("2026-02-05"),
          answered_on=d("2026-04-01"), backlog_resolved_on=d("2026-10-12"))
    for day in ("2026-02-01", "2026-05-01", "2026-06-01", "2026-08-15", "2026-09-02"):
        x.sub(r, d(day), "来访", "县")
    r = m("(b) resolved on D itself: out on D, resolved in P", "2026-02-10", "430621104",
          forwarded_on=d("2026-02-12"), accepted_on=d("2026-02-15"),
          answered_on=d("2026-04-10"), backlog_resolved_on=d("2026-10-31"))
    for day in ("2026-02-10", "2026-06-01", "2026-07-01", "2026-09-01"):
        x.sub(r, d(day), "来信", "县")
    r = m("(b) resolved 10-01: not in backlog in P", "2026-01-10", "430621104",
          forwarded_on=d("2026-01-12"), accepted_on=d("2026-01-15"),
          answered_on=d("2026-03-10"), backlog_resolved_on=d("2026-10-01"))
    for day in ("2026-01-10", "2026-05-01", "2026-06-01", "2026-07-01"):
        x.sub(r, d(day), "网上信访", "县")
    r = m("(b) resolved 10-02: in backlog on 10-01, resolved in P", "2026-01-10", "430621104",
          forwarded_on=d("2026-01-12"), accepted_on=d("2026-01-15"),
          answered_on=d("2026-03-10"), backlog_resolved_on=d("2026-10-02"))
    for day in ("2026-01-10", "2026-05-01", "2026-06-01", "2026-07-01"):
        x.sub(r, d(day), "网上信访", "县")
    r = m("(b) third submission after the answer on D: in backlog from D", "2026-04-01",
          forwarded_on=d("2026-04-03"), accepted_on=d("2026-04-05"),
          answered_on=d("2026-06-01"))
    for day in ("2026-04-01", "2026-06-01", "2026-08-01", "2026-10-10", "2026-10-31"):
        x.sub(r, d(day), "来访", "县")
    r = m("one on the answer day + two after: not backlog", "2026-04-01",
          forwarded_on=d("2026-04-03"), accepted_on=d("2026-04-05"),
          answered_on=d("2026-06-01"))
    for day in ("2026-04-01", "2026-06-01", "2026-08-01", "2026-10-10"):
        x.sub(r, d(day), "来访", "县")
    r = m("(b) resolved 09-01, one on the resolution day + two after: out", "2026-01-05",
          "430624120", forwarded_on=d("2026-01-07"), accepted_on=d("2026-01-10"),
          answered_on=d("2026-03-01"), backlog_resolved_on=d("2026-09-01"))
    for day in ("2026-01-05", "2026-04-01", "2026-05-01", "2026-06-01", "2026-09-01",
                "2026-09-20", "2026-10-15"):
        x.sub(r, d(day), "来访", "县")
    r = m("(b) resolved 07-01, then flagged 09-01: (c) open", "2026-01-05", "430624120",
          forwarded_on=d("2026-01-07"), accepted_on=d("2026-01-10"),
          answered_on=d("2026-03-01"), backlog_resolved_on=d("2026-07-01"),
          backlog_flag="是", backlog_flagged_on=d("2026-09-01"))
    for day in ("2026-01-05", "2026-04-01", "2026-05-01", "2026-06-01"):
        x.sub(r, d(day), "来访", "县")
    # backlog (c)
    r = m("(c) flagged 06-15, open; county leader", "2025-12-01", forwarded_on=d("2025-12-03"),
          accepted_on=d("2025-12-08"), answered_on=d("2026-01-20"), backlog_flag="是",
          backlog_flagged_on=d("2026-06-15"), package_leader="测试领导乙", package_level="县级")
    x.sub(r, d("2025-12-01"), "来访", "市")
    r = m("(c) flagged without date: from registration 02-10; township leader: gap",
          "2026-02-10", forwarded_on=d("2026-02-12"), accepted_on=d("2026-02-15"),
          answered_on=d("2026-03-30"), backlog_flag="是", package_leader="测试干部丁",
          package_level="乡级")
    x.sub(r, d("2026-02-10"))
    r = m("(c) flagged 03-01, resolved 10-20: resolved in P", "2026-01-15", "430681101",
          forwarded_on=d("2026-01-18"), accepted_on=d("2026-01-20"),
          answered_on=d("2026-03-15"), backlog_flag="是", backlog_flagged_on=d("2026-03-01"),
          backlog_resolved_on=d("2026-10-20"))
    x.sub(r, d("2026-01-15"))
    r = m("(c) flagged 01-10, resolved 08-01: out before P", "2025-11-20", "430681101",
          forwarded_on=d("2025-11-22"), accepted_on=d("2025-11-25"),
          answered_on=d("2026-01-05"), backlog_flag="是", backlog_flagged_on=d("2026-01-10"),
          backlog_resolved_on=d("2026-08-01"))
    x.sub(r, d("2025-11-20"))
    r = m("(c) flagged without date, unknown package level 市级: gap + warning", "2026-06-01",
          "430602014", forwarded_on=d("2026-06-03"), accepted_on=d("2026-06-05"),
          backlog_flag="是", package_leader="测试领导丙", package_level="市级")
    x.sub(r, d("2026-06-01"))
    r = m("(c) flagged 05-01, county level but no leader name: gap", "2026-04-15",
          forwarded_on=d("2026-04-17"), accepted_on=d("2026-04-20"),
          answered_on=d("2026-06-10"), backlog_flag="是", backlog_flagged_on=d("2026-05-01"),
          package_level="县级")
    x.sub(r, d("2026-04-15"))
    # package rule: visits at city, province, national level in the 365 days up to D. The
    # matters are answered late (backlog (a) 09-02 … 09-10, over before P) after their visits,
    # so only the visits decide whether they need a county-level leader on D.
    upper = (("市", "来访"), ("省", "来访"), ("国家", "来访"))
    steps = dict(forwarded_on=d("2026-03-03"), accepted_on=d("2026-03-05"), extension_days=30,
                 answered_on=d("2026-09-10"), satisfaction="不满意")

    def visits(row, days, extra=()):
        x.sub(row, row["registered_on"], "来访", "县")
        for i, day in enumerate(days):
            lv, ch = upper[i % 3]
            x.sub(row, d(day), ch, lv)
        for day, ch, lv in extra:
            x.sub(row, d(day), ch, lv)

    six = ("2026-03-15", "2026-04-15", "2026-05-15", "2026-06-15", "2026-07-15", "2026-09-01")
    visits(m("six upper-level visits, no leader: gap", "2026-03-01", "430621104", **steps), six)
    visits(m("six upper-level visits, county leader: no gap", "2026-03-01", "430621104",
             package_leader="测试领导甲", package_level="县级", **steps), six)
    visits(m("five upper-level visits + two online national: no need", "2026-03-01", **steps),
           six[:5], (("2026-08-01", "网上信访", "国家"), ("2026-10-02", "网上信访", "国家")))
    visits(m("six upper-level visits, the last on 11-01: five on D", "2026-03-01", **steps),
           (*six[:5], "2026-11-01"))
    # forwarded late (backlog (a) 2026-02-14 … 05-20), answered 09-10 after its visits
    visits(m("six upper-level visits, the first on D - 365: five in the window", "2025-10-31",
             forwarded_on=d("2026-05-20"), accepted_on=d("2026-05-25"), extension_days=30,
             answered_on=d("2026-09-10")),
           ("2025-10-31", "2026-02-01", "2026-03-01", "2026-05-01", "2026-07-01", "2026-09-01"))
    # first-time matters resolved at once
    r = m("answered 07-10 (+90 = 10-08), submission on day 90: not at once", "2026-05-10",
          forwarded_on=d("2026-05-12"), accepted_on=d("2026-05-15"),
          answered_on=d("2026-07-10"), satisfaction="满意")
    x.sub(r, d("2026-05-10"))
    x.sub(r, d("2026-10-08"), "来电", "县")
    r = m("answered 07-12 (+90 = 10-10), submission on day 91: at once", "2026-05-10",
          forwarded_on=d("2026-05-12"), accepted_on=d("2026-05-15"),
          answered_on=d("2026-07-12"), satisfaction="满意")
    x.sub(r, d("2026-05-10"))
    x.sub(r, d("2026-10-11"), "来电", "县")
    r = m("answered 07-15, submission on the answer day: at once", "2026-05-12", "430602014",
          forwarded_on=d("2026-05-14"), accepted_on=d("2026-05-15"),
          answered_on=d("2026-07-15"))
    x.sub(r, d("2026-05-12"))
    x.sub(r, d("2026-07-15"), "网上信访", "县")
    r = m("answered 08-02 (+90 = 10-31)", "2026-06-01", forwarded_on=d("2026-06-03"),
          accepted_on=d("2026-06-05"), answered_on=d("2026-08-02"))
    x.sub(r, d("2026-06-01"))
    r = m("answered 08-03 (+90 = 11-01): not in P", "2026-06-01", forwarded_on=d("2026-06-03"),
          accepted_on=d("2026-06-05"), answered_on=d("2026-08-03"))
    x.sub(r, d("2026-06-01"))
    r = m("answered 07-03 (+90 = 10-01), submission on 09-30 (day 89)", "2026-05-01",
          "430623120", forwarded_on=d("2026-05-03"), accepted_on=d("2026-05-05"),
          answered_on=d("2026-07-03"))
    x.sub(r, d("2026-05-01"))
    x.sub(r, d("2026-09-30"), "来访", "市")
    # repeat order on one day, collective, cross-level, irregular at every level
    r = m("two submissions on 10-12: XJ99 before XJ100 (shorter first)", "2026-10-12")
    x.sub(r, d("2026-10-12"), "来访", "县", 5, no="XJ100")
    x.sub(r, d("2026-10-12"), "网上信访", "国家", no="XJ99")
    r = m("same day: XJ2000 before XJ2001; an earlier day with a higher number", "2026-10-05",
          "430602001")
    x.sub(r, d("2026-10-05"), "来访", "县", no="XJ3000")
    x.sub(r, d("2026-10-06"), "来访", "省", 60, no="XJ2001")
    x.sub(r, d("2026-10-06"), "来访", "国家", 4, no="XJ2000")
    r = m("irregular visits at every level in October", "2026-09-28", "430681101",
          forwarded_on=d("2026-09-30"))
    x.sub(r, d("2026-09-28"), "来访", "县")
    for day, lv in (("2026-10-03", "乡镇"), ("2026-10-04", "县"), ("2026-10-09", "市"),
                    ("2026-10-13", "省"), ("2026-10-21", "国家"), ("2026-10-22", "国家")):
        x.sub(r, d(day), "来访", lv, irregular="是")
    x.sub(r, d("2026-09-29"), "来访", "国家", irregular="是")  # September: not in P
    x.sub(r, d("2026-10-25"), "来访", "市", 8, irregular="否")
    r = m("a letter of eight persons and an online post of six: not collective", "2026-10-02")
    x.sub(r, d("2026-10-02"), "来信", "县", 8)
    x.sub(r, d("2026-10-03"), "网上信访", "县", 6)
    return why


# --- the random body of the export -----------------------------------------------------------

def random_matters(x: Export, n: int) -> None:
    rng = x.rng
    first, last = d("2025-10-15"), d("2026-11-18")
    span = (last - first).days
    for _ in range(n):
        reg = first + dt.timedelta(days=rng.randint(0, span))
        town = rng.choices(TOWNS, weights=TOWN_WEIGHTS)[0]
        category = pick(rng, CATEGORIES)
        if category == "涉法涉诉":
            route = "政法" if rng.random() < 0.85 else "普通"
        else:
            route = rng.choices(["普通", "简易", "纪检", "法定途径"], [88, 7, 2, 3])[0]
        r = rng.random()
        intake = "信访部门转送" if r < 0.60 else "直接受理" if r < 0.75 else ""
        direct = intake == "直接受理" or (intake == "" and rng.random() < 0.3)
        st: dict[str, dt.date | None] = {}
        st["forwarded_on"] = None if direct else _step(rng, reg, (0, 14), (16, 30), 0.1, 0.01)
        start = st["forwarded_on"] or (reg if direct else None)
        st["accepted_on"] = _step(rng, start, (0, 14), (16, 30), 0.1, 0.015)
        ext = 30 if rng.random() < 0.1 else 0
        st["answered_on"] = _step(rng, st["accepted_on"], (8, 58 + ext), (61 + ext, 110 + ext),
                                  0.12, 0.02)
        st["review_requested_on"] = (_step(rng, st["answered_on"], (3, 40), (3, 40), 0, 0)
                                     if rng.random() < 0.08 else None)
        st["review_decided_on"] = _step(rng, st["review_requested_on"], (10, 30), (31, 45),
                                        0.2, 0.15)
        st["recheck_requested_on"] = (_step(rng, st["review_decided_on"], (3, 30), (3, 30), 0, 0)
                                      if rng.random() < 0.35 else None)
        hearing = rng.choice([0, 0, 10, 15]) if st["recheck_requested_on"] else 0
        st["recheck_decided_on"] = _step(rng, st["recheck_requested_on"], (15, 40),
                                         (41, 60), 0.2, 0.2)
        # nothing after the export day; a stage not reached leaves the later ones blank
        cut = False
        for k in ("forwarded_on", "accepted_on", "answered_on", "review_requested_on",
                  "review_decided_on", "recheck_requested_on", "recheck_decided_on"):
            if cut or (st[k] is not None and st[k] > EXPORT_DAY):
                st[k] = None
                cut = True
        # unrecorded clocks, as real exports have them
        u = rng.random()
        if u < 0.05 and st["answered_on"] and st["accepted_on"]:
            st["accepted_on"] = None  # accepted blank but answered set
        elif u < 0.08 and intake == "信访部门转送" and st["forwarded_on"] and st["accepted_on"]:
            st["forwarded_on"] = None  # forwarded blank on an explicit office matter
        row = x.matter(reg, town, category=category, route=route, intake=intake,
                       extension_days=ext or rng.choice(["", "0"]), **st)
        if st["recheck_requested_on"]:
            row["hearing_days"] = hearing
        if st["answered_on"]:
            row["satisfaction"] = pick(rng, SATISFACTION)
        lv = rng.random()
        if lv < 0.10:
            row.update(package_leader=rng.choice(LEADERS), package_level="县级")
        elif lv < 0.14:
            row.update(package_leader="测试干部戊", package_level="乡级")
        elif lv < 0.155:
            row.update(package_leader=rng.choice(LEADERS), package_level="市级")
        elif lv < 0.165:
            row.update(package_leader=rng.choice(LEADERS), package_level="")
        if rng.random() < 0.015:
            row["backlog_flag"] = "是"
            if rng.random() < 0.7:
                flagged = reg + dt.timedelta(days=rng.randint(20, 200))
                if flagged <= EXPORT_DAY:
                    row["backlog_flagged_on"] = flagged
            start = row.get("backlog_flagged_on") or reg
            if rng.random() < 0.5:
                res = start + dt.timedelta(days=rng.randint(20, 200))
                if res <= EXPORT_DAY:
                    row["backlog_resolved_on"] = res
        random_submissions(x, row, st)


def _step(rng, start, usual, late, p_late, p_never):
    """The day a stage completes after ``start``: usually within ``usual`` days, late within
    ``late`` with ``p_late``, never with ``p_never``."""
    if start is None:
        return None
    r = rng.random()
    if r < p_never:
        return None
    lo, hi = late if r < p_never + p_late else usual
    return start + dt.timedelta(days=rng.randint(lo, hi))


def random_submissions(x: Export, row: dict, st: dict) -> None:
    rng = x.rng
    reg = row["registered_on"]

    def one(day):
        if day > EXPORT_DAY:
            return
        ch = pick(rng, CHANNELS)
        lv = pick(rng, VISIT_LEVELS if ch == "来访" else OTHER_LEVELS)
        persons: int | str = ""
        irregular = ""
        if ch == "来访":
            p = rng.random()
            persons = (1 if p < 0.72 else rng.randint(2, 4) if p < 0.86
                       else rng.randint(5, 12) if p < 0.98 else rng.randint(50, 60))
            high = lv in ("市", "省", "国家")
            if rng.random() < (0.08 if high else 0.01):
                irregular = "是"
            elif rng.random() < 0.3:
                irregular = "否"
        x.sub(row, day, ch, lv, persons, irregular)

    one(reg)
    ans = st["answered_on"]
    until = min(ans or EXPORT_DAY, EXPORT_DAY)
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        if (until - reg).days > 1:
            one(reg + dt.timedelta(days=rng.randint(1, (until - reg).days)))
    if ans is None:
        return
    r = rng.random()
    if r < 0.05:  # three or more after the answer: backlog (b)
        day = ans
        for _ in range(rng.randint(3, 5)):
            day += dt.timedelta(days=rng.randint(1, 30))
            one(day)
        if day < EXPORT_DAY and rng.random() < 0.45 and not row.get("backlog_resolved_on"):
            res = day + dt.timedelta(days=rng.randint(5, 60))
            if res <= EXPORT_DAY:
                row["backlog_resolved_on"] = res
                if rng.random() < 0.5:
                    one(res)  # on the resolution day: does not count after it
                    nxt = res
                    for _ in range(rng.randint(2, 4)):
                        nxt += dt.timedelta(days=rng.randint(1, 25))
                        one(nxt)
    elif r < 0.25:
        for _ in range(rng.randint(1, 2)):
            one(ans + dt.timedelta(days=rng.randint(0, 150)))
    if rng.random() < 0.03:  # the package rule: many visits at city level and above
        base = reg
        for _ in range(rng.randint(5, 8)):
            base += dt.timedelta(days=rng.randint(5, 40))
            if base <= EXPORT_DAY:
                x.sub(row, base, "来访", rng.choice(["市", "省", "国家"]), "", "")


# --- formatting and writing ------------------------------------------------------------------

def fmt_date(rng: random.Random, value) -> str:
    """A day as an office export writes it: mostly ``YYYY-MM-DD``, sometimes with a local
    time, now and then as an instant with an offset (which may fall on the previous UTC day)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    r = rng.random()
    if r < 0.82:
        return value.isoformat()
    if r < 0.92:
        return f"{value.isoformat()} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00"
    if r < 0.97:  # early morning in Yueyang: the day before in UTC
        local = dt.datetime.combine(value, dt.time(rng.randint(0, 7), rng.randint(0, 59)),
                                    tzinfo=reference.TZ)
        return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T{rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}:00+08:00"


def personal(x: Export) -> None:
    """Names and ID numbers: most matters carry them, a third of all matters with a bad ID."""
    rng = x.rng
    n = len(x.matters)
    with_id = [i for i in range(n) if rng.random() < 0.85]
    bad = set(rng.sample(with_id, k=-(-n // 3)))
    short = set(rng.sample(sorted(bad), k=5))
    for i, row in enumerate(x.matters):
        row["petitioner_name"] = f"测试{STEMS[i % 10]}{NUMERALS[(i // 10) % 10]}"
        row["summary"] = f"测试摘要：第{i + 1}号事项的诉求"
        if i in with_id:
            kind = "length" if i in short else "check" if i in bad else None
            row["petitioner_id"] = id_number(rng, row["area_code"][:6], bad=kind)


def number_submissions(x: Export) -> None:
    """Submission numbers in receiving order (``XJ<n>``, no padding), keeping the given ones."""
    taken = {s["submission_no"] for s in x.subs if s["submission_no"]}
    n = 0
    for s in sorted(x.subs, key=lambda s: (str(_day(s["received_on"])), s["matter_no"])):
        if s["submission_no"]:
            continue
        n += 1
        while f"XJ{n}" in taken:
            n += 1
        s["submission_no"] = f"XJ{n}"


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else reference.parse_day(value)


def write(x: Export) -> None:
    rng = x.rng
    FOLDER.mkdir(exist_ok=True)
    batches = ("2026-11-20导出", "2026年第11批")
    with open(MATTERS, "w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)  # CRLF, as Excel writes
        w.writerow(MATTER_HEADER)
        for row in x.matters:
            out = []
            for h in MATTER_HEADER:
                en = EN.get(h)
                if en is None:
                    out.append(rng.choice(["", "", "已核实", "重点关注"]) if h == "备注"
                               else rng.choice(batches))
                    continue
                v = row.get(en, "")
                out.append(fmt_date(rng, v) if en.endswith("_on") else
                           "" if v is None else str(v))
            w.writerow(out)
    with open(SUBMISSIONS, "w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(SUBMISSION_HEADER)
        for s in x.subs:
            out = []
            for h in SUBMISSION_HEADER:
                en = EN.get(h)
                if en is None:
                    out.append(rng.choice(["信访接待大厅", "网上信访平台", "", "12345热线"]))
                    continue
                v = s.get(en, "")
                out.append(fmt_date(rng, v) if en == "received_on" else
                           "" if v is None else str(v))
            w.writerow(out)


def build(seed: int = SEED) -> dict[str, str]:
    """Write both files; returns the hand-placed matters and what each is for."""
    rng = random.Random(seed)
    x = Export(rng)
    why = edges(x)
    random_matters(x, N_RANDOM)
    # DESIGN leaves a few constellations open (reference.Ambiguous): the random body drops
    # the resolution date where one would arise.
    for row in x.matters:
        if row["matter_no"] in why:
            _check_one(x, row)  # a hand-placed case must be unambiguous as it stands
            continue
        for _attempt in range(2):
            try:
                _check_one(x, row)
                break
            except reference.Ambiguous:
                row.pop("backlog_resolved_on", None)
    personal(x)
    number_submissions(x)
    rng.shuffle(x.subs)  # an export lists them in no particular order
    write(x)
    return why


def _check_one(x: Export, row: dict) -> None:
    st = {s: _day(row.get(s)) if row.get(s) not in (None, "") else None
          for s in reference.STAGES}
    res = row.get("backlog_resolved_on")
    m = reference.Matter(
        no=row["matter_no"], line=0, township=row["area_code"], route="ordinary",
        intake="office", intake_given=True, stages=st, extension=0, hearing=0,
        satisfaction=None, leader="", leader_level_text="", flag=row.get("backlog_flag") == "是",
        flagged_on=_day(row["backlog_flagged_on"]) if row.get("backlog_flagged_on") else None,
        resolutions=(_day(res),) if res else (), petitioner_id="", petitioner_name="")
    m.submissions = sorted(
        (reference.Submission(str(i), row["matter_no"], _day(s["received_on"]), "online",
                              "county", 1, False, 0)
         for i, s in enumerate(x.subs) if s["matter_no"] == row["matter_no"]),
        key=lambda s: s.received)
    reference.backlog_intervals(m, EXPORT_DAY)


if __name__ == "__main__":
    purposes = build()
    print(f"wrote {MATTERS} and {SUBMISSIONS}; {len(purposes)} hand-placed matters")
