"""The wall screen's panels (``/wall``), as pure functions of a snapshot
(:mod:`dashboard.wall_data`) and a language: the page builds its layout with them and its
refresh callback replaces the panels with them. No data access, no personal data.

Every text is at least 1rem (28 px at 1920×1080, see ``assets/wall.css``); status is never
carried by colour alone (icons and words too).
"""

from __future__ import annotations

from dash import html

from dashboard import (
    i18n,
    strings_plan,  # noqa: F401  (registers the strings)
    strings_stability,  # noqa: F401  (registers the strings)
)
from dashboard.components.kpi_cards import CARDS, kpi_card
from dashboard.components.warnings import warning_text
from dashboard.i18n import t

PANELS = ("map", "kpi", "backlog", "stability", "warnings")
#: The symbol of each traffic light on a KPI tile (the legend names them).
LIGHT_SYMBOLS = {"green": "✓", "amber": "!", "red": "✕", "none": "–"}
#: Choropleth classes on the dark theme: navy to cyan (few → many matters per 10,000).
DARK_RAMP = ("#123a63", "#17609a", "#1f8fc4", "#2bbbd9", "#7ff0ff")
NODATA = "#1b2a44"


def national_irregular(snap: dict | None) -> int:
    """Irregular submissions received in Beijing in the warnings' look-back (非访进京): each
    an immediate warning."""
    irr = ((snap or {}).get("stability") or {}).get("irregular") or {}
    return int(irr.get("national_recent") or 0)


def panel_order(snap: dict | None) -> list[str]:
    """The rotation: the warnings first while a national irregular submission is on them
    (reported at once), else stability first during a sensitive period."""
    if national_irregular(snap):
        return ["warnings", *[p for p in PANELS if p != "warnings"]]
    if snap and snap.get("sensitive"):
        return ["stability", *[p for p in PANELS if p != "stability"]]
    return list(PANELS)


# --- formatting ----------------------------------------------------------------------------

def _ratio(value, lang: str) -> str:
    if value is None:
        return t("stab.flag.new", lang)
    return t("wall.ratio", lang, r=f"{value:.1f}")


def _period_name(p: dict, lang: str) -> str:
    return (p.get("name_en") or p["name"]) if lang == "en" else p["name"]


def banner_children(snap: dict | None, lang: str) -> tuple[list, str]:
    """The header's banner and its class: a red alert while a national irregular submission
    is among the warnings (on every panel, at once), else the sensitive period."""
    if not snap:
        return [], "wall-banner"
    n_irr = national_irregular(snap)
    if n_irr:
        return [html.Span("▲", className="wall-banner-icon", **{"aria-hidden": "true"}),
                html.Span(t("wall.alert.irregular", lang, n=n_irr))], "wall-banner alert"
    p = snap.get("period")
    if p:
        text = t("wall.banner.active", lang, name=_period_name(p, lang),
                 day=p.get("day_no", "—"), left=p.get("days_left", "—"))
        return [html.Span("▲", className="wall-banner-icon", **{"aria-hidden": "true"}),
                html.Span(text)], "wall-banner active"
    n = snap.get("next_period")
    if n:
        return [html.Span("●", className="wall-banner-icon", **{"aria-hidden": "true"}),
                html.Span(t("wall.banner.upcoming", lang, name=_period_name(n, lang),
                            start=n["starts_on"], days=n.get("days_until", "—")))], \
            "wall-banner upcoming"
    return [html.Span(t("banner.none", lang))], "wall-banner calm"


def asof_text(snap: dict | None, lang: str) -> str:
    if not snap:
        return t("wall.error", lang)
    stamp = snap["computed_at"].replace("T", " ")[:19]
    return f"{t('wall.asof', lang)} {stamp}"


def _figure(label: str, value: str, sub: str | None = None, tone: str = "") -> html.Div:
    return html.Div([html.Div(label, className="wall-fig-label"),
                     html.Div(value, className="wall-fig-value num"),
                     html.Div(sub or "\u00a0", className="wall-fig-sub")],
                    className=f"wall-fig {tone}".strip())


