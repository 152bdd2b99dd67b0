"""zh-CN / en strings of the work plan's views (issue 16, items 1–4) on the Overview, Backlog
and Stability pages and the wall screen — merged into the shared table of
``dashboard.i18n`` at import, with the documents' labels (``briefing.plan_strings``) that
the pages share with the files."""

from __future__ import annotations

from briefing.plan_strings import STRINGS as DOCUMENT_STRINGS
from dashboard.i18n import STRINGS

PLAN_STRINGS: dict[str, tuple[str, str]] = {
    # --- first-time matters (初信初访) ----------------------------------------------------------
    "bl.tab.first_time": ("初信初访", "First-time matters"),
    "ft.section": ("初信初访（{start} 至 {end}）", "First-time matters ({start} to {end})"),
    "ft.caption": ("本期登记的初信初访事项截至 {day} 的答复与化解情况；答复后第1至90天内又来信访的"
                   "事项需逐件剖析。一次性化解率按答复满90天在本期的事项计算，与指标卡一致。",
                   "Matters first registered in the period, as of {day}: answered, on time, "
                   "resolved at once, or back within 90 days of their answer (each to be "
                   "studied). The resolved-at-once rate counts the matters whose 90 days "
                   "ended in the period, as the KPI card does."),
    "ft.summary": ("本期初信初访 {registered} 件：已答复 {answered} 件，按期答复 {on_time} 件"
                   "（{on_time_rate}）；90天内再访 {came_back} 件，一次性化解 {resolved} 件，"
                   "观察期内 {watching} 件。一次性化解率 {fr_rate}（{fr_ok}/{fr_n}）。",
                   "{registered} first-time matters: {answered} answered, {on_time} on time "
                   "({on_time_rate}); {came_back} came back within 90 days, {resolved} "
                   "resolved at once, {watching} still in their 90 days. Resolved-at-once rate "
                   "{fr_rate} ({fr_ok}/{fr_n})."),
    "ft.by.township": ("按乡镇（街道）", "By township"),
    "ft.by.unit": ("按责任单位", "By responsible unit"),
    "ft.by.county": ("按县（市、区）", "By county"),
    "ft.download": ("导出 XLSX", "Download XLSX"),
    "ft.empty": ("本期没有初信初访事项。", "No first-time matter in the period."),
    "ft.list.empty": ("没有答复后90天内再次信访的事项。",
                      "No first-time matter came back within 90 days of its answer."),
    "ft.list.count": ("共 {n} 件", "{n} in all"),
    "ft.list.limited": ("显示前 {n} 件，共 {total} 件", "first {n} of {total}"),
    # --- irregular petitions (非访) --------------------------------------------------------------
    "irr.section": ("非正常上访（非访）", "Irregular petitions (非访)"),
    "irr.caption": ("按信访件接收层级统计，不按人统计；进京非访即为红色预警，须第一时间报告。"
                    "数据截至 {day}。",
                    "Counted by the level that received each submission, never by person; one "
                    "received in Beijing is a red warning, reported at once. As of {day}."),
    "irr.months": ("近12个月非访（按月、按接收层级）", "Irregular submissions, last 12 months, "
                                                  "by level"),
    "irr.by_township": ("本月非访按乡镇（街道）", "This month by township"),
    "irr.by_unit": ("本月非访按责任单位", "This month by responsible unit"),
    "irr.national": ("近30天非访进京", "Irregular in Beijing, last 30 days"),
    "irr.national.none": ("近30天无非访进京。", "None in Beijing in the last 30 days."),
    "irr.empty": ("本期无非正常上访。", "No irregular submission in the period."),
    "irr.cards.link": ("本月非访黄牌", "This month's irregular-petition cards"),
    # --- the two yellow cards ---------------------------------------------------------------------
    "bl.tile.irr_cards": ("非访黄牌", "Irregular-petition cards"),
    "bl.tile.irr_cards.hint": ("当月非访进京 ≥{national} 或合计 ≥{any}",
                               "≥{national} in Beijing or ≥{any} in a month"),
    "card.irr.section": ("非访黄牌警告（{month}）", "Irregular-petition yellow cards ({month})"),
    "card.irr.caption": ("与上方办理时效黄牌不同：非访黄牌按单位所属事项当月的非正常上访计，"
                         "责任单位与乡镇（街道）分别判定。",
                         "Unlike the handling-time card above, this card counts the irregular "
                         "submissions of a unit's matters in the month, for responsible units "
                         "and townships alike."),
    "card.irr.download": ("导出通报 XLSX", "Download the notice (XLSX)"),
    "card.irr.count": ("{n} 个单位", "{n} units"),
    # --- the weekly report on the Stability page --------------------------------------------------
    "wk.page.title": ("每周预警信息", "Weekly early-warning report"),
    "wk.page.caption": ("按所选周周日 23:59（北京时间）计算，与下载的 PDF、Word、Excel 数字一致；"
                        "非访进京等紧急信息随时在上方预警中报告。",
                        "Computed as of the chosen week's Sunday at 23:59 Beijing time; the "
                        "PDF, Word and Excel files hold the same figures. Urgent information "
                        "(irregular petitions in Beijing) is in the warnings above at once."),
    "wk.page.week": ("统计周", "Week"),
    "wk.page.week.option": ("{week}（{start} 至 {end}）", "{week} ({start} to {end})"),
    "wk.page.asof": ("计算时点 {moment}", "As of {moment}"),
    "wk.page.pdf": ("下载 PDF", "PDF"),
    "wk.page.docx": ("下载 Word", "Word"),
    "wk.page.xlsx": ("下载 Excel", "Excel"),
    # --- wall ---------------------------------------------------------------------------------
    "wall.stab.irregular": ("本月非访", "Irregular petitions this month"),
    "wall.irr.national": ("进京 {n}", "Beijing {n}"),
    "wall.irr.levels": ("到省 {province} · 到市 {city} · 到县 {county}",
                        "Province {province} · city {city} · county {county}"),
    "wall.alert.irregular": ("非访进京 {n} 件次，须第一时间报告", "{n} irregular in Beijing: "
                                                        "report at once"),
}

STRINGS.update(DOCUMENT_STRINGS)
STRINGS.update(PLAN_STRINGS)
