"""KPI cards (DESIGN §4) with the change against the previous period.

Values come from ``queries.kpi.compute_kpis`` (the same function as the ``kpi`` command);
this module only lays them out. A card never relies on colour alone: the change carries an
arrow and a word (better / worse / no change).
"""

from __future__ import annotations

from dataclasses import dataclass

from dash import html

from dashboard import i18n
from dashboard.i18n import t
from domain.measures import CARD_KPIS


@dataclass(frozen=True)
class Card:
    key: str
    kind: str  # rate | count
    better: str  # up | down (which direction is an improvement)
    denominator: tuple[str, ...] = ()  # keys of result["counts"] summed for the "of n" line


#: The cards, generated from the KPI catalogue (``domain.measures``).
CARDS: tuple[Card, ...] = tuple(Card(k.key, k.kind, k.better, k.denominators)
                                for k in CARD_KPIS)


def format_value(card: Card, value) -> str:
    return i18n.fmt_rate(value) if card.kind == "rate" else i18n.fmt_int(value)


def _change(card: Card, cur, prev, lang: str) -> html.P:
    if cur is None or prev is None:
        return html.P(t("kpi.no_prev", lang), className="kpi-delta neutral")
    diff = cur - prev
    if abs(diff) < (0.0005 if card.kind == "rate" else 0.5):
        arrow, word, tone = "▬", t("kpi.same", lang), "neutral"
    else:
        up = diff > 0
        good = up == (card.better == "up")
        arrow = "▲" if up else "▼"
        word = t("kpi.better", lang) if good else t("kpi.worse", lang)
        tone = "good" if good else "bad"
    amount = i18n.fmt_pp(diff, lang) if card.kind == "rate" else i18n.fmt_delta(diff)
    return html.P([html.Span(arrow, className="kpi-arrow", **{"aria-hidden": "true"}),
                   html.Span(f"{amount} ", className="num"),
                   html.Span(word)],
                  className=f"kpi-delta {tone}")


def kpi_card(card: Card, current: dict, previous: dict | None, lang: str) -> html.Div:
    value = current.get(card.key)
    prev = previous.get(card.key) if previous else None
    counts = current.get("counts", {})
    foot = ""
    if card.denominator:
        den = sum(int(counts.get(k, 0)) for k in card.denominator)
        foot = t("kpi.of", lang, n=i18n.fmt_int(den)) if den else t("kpi.no_data", lang)
    elif card.key == "collective_visits":
        foot = t("kpi.persons", lang, n=i18n.fmt_int(current.get("collective_persons")))
    label = t(f"kpi.{card.key}", lang)
    return html.Div([
        html.H3(label, className="kpi-label"),
        html.P(format_value(card, value), className="kpi-value num",
               **{"data-kpi": card.key, "data-raw": "" if value is None else repr(value)}),
        _change(card, value, prev, lang),
        html.P(foot, className="kpi-foot num"),
    ], className="kpi-card", role="group", **{"aria-label": label})


def kpi_cards(current: dict, previous: dict | None, lang: str) -> list:
    """One card per DESIGN §4 measure, in a fixed order."""
    return [kpi_card(c, current, previous, lang) for c in CARDS]


def kpi_section(current: dict, previous: dict | None, lang: str, *, caption: str) -> list:
    """The caption (periods compared, as-of date) and the grid of cards."""
    return [html.P(caption, className="caption kpi-caption"),
            html.Div(kpi_cards(current, previous, lang), className="kpi-grid")]