def _bar(value: int, top: int, tone: str = "") -> html.Div:
    width = 0 if not top else max(2.0, 100.0 * value / top)
    return html.Div(html.Div(className=f"wall-bar-fill {tone}".strip(),
                             style={"width": f"{width:.1f}%"}), className="wall-bar")


# --- panels --------------------------------------------------------------------------------

def map_side(snap: dict, lang: str) -> tuple[list, list]:
    """The columns left and right of the map."""
    k = snap["kpi"]["current"]
    counts = k.get("counts", {})
    left = [
        html.H3(t("wall.map.month", lang, month=snap["kpi"]["month"]), className="wall-h3"),
        _figure(t("wall.fig.submissions", lang), i18n.fmt_int(counts.get("subs"))),
        _figure(t("wall.fig.collective", lang),
                f"{i18n.fmt_int(k.get('collective_visits'))} {t('m.unit.batches', lang)}",
                f"{i18n.fmt_int(k.get('collective_persons'))} {t('m.unit.persons', lang)}"),
        _figure(t("wall.fig.overdue", lang), i18n.fmt_int(k.get("overdue_open")),
                tone="bad" if k.get("overdue_open") else ""),
        _figure(t("wall.fig.backlog", lang), i18n.fmt_int(k.get("backlog_open"))),
        _figure(t("wall.fig.warnings", lang), i18n.fmt_int(snap["warning_counts"]["total"]),
                f"{t('sev.red', lang)} {i18n.fmt_int(snap['warning_counts']['red'])}",
                tone="bad" if snap["warning_counts"]["red"] else ""),
    ]
    top = snap["map"]["top_overdue"]
    peak = max((r["overdue"] for r in top), default=0)
    rows = [html.Li([html.Span(str(i), className="wall-rank num"),
                     html.Span(i18n.place(r["name"], lang), className="wall-name"),
                     _bar(r["overdue"], peak, "red"),
                     html.Span(i18n.fmt_int(r["overdue"]), className="wall-val num")],
                    className="wall-row") for i, r in enumerate(top, start=1)]
    hot_names = [snap["map"]["names"].get(c, c) for c, cls in sorted(snap["map"]["hot"].items())
                 if cls.startswith("hot")]
    right = [
        html.H3(t("wall.map.top", lang), className="wall-h3"),
        html.Ol(rows or [html.Li(t("wall.map.none", lang), className="wall-row")],
                className="wall-list"),
        html.H3(t("wall.map.hot", lang), className="wall-h3"),
        html.P("、".join(hot_names[:8]) if hot_names else t("wall.map.none", lang),
               className="wall-hot-names"),
    ]
    return left, right


def _breaks(values: list[float]) -> list[float]:
    from dashboard.components.legend import class_breaks

    return class_breaks(values, k=len(DARK_RAMP))


def map_hideouts(snap: dict) -> tuple[dict, dict]:
    """The choropleth's and the hotspot outline layer's hideout."""
    values = {c: v for c, v in snap["map"]["values"].items()}
    breaks = _breaks([v for v in values.values() if v is not None])
    n = len(breaks)
    colors = [DARK_RAMP[round(i * (len(DARK_RAMP) - 1) / max(n - 1, 1))] for i in range(n)] \
        if n > 1 else list(DARK_RAMP[2:3]) * n
    choro = {"values": values, "text": {}, "breaks": breaks, "colors": colors,
             "nodata": NODATA, "selected": "", "label": "", "selectedColor": "#ffffff"}
    return choro, {"classes": snap["map"]["hot"]}


def map_legend(snap: dict, lang: str) -> list:
    choro, _hot = map_hideouts(snap)
    swatches = [html.Span(className="wall-swatch", style={"background": c})
                for c in choro["colors"]]
    return [
        html.Span(t("wall.map.legend.low", lang)), *swatches,
        html.Span(t("wall.map.legend.high", lang)),
        html.Span(className="wall-swatch hot"), html.Span(t("wall.map.legend.hot", lang)),
        html.Span(className="wall-swatch cold"), html.Span(t("wall.map.legend.cold", lang)),
        html.Span(className="wall-swatch zone"), html.Span(t("wall.map.legend.zone", lang)),
    ]


