"""Every rate of the demo-data generator, as a named default (DESIGN §7, domain-research §5, §7).

Change a number here, or pass a modified :class:`DemoParams` to :func:`demodata.generate`.
Shares are fractions (0.55 = 55 %). Day counts are calendar days.

Townships with a deliberately poor or good record (:data:`BAD_TOWNSHIPS`,
:data:`GOOD_TOWNSHIPS`) are real NBS codes, so the supervision views have something to flag and
the README and tests can name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- categories (DESIGN §5 codes) ----------------------------------------------------------------

#: Base share of new matters per category, mapped from domain-research §5 (城乡建设 24 % →
#: urban_construction 15 + demolition 8 (+1 to other); 劳动和社会保障 15 % → labour_wages 9 +
#: social_security 6; 自然资源 12 % → land_expropriation 10 + agriculture; ...). law_related and
#: discipline are calibrated separately so that they end at exactly LAW_RELATED_SHARE and
#: ACCUSATION_SHARE of all matters, whatever the seasonality and zone spikes add; their numbers
#: here only document the mix.
CATEGORY_SHARES: dict[str, float] = {
    "urban_construction": 0.15,
    "demolition": 0.08,
    "labour_wages": 0.09,
    "social_security": 0.06,
    "law_related": 0.14,
    "land_expropriation": 0.10,
    "agriculture": 0.07,
    "civil_affairs": 0.05,
    "veterans": 0.04,
    "health": 0.04,
    "environment": 0.04,
    "market": 0.03,
    "transport": 0.03,
    "enterprise_restructuring": 0.03,
    "education": 0.02,
    "discipline": 0.02,
    "other": 0.01,
}

#: Monthly multipliers on new matters (index 0 = January), domain-research §7.
SEASONALITY: tuple[float, ...] = (1.15, 0.75, 1.05, 1.0, 1.0, 1.05, 1.10, 1.05, 1.0, 0.90,
                                  1.05, 1.15)

#: Category-specific monthly multipliers on top of SEASONALITY: wage arrears before the Spring
#: Festival (Dec–Jan), civil affairs / emergencies in the Dongting flood season (Jun–Aug).
CATEGORY_SEASON: dict[str, dict[int, float]] = {
    "labour_wages": {12: 2.0, 1: 2.0},
    "civil_affairs": {6: 2.0, 7: 2.0, 8: 2.0},
}

#: Relative weight of a category in urban communities (社区, village code digits 10–12 < 200)
#: and rural villages (村); a village is chosen ∝ population × this weight.
CATEGORY_SETTLEMENT: dict[str, tuple[float, float]] = {  # (urban, rural)
    "agriculture": (0.2, 2.0),
    "land_expropriation": (0.5, 1.6),
    "urban_construction": (1.4, 0.6),
    "market": (1.3, 0.7),
    "transport": (1.2, 0.8),
}

#: Categories whose answers are late more often (DESIGN §7: 8 % instead of 3 %).
HIGH_RISK_CATEGORIES: tuple[str, ...] = ("land_expropriation", "demolition", "law_related")

#: Categories that spike near a project zone during its expropriation window.
ZONE_CATEGORIES: tuple[str, ...] = ("land_expropriation", "demolition")

# --- townships with a deliberately poor or good record ------------------------------------------

#: Poor performers: 3× the late rates (forwarding, acceptance, answer), 2.5× the backlog rate,
#: 40 % dissatisfied among evaluations. 西塘镇 is the "why is 西塘镇 red?" of DESIGN §10.
BAD_TOWNSHIPS: dict[str, str] = {
    "430602100": "西塘镇",      # 岳阳楼区
    "430621105": "新墙镇",      # 岳阳县
    "430626111": "伍市镇",      # 平江县
    "430681102": "新市镇",      # 汨罗市
}

#: Good performers: almost nothing late (0.1×), few backlog matters, 2 % dissatisfied.
GOOD_TOWNSHIPS: dict[str, str] = {
    "430602004": "金鹗山街道",  # 岳阳楼区
    "430611102": "许市镇",      # 君山区
    "430623120": "章华镇",      # 华容县
    "430682001": "长安街道",    # 临湘市
}

# --- geography fallbacks ------------------------------------------------------------------------

#: County names, used when the county layer is missing a name (屈原管理区 has no boundary).
COUNTY_NAMES: dict[str, str] = {
    "430602": "岳阳楼区", "430603": "云溪区", "430611": "君山区", "430621": "岳阳县",
    "430623": "华容县", "430624": "湘阴县", "430626": "平江县", "430671": "屈原管理区",
    "430681": "汨罗市", "430682": "临湘市",
}

# --- responsible units --------------------------------------------------------------------------

#: Marker of "the township government of the matter's township" in DEPARTMENTS.
TOWNSHIP_GOV = "@township"

#: Responsible unit per category: (department, weight). A department name is prefixed with the
#: county name (岳阳县住建局); TOWNSHIP_GOV stands for 西塘镇人民政府 / 岳阳楼街道办事处.
DEPARTMENTS: dict[str, tuple[tuple[str, float], ...]] = {
    "land_expropriation": (("自然资源局", 0.55), (TOWNSHIP_GOV, 0.45)),
    "demolition": (("住建局", 0.45), ("房屋征收与补偿办公室", 0.25), (TOWNSHIP_GOV, 0.30)),
    "labour_wages": (("人社局", 0.85), ("住建局", 0.15)),
    "social_security": (("人社局", 0.6), ("医保局", 0.4)),
    "law_related": (("公安局", 0.35), ("人民法院", 0.35), ("人民检察院", 0.1), ("司法局", 0.2)),
    "urban_construction": (("住建局", 0.5), ("城管局", 0.3), (TOWNSHIP_GOV, 0.2)),
    "agriculture": (("农业农村局", 0.5), (TOWNSHIP_GOV, 0.5)),
    "civil_affairs": (("民政局", 0.7), ("应急管理局", 0.3)),
    "veterans": (("退役军人事务局", 1.0),),
    "health": (("卫生健康局", 0.6), ("医保局", 0.4)),
    "environment": (("生态环境分局", 1.0),),
    "market": (("市场监管局", 1.0),),
    "transport": (("交通运输局", 0.8), ("公安局", 0.2)),
    "enterprise_restructuring": (("国资办", 0.6), ("人社局", 0.4)),
    "education": (("教育局", 1.0),),
    "discipline": (("纪委监委", 1.0),),
    "other": (("政府办", 0.5), (TOWNSHIP_GOV, 0.5)),
}

#: Second-level topics for the synthetic summary (内容摘要), per category.
TOPICS: dict[str, tuple[str, ...]] = {
    "land_expropriation": ("集体土地征收补偿", "土地确权", "土地流转"),
    "demolition": ("房屋征收补偿", "安置房交付", "过渡安置费"),
    "labour_wages": ("农民工工资拖欠", "劳动合同纠纷", "工伤认定"),
    "social_security": ("养老保险待遇", "社保缴费年限", "医保报销"),
    "law_related": ("判决执行", "不服裁判申诉", "治安案件处理"),
    "urban_construction": ("老旧小区改造", "物业管理", "违法建设", "住房保障"),
    "agriculture": ("村务公开", "集体经济收益分配", "土地承包"),
    "civil_affairs": ("低保认定", "临时救助", "防汛救灾"),
    "veterans": ("退役安置", "优抚待遇"),
    "health": ("医疗纠纷", "医保报销"),
    "environment": ("施工噪声", "扬尘污染", "工业污染"),
    "market": ("消费纠纷", "预付卡退费", "食品安全"),
    "transport": ("网约车管理", "道路施工影响"),
    "enterprise_restructuring": ("改制职工身份", "下岗职工待遇"),
    "education": ("入学安排", "教师待遇"),
    "discipline": ("村干部作风问题", "惠民资金使用"),
    "other": ("其他问题",),
}


@dataclass(frozen=True)
class DemoParams:
    """Rates of the generator; the defaults model DESIGN §7 (a city of 5 million)."""

    # Volume and calendar
    weekend_factor: float = 0.45           # new matters on a non-working day vs a working day
    # Matter kinds
    law_related_share: float = 0.14        # category law_related, route political_legal
    accusation_share: float = 0.02         # nature accusation → category and route discipline
    suggestion_share: float = 0.08         # of the other matters: nature suggestion
    simplified_share: float = 0.05         # of the other matters: route simplified
    # Submissions
    repeat_share: float = 0.30             # repeat submissions / all submissions
    repeat_horizon_days: int = 150         # ordinary repeats: until the answer, at most this
    channel_shares: dict[str, float] = field(default_factory=lambda: {
        "online": 0.55, "visit": 0.20, "letter": 0.10, "phone": 0.05, "hotline_12345": 0.05,
        "leader_mailbox": 0.05})
    level_shares: dict[str, float] = field(default_factory=lambda: {
        "county": 0.60, "city": 0.10, "province": 0.10, "national": 0.20})
    #: Level given the channel, for every channel but online; online takes what makes the
    #: overall level mix equal level_shares (the national online platform).
    level_by_channel: dict[str, dict[str, float]] = field(default_factory=lambda: {
        "visit": {"county": 0.80, "city": 0.12, "province": 0.05, "national": 0.03},
        "letter": {"county": 0.60, "city": 0.15, "province": 0.15, "national": 0.10},
        "phone": {"county": 0.90, "city": 0.10},
        "hotline_12345": {"county": 0.90, "city": 0.10},
        "leader_mailbox": {"county": 0.70, "city": 0.30},
    })
    collective_share: float = 0.12         # of visits: persons ≥ 5
    collective_mean_extra: float = 12.0    # persons = 5 + Poisson(this)
    large_scale_share: float = 0.01        # of visits (within the 12 %): 50 + Poisson(25)
    large_scale_mean_extra: float = 25.0
    small_visit_persons: tuple[float, ...] = (0.72, 0.15, 0.08, 0.05)  # 1, 2, 3, 4 persons
    #: Irregular submissions (非正常上访) are visits to a higher level's premises, so only
    #: visits received at city level or above carry the flag (issue 10: 3 % of them).
    irregular_share: float = 0.03
    # Clocks (DESIGN §3)
    forward_late_share: float = 0.03       # forwarded after 15 days
    accept_late_share: float = 0.02        # acceptance notice after 15 days
    answer_median_days: float = 25.0       # lognormal time from acceptance to answer
    answer_p90_days: float = 55.0
    simplified_median_days: float = 8.0
    simplified_p90_days: float = 18.0
    overdue_share: float = 0.03            # answers after the due date (or open past it)
    overdue_share_high_risk: float = 0.08  # for HIGH_RISK_CATEGORIES
    overdue_mean_days: float = 20.0        # mean overrun of an ordinary late answer (≤ 85 d)
    extension_share: float = 0.06          # extension_days > 0 (≤ 30)
    # Evaluation
    participation: float = 0.60
    satisfaction_mix: tuple[float, float, float] = (0.75, 0.15, 0.10)  # sat, basic, dissat
    bad_satisfaction_mix: tuple[float, float, float] = (0.40, 0.20, 0.40)
    good_satisfaction_mix: tuple[float, float, float] = (0.85, 0.13, 0.02)
    zone_dissatisfied_factor: float = 3.0  # dissatisfaction ×3 for zone-spike matters
    # Review (复查) and re-review (复核)
    review_share: float = 0.04             # of answered matters
    review_share_dissatisfied: float = 0.25  # of dissatisfied answered matters (within the 4 %)
    recheck_share: float = 0.25            # of decided reviews
    hearing_share: float = 0.10            # of re-reviews: a hearing of 5–20 days
    review_late_share: float = 0.05
    # Backlog (积案) and leader packages (包案)
    backlog_share: float = 0.02
    backlog_high_risk_factor: float = 2.5  # HIGH_RISK_CATEGORIES are more often backlog
    # Kinds of backlog: long overdue (> 90 days past due), re-petitioned (≥ 3 submissions after
    # the answer), flagged by a higher level (backlog_flag). The flagged half makes 1 % of all
    # matters (issue 10) while backlog as a whole stays at DESIGN §7's 2 %.
    backlog_kinds: tuple[float, float, float] = (0.40, 0.10, 0.50)
    flag_delay_days: int = 30              # a higher level flags a matter after this ...
    flag_delay_mean_days: float = 60.0     # ... plus a geometric delay with this mean
    #: Re-petitioned and flagged backlog that gets a resolution (积案化解, backlog_resolved_on);
    #: the long overdue kind ends when its clock completes instead.
    backlog_resolved_share: float = 0.50
    resolution_delay_days: int = 30        # from the backlog's start to its resolution, at least
    resolution_delay_mean_days: float = 90.0  # ... plus a geometric delay with this mean
    #: Resolved matters whose petitioner comes back afterwards (1 + Poisson(1.5) submissions in
    #: the 180 days after the resolution; three of them start a new backlog, DESIGN §3).
    resubmitted_after_resolution_share: float = 0.20
    backlog_overrun_mean_days: float = 120.0  # mean time in backlog (beyond 90 days past due)
    package_coverage: float = 0.90         # backlog matters with a county leader (rest: gaps)
    township_package_share: float = 0.05   # other matters with a township-level leader
    # What real exports hold (issue 10, DESIGN §3, §5): the importer must land it all.
    #: Matters received directly by the handling organ (受理方式 直接受理): no forwarding date,
    #: the acceptance clock starts at registration.
    direct_intake_share: float = 0.15
    #: Rows whose intake column is left blank when the importer's inference (direct if nothing
    #: was forwarded and it was accepted, else office) gives the right answer anyway; rows
    #: where it would not are always filled in.
    intake_blank_share: float = 0.50
    #: Matters with a stage date left blank while a later stage has one (an unrecorded clock,
    #: a warning at import): an acceptance date missing on an answered matter, or a forwarding
    #: date missing on an accepted office matter, in these proportions.
    blank_stage_share: float = 0.03
    blank_stage_weights: tuple[float, float] = (0.3, 0.7)  # (forwarded_on, accepted_on)
    #: ID numbers with a mistyped check digit (the importer drops the ID, keeps the matter).
    bad_id_share: float = 0.02
    #: Date cells written as a date-time with an offset, as exported by systems that store UTC
    #: (``2026-10-31T18:00:00Z``); converted to Asia/Shanghai at import. The hour is uniform
    #: over the day, so a third of the UTC stamps fall on the previous UTC day.
    offset_time_share: float = 0.01
    offset_utc_share: float = 0.5          # of those: ``Z``; the rest ``+08:00``
    # Township performance
    bad_late_factor: float = 3.0
    good_late_factor: float = 0.1
    bad_backlog_factor: float = 2.5
    good_backlog_factor: float = 0.2
    # Project zones
    zone_factor: float = 5.0               # land/demolition intensity within influence_m
    zone_window_months: int = 6            # window when a zone has no expropriation_end
    zone_collective_factor: float = 3.0
    zone_repeat_factor: float = 1.5
    # Personal data (synthetic, DESIGN §1.2)
    named_share: float = 0.30              # rows with a petitioner name
    id_share: float = 0.10                 # rows with an ID number (a subset of the named)
    summary_share: float = 0.50            # rows with a summary text
