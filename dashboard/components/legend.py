"""Class breaks, colours and legends of the choropleth, the zones and the hotspot layer."""

from __future__ import annotations

import math
from collections.abc import Iterable

from dash import html

from dashboard import i18n
from dashboard.i18n import t

#: Sequential palette (ColorBrewer YlOrRd, 5 classes), light to dark.
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
NODATA = "#d9d9d9"
SELECTED = "#0b3d91"
ZONE = "#6d28d9"
HOT_COLORS = {"hot99": "#b2182b", "hot95": "#ef8a62", "hot90": "#fddbc7",
              "cold99": "#2166ac", "cold95": "#67a9cf", "cold90": "#d1e5f0"}
CLOCK_COLORS = {"overdue": "#c0392b", "due_soon": "#d68910", "late": "#9c5b00",
                "on_time": "#1a7f37", "terminated": "#7b8794"}


def _nice(x: float) -> float:
    """Round ``x`` up to 2 significant digits (12,345 → 13,000; 0.0432 → 0.044)."""
    if x <= 0:
        return 0.0
    exp = math.floor(math.log10(x)) - 1
    step = 10 ** exp
    return round(math.ceil(x / step - 1e-9) * step, max(0, -exp))


def class_breaks(values: Iterable[float | None], k: int = 5) -> list[float]:
    """Upper bounds of up to ``k`` classes (quantiles, rounded to nice numbers, ascending;
    the last one is the maximum). Few distinct values: one class each."""
    vals = sorted(float(v) for v in values if v is not None and not
                  (isinstance(v, float) and math.isnan(v)))
    if not vals:
        return []
    distinct = sorted(set(vals))
    if len(distinct) <= k:
        return distinct
    breaks: list[float] = []
    for i in range(1, k):
        q = vals[min(len(vals) - 1, math.ceil(i * len(vals) / k) - 1)]
        b = _nice(q) if q > 0 else 0.0
        if not breaks or b > breaks[-1]:
            breaks.append(b)
    top = vals[-1]
    if not breaks or top > breaks[-1]:
        breaks.append(top)
    return breaks


def class_of(value: float | None, breaks: list[float]) -> int | None:
    """Index of the class of ``value`` (the first break ≥ value), None for no data."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or not breaks:
        return None
    for i, b in enumerate(breaks):
        if value <= b:
            return i
    return len(breaks) - 1


def colors_for(breaks: list[float]) -> list[str]:
    """Palette colours spread over ``len(breaks)`` classes."""
    n = len(breaks)
    if n == 0:
        return []
    if n == 1:
        return [PALETTE[2]]
    return [PALETTE[round(i * (len(PALETTE) - 1) / (n - 1))] for i in range(n)]


def _range_labels(breaks: list[float], decimals: int) -> list[str]:
    def f(x):
        return i18n.fmt_num(x, decimals) if decimals else i18n.fmt_int(x)
    labels = []
    for i, b in enumerate(breaks):
        if i == 0:
            labels.append(f"≤ {f(b)}")
        else:
            labels.append(f"{f(breaks[i - 1])} – {f(b)}")
    return labels


def _swatch(color: str, border: str | None = None, hatch: bool = False) -> html.Span:
    style = {"background": color}
    if border:
        style["border"] = f"2px solid {border}"
    return html.Span(className="swatch" + (" swatch-hatch" if hatch else ""), style=style,
                     **{"aria-hidden": "true"})


def choropleth_legend(measure: str, breaks: list[float], lang: str, *,
                      show_zone: bool = True, schematic: bool = False) -> html.Div:
    """The legend of the choropleth: measure and unit, one row per class, no data, zones."""
    decimals = 1 if measure == "per_10k" else 0
    rows = [html.Li([_swatch(c), html.Span(label, className="num")])
            for c, label in zip(colors_for(breaks), _range_labels(breaks, decimals),
                                strict=True)]
    rows.append(html.Li([_swatch(NODATA), html.Span(t("map.legend.nodata", lang))]))
    rows.append(html.Li([_swatch("transparent", SELECTED), html.Span(
        t("map.legend.selected", lang))]))
    if show_zone:
        rows.append(html.Li([_swatch("transparent", ZONE, hatch=True),
                             html.Span(t("map.legend.zone", lang))]))
    title = f"{i18n.measure(measure, lang)}（{i18n.measure_unit(measure, lang)}）" \
        if lang == "zh" else f"{i18n.measure(measure, lang)} ({i18n.measure_unit(measure, lang)})"
    children = [html.H3(title, className="legend-title"), html.Ul(rows, className="legend-rows")]
    if schematic:
        children.append(html.P(t("map.schematic", lang), className="legend-note"))
    return html.Div(children, className="legend", role="group",
                    **{"aria-label": t("map.legend", lang)})


def hotspot_legend(lang: str, *, measure: str, weights: str, n: int,
                   counts: dict[str, int] | None = None) -> html.Div:
    """The hotspot legend, naming the method, the weights and the confidence classes."""
    counts = counts or {}
    rows = []
    for cls in ("hot99", "hot95", "hot90", "cold90", "cold95", "cold99"):
        label = t(f"hot.{cls}", lang)
        if counts.get(cls):
            label += f"（{counts[cls]:,}）" if lang == "zh" else f" ({counts[cls]:,})"
        rows.append(html.Li([_swatch(HOT_COLORS[cls]), html.Span(label)]))
    rows.append(html.Li([_swatch("transparent", "#9aa5b1"), html.Span(t("hot.ns", lang))]))
    measure_text = t(f"hot.measure.{measure}", lang)
    return html.Div([
        html.H3(t("map.hot.title", lang), className="legend-title"),
        html.P(t("map.hot.method", lang, measure=measure_text,
                 weights=t(f"map.hot.weights.{weights}", lang), n=f"{n:,}"),
               className="legend-note"),
        html.Ul(rows, className="legend-rows"),
    ], className="legend", role="group", **{"aria-label": t("map.hot.title", lang)})


def points_legend(lang: str) -> html.Div:
    rows = [html.Li([_swatch(CLOCK_COLORS[k]), html.Span(t(f"clock.{k}", lang))])
            for k in ("overdue", "due_soon", "late", "on_time", "terminated")]
    return html.Div([html.H3(t("map.layers.points", lang), className="legend-title"),
                     html.Ul(rows, className="legend-rows")], className="legend",
                    role="group", **{"aria-label": t("map.layers.points", lang)})