def kpi_panel(snap: dict, lang: str) -> list:
    """The KPI cards of the Overview (``kpi_card``), each with a traffic light."""
    k = snap["kpi"]
    tiles = []
    for card in CARDS:
        light = k["lights"].get(card.key, "none")
        # The light's word is in the legend under the board; the tile carries its symbol
        # (never colour alone, DESIGN §11) so the label keeps the tile's width.
        tiles.append(html.Div([
            html.Div([html.Span(className=f"wall-light {light}", **{"aria-hidden": "true"}),
                      html.Span(LIGHT_SYMBOLS[light], title=t(f"light.{light}", lang),
                                **{"aria-label": t(f"light.{light}", lang)})],
                     className=f"wall-light-row {light}"),
            kpi_card(card, k["current"], k["previous"], lang),
        ], className=f"wall-kpi light-{light}", **{"data-light": light}))
    return [html.H2(t("wall.kpi.title", lang, month=k["month"], prev=k["prev_month"]),
                    className="wall-h2"),
            html.Div(tiles, className="wall-kpi-grid"),
            html.P(t("wall.kpi.lights", lang), className="wall-note")]


def backlog_panel(snap: dict, lang: str) -> list:
    b = snap["backlog"]
    peak = max((r["backlog"] for r in b["rows"]), default=0)
    head = html.Tr([html.Th(t("wall.backlog.col.town", lang)),
                    html.Th(t("wall.backlog.col.backlog", lang), colSpan=2),
                    html.Th(t("wall.backlog.col.gaps", lang), className="num"),
                    html.Th(t("wall.backlog.col.overdue", lang), className="num")])
    rows = [html.Tr([html.Td(i18n.place(r["name"], lang), className="wall-name"),
                     html.Td(_bar(r["backlog"], peak, "amber"), className="wall-bar-cell"),
                     html.Td(i18n.fmt_int(r["backlog"]), className="num"),
                     html.Td(i18n.fmt_int(r["package_gaps"]),
                             className="num" + (" bad" if r["package_gaps"] else "")),
                     html.Td(i18n.fmt_int(r["overdue"]), className="num")])
            for r in b["rows"]]
    totals = b["totals"]
    return [
        html.H2(t("wall.backlog.title", lang), className="wall-h2"),
        html.P(t("wall.backlog.total", lang, backlog=i18n.fmt_int(totals["backlog"]),
                 gaps=i18n.fmt_int(totals["package_gaps"]),
                 overdue=i18n.fmt_int(totals["overdue"])), className="wall-lead num"),
        html.Table([html.Thead(head), html.Tbody(rows)], className="wall-table")
        if rows else html.P(t("wall.backlog.empty", lang), className="wall-empty"),
    ]


def _influx_tile(key: str, item: dict, persons: dict | None, lang: str) -> html.Div:
    unit = t("m.unit.batches" if key == "collective" else "m.unit.items", lang)
    ratio = item.get("ratio")
    up = item["cur"] > item["base"]
    arrow = "▲" if up else ("▼" if item["cur"] < item["base"] else "▬")
    tone = "bad" if item.get("rise") else ""
    sub = f"{arrow} {t('stab.col.base', lang)} {i18n.fmt_int(item['base'])} · " \
          f"{_ratio(ratio, lang)}"
    if item.get("rise"):
        sub += f" · {t('stab.flag.rise', lang)}"
    value = f"{i18n.fmt_int(item['cur'])} {unit}"
    if persons:
        value += f" / {i18n.fmt_int(persons['cur'])} {t('m.unit.persons', lang)}"
    return _figure(t(f"m.{key}", lang), value, sub, tone)


