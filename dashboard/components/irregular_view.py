"""非访 Irregular petitions (issue 16 items 2–3): the Stability page's section (by month and
received level, by township and responsible unit, the national ones of the last 30 days)
and the Backlog page's yellow cards for irregular petitions beside the handling-time cards.

Counted, never tracked: rows name submissions, matters, places and responsible units, never
a person. Pure builders over ``queries.irregular`` (no SQL here).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from dash import dcc, html

from briefing.exports import card_reason
from dashboard import data as shared_data
from dashboard import (
    i18n,
    strings_plan,  # noqa: F401  (registers the strings)
)
from dashboard.components.backlog_shell import badge, href
from dashboard.components.backlog_tables import _date, _num, _table, _th, section
from dashboard.i18n import fmt_date, fmt_int, t
from dashboard.wall_data import last_12_months
from domain.plan import irregular_card_rules
from queries import irregular
from queries.filters import MatterFilter, Period

LEVELS = irregular.LEVELS
LIST_ROWS = 50


def level_head(first: str, lang: str) -> list:
    return [_th(first)] + [_th(t(f"irr.level.{lvl}", lang), True) for lvl in LEVELS] + [
        _th(t("irr.total", lang), True)]


def _level_cells(r: dict) -> list:
    return [_num(r[lvl], "bl-bad" if lvl == "national" and r[lvl] else "") for lvl in LEVELS] + [
        _num(r["total"])]


def months_table(df: pd.DataFrame, lang: str) -> html.Div:
    rows = [html.Tr([html.Th(fmt_date(r["month"])[:7], scope="row", className="num"),
                     *_level_cells(r)], **{"data-month": fmt_date(r["month"])[:7]})
            for r in df.to_dict("records")]
    total = {lvl: int(df[lvl].sum()) for lvl in (*LEVELS, "total")}
    rows.append(html.Tr([html.Th(t("irr.total", lang), scope="row"), *_level_cells(total)],
                        className="bl-total", **{"data-month": "total"}))
    return _table(level_head(t("irr.col.month", lang), lang), rows, "irr-months",
                  table_id="irr-months")


def groups_table(df: pd.DataFrame, by: str, lang: str) -> html.Div:
    rows = []
    for r in df.to_dict("records"):
        name = (r["name"] or t("irr.none_unit", lang)) if by == "unit" else \
            i18n.place(r["name"] or r["key"] or "—", lang)
        rows.append(html.Tr([html.Th(name, scope="row", className="bl-rowhead"),
                             *_level_cells(r)], **{"data-group": r["key"]}))
    return _table(level_head(t(f"irr.col.{by}", lang), lang), rows, f"irr-{by}",
                  table_id=f"irr-by-{by}")


def list_table(items: list[dict], lang: str) -> html.Div:
    head = [_th(t(f"irr.col.{c}", lang)) for c in ("day", "level", "place", "unit", "matter",
                                                   "no")]
    rows = [html.Tr([_date(r["received_on"]), html.Td(t(f"irr.level.{r['received_level']}",
                                                        lang)),
                     html.Td(i18n.place(r["township_name"] or r["county_name"] or "—", lang)),
                     html.Td(r["responsible_unit"] or "—"),
                     html.Td(r["matter_no"], className="mono"),
                     html.Td(r["submission_no"], className="mono")],
                    **{"data-submission": r["submission_no"]}) for r in items]
    return _table(head, rows, "irr-list", table_id="irr-national")


def stability_section(scope, day: dt.date, unit: str | None, lang: str) -> html.Section:
    """The Stability page's 非访 section for ``scope`` (narrowed to ``unit``) on ``day``."""
    flt = MatterFilter(unit=unit)
    month = Period.month(day.year, day.month)
    year = last_12_months(day)
    by_month = shared_data.memo("irr_months", irregular.irregular_by_month, scope, year, day,
                                flt)
    towns = shared_data.memo("irr_towns", irregular.irregular_by_group, scope, month, day, flt,
                             "township")
    units = shared_data.memo("irr_units", irregular.irregular_by_group, scope, month, day, flt,
                             "unit")
    national = irregular.irregular_list(scope, day - dt.timedelta(days=29), day, flt,
                                        levels=("national",), limit=LIST_ROWS)
    link = dcc.Link(t("irr.cards.link", lang), href=href("/backlog", {
        "tab": "ranking", "unit": unit}) + "#irr-cards-section", className="button secondary")
    body = [
        html.H3(t("irr.months", lang)), months_table(by_month, lang),
        html.Div([
            html.Div([html.H3(t("irr.by_township", lang)),
                      groups_table(towns.head(LIST_ROWS), "township", lang) if len(towns)
                      else html.P(t("irr.empty", lang), className="empty")]),
            html.Div([html.H3(t("irr.by_unit", lang)),
                      groups_table(units.head(LIST_ROWS), "unit", lang) if len(units)
                      else html.P(t("irr.empty", lang), className="empty")]),
        ], className="grid-two"),
        html.H3([t("irr.national", lang), html.Span(" " + fmt_int(len(national)),
                                                    className="bl-count num")]),
        list_table(national, lang) if national
        else html.P(t("irr.national.none", lang), className="empty good"),
        html.P(t("irr.privacy", lang), className="caption"),
    ]
    return html.Section([
        html.Div([html.H2(t("irr.section", lang)), html.Div(link, className="no-print")],
                 className="section-head"),
        html.P(t("irr.caption", lang, day=fmt_date(day)), className="caption"),
        *body], className="panel stab-section", id="irregular")


