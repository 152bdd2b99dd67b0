"""County leaders' receptions against their reception day (领导接访日) as an XLSX workbook,
and the bilingual labels of that view (the Backlog page merges them into its strings).

Built from ``queries.accountability.reception_days``; used by the page's download route and
the ``reception-days`` command. Leaders are officials: their names are the point of the
table. No petitioner data is read.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from domain.reception_days import WEEKDAYS
from queries.filters import Period
from tabular import openpyxl_workbook

#: key → (中文, English)
STRINGS: dict[str, tuple[str, str]] = {
    "rd.title": ("县级领导接访日落实情况（{period}）",
                 "County leaders' reception days ({period})"),
    "rd.caption": ("花名册中的县级领导按其固定接访日（每周一天）核对 {start} 至 {end} 的接访记录："
                   "应接访日、按日接访、缺席日、其他日期接访，以及接访中纳入领导包案的事项数。",
                   "County-level leaders of the roster against their fixed weekly reception "
                   "day, {start} to {end}: days due, kept, missed, receptions on other days, "
                   "and matters a reception took into a leader package."),
    "rd.empty": ("辖区内没有县级领导花名册（flask --app app import-leaders 导入）。",
                 "No county-level leader roster in this jurisdiction (import it with flask "
                 "--app app import-leaders)."),
    "rd.summary": ("{leaders} 名领导：{kept} 名全部按日接访，{partly} 名部分缺席，"
                   "{missed} 名未在接访日接访；应接访 {due} 日，按日接访 {kept_days} 日；"
                   "接访 {receptions} 次，接待事项 {received} 件，纳入包案 {packaged} 件。",
                   "{leaders} leaders: {kept} received on every one of their days, {partly} "
                   "missed some, {missed} received on none; {kept_days} of {due} reception "
                   "days kept; {receptions} receptions, {received} matters received, "
                   "{packaged} taken into a package."),
    "rd.col.leader": ("领导", "Leader"),
    "rd.col.title": ("职务", "Title"),
    "rd.col.unit": ("单位", "Unit"),
    "rd.col.weekday": ("接访日", "Reception day"),
    "rd.col.due": ("应接访日数", "Days due"),
    "rd.col.kept": ("按日接访", "Days kept"),
    "rd.col.missed": ("缺席日数", "Days missed"),
    "rd.col.other": ("其他日期接访", "Other days"),
    "rd.col.status": ("落实情况", "Status"),
    "rd.col.receptions": ("接访次数", "Receptions"),
    "rd.col.received": ("接待事项", "Matters received"),
    "rd.col.packaged": ("纳入包案", "Into a package"),
    "rd.col.missed_dates": ("缺席日期", "Days missed (dates)"),
    "rd.status.kept": ("按日接访", "Received on their day"),
    "rd.status.partly": ("部分缺席", "Missed some days"),
    "rd.status.missed": ("未按日接访", "Did not receive on their day"),
    "rd.status.none_due": ("本期尚无接访日", "No reception day yet"),
    "rd.sheet": ("接访日", "Reception days"),
    "rd.meta.asof": ("数据截至 {asof}", "As of {asof}"),
    "rd.meta.scope": ("辖区：{name}", "Jurisdiction: {name}"),
    "rd.download": ("下载 XLSX", "Download XLSX"),
}

HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def s(key: str, lang: str, **fmt) -> str:
    """A label of this view in ``lang`` (zh default)."""
    text = STRINGS[key][1 if lang == "en" else 0]
    return text.format(**fmt) if fmt else text


def weekday_label(n: int, lang: str) -> str:
    return WEEKDAYS[int(n)][1 if lang == "en" else 0]


def period_label(period: Period, lang: str) -> str:
    """``2026年10月`` / ``October 2026``; ``2026年下半年`` / ``second half of 2026``; else
    the dates."""
    kind = period.kind
    y, m = period.start.year, period.start.month
    if kind == "month":
        return f"{y}年{m}月" if lang != "en" else f"{_MONTHS_EN[m - 1]} {y}"
    if kind == "half":
        if lang == "en":
            return f"{'first' if m == 1 else 'second'} half of {y}"
        return f"{y}年{'上' if m == 1 else '下'}半年"
    if lang == "en":
        return f"{period.start.isoformat()} to {period.end.isoformat()}"
    return f"{period.start.isoformat()} 至 {period.end.isoformat()}"


def unit_label(row: dict, lang: str) -> str:
    """The leader's unit in ``lang``: the stored English name in English, never a Chinese
    one there (the code when no English name is stored)."""
    if lang == "en":
        en = row.get("unit_name_en")
        return en if isinstance(en, str) and en else str(row.get("unit_code") or "")
    return row.get("unit_name") or str(row.get("unit_code") or "")


def table_rows(frame: pd.DataFrame, lang: str) -> list[list]:
    """One list per leader, in the column order of :data:`COLUMNS`."""
    out = []
    for r in frame.to_dict("records"):
        out.append([r["leader"], r["title"] or "", unit_label(r, lang),
                    weekday_label(r["weekday"], lang), int(r["due"]), int(r["kept"]),
                    int(r["missed"]), int(r["other_days"]), s(f"rd.status.{r['status']}", lang),
                    int(r["receptions"]), int(r["received"]), int(r["packaged"]),
                    ", ".join(d.isoformat() for d in r["missed_dates"])])
    return out


COLUMNS = ("leader", "title", "unit", "weekday", "due", "kept", "missed", "other", "status",
           "receptions", "received", "packaged", "missed_dates")


def workbook(frame: pd.DataFrame, totals: dict, period: Period, as_of: dt.date, lang: str,
             jurisdiction: str) -> bytes:
    """The view as an XLSX file: a heading, the summary line, one row per leader (numbers as
    numbers), a bold frozen header."""
    wb = openpyxl_workbook()
    ws = wb.active
    ws.title = s("rd.sheet", lang)[:31]
    ws.cell(1, 1, s("rd.title", lang, period=period_label(period, lang))).font = Font(
        bold=True, size=14)
    ws.cell(2, 1, s("rd.meta.scope", lang, name=jurisdiction))
    ws.cell(3, 1, s("rd.meta.asof", lang, asof=as_of.isoformat()))
    ws.cell(4, 1, s("rd.summary", lang, leaders=totals["leaders"], kept=totals["kept"],
                    partly=totals["partly"], missed=totals["missed"], due=totals["due_days"],
                    kept_days=totals["kept_days"], receptions=totals["receptions"],
                    received=totals["received"], packaged=totals["packaged"]))
    head_row = 6
    for j, key in enumerate(COLUMNS, start=1):
        c = ws.cell(head_row, j, s(f"rd.col.{key}", lang))
        c.font = Font(bold=True)
        c.fill = HEADER_FILL
    for i, row in enumerate(table_rows(frame, lang), start=head_row + 1):
        for j, v in enumerate(row, start=1):
            ws.cell(i, j, v)
    ws.freeze_panes = ws.cell(head_row + 1, 1)
    for j, width in enumerate((14, 22, 22, 12, 10, 10, 10, 12, 20, 10, 12, 12, 36), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
