"""XLSX files of the work plan's views (issue 16): the first-time matters and the monthly
notice of yellow cards for irregular petitions, laid out as briefing documents.

Every workbook written for these views goes through :func:`write_xlsx` — one small function,
so the writer can be switched (for a sanitising writer) in one place. It uses the
briefing's XLSX renderer, which already writes strings as strings (never as formulas).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from briefing.document import Column, Document, Paragraph, Section, Table
from briefing.plan_strings import s
from domain.enums import CATEGORIES
from domain.plan import IrregularCardRules
from queries.geography import localise_place
from queries.irregular import LEVELS


def write_xlsx(doc: Document, facts: list[tuple[str, str]] = ()) -> bytes:
    """``doc`` as XLSX bytes: the one place the work-plan views write a workbook."""
    from briefing.xlsx import to_xlsx

    return to_xlsx(doc, list(facts))


def _doc(lang: str, title: str, meta: list[str], blocks: list, generated: dt.date,
         notes: list[str] = ()) -> Document:
    return Document(lang=lang, title=title, subtitle="", meta=meta, header=title,
                    generated=generated.isoformat(),
                    sections=[Section("main", title, blocks)], notes=list(notes))


def _category(code, lang: str) -> str:
    pair = CATEGORIES.get(code)
    return (pair[1] if lang == "en" else pair[0]) if pair else str(code or "")


def _group_name(r: dict, by: str, lang: str) -> str:
    if by == "unit":
        return r["name"] or s("irr.none_unit", lang)
    return localise_place(r["name"] or r["key"] or "—", lang)


# --- first-time matters (初信初访) ---------------------------------------------------------------

def first_time_tables(groups: pd.DataFrame, listing: pd.DataFrame, by: str, lang: str
                      ) -> list[Table]:
    """The group table and the came-back list as document tables (the page's columns)."""
    rows = [[_group_name(r, by, lang), r["registered"], r["answered"], r["on_time"],
             r["on_time_rate"], r["came_back"], r["resolved"], r["watching"], r["fr_n"],
             r["fr_ok"], r["first_resolved_rate"]] for r in groups.to_dict("records")]
    cols = [Column(s(f"ft.col.group.{by}", lang), width=2.4)] + [
        Column(s(f"ft.col.{c}", lang), kind) for c, kind in (
            ("registered", "int"), ("answered", "int"), ("on_time", "int"),
            ("on_time_rate", "rate"), ("came_back", "int"), ("resolved", "int"),
            ("watching", "int"), ("fr_n", "int"), ("fr_ok", "int"), ("fr_rate", "rate"))]
    items = [[r["matter_no"], r["registered_on"], _category(r["category"], lang),
              localise_place(r["township_name"] or r["county_name"] or "—", lang),
              r["responsible_unit"] or "", r["answered_on"], r["answer_due"],
              r["first_return_on"], r["days_after"]] for r in listing.to_dict("records")]
    list_cols = [Column(s(f"ft.col.{c}", lang), kind) for c, kind in (
        ("matter", "text"), ("registered_on", "date"), ("category", "text"),
        ("place", "text"), ("group.unit", "text"), ("answered_on", "date"),
        ("answer_due", "date"), ("returned", "date"), ("days_after", "int"))]
    return [Table("first-time", s("ft.sheet.groups", lang), cols, rows,
                  sheet=s("ft.sheet.groups", lang)),
            Table("came-back", s("ft.list.title", lang), list_cols, items,
                  sheet=s("ft.sheet.list", lang))]


def first_time_workbook(groups: pd.DataFrame, listing: pd.DataFrame, by: str, start: dt.date,
                        end: dt.date, as_of: dt.date, jurisdiction: str, lang: str) -> bytes:
    """The first-time matters of a period as XLSX: per group, and the matters that came back."""
    title = s("ft.title", lang, start=start, end=end)
    doc = _doc(lang, title, [jurisdiction, f"{as_of.isoformat()}"],
               first_time_tables(groups, listing, by, lang), as_of, [s("ft.note", lang)])
    return write_xlsx(doc, [("start", start.isoformat()), ("end", end.isoformat()),
                            ("as_of", as_of.isoformat()), ("by", by), ("lang", lang)])


# --- yellow cards for irregular petitions (非访黄牌) ---------------------------------------------

def card_reason(r: dict, rules: IrregularCardRules, lang: str) -> str:
    """Why the card was given, in words (one reason or both)."""
    parts = []
    if "national" in r["reasons"]:
        parts.append(s("card.irr.reason.national", lang, n=r["national"], t=rules.national))
    if "count" in r["reasons"]:
        parts.append(s("card.irr.reason.count", lang, n=r["total"], t=rules.any_level))
    return ("; " if lang == "en" else "；").join(parts)


def card_rows(cards: pd.DataFrame, rules: IrregularCardRules, lang: str) -> list[list]:
    """``[kind, unit, counts per level…, total, reason]`` per card."""
    out = []
    for r in cards.to_dict("records"):
        name = r["name"] if r["kind"] == "unit" else localise_place(r["name"], lang)
        out.append([s(f"card.irr.kind.{r['kind']}", lang), name, *[r[lvl] for lvl in LEVELS],
                    r["total"], card_reason(r, rules, lang)])
    return out


def card_columns(lang: str) -> list[Column]:
    return [Column(s("card.irr.col.kind", lang)), Column(s("card.irr.col.unit", lang), width=2.4),
            *[Column(s(f"irr.level.{lvl}", lang), "int") for lvl in LEVELS],
            Column(s("irr.total", lang), "int"),
            Column(s("card.irr.col.reason", lang), width=2.6)]


def cards_workbook(cards: pd.DataFrame, listing: list[dict], month_label: str, month_key: str,
                   as_of: dt.date, jurisdiction: str, rules: IrregularCardRules,
                   lang: str) -> bytes:
    """The monthly notice (非访黄牌警告通报) as XLSX: the cards with their reasons, and the
    month's irregular submissions behind them (by submission and matter, never by person)."""
    title = s("card.irr.title", lang, month=month_label)
    items = [[r["received_on"], s(f"irr.level.{r['received_level']}", lang),
              localise_place(r["township_name"] or r["county_name"] or "—", lang),
              r["responsible_unit"] or "", r["matter_no"], r["submission_no"]] for r in listing]
    blocks = [
        Paragraph(s("card.irr.rule", lang, national=rules.national, any=rules.any_level), "lead"),
        Table("cards", title, card_columns(lang), card_rows(cards, rules, lang),
              empty=s("card.irr.empty", lang), sheet=s("card.irr.sheet", lang)),
        Table("irregular", s("card.irr.list_sheet", lang),
              [Column(s("irr.col.day", lang), "date"), Column(s("irr.col.level", lang)),
               Column(s("irr.col.place", lang)), Column(s("irr.col.unit", lang)),
               Column(s("irr.col.matter", lang)), Column(s("irr.col.no", lang))],
              items, sheet=s("card.irr.list_sheet", lang)),
    ]
    doc = _doc(lang, title, [jurisdiction, as_of.isoformat()], blocks, as_of,
               [s("card.irr.rule", lang, national=rules.national, any=rules.any_level),
                s("irr.privacy", lang)])
    return write_xlsx(doc, [("month", month_key), ("as_of", as_of.isoformat()),
                            ("cards", str(len(cards))), ("lang", lang)])