# --- the yellow cards for irregular petitions (非访黄牌) -----------------------------------------

def cards_table(cards: pd.DataFrame, lang: str) -> html.Div:
    rules = irregular_card_rules()
    head = [_th(t("card.irr.col.kind", lang)), _th(t("card.irr.col.unit", lang))] + [
        _th(t(f"irr.level.{lvl}", lang), True) for lvl in LEVELS] + [
        _th(t("irr.total", lang), True), _th(t("card.irr.col.reason", lang))]
    rows = []
    for r in cards.to_dict("records"):
        name = r["name"] if r["kind"] == "unit" else i18n.place(r["name"], lang)
        rows.append(html.Tr([
            html.Td(t(f"card.irr.kind.{r['kind']}", lang)),
            html.Th([badge("irr_card", lang, t("card.irr.name", lang)), " ", name],
                    scope="row", className="bl-rowhead"),
            *_level_cells(r), html.Td(card_reason(r, rules, lang)),
        ], className="is-yellow", **{"data-unit": r["key"], "data-kind": r["kind"]}))
    return _table(head, rows, "irr-cards", table_id="irr-cards")


def month_of(period: Period, day: dt.date) -> Period:
    """The cards' month: the month of the reference day (the period's last, up to today)."""
    return Period.month(day.year, day.month) if period.end >= day else \
        Period.month(period.end.year, period.end.month)


def cards_section(scope, period: Period, day: dt.date, flt: MatterFilter, lang: str
                  ) -> html.Section:
    """The month's 非访黄牌 with their reasons and the notice's XLSX download."""
    month = month_of(period, day)
    rules = irregular_card_rules()
    cards = irregular.irregular_cards(scope, month, day, flt, rules)
    label = fmt_date(month.start)[:7]
    link = html.A(t("card.irr.download", lang), className="button secondary",
                  id="irr-cards-download",
                  href=href("/export/irregular-cards.xlsx", {
                      "month": month.key, "date": day.isoformat(), "unit": flt.unit}))
    return section(
        t("card.irr.section", lang, month=label),
        html.Div([html.P(t("card.irr.rule", lang, national=rules.national, any=rules.any_level),
                         className="bl-yellow-list"),
                  cards_table(cards, lang) if len(cards)
                  else html.P(t("card.irr.empty", lang), className="empty")]),
        caption=t("card.irr.caption", lang), tools=link, sid="irr-cards-section",
        count=t("card.irr.count", lang, n=fmt_int(len(cards))))


def card_count(scope, period: Period, day: dt.date, flt: MatterFilter) -> int:
    """How many units hold this month's 非访黄牌 (the Backlog page's tile)."""
    month = month_of(period, day)
    return len(shared_data.memo("irr_cards", irregular.irregular_cards, scope, month, day, flt,
                                irregular_card_rules()))
