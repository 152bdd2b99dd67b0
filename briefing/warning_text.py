"""The message of an early warning (:mod:`domain.warnings`) in zh or en, with the labels of
its kind and level: one wording for the Stability page, the wall screen and the weekly
report (``briefing.weekly``). Areas, units, numbers, matter numbers and dispute titles only:
never a person.

Below the UI on purpose (no Dash, no ``dashboard`` import): the dashboard merges
:data:`WARNING_STRINGS` into its shared table (``dashboard.strings_stability``).
"""

from __future__ import annotations

from domain.enums import CATEGORIES
from queries.geography import localise_place

#: key → (中文, English)
WARNING_STRINGS: dict[str, tuple[str, str]] = {
    "warn.irregular_national": ("非访进京：{area}（{unit}）事项 {matter_no}，{day}，须第一时间报告",
                                "Irregular petition in Beijing: {area} ({unit}), matter "
                                "{matter_no}, {day}; report at once"),
    "warn.collective_visit": ("{area} 集体访 {persons} 人（{category}，{day}）",
                              "{area}: collective visit of {persons} persons ({category}, {day})"),
    "warn.influx": ("{area} 信访量 {current} 件，为基线 {baseline} 件的 {ratio} 倍（p={p}）",
                    "{area}: {current} submissions, {ratio}× the baseline of {baseline} "
                    "(p={p})"),
    "warn.influx.new": ("{area} 信访量 {current} 件，基线为 0（p={p}）",
                        "{area}: {current} submissions against none in the baseline (p={p})"),
    "warn.ledger_overdue": ("台账纠纷逾期 {days} 天：{title}（{area}，{people} 人）",
                            "Ledger dispute {days} days past resolve-by: {title} ({area}, "
                            "{people} people)"),
    "warn.ledger_due_soon": ("台账纠纷 {days} 天内到期：{title}（{area}，{people} 人）",
                             "Ledger dispute due within {days} days: {title} ({area}, "
                             "{people} people)"),
    "warn.report_missing": ("{unit} 今日 {cutoff} 前未报零报告",
                            "{unit}: no daily report by {cutoff} today"),
    "warn.kind.collective_visit": ("集体访", "Collective visits"),
    "warn.kind.influx": ("信访量激增", "Influx"),
    "warn.kind.ledger_overdue": ("台账逾期", "Ledger overdue"),
    "warn.kind.ledger_due_soon": ("台账临期", "Ledger due soon"),
    "warn.kind.report_missing": ("零报告缺报", "Missing reports"),
    "warn.kind.irregular_national": ("非访进京", "Irregular in Beijing"),
    "sev.red": ("红色预警", "Red"),
    "sev.amber": ("黄色预警", "Amber"),
}


def label(key: str, lang: str | None, **fmt) -> str:
    """The string ``key`` of :data:`WARNING_STRINGS` in ``lang`` (zh unless ``en``)."""
    zh, en = WARNING_STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def _category(code, lang: str | None) -> str:
    pair = CATEGORIES.get(code) if code else None
    return (pair[1] if lang == "en" else pair[0]) if pair else str(code or "")


def warning_text(w: dict, lang: str | None) -> str:
    """The message of one warning (``EarlyWarning.as_dict()``)."""
    lang = "en" if lang == "en" else "zh"
    p = w["params"]
    kind = w["kind"]
    area = localise_place(w.get("area_name"), lang)
    if kind == "irregular_national":
        return label("warn.irregular_national", lang, area=area, unit=p.get("unit") or "—",
                     matter_no=p.get("matter_no") or "—", day=p["day"])
    if kind == "collective_visit":
        return label("warn.collective_visit", lang, area=area, persons=p["persons"],
                     category=_category(p.get("category"), lang), day=p["day"])
    if kind == "influx":
        pv = f"{p['p']:.3f}" if p["p"] >= 0.001 else "<0.001"
        if p.get("ratio") is None:
            return label("warn.influx.new", lang, area=area, current=p["current"], p=pv)
        return label("warn.influx", lang, area=area, current=p["current"],
                     baseline=p["baseline"], ratio=f"{p['ratio']:.1f}", p=pv)
    if kind in ("ledger_overdue", "ledger_due_soon"):
        return label(f"warn.{kind}", lang, days=p["days"], title=p.get("title") or "",
                     area=area, people=p.get("people", 0))
    if kind == "report_missing":
        return label("warn.report_missing", lang, unit=p["unit"], cutoff=p["cutoff"])
    return kind
