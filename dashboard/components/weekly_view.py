"""每周预警信息 The weekly early-warning report on the Stability page (issue 16 item 4): a week
picker, the week's headline figures (``queries.weekly.figures``, computed exactly as the
files are: same scope, same moment) and the PDF / Word / Excel downloads.
"""

from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, dcc, html

from dashboard import data as shared_data
from dashboard import (
    i18n,
    strings_plan,  # noqa: F401  (registers the strings)
)
from dashboard.components.backlog_shell import href
from dashboard.i18n import fmt_int, t
from domain.plan import week_key
from queries import weekly

P = "st"
WEEKS = 8


def week_options(day: dt.date, lang: str) -> list[dict]:
    """The running week and the seven before it, newest first."""
    out = []
    for i in range(WEEKS):
        key = week_key(day - dt.timedelta(days=7 * i))
        mon, sun, _ = weekly.week_moment(key)
        out.append({"label": t("wk.page.week.option", lang, week=key, start=mon.isoformat(),
                               end=sun.isoformat()), "value": key})
    return out


def report_unit(scope, unit: str | None) -> str | None:
    """The unit the report is made for (as the download: ``briefing.service.resolve_unit``),
    None when the caller must pick one."""
    from briefing.service import BriefingError, BriefingRefused, resolve_unit

    try:
        return resolve_unit(scope, unit)
    except (BriefingError, BriefingRefused):
        return None


def _figures(scope, week: str, moment: dt.datetime) -> dict:
    return weekly.figures(weekly.gather(scope, week, now=moment))


def figures_for(scope, unit: str | None, week: str, now: dt.datetime) -> tuple[dict, dt.datetime,
                                                                             str | None]:
    """(figures, moment, unit) of the week for the caller — the numbers the files print."""
    from briefing.service import briefing_scope

    code = report_unit(scope, unit)
    if code is None:
        return {}, now, None
    _mon, _sun, moment = weekly.week_moment(week, now)
    figs = shared_data.memo("wk_figures", _figures, briefing_scope(code), week, moment)
    return figs, moment, code


def body(scope, unit: str | None, week: str, now: dt.datetime, lang: str) -> list:
    figs, moment, code = figures_for(scope, unit, week, now)
    if code is None:
        return [html.P(t("error.no_scope", lang), className="empty")]
    rows = [html.Tr([html.Th(t(f"wk.fig.{k}", lang), scope="row"),
                     html.Td(fmt_int(figs[k]), className="num")], **{"data-figure": k})
            for k in weekly.FIGURE_KEYS]
    links = [html.A(t(f"wk.page.{fmt}", lang), className="button secondary",
                    id=f"{P}-wk-{fmt}", href=href(f"/export/weekly-warnings.{fmt}", {
                        "week": week, "unit": code, "lang": lang}))
             for fmt in ("pdf", "docx", "xlsx")]
    return [html.P(t("wk.page.asof", lang, moment=moment.strftime("%Y-%m-%d %H:%M")),
                   className="caption num", id=f"{P}-wk-asof"),
            html.Div(html.Table(html.Tbody(rows), className="data wk-figures",
                                id=f"{P}-wk-figures", style={"maxWidth": "40rem"}),
                     className="table-scroll"),
            html.Div(links, className="form-actions no-print")]


def section(scope, unit: str | None, now: dt.datetime, lang: str) -> html.Section:
    options = week_options(now.date(), lang)
    default = options[1]["value"]  # the last whole week
    return html.Section([
        html.H2(t("wk.page.title", lang)),
        html.P(t("wk.page.caption", lang), className="caption"),
        html.Div([html.Label(t("wk.page.week", lang), htmlFor=f"{P}-week"),
                  dcc.Dropdown(id=f"{P}-week", options=options, value=default,
                               clearable=False, searchable=False,
                               style={"minWidth": "24rem"})],
                 className="field w-wide no-print"),
        html.Div(body(scope, unit, default, now, lang), id=f"{P}-wk-body"),
    ], className="panel stab-section", id="weekly")


@dash.callback(Output(f"{P}-wk-body", "children"), Input(f"{P}-week", "value"),
               State(f"{P}-unit", "data"), prevent_initial_call=True)
def draw_week(week, unit):
    from dashboard.context import current_lang, current_scope
    from dashboard.wall_data import office_now
    from domain.plan import parse_week

    lang = current_lang()
    scope = current_scope()
    try:
        parse_week(week)
    except (ValueError, TypeError):
        return dash.no_update
    if scope.is_empty:
        return [html.P(t("error.no_scope", lang), className="empty")]
    return body(scope, unit, week, office_now(), i18n.norm_lang(lang))
