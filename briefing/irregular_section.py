"""The monthly briefing's section on irregular petitions (非正常上访; issue 16 item 2): the
period's irregular submissions by month and received level, by township and by responsible
unit, and the yellow cards for irregular petitions of its last month, with their reasons.
Counted by submission and matter, never by person.
"""

from __future__ import annotations

import datetime as dt

from briefing.document import Column, Paragraph, Table
from briefing.exports import card_columns, card_rows
from briefing.plan_strings import s
from briefing.reception_days import period_label
from domain.plan import irregular_card_rules
from queries import irregular
from queries.filters import MatterFilter, Period
from queries.geography import localise_place

LEVELS = irregular.LEVELS
ROWS = 30


def gather(scope, period: Period, as_of: dt.date, flt: MatterFilter) -> dict:
    """What the section shows, read with the briefing's scope."""
    day = min(period.end, as_of)
    last = Period.month(day.year, day.month)
    rules = irregular_card_rules()
    return {"totals": irregular.irregular_totals(scope, period, as_of, flt),
            "by_month": irregular.irregular_by_month(scope, period, as_of, flt),
            "by_township": irregular.irregular_by_group(scope, period, as_of, flt, "township"),
            "by_unit": irregular.irregular_by_group(scope, period, as_of, flt, "unit"),
            "card_month": last, "rules": rules,
            "cards": irregular.irregular_cards(scope, last, as_of, flt, rules)}


def _levels(label: str, lang: str) -> list[Column]:
    return [Column(label, width=2.2), *[Column(s(f"irr.level.{lvl}", lang), "int")
                                        for lvl in LEVELS], Column(s("irr.total", lang), "int")]


def blocks(irr: dict, lang: str) -> list:
    tot = irr["totals"]
    months = [[f"{r['month']:%Y-%m}", *[r[lvl] for lvl in LEVELS], r["total"]]
              for r in irr["by_month"].to_dict("records")]
    towns = [[localise_place(r["name"] or r["key"] or "—", lang), *[r[lvl] for lvl in LEVELS],
              r["total"]] for r in irr["by_township"].head(ROWS).to_dict("records")]
    units = [[r["name"] or s("irr.none_unit", lang), *[r[lvl] for lvl in LEVELS], r["total"]]
             for r in irr["by_unit"].head(ROWS).to_dict("records")]
    rules = irr["rules"]
    month_cols = _levels(s("irr.col.month", lang), lang)
    return [
        Paragraph(s("br.irr.lead", lang, **tot), "lead"),
        Table("irr-month", s("br.irr.by_month", lang), month_cols, months,
              caption=s("irr.privacy", lang), sheet=s("br.sheet.irr_month", lang)),
        Table("irr-township", s("br.irr.by_township", lang),
              _levels(s("irr.col.township", lang), lang), towns,
              sheet=s("br.sheet.irr_township", lang)),
        Table("irr-unit", s("br.irr.by_unit", lang), _levels(s("irr.col.unit", lang), lang),
              units, sheet=s("br.sheet.irr_unit", lang)),
        Table("irr-cards", s("br.irr.cards", lang, month=period_label(irr["card_month"], lang)),
              card_columns(lang), card_rows(irr["cards"], rules, lang),
              caption=s("card.irr.rule", lang, national=rules.national, any=rules.any_level),
              empty=s("card.irr.empty", lang), sheet=s("br.sheet.irr_cards", lang)),
    ]
