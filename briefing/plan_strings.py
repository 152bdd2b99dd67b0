"""zh-CN / en strings of the work plan's documents (issue 16, items 1–4): the weekly
early-warning report, the irregular-petition section of the monthly briefing, and the XLSX
files of the first-time matters and of the yellow cards for irregular petitions.

Below the UI (no ``dashboard`` import): the documents look their words up with :func:`s`;
the dashboard merges :data:`STRINGS` into its shared table (``dashboard.strings_plan``), so a
label a page and a file share is one string.
"""

from __future__ import annotations

#: key → (中文, English)
STRINGS: dict[str, tuple[str, str]] = {
    # --- received levels of irregular submissions --------------------
    "irr.level.national": ("进京（国家）", "National (Beijing)"),
    "irr.level.province": ("到省", "Province"),
    "irr.level.city": ("到市", "City"),
    "irr.level.county": ("到县", "County"),
    "irr.level.township": ("乡镇", "Township"),
    "irr.total": ("合计", "Total"),
    "irr.col.month": ("月份", "Month"),
    "irr.col.township": ("乡镇（街道）", "Township"),
    "irr.col.unit": ("责任单位", "Responsible unit"),
    "irr.col.county": ("县（市、区）", "County"),
    "irr.col.no": ("信访件编号", "Submission"),
    "irr.col.matter": ("事项编号", "Matter"),
    "irr.col.day": ("接收日期", "Received"),
    "irr.col.level": ("接收层级", "Received at"),
    "irr.col.place": ("问题属地", "Place"),
    "irr.none_unit": ("（未填责任单位）", "(no responsible unit)"),
    "irr.privacy": ("非访按信访件及其事项统计，不按人统计，不记录、不追踪任何个人。",
                    "Irregular petitions are counted by submission and matter, never by "
                    "person; no one is named or followed."),
    # --- monthly briefing section --------------------
    "br.sec.irregular": ("非正常上访", "Irregular petitions"),
    "br.irr.lead": ("本期非正常上访 {total} 件次，其中进京 {national} 件次、到省 {province} 件次、"
                    "到市 {city} 件次、到县 {county} 件次。",
                    "{total} irregular submissions in the period: {national} in Beijing, "
                    "{province} at the province, {city} at the city, {county} at the county."),
    "br.irr.by_month": ("非正常上访按月、按接收层级", "Irregular submissions by month and level"),
    "br.irr.by_township": ("非正常上访按乡镇（街道）", "Irregular submissions by township"),
    "br.irr.by_unit": ("非正常上访按责任单位", "Irregular submissions by responsible unit"),
    "br.irr.cards": ("非访黄牌警告（{month}）", "Yellow cards for irregular petitions ({month})"),
    "br.sheet.irr_month": ("非访按月", "Irregular by month"),
    "br.sheet.irr_township": ("非访按乡镇", "Irregular by township"),
    "br.sheet.irr_unit": ("非访按单位", "Irregular by unit"),
    "br.sheet.irr_cards": ("非访黄牌", "Irregular cards"),
    # --- yellow cards for irregular petitions (非访黄牌) --------------------
    "card.irr.name": ("非访黄牌", "Irregular-petition yellow card"),
    "card.time.name": ("办理时效黄牌", "Handling-time yellow card"),
    "card.irr.title": ("非访黄牌警告通报（{month}）",
                       "Yellow cards for irregular petitions ({month})"),
    "card.irr.rule": ("规则：单位（责任单位或乡镇）所属事项当月非正常上访进京 {national} "
                      "件次及以上，或各级合计 {any} 件次及以上的，予以非访黄牌警告。",
                      "Rule: a unit (responsible unit or township) whose matters had {national} "
                      "or more irregular submissions in Beijing, or {any} or more at any level, "
                      "in the month gets the irregular-petition yellow card."),
    "card.irr.reason.national": ("进京非访 {n} 件次（≥{t}）", "{n} in Beijing (≥{t})"),
    "card.irr.reason.count": ("非访合计 {n} 件次（≥{t}）", "{n} in all (≥{t})"),
    "card.irr.kind.unit": ("责任单位", "Responsible unit"),
    "card.irr.kind.township": ("乡镇（街道）", "Township"),
    "card.irr.col.kind": ("类别", "Kind"),
    "card.irr.col.unit": ("单位", "Unit"),
    "card.irr.col.reason": ("黄牌理由", "Reason"),
    "card.irr.empty": ("本月没有单位达到非访黄牌警告条件。",
                       "No unit reached the irregular-petition yellow card this month."),
    "card.irr.sheet": ("非访黄牌", "Irregular cards"),
    "card.irr.list_sheet": ("非访明细", "Irregular submissions"),
    # --- first-time matters (初信初访) --------------------
    "ft.title": ("初信初访办理情况（{start} 至 {end}）",
                 "First-time matters ({start} to {end})"),
    "ft.col.group.unit": ("责任单位", "Responsible unit"),
    "ft.col.group.township": ("乡镇（街道）", "Township"),
    "ft.col.group.county": ("县（市、区）", "County"),
    "ft.col.registered": ("本期初信初访", "First-time matters"),
    "ft.col.answered": ("已答复", "Answered"),
    "ft.col.on_time": ("按期答复", "Answered on time"),
    "ft.col.on_time_rate": ("按期答复率", "On-time rate"),
    "ft.col.came_back": ("90天内再访", "Came back within 90 days"),
    "ft.col.resolved": ("一次性化解", "Resolved at once"),
    "ft.col.watching": ("观察期内", "Still in the 90 days"),
    "ft.col.fr_n": ("满90天事项", "Matters whose 90 days ended"),
    "ft.col.fr_ok": ("其中一次性化解", "of which resolved at once"),
    "ft.col.fr_rate": ("一次性化解率", "Resolved-at-once rate"),
    "ft.col.matter": ("事项编号", "Matter"),
    "ft.col.registered_on": ("登记日期", "Registered"),
    "ft.col.category": ("问题类别", "Category"),
    "ft.col.place": ("问题属地", "Place"),
    "ft.col.answered_on": ("答复日期", "Answered"),
    "ft.col.answer_due": ("答复期限", "Answer due"),
    "ft.col.returned": ("再次信访日期", "Came back on"),
    "ft.col.days_after": ("答复后天数", "Days after the answer"),
    "ft.sheet.groups": ("初信初访", "First-time matters"),
    "ft.sheet.list": ("90天内再访", "Came back"),
    "ft.list.title": ("答复后90天内再次信访的初信初访事项（需剖析）",
                      "First-time matters that came back within 90 days of their answer "
                      "(to study)"),
    "ft.note": ("本期初信初访：本期登记的事项；一次性化解：答复后第1至90天内无新的信访件"
                "（第90天来访即未化解）；一次性化解率按答复满90天在本期的事项计算（与指标卡一致）。",
                "First-time matters of the period: registered in it; resolved at once: no "
                "submission on days 1–90 after the answer (one on day 90 means it came back); "
                "the rate counts the matters whose 90 days ended in the period (as the KPI "
                "card does)."),
    # --- weekly early-warning report (每周预警信息) --------------------
    "wk.title": ("{name}每周预警信息", "Weekly early-warning report: {name}"),
    "wk.subtitle": ("{year}年第{week}周（{start} 至 {end}）",
                    "Week {week} of {year} ({start} to {end})"),
    "wk.header": ("{name} · {week} 每周预警信息", "{name} · weekly warnings {week}"),
    "wk.meta.unit": ("辖区：{name}（区划代码 {code}）", "Jurisdiction: {name} (code {code})"),
    "wk.meta.week": ("统计周：{start}（周一）至 {end}（周日）",
                     "Week: {start} (Monday) to {end} (Sunday)"),
    "wk.meta.asof": ("计算时点：{moment}（北京时间）", "Computed as of {moment} (Beijing time)"),
    "wk.meta.running": ("本周尚未结束，数据截至计算时点。",
                        "The week is not over: figures up to the moment above."),
    "wk.meta.sensitive": ("本周处于敏感期“{name}”，预警阈值从严。",
                          "The week lies in the sensitive period “{name}”: tighter thresholds."),
    "wk.meta.generated": ("生成日期：{date}", "Generated: {date}"),
    "wk.meta.privacy": ("本报告只含统计数据、事项编号与纠纷名称，不含任何信访人个人信息。",
                        "This report holds statistics, matter numbers and dispute titles "
                        "only; no personal data of any petitioner."),
    "wk.sec.summary": ("本周概况", "The week at a glance"),
    "wk.sec.warnings": ("预警信息", "Early warnings"),
    "wk.sec.influx": ("信访量异动", "Influx against the week before"),
    "wk.sec.visits": ("集体访与非正常上访", "Collective visits and irregular petitions"),
    "wk.sec.disputes": ("不稳定因素到期情况", "Ledger disputes due"),
    "wk.sec.reports": ("零报告缺报情况", "Missing daily reports"),
    "wk.sec.method": ("说明", "Notes on method"),
    "wk.col.figure": ("项目", "Figure"),
    "wk.col.value": ("数值", "Value"),
    "wk.col.key": ("键", "Key"),
    "wk.fig.warnings_total": ("本周预警", "Warnings"),
    "wk.fig.warnings_red": ("其中红色预警", "of which red"),
    "wk.fig.warnings_amber": ("其中黄色预警", "of which amber"),
    "wk.fig.irregular_national": ("非访进京（件次）", "Irregular in Beijing"),
    "wk.fig.irregular_total": ("非正常上访（件次）", "Irregular submissions"),
    "wk.fig.influx_areas": ("信访量显著上升的区域", "Areas with a significant rise"),
    "wk.fig.submissions": ("本周信访件", "Submissions this week"),
    "wk.fig.submissions_base": ("上周信访件", "Submissions the week before"),
    "wk.fig.collective_visits": ("集体访（批次）", "Collective visits (batches)"),
    "wk.fig.collective_persons": ("集体访（人次）", "Collective visits (persons)"),
    "wk.fig.disputes_overdue": ("台账纠纷已逾期", "Ledger disputes past due"),
    "wk.fig.disputes_due": ("台账纠纷7天内到期", "Ledger disputes due within 7 days"),
    "wk.fig.reports_missing": ("零报告缺报（单位·日）", "Daily reports missing (unit-days)"),
    "wk.fig.reports_late": ("零报告迟报（单位·日）", "Daily reports late (unit-days)"),
    "wk.warn.by_level": ("预警按类别和级别", "Warnings by kind and level"),
    "wk.warn.list": ("预警明细", "The warnings"),
    "wk.col.kind": ("类别", "Kind"),
    "wk.col.red": ("红色", "Red"),
    "wk.col.amber": ("黄色", "Amber"),
    "wk.col.total": ("合计", "Total"),
    "wk.col.time": ("时间", "Time"),
    "wk.col.level": ("级别", "Level"),
    "wk.col.what": ("预警内容", "Warning"),
    "wk.warn.empty": ("本周无预警。", "No warnings this week."),
    "wk.influx.totals": ("本周与上周比较", "This week against the week before"),
    "wk.influx.areas": ("显著上升的区域", "Areas with a significant rise"),
    "wk.influx.empty": ("本周没有显著上升的区域。", "No area rose significantly this week."),
    "wk.col.measure": ("指标", "Measure"),
    "wk.col.cur": ("本周", "This week"),
    "wk.col.base": ("上周", "Week before"),
    "wk.col.ratio": ("倍数", "Ratio"),
    "wk.col.rise": ("显著上升", "Significant rise"),
    "wk.col.area": ("区域", "Area"),
    "wk.col.p": ("p 值", "p-value"),
    "wk.m.submissions": ("信访件", "Submissions"),
    "wk.m.collective": ("集体访（批次）", "Collective visits"),
    "wk.m.collective_persons": ("集体访（人次）", "Collective visit persons"),
    "wk.m.cross_level": ("越级信访件", "Cross-level submissions"),
    "wk.m.upper_level": ("到省进京信访件", "At province or national level"),
    "wk.area.zone": ("项目片区", "Project zone"),
    "wk.visits.title": ("本周集体访（{n} 人及以上）",
                        "Collective visits of the week ({n}+ persons)"),
    "wk.visits.empty": ("本周无集体访。", "No collective visit this week."),
    "wk.col.day": ("日期", "Day"),
    "wk.col.persons": ("人数", "Persons"),
    "wk.irr.by_level": ("本周非正常上访按接收层级", "Irregular submissions of the week by level"),
    "wk.irr.list": ("本周非正常上访明细", "Irregular submissions of the week"),
    "wk.irr.by_township": ("本周非正常上访按乡镇（街道）", "Irregular submissions by township"),
    "wk.irr.empty": ("本周无非正常上访。", "No irregular submission this week."),
    "wk.col.n": ("件次", "Submissions"),
    "wk.disputes.title": ("截至周日未化解、已逾期或7天内到期的台账纠纷",
                          "Disputes open on Sunday, past due or due within 7 days"),
    "wk.disputes.empty": ("没有逾期或临期的台账纠纷。", "No dispute past due or due soon."),
    "wk.col.ledger_no": ("台账编号", "Ledger no."),
    "wk.col.title": ("纠纷", "Dispute"),
    "wk.col.people": ("涉及人数", "People involved"),
    "wk.col.risk": ("风险", "Risk"),
    "wk.col.unit": ("责任单位", "Responsible unit"),
    "wk.col.due": ("化解期限", "Resolve by"),
    "wk.col.days_left": ("剩余天数", "Days left"),
    "wk.reports.title": ("本周迟报、缺报零报告的单位", "Units with late or missing daily reports"),
    "wk.reports.lead": ("本周应报 {days} 单位·日：按时 {on_time}，迟报 {late}，缺报 {missing}。",
                        "{days} unit-days due this week: {on_time} on time, {late} late, "
                        "{missing} missing."),
    "wk.reports.empty": ("本周各单位均按时报送零报告。", "Every unit filed on time this week."),
    "wk.col.days": ("应报天数", "Days"),
    "wk.col.on_time": ("按时", "On time"),
    "wk.col.late": ("迟报", "Late"),
    "wk.col.missing": ("缺报", "Missing"),
    "wk.risk.high": ("高", "High"),
    "wk.risk.medium": ("中", "Medium"),
    "wk.risk.low": ("低", "Low"),
    "wk.note.moment": ("所有数字按该周周日 23:59（北京时间）计算；本周尚未结束时按生成时点计算。",
                       "Every figure is computed as of the week's Sunday at 23:59 Beijing time "
                       "(for the week still running, as of the moment of generation)."),
    "wk.note.warnings": ("预警规则与维稳态势页相同：非访进京即为红色预警并列于首位；"
                         "集体访 ≥ {persons} 人；区域信访量为上周 {ratio} 倍及以上"
                         "且显著上升（α={alpha}）；台账纠纷逾期；"
                         "零报告缺报。敏感期内阈值从严。",
                         "The rules of the Stability page: an irregular submission in Beijing is "
                         "a red warning, listed first; collective visits of {persons}+ persons; "
                         "an area at {ratio}× the week before or more with a significant rise "
                         "(α={alpha}); ledger disputes past due; missing daily reports. "
                         "Thresholds tighten in a sensitive period."),
    "wk.note.ledger": ("台账纠纷按立账与销账日期判断周日是否在办；"
                       "风险等级与化解期限为台账当前记录。",
                       "A dispute counts as open on Sunday by its opening and closing dates; "
                       "its risk and resolve-by date are the ledger's current ones."),
    "wk.download": ("每周预警信息", "Weekly early-warning report"),
}


def s(key: str, lang: str | None, **fmt) -> str:
    """The string ``key`` in ``lang`` (zh unless ``en``), formatted with ``fmt``."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text