def _irregular_tile(irr: dict | None, lang: str) -> list:
    """This month's irregular submissions by received level; red when any was in Beijing."""
    if not irr:  # a snapshot from before the figure existed
        return []
    m = irr["month"]
    tone = "bad" if m.get("national") or irr.get("national_recent") else ""
    value = f"{i18n.fmt_int(m.get('total'))} {t('m.unit.items', lang)}"
    sub = t("wall.irr.national", lang, n=i18n.fmt_int(m.get("national"))) + " · " + t(
        "wall.irr.levels", lang, province=i18n.fmt_int(m.get("province")),
        city=i18n.fmt_int(m.get("city")), county=i18n.fmt_int(m.get("county")))
    return [html.Div(_figure(t("wall.stab.irregular", lang), value, sub, tone),
                     id="wall-irregular", **{"data-national": str(m.get("national", 0)),
                                             "data-total": str(m.get("total", 0))})]


def stability_panel(snap: dict, lang: str) -> list:
    s = snap["stability"]
    window = t("wall.stab.window.period" if snap.get("sensitive") else "wall.stab.window.last7",
               lang)
    w = s["window"]
    tot = s["totals"]
    influx = [
        html.H3(t("wall.stab.influx", lang, window=window), className="wall-h3"),
        html.P(t("stab.compare", lang, cs=w["cs"], ce=w["ce"], days=w["days"], bs=w["bs"],
                 be=w["be"]) if w["days"] else t("stab.compare.empty", lang),
               className="wall-note"),
        _influx_tile("submissions", tot["submissions"], None, lang),
        _influx_tile("collective", tot["collective"], tot["collective_persons"], lang),
        _influx_tile("cross_level", tot["cross_level"], None, lang),
        _influx_tile("upper_level", tot["upper_level"], None, lang),
        *_irregular_tile(s.get("irregular"), lang),
    ]
    rising = [html.Li([html.Span(i18n.place(r["name"], lang), className="wall-name"),
                       html.Span(f"{i18n.fmt_int(r['cur'])} / {i18n.fmt_int(r['base'])}",
                                 className="wall-val num"),
                       html.Span(_ratio(r["ratio"], lang), className="wall-tag red")],
                      className="wall-row") for r in s["rising"]]
    rep = s["reports"]
    missing = [m["name"] for m in rep["missing"]]
    pending = rep["counts"].get("pending", 0)
    if missing:
        missing_body = html.P("、".join(missing[:8]) + (
            f" {t('warn.more', lang, n=len(missing) - 8)}" if len(missing) > 8 else ""),
            className="wall-missing bad")
    elif pending:
        missing_body = html.P(t("wall.stab.missing.pending", lang, cutoff=rep["cutoff"]),
                              className="wall-missing")
    else:
        missing_body = html.P(t("wall.stab.missing.none", lang), className="wall-missing good")
    visits = [html.Li([html.Span(v["day"][5:], className="wall-time num"),
                       html.Span(i18n.place(v["town"], lang), className="wall-name"),
                       html.Span(i18n.category(v["category"], lang), className="wall-meta"),
                       html.Span(t("wall.people", lang, n=v["persons"]),
                                 className="wall-val num")], className="wall-row")
              for v in s.get("visits", [])]
    middle = [
        html.H3(t("wall.stab.rising", lang), className="wall-h3"),
        html.Ul(rising or [html.Li(t("wall.stab.rising.none", lang), className="wall-row good")],
                className="wall-list"),
        html.H3(t("wall.stab.visits", lang, n=s.get("visit_count", 0)), className="wall-h3"),
        html.Ul(visits or [html.Li(t("wall.stab.visits.none", lang), className="wall-row")],
                className="wall-list"),
        html.H3([t("wall.stab.missing", lang),
                 html.Span(f"{len(missing)}", className="wall-count num")],
                className="wall-h3"),
        missing_body,
        html.P([t("wall.stab.duty", lang, covered=s["duty"]["covered"],
                  units=s["duty"]["units"]), " · ",
                t("wall.stab.rate", lang, rate=i18n.fmt_rate(rep["rate_30d"]))],
               className="wall-note"),
    ]
    lsum = s["ledger"]["summary"]
    items = []
    for it in s["ledger"]["items"]:
        days = it.get("days_left")
        if days is None:
            due = it.get("due") or "—"
        elif days < 0:
            due = t("ledger.days_late", lang, n=-days)
        elif days == 0:
            due = t("ledger.due_today", lang)
        else:
            due = t("ledger.days_left", lang, n=days)
        items.append(html.Li([
            html.Div([html.Span(t(f"risk.{it['risk']}", lang),
                                className=f"wall-tag risk-{it['risk']}"),
                      html.Span(it["title"], className="wall-name")], className="wall-line"),
            html.Div([html.Span(i18n.place(it["town"], lang)),
                      html.Span(t("wall.people", lang, n=it["people"])),
                      html.Span(due, className="bad" if days is not None and days < 0
                                else "")], className="wall-line wall-meta"),
        ], className="wall-ledger-item"))
    right = [
        html.H3(t("wall.stab.ledger", lang), className="wall-h3"),
        html.P(t("ledger.summary", lang, open=lsum["open"], high=lsum["high"],
                 overdue=lsum["overdue"], people=i18n.fmt_int(lsum["people"])),
               className="wall-note"),
        html.Ul(items or [html.Li(t("wall.stab.ledger.none", lang))], className="wall-ledger"),
    ]
    return [html.Div(influx, className="wall-col"), html.Div(middle, className="wall-col"),
            html.Div(right, className="wall-col wide")]


