"""初信初访 First-time matters (issue 16 item 1) on the Overview and the Backlog page: the
period's first-time matters answered, on time, resolved at once or come back within 90 days,
by township and responsible unit (or county), the list of those that came back, and the
XLSX download — one builder for both pages, fed by ``queries.first_time`` (no SQL here).
"""

from __future__ import annotations

import datetime as dt

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from dashboard import data as shared_data
from dashboard import (
    i18n,
    strings_plan,  # noqa: F401  (registers the strings)
)
from dashboard.components.backlog_shell import href
from dashboard.components.backlog_tables import _date, _num, _rate_cell, _table, _th, section
from dashboard.i18n import fmt_int, fmt_rate, t
from queries import first_time
from queries.filters import MatterFilter, Period

LIST_ROWS = 100
OVERVIEW_ROWS = 12


def _name(r: dict, by: str, lang: str) -> str:
    if by == "unit":
        return r["name"] or t("irr.none_unit", lang)
    return i18n.place(r["name"] or r["key"] or "—", lang)


def groups_table(df: pd.DataFrame, by: str, lang: str, table_id: str) -> html.Div:
    """One row per group: registered, answered, on time (rate), came back, resolved at once,
    watching, and the KPI's resolved-at-once rate with its basis."""
    cols = ("registered", "answered", "on_time_rate", "came_back", "resolved", "watching",
            "fr_rate")
    head = [_th(t(f"ft.col.group.{by}", lang))] + [_th(t(f"ft.col.{c}", lang), True)
                                                  for c in cols]
    rows = []
    for r in df.to_dict("records"):
        rows.append(html.Tr([
            html.Th(_name(r, by, lang), scope="row", className="bl-rowhead"),
            _num(r["registered"]), _num(r["answered"]),
            _rate_cell(r["on_time"], r["answered"], r["on_time_rate"]),
            _num(r["came_back"], "bl-bad" if r["came_back"] else ""),
            _num(r["resolved"]), _num(r["watching"]),
            _rate_cell(r["fr_ok"], r["fr_n"], r["first_resolved_rate"]),
        ], **{"data-group": r["key"]}))
    return _table(head, rows, "ft-groups", table_id=table_id)


def came_back_table(df: pd.DataFrame, lang: str, params: dict, table_id: str) -> html.Div:
    head = [_th(t(f"ft.col.{c}", lang), c == "days_after") for c in (
        "matter", "registered_on", "category", "place", "group.unit", "answered_on",
        "answer_due", "returned", "days_after")]
    rows = []
    for r in df.to_dict("records"):
        place = r["township_name"] or r["county_name"] or "—"
        rows.append(html.Tr([
            html.Td(dcc.Link(r["matter_no"], href=href("/backlog", {**params,
                                                                    "matter": r["matter_no"]})
                             + "#bl-timeline", className="mono bl-matter")),
            _date(r["registered_on"]), html.Td(i18n.category(r["category"], lang)),
            html.Td(i18n.place(place, lang)), html.Td(r["responsible_unit"] or "—"),
            _date(r["answered_on"]), _date(r["answer_due"]), _date(r["first_return_on"]),
            _num(r["days_after"], "bl-bad"),
        ], **{"data-matter": r["matter_no"]}))
    return _table(head, rows, "ft-list", table_id=table_id)


def summary_line(tot: dict, lang: str) -> html.P:
    return html.P(t("ft.summary", lang, registered=fmt_int(tot["registered"]),
                    answered=fmt_int(tot["answered"]), on_time=fmt_int(tot["on_time"]),
                    on_time_rate=fmt_rate(tot["on_time_rate"]),
                    came_back=fmt_int(tot["came_back"]), resolved=fmt_int(tot["resolved"]),
                    watching=fmt_int(tot["watching"]),
                    fr_rate=fmt_rate(tot["first_resolved_rate"]), fr_ok=fmt_int(tot["fr_ok"]),
                    fr_n=fmt_int(tot["fr_n"])),
                  className="ft-summary", id="ft-summary",
                  **{f"data-{k}": str(tot[k]) for k in first_time.COUNTS})


def download_link(period: Period, day: dt.date, flt: MatterFilter, by: str, lang: str
                  ) -> html.A:
    return html.A(t("ft.download", lang), className="button secondary", id="ft-download",
                  href=href("/export/first-time.xlsx", {
                      "from": period.start.isoformat(), "to": period.end.isoformat(),
                      "date": day.isoformat(), "unit": flt.unit, "by": by,
                      "cat": ",".join(flt.categories), "route": ",".join(flt.routes),
                      "ch": ",".join(flt.channels)}))


