"""The joint-conference agenda and the Friday tracking list as an XLSX workbook (openpyxl).

One sheet per agenda section — summary, backlog, package gaps, large collective visits, the
longest overdue, the week's assigned items, the clocks due soon — with a bold frozen header
row, dates as dates, numbers as numbers. Built from ``queries.agenda`` (the same lists as the
printable page); no personal data. Used by the download route (``dashboard.exports.routes``)
and the ``agenda`` command.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dashboard import (
    i18n,
    strings_backlog,  # noqa: F401  (merges the strings)
)
from dashboard.i18n import t
from domain.clocks import as_date
from queries import agenda as agenda_q
from queries.accountability import accountability_rules
from queries.filters import MatterFilter
from settings import get_settings
from tabular import openpyxl_workbook

HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
DATE_FORMAT = "yyyy-mm-dd"


def _val(v):
    if v is None or (not isinstance(v, str | tuple | list) and pd.isna(v)):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        return v.item()
    return v


def _place(r: dict) -> str:
    return r.get("township_name") or r.get("county_name") or r.get("township_code") or ""


def _sheet(wb, title: str, header: list[str], rows: list[list], *,
           first: bool = False, heading: str | None = None) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    r0 = 1
    if heading:
        ws.cell(1, 1, heading).font = TITLE_FONT
        r0 = 3
    for j, h in enumerate(header, start=1):
        c = ws.cell(r0, j, h)
        c.font, c.fill = BOLD, HEADER_FILL
        c.alignment = Alignment(vertical="center", wrap_text=True)
    for i, row in enumerate(rows, start=r0 + 1):
        for j, v in enumerate(row, start=1):
            c = ws.cell(i, j, _val(v))
            if isinstance(c.value, dt.date):
                c.number_format = DATE_FORMAT
    ws.freeze_panes = ws.cell(r0 + 1, 1)
    for j, h in enumerate(header, start=1):
        width = max([len(str(h)) * 2]
                    + [len(str(_val(r[j - 1]) or "")) * 1.6 for r in rows[:200]])
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 48)


def agenda_workbook(scope, day: dt.date, unit: str | None = None, lang: str = "zh") -> bytes:
    """The workbook bytes of the agenda of ``day`` in ``scope`` (narrowed to ``unit``)."""
    settings = get_settings()
    rules, arules = settings.clock_rules(), accountability_rules()
    flt = MatterFilter(unit=unit)
    a = agenda_q.agenda(scope, day, flt, arules, rules)
    f = agenda_q.friday_list(scope, day, flt, arules, rules)
    yes, no = t("ag.yes", lang), t("ag.no", lang)
    wb = openpyxl_workbook()  # every cell neutralised against formula injection

    heading = t("ag.heading", lang, region=settings.region_name) + f"  {day.isoformat()}"
    summary = [
        [t("ag.s.backlog", lang), a.counts["backlog"]],
        [t("ag.s.gaps", lang), a.counts["package_gaps"]],
        [t("ag.s.visits", lang, n=arules.large_visit_persons, days=arules.agenda_window_days),
         a.counts["large_visits"]],
        [t("ag.s.persons", lang), a.counts["large_visit_persons"]],
        [t("ag.s.overdue", lang), a.counts["overdue"]],
        [t("ag.friday.assignments", lang), len(f.assignments)],
        [t("ag.friday.clocks", lang, n=rules.due_soon_days), len(f.clocks)],
    ]
    _sheet(wb, t("ag.sheet.summary", lang), [t("ag.s.item", lang), t("ag.s.count", lang)],
           summary, first=True, heading=heading)
    ws = wb.active
    ws.cell(len(summary) + 5, 1, t("ag.meta", lang, day=day.isoformat()))

    no_col = t("ag.col.no", lang)
    _sheet(wb, t("ag.sheet.backlog", lang),
           [no_col, t("bl.col.number", lang), t("bl.col.place", lang), t("bl.col.unit", lang),
            t("bl.col.category", lang), t("bl.col.reason", lang), t("bl.col.since", lang),
            t("bl.col.age", lang), t("bl.col.days_over", lang), t("bl.col.leader", lang),
            t("bl.status.gap", lang)],
           [[i, r["matter_no"], _place(r), r["responsible_unit"], _cat(r, lang),
             "；".join(t(f"bl.reason.{k}", lang) for k in r["reasons"]),
             as_date(r["backlog_since"]),
             (day - as_date(r["backlog_since"])).days, r["days_over"], r["leader"],
             yes if r["package_gap"] else no]
            for i, r in enumerate(a.backlog.to_dict("records"), start=1)])
    _sheet(wb, t("ag.sheet.gaps", lang),
           [no_col, t("bl.col.number", lang), t("bl.col.place", lang), t("bl.col.unit", lang),
            t("bl.col.category", lang), t("bl.col.why", lang), t("bl.col.current", lang)],
           [[i, r["matter_no"], _place(r), r["responsible_unit"], _cat(r, lang),
             "；".join(t("bl.reason.backlog", lang) if k == "backlog"
                      else t("bl.reason.upper_level", lang, n=int(r["upper_n"]))
                      for k in r["reasons"]), r["leader"]]
            for i, r in enumerate(a.gaps.to_dict("records"), start=1)])
    _sheet(wb, t("ag.sheet.visits", lang),
           [no_col, t("ag.col.received_on", lang), t("ag.col.submission", lang),
            t("bl.col.number", lang), t("bl.col.place", lang), t("ag.col.persons", lang),
            t("ag.col.level", lang), t("ag.col.cross", lang), t("bl.col.category", lang),
            t("bl.col.unit", lang)],
           [[i, as_date(r["received_on"]), r["submission_no"], r["matter_no"], _place(r),
             r["persons"], i18n.enum_label(_levels(), r["received_level"], lang),
             yes if r["is_cross_level"] else no, i18n.category(r["category"], lang),
             r["responsible_unit"]]
            for i, r in enumerate(a.visits.to_dict("records"), start=1)])
    _sheet(wb, t("ag.sheet.longest", lang),
           [no_col, t("bl.col.number", lang), t("bl.col.place", lang), t("bl.col.unit", lang),
            t("bl.col.category", lang), t("bl.col.clocks", lang), t("bl.col.days_over", lang),
            t("bl.status.backlog", lang), t("bl.col.leader", lang)],
           [[i, r["matter_no"], _place(r), r["responsible_unit"], _cat(r, lang),
             _overdue_clocks(r, day, rules, lang), r["days_over"],
             yes if not pd.isna(r["backlog_since"]) else no, r["leader"]]
            for i, r in enumerate(a.longest.to_dict("records"), start=1)])
    _sheet(wb, t("ag.sheet.assignments", lang),
           [no_col, t("bl.col.assignment_no", lang), t("bl.col.assignment_title", lang),
            t("bl.col.number", lang), t("bl.col.assigned_unit", lang),
            t("bl.col.assigned_on", lang), t("bl.col.feedback_due", lang),
            t("bl.col.feedback_on", lang), t("bl.col.closed_on", lang), t("bl.col.state", lang)],
           [[i, r["assignment_no"], r["title"], r["matter_no"], r["assigned_unit"],
             as_date(r["assigned_on"]), as_date(r["feedback_due"]), as_date(r["feedback_on"]),
             as_date(r["closed_on"]), t(f"bl.status.{r['state']}", lang)]
            for i, r in enumerate(f.assignments.to_dict("records"), start=1)])
    _sheet(wb, t("ag.sheet.clocks", lang),
           [no_col, t("bl.col.unit", lang), t("bl.col.number", lang), t("bl.col.place", lang),
            t("ag.col.clock", lang), t("ag.col.due", lang), t("ag.col.days_left", lang),
            t("bl.col.leader", lang)],
           [[i, r["unit"], r["matter_no"], r["township_name"], t(f"bl.clock.{r['clock']}", lang),
             as_date(r["due"]), r["days_left"], r["leader"]]
            for i, r in enumerate(f.clocks.to_dict("records"), start=1)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cat(r: dict, lang: str) -> str:
    return i18n.category(r["category"], lang)


def _levels():
    from domain.enums import RECEIVED_LEVELS

    return RECEIVED_LEVELS


def _overdue_clocks(r: dict, day: dt.date, rules, lang: str) -> str:
    from domain.clocks import clock_states

    return "、".join(t(f"bl.clock.{k}", lang) for k, s in clock_states(r, day, rules).items()
                    if s == "overdue")
