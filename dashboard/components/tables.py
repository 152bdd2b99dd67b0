"""Tables under the map: the ranking of the areas drawn, project zones, the matter list.

Plain HTML tables (they print well for a reception day and need no grid library); numbers
right-aligned with thousands separators. The area names are buttons that drill down, so the
map can be worked from the keyboard too.
"""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard import i18n
from dashboard.i18n import t

AREA_COLUMNS = ("matters", "open", "overdue", "per_10k", "collective", "cross_level")


def _num_cell(value, decimals: int = 0) -> html.Td:
    text = i18n.fmt_num(value, decimals) if decimals else i18n.fmt_int(value)
    return html.Td(text, className="num")


def area_table(prefix: str, frame: pd.DataFrame, *, level: str, measure: str, lang: str,
               selected: str | None = None, drillable: bool = True) -> html.Div:
    """Areas of the current level, ranked by ``measure`` (largest first)."""
    title = t("table.areas.title", lang, level=i18n.level_name(level, lang),
              measure=i18n.measure(measure, lang))
    if frame is None or frame.empty:
        return html.Div([html.H2(title), html.P(t("table.empty", lang), className="empty")],
                        className="panel-table")
    d = frame.sort_values([measure, "matters"], ascending=False, na_position="last")
    head = html.Tr([html.Th(t("table.col.rank", lang), scope="col", className="num"),
                    html.Th(t("table.col.name", lang), scope="col")] +
                   [html.Th(i18n.measure(c, lang), scope="col", className="num"
                            + (" sorted" if c == measure else ""))
                    for c in AREA_COLUMNS])
    rows = []
    for rank, (code, row) in enumerate(d.iterrows(), start=1):
        name = i18n.place(row.get("name") or code, lang)
        label = html.Button(name, id={"type": f"{prefix}-arealink", "code": code},
                            className="linklike place-name", n_clicks=0,
                            title=code) if drillable else html.Span(name, title=code,
                                                                    className="place-name")
        rows.append(html.Tr(
            [html.Td(str(rank), className="num"), html.Td(label)] +
            [_num_cell(row.get(c), 1 if c == "per_10k" else 0) for c in AREA_COLUMNS],
            className="selected" if code == selected else None))
    return html.Div([
        html.H2(title),
        html.P(t("table.areas.caption", lang), className="caption") if drillable else None,
        html.Div(html.Table([html.Thead(head), html.Tbody(rows)], className="data"),
                 className="table-scroll"),
    ], className="panel-table")


def zone_table(frame: pd.DataFrame, zones: pd.DataFrame, lang: str) -> html.Div:
    """Matters per project zone for the period and filters."""
    title = t("table.zones.title", lang)
    if zones is None or zones.empty:
        return html.Div([html.H2(title), html.P(t("table.empty", lang), className="empty")],
                        className="panel-table")
    head = html.Tr([html.Th(t("table.col.zone", lang), scope="col"),
                    html.Th(t("table.col.type", lang), scope="col")] +
                   [html.Th(i18n.measure(c, lang), scope="col", className="num")
                    for c in ("matters", "open", "overdue", "collective", "cross_level")])
    rows = []
    for _i, z in zones.iterrows():
        r = frame.loc[z["code"]] if frame is not None and z["code"] in frame.index else {}
        name = z["name_en"] if lang == "en" and z.get("name_en") else z["name"]
        rows.append(html.Tr([html.Td(name, className="place-name"),
                             html.Td(i18n.zone_type(z["zone_type"], lang))] +
                            [_num_cell(r.get(c, 0) if len(r) else 0)
                             for c in ("matters", "open", "overdue", "collective",
                                       "cross_level")]))
    return html.Div([html.H2(title), html.Div(html.Table(
        [html.Thead(head), html.Tbody(rows)], className="data"), className="table-scroll")],
        className="panel-table")


def matter_list(prefix: str, frame: pd.DataFrame | None, total: int, *, unit_name: str,
                lang: str) -> html.Div:
    """The matter list of a township or village (no personal data), worst clock first."""
    title = t("table.list.title", lang, unit=unit_name)
    if frame is None:
        return html.Div([html.H2(t("table.list.title", lang, unit="—")),
                         html.P(t("table.list.pick", lang), className="empty")],
                        className="panel-table matter-list")
    if frame.empty:
        return html.Div([html.H2(title), html.P(t("table.list.empty", lang), className="empty")],
                        className="panel-table matter-list")
    cols = ("number", "registered", "category", "route", "stage", "clock", "days",
            "answer_due", "unit")
    head = html.Tr([html.Th(t(f"table.col.{c}", lang), scope="col",
                            className="num" if c == "days" else None) for c in cols])
    rows = []
    for _i, r in frame.iterrows():
        clock = r["clock"]
        rows.append(html.Tr([
            html.Td(r["matter_no"], className="mono"),
            html.Td(i18n.fmt_date(r["registered_on"]), className="num"),
            html.Td(i18n.category(r["category"], lang)),
            html.Td(i18n.route(r["route"], lang)),
            html.Td(t(f"stage.{r['stage']}", lang)),
            html.Td([html.Span(className=f"dot clock-{clock}", **{"aria-hidden": "true"}),
                     t(f"clock.{clock}", lang)], className=f"clock clock-{clock}"),
            html.Td(i18n.fmt_int(r["days_open"]), className="num"),
            html.Td(i18n.fmt_date(r["answer_due"]) if r["answer_due"] is not None
                    and not pd.isna(r["answer_due"]) else "—", className="num"),
            html.Td(r["responsible_unit"] or "—"),
        ]))
    note = t("table.list.total", lang, total=i18n.fmt_int(total))
    return html.Div([
        html.H2(title),
        html.P([t("table.list.caption", lang), " ", note], className="caption"),
        html.Div(html.Table([html.Thead(head), html.Tbody(rows)], className="data"),
                 className="table-scroll"),
    ], className="panel-table matter-list")