def blocks(scope, period: Period, day: dt.date, flt: MatterFilter, lang: str, params: dict,
           *, bys: tuple[str, ...], rows: int) -> list:
    """Summary line, a table per grouping of ``bys`` (at most ``rows`` rows each) and the
    came-back list."""
    rules = _rules()
    tot = shared_data.memo("ft_totals", first_time.first_time_totals, scope, period, day, flt,
                           rules)
    out: list = [summary_line(tot, lang)]
    if not tot["registered"] and not tot["fr_n"]:
        return out + [html.P(t("ft.empty", lang), className="empty")]
    for by in bys:
        df = shared_data.memo("ft_groups", first_time.first_time_by_group, scope, period, day,
                              flt, by, rules)
        out.append(html.H3(t(f"ft.by.{by}", lang)))
        out.append(groups_table(df.head(rows), by, lang, f"ft-groups-{by}"))
        if len(df) > rows:
            out.append(html.P(t("ft.list.limited", lang, n=fmt_int(rows),
                                total=fmt_int(len(df))), className="caption"))
    listing, total = first_time.came_back(scope, period, day, flt, rules,
                                          limit=LIST_ROWS if rows >= LIST_ROWS else 20)
    out.append(html.H3([t("ft.list.title", lang), html.Span(
        t("ft.list.count", lang, n=fmt_int(total)) if total <= len(listing)
        else t("ft.list.limited", lang, n=fmt_int(len(listing)), total=fmt_int(total)),
        className="bl-count num", id="ft-came-back-count", **{"data-total": str(total)})]))
    out.append(came_back_table(listing, lang, params, "ft-came-back") if total
               else html.P(t("ft.list.empty", lang), className="empty"))
    return out


def _rules():
    from settings import get_settings

    return get_settings().clock_rules()


def backlog_tab(scope, view, lang: str) -> list:
    """The Backlog page's 初信初访 tab (``view``: ``backlog_view.View``); the period's
    matters are judged on today (a past month's are followed after it ended)."""
    from dashboard.state import today

    as_of = today()
    by = view.extras.by
    params = view.params(matter=None)
    seg = html.Div([html.Span(t("bl.by.label", lang), className="muted")] + [
        dcc.Link(t(f"bl.by.{b}", lang), href=href("/backlog", {**params, "by": b}),
                 className="bl-seg" + (" active" if b == by else ""))
        for b in ("unit", "township", "county")], className="bl-segs")
    tools = html.Div([seg, download_link(view.period, as_of, view.flt, by, lang)],
                     className="bl-rank-tools")
    body = blocks(scope, view.period, as_of, view.flt, lang, params, bys=(by,),
                  rows=LIST_ROWS)
    return [section(t("ft.section", lang, start=i18n.fmt_date(view.period.start),
                      end=i18n.fmt_date(view.period.end)),
                    html.Div(body), caption=t("ft.caption", lang, day=i18n.fmt_date(as_of)),
                    tools=tools, sid="ft-section")]


def overview_placeholder(prefix: str) -> html.Div:
    """Where the Overview draws the section (its callback fills it)."""
    return html.Div(id=f"{prefix}-first-time", className="ft-overview")


def register_overview(prefix: str, view_or_error) -> None:
    """The Overview's callback: the section for the page's view state."""
    @dash.callback(Output(f"{prefix}-first-time", "children"), Input(f"{prefix}-state", "data"))
    def draw_first_time(raw):
        from dashboard.context import current_lang

        lang = current_lang()
        scope, view, err = view_or_error(raw, lang)
        if view is None:
            return err
        flt = view.flt
        params = {"unit": flt.unit}
        tools = download_link(view.period, view.as_of, flt, "township", lang)
        body = blocks(scope, view.period, view.as_of, flt, lang, params,
                      bys=("township", "unit"), rows=OVERVIEW_ROWS)
        return section(t("ft.section", lang, start=i18n.fmt_date(view.period.start),
                         end=i18n.fmt_date(view.period.end)),
                       html.Div(body, className="ft-grid"),
                       caption=t("ft.caption", lang, day=i18n.fmt_date(view.as_of)),
                       tools=tools,
                       sid="ft-section")