def warnings_panel(snap: dict, lang: str, limit: int = 8) -> list:
    counts = snap["warning_counts"]
    chips = [html.Span([t(f"warn.kind.{k}", lang), " ",
                        html.Span(i18n.fmt_int(n), className="num")], className="wall-chip")
             for k, n in sorted(counts["by_kind"].items())]
    rows = []
    for w in snap["warnings"][:limit]:
        at = w["at"].replace("T", " ")[:16]
        if at.endswith(" 00:00"):  # a day, not a moment (a visit, a resolve-by date)
            at = at[:10]
        sev = w["severity"]
        rows.append(html.Li([
            html.Span(["▲ " if sev == "red" else "● ", t(f"sev.{sev}", lang)],
                      className=f"wall-sev {sev}"),
            html.Span(at, className="wall-time num"),
            html.Span(warning_text(w, lang), className="wall-msg"),
            html.Span(w["link"], className="wall-link"),
        ], className=f"wall-warning {sev}"))
    more = counts["total"] - len(rows)
    return [
        html.H2(t("wall.warn.title", lang, n=counts["total"], red=counts["red"]),
                className="wall-h2"),
        html.Div(chips, className="wall-chips"),
        html.Ul(rows, className="wall-warnings") if rows else
        html.P(t("warn.empty", lang), className="wall-empty good"),
        html.P(t("warn.more", lang, n=more), className="wall-note") if more > 0 else None,
    ]


def render(snap: dict | None, lang: str) -> dict:
    """Every refreshed part of the page for a snapshot (the layout and the callback share it)."""
    if not snap:
        msg = [html.P(t("wall.error", lang), className="wall-empty")]
        return {"map_left": msg, "map_right": [], "map_legend": [], "kpi": msg, "backlog": msg,
                "stability": msg, "warnings": msg, "choro": {"values": {}, "breaks": [],
                                                             "colors": [], "nodata": NODATA},
                "hot": {"classes": {}}}
    left, right = map_side(snap, lang)
    choro, hot = map_hideouts(snap)
    return {"map_left": left, "map_right": right, "map_legend": map_legend(snap, lang),
            "kpi": kpi_panel(snap, lang), "backlog": backlog_panel(snap, lang),
            "stability": stability_panel(snap, lang), "warnings": warnings_panel(snap, lang),
            "choro": choro, "hot": hot}


