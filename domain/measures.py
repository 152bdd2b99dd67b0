"""The one catalogue of KPIs (DESIGN §2, §4): key, labels, unit, direction, what it counts and
how the KPI board lights it.

The ``kpi`` command's keys, the dashboard's cards, the wall's KPI panel and traffic lights and
the briefing's KPI table are all generated from :data:`KPIS`, so a KPI is added in one place
(plus its SQL in ``queries.kpi``). Rule thresholds (DESIGN §3) are settings, not here; display
targets and light bands are.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kpi:
    """One KPI of DESIGN §4."""

    key: str
    zh: str
    en: str
    kind: str  # rate | count
    better: str  # up | down: which direction is an improvement
    #: Keys of ``compute_kpis(...)["counts"]``: the numerator and the summed denominators.
    numerator: str | None = None
    denominators: tuple[str, ...] = ()
    #: Traffic light of a rate: green at or beyond the first value, amber at or beyond the
    #: second (in the direction of ``better``). None: judged against the previous period
    #: (no worse: green; up to 10 % worse: amber), or by ``light`` below.
    targets: tuple[float, float] | None = None
    #: "zero": green only at zero (a gap is always a failure).
    light: str = "trend"
    #: Shown as a card (Overview, wall) — every KPI but the persons behind collective visits,
    #: which the collective-visit card carries on its foot line.
    card: bool = True
    #: The definition in one line (for the card's tooltip and the briefing's notes).
    zh_def: str = ""
    en_def: str = ""


KPIS: tuple[Kpi, ...] = (
    Kpi("timely_forward_rate", "及时受理率", "Timely forwarding", "rate", "up",
        "fwd_ok", ("fwd_n",), (0.95, 0.90),
        zh_def="转送交办期限在本期届满的事项中按期转送交办的比例（仅信访部门转送的事项）",
        en_def="of matters whose forward clock fell due in the period, those forwarded on "
               "time (office intake only)"),
    Kpi("timely_accept_rate", "按期受理告知率", "Timely acceptance", "rate", "up",
        "acc_ok", ("acc_n",), (0.95, 0.90),
        zh_def="受理告知期限在本期届满的事项中按期告知的比例",
        en_def="of matters whose acceptance clock fell due in the period, those on time"),
    Kpi("on_time_answer_rate", "按期答复率", "On-time answers", "rate", "up",
        "ans_ok", ("ans_n",), (0.95, 0.90),
        zh_def="答复期限在本期届满的普通途径事项中按期答复的比例（涉法涉诉除外）",
        en_def="of ordinary-route matters whose answer clock fell due in the period, those "
               "answered on time"),
    Kpi("participation_rate", "参评率", "Participation", "rate", "up",
        "evaluated", ("answered",), (0.60, 0.50),
        zh_def="本期答复的事项中参加满意度评价的比例",
        en_def="of matters answered in the period, those evaluated"),
    Kpi("satisfaction_rate", "满意率", "Satisfaction", "rate", "up",
        "satisfied", ("evaluated",), (0.90, 0.85),
        zh_def="参评事项中满意、基本满意的比例",
        en_def="of the evaluated matters, those satisfied or basically satisfied"),
    Kpi("repeat_rate", "重复信访率", "Repeat submissions", "rate", "down",
        "repeats", ("subs",), (0.30, 0.35),
        zh_def="本期信访件中重复件的比例", en_def="of the period's submissions, the repeats"),
    Kpi("cross_level_rate", "越级访率", "Cross-level visits", "rate", "down",
        "cross_visits", ("visits",), (0.10, 0.15),
        zh_def="本期来访中到省进京（高于县两级及以上）的比例",
        en_def="of the period's visits, those received at province or national level"),
    Kpi("online_share", "网上信访占比", "Online share", "rate", "up",
        "online", ("subs",), (0.50, 0.40),
        zh_def="本期信访件中网上信访的比例", en_def="of the period's submissions, online ones"),
    Kpi("collective_visits", "集体访（≥5人）", "Collective visits (≥5)", "count", "down",
        zh_def="本期5人及以上的来访批次", en_def="visits of 5 persons or more in the period"),
    Kpi("collective_persons", "集体访人次", "Persons in collective visits", "count", "down",
        card=False, zh_def="本期集体访的人次", en_def="persons in the period's collective visits"),
    Kpi("overdue_open", "超期未办结", "Overdue, open", "count", "down",
        zh_def="期末有时限超期未完成的事项", en_def="matters with a clock overdue at period end"),
    Kpi("backlog_open", "积案", "Backlog matters", "count", "down",
        zh_def="期末处于积案状态的事项", en_def="matters in backlog at period end"),
    Kpi("backlog_resolution_rate", "积案化解率", "Backlog resolved", "rate", "up",
        "backlog_resolved", ("backlog_during",),
        zh_def="本期内曾为积案的事项中期末已化解的比例",
        en_def="of matters in backlog on some day of the period, those out of it at its end"),
    Kpi("first_resolved_rate", "初信初访一次性化解率", "Resolved at once",
        "rate", "up", "fr_ok", ("fr_n",), (0.85, 0.75),
        zh_def="答复满90天在本期的事项中，90天内未再信访的比例",
        en_def="of matters whose answer turned 90 days old in the period, those with no new "
               "submission within the 90 days"),
    Kpi("irregular_submissions", "非正常上访", "Irregular petitions", "count", "down",
        zh_def="本期标记为非正常上访的信访件（按接收层级计，不按人）",
        en_def="submissions marked irregular in the period (by receiving level, never by "
               "person)"),
    Kpi("unrecorded_clocks", "未记录时限", "Unrecorded clocks", "count", "down",
        zh_def="近12个月登记事项中因环节日期缺失而不计的时限数（数据质量）",
        en_def="clocks left out because a stage date is blank, among matters registered in "
               "the 12 months (data quality)"),
    Kpi("package_gaps", "包案缺口", "Package gaps", "count", "down", light="zero",
        zh_def="应有县级包案领导而没有的事项", en_def="matters needing a county-level package "
                                                   "leader and having none"),
)

KPI_BY_KEY: dict[str, Kpi] = {k.key: k for k in KPIS}
#: The keys of ``flask --app app kpi --json`` (DESIGN §4), in catalogue order.
KPI_KEYS: tuple[str, ...] = tuple(k.key for k in KPIS)
#: The KPIs shown as cards.
CARD_KPIS: tuple[Kpi, ...] = tuple(k for k in KPIS if k.card)

LIGHTS = ("green", "amber", "red", "none")


def traffic_light(key: str, value, previous=None) -> str:
    """``green``, ``amber``, ``red`` or ``none`` (no value) for the KPI ``key``: a rate
    against its targets, a count or rate without targets against the previous period (no
    worse: green; up to 10 % worse: amber), a gap count green only at zero."""
    import math

    kpi = KPI_BY_KEY.get(key)
    if kpi is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    if kpi.light == "zero":
        return "green" if value == 0 else "red"
    if kpi.targets is not None:
        green, amber = kpi.targets
        if kpi.better == "up":
            return "green" if value >= green else "amber" if value >= amber else "red"
        return "green" if value <= green else "amber" if value <= amber else "red"
    if previous is None:
        return "none"
    if kpi.better == "up":
        return "green" if value >= previous else "amber" if value >= previous * 0.9 else "red"
    if value <= previous:
        return "green"
    return "amber" if value <= previous * 1.1 else "red"
