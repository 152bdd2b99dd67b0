"""Plotly figures of the Overview page, built from the frames of ``queries.charts``.

Pure functions: ``frame, lang -> go.Figure`` (the briefing can reuse them). Every figure has
a title that says what it shows, units on its axes and, when there is nothing to draw, an
empty state that says why. ``customdata`` carries the codes a click filters by (category,
channel).

Figures are written as one plain dict: building them with ``update_layout``/``update_xaxes``
calls cost ~200 ms each (plotly validates and deep-copies on every call), validating the dict
once with ``go.Figure(spec)`` ~45 ms, and the dict itself nothing. The page's callbacks take
the dict (``as_dict=True``: ``dcc.Graph`` draws it as is); other callers get a ``go.Figure``.
"""

from __future__ import annotations

from functools import wraps

import pandas as pd
import plotly.graph_objects as go

from dashboard import i18n
from dashboard.i18n import t

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
INK = "#1f2933"
MUTED = "#5f6b7a"
GRID = "#e4e8ee"
ACCENT = "#1f5fa8"
STATUS = {"on_time": "#1a7f37", "due_soon": "#b7791f", "overdue": "#c0392b",
          "terminated": "#7b8794", "late": "#9c5b00"}
CHANNEL_COLORS = {"online": "#1f5fa8", "visit": "#c2410c", "letter": "#6b7280",
                  "phone": "#0f766e", "hotline_12345": "#7c3aed", "leader_mailbox": "#a16207"}
AGEING_COLORS = ["#f6c177", "#f0a04b", "#e07b39", "#c8553d", "#a23b2a", "#6e1f17"]
HEIGHT = 290


def _title(title: str, note: str | None) -> str:
    if not note:
        return title
    return f"{title}<br><span style='font-size:11px;color:{MUTED}'>{note}</span>"


def _axis(title: str | None = None, **extra) -> dict:
    axis = {"gridcolor": GRID, "zerolinecolor": GRID, "automargin": True, "linecolor": GRID,
            "title": {"text": title, "font": {"size": 11, "color": MUTED}}}
    axis.update(extra)
    return axis


def _figure(data: list[dict], title: str, *, note: str | None = None, legend: bool = False,
            xaxis: dict | None = None, yaxis: dict | None = None, height: int = HEIGHT,
            **layout) -> dict:
    return {
        "data": data,
        "layout": {
            "template": "none",
            "title": {"text": _title(title, note), "x": 0.01, "xanchor": "left",
                      "xref": "container", "y": 0.985, "yanchor": "top", "yref": "container",
                      "font": {"size": 14, "color": INK}},
            "font": {"family": FONT, "size": 12, "color": INK},
            "height": height,
            "margin": {"l": 8, "r": 12, "t": 66 if note else 42, "b": 60 if legend else 8},
            "separators": ".,",
            "showlegend": legend,
            "legend": {"orientation": "h", "yref": "container", "y": 0.01, "yanchor": "bottom",
                       "x": 0, "font": {"size": 11}},
            "hoverlabel": {"font": {"family": FONT}},
            "hovermode": "closest",
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "bargap": 0.25,
            "xaxis": xaxis or _axis(),
            "yaxis": yaxis or _axis(),
            **layout,
        },
    }


def _builder(fn):
    """``fn`` builds a figure dict; the public function returns a ``go.Figure`` unless
    ``as_dict=True``."""
    @wraps(fn)
    def build(df, lang, note=None, *, as_dict: bool = False, **kw):
        spec = fn(df, lang, note, **kw)
        return spec if as_dict else go.Figure(spec)
    return build


def empty_figure(title: str, reason: str, *, height: int = HEIGHT,
                 note: str | None = None, as_dict: bool = False):
    """A titled figure with no data and the reason in the middle."""
    spec = _empty(title, reason, height=height, note=note)
    return spec if as_dict else go.Figure(spec)


def _empty(title: str, reason: str, *, height: int = HEIGHT, note: str | None = None) -> dict:
    return _figure([], title, note=note, height=height,
                   xaxis={"visible": False}, yaxis={"visible": False},
                   annotations=[{"text": reason, "x": 0.5, "y": 0.5, "xref": "paper",
                                 "yref": "paper", "showarrow": False,
                                 "font": {"size": 13, "color": MUTED}}],
                   meta={"empty": True})


def _month_labels(months) -> list[str]:
    """Month starts as ``YYYY-MM-01`` strings for a date axis shown as ``YYYY-MM``."""
    return [pd.Timestamp(m).strftime("%Y-%m-01") for m in months]


def _month_axis(lang: str) -> dict:
    return _axis(t("chart.trend.x", lang), type="date", tickformat="%Y-%m", dtick="M2",
                 tickangle=0, hoverformat="%Y-%m")


def _ints(values) -> list[int]:
    return [int(v) for v in values]


@_builder
def trend_by_channel(df: pd.DataFrame, lang: str, note: str | None = None) -> dict:
    """Stacked monthly bars of submissions per channel (``queries.charts.monthly_by_channel``)."""
    title = t("chart.trend.title", lang)
    if df is None or df.empty or int(df["n"].sum()) == 0:
        return _empty(title, t("chart.trend.empty", lang), note=note)
    months = sorted(df["month"].unique())
    labels = _month_labels(months)
    present = set(df["channel"])
    order = [c for c in CHANNEL_COLORS if c in present] + sorted(present - set(CHANNEL_COLORS))
    data = []
    for code in order:
        counts = df[df["channel"] == code].set_index("month")["n"].reindex(months, fill_value=0)
        name = i18n.channel(code, lang)
        data.append({"type": "bar", "x": labels, "y": _ints(counts), "name": name,
                     "marker": {"color": CHANNEL_COLORS.get(code, ACCENT)},
                     "customdata": [code] * len(months),
                     "hovertemplate": f"%{{x|%Y-%m}} {name}: %{{y:,}}<extra></extra>"})
    return _figure(data, title, note=note, legend=True, barmode="stack",
                   xaxis=_month_axis(lang),
                   yaxis=_axis(t("chart.trend.y", lang), tickformat=",d"))


@_builder
def categories(df: pd.DataFrame, lang: str, note: str | None = None, top: int = 12
               ) -> dict:
    """Horizontal bars of new matters per category, largest on top."""
    title = t("chart.cat.title", lang)
    if df is None or df.empty or int(df["n"].sum()) == 0:
        return _empty(title, t("chart.cat.empty", lang), note=note)
    d = df.sort_values("n", ascending=False).head(top).iloc[::-1]
    values = _ints(d["n"])
    data = [{"type": "bar", "orientation": "h", "x": values,
             "y": [i18n.category(c, lang) for c in d["category"]],
             "marker": {"color": ACCENT}, "customdata": list(d["category"]),
             "text": [f"{v:,}" for v in values], "textposition": "outside",
             "cliponaxis": False, "hovertemplate": "%{y}: %{x:,}<extra></extra>"}]
    return _figure(data, title, note=note,
                   xaxis=_axis(t("chart.cat.x", lang), tickformat=",d"),
                   yaxis=_axis(None, type="category"))


@_builder
def funnel(df: pd.DataFrame, lang: str, note: str | None = None) -> dict:
    """Stages reached by the period's matters, each labelled with its on-time rate."""
    title = t("chart.funnel.title", lang)
    if df is None or df.empty or int(df.loc[df["stage"] == "registered", "n"].sum()) == 0:
        return _empty(title, t("chart.funnel.empty", lang), note=note)
    d = df.iloc[::-1]
    texts, colors = [], []
    for n, rate in zip(d["n"], d["rate"], strict=True):
        has_rate = rate is not None and not pd.isna(rate)
        text = f"{int(n):,}"
        if has_rate:
            text += " · " + t("chart.funnel.ontime", lang, rate=i18n.fmt_rate(rate))
        texts.append(text)
        colors.append(STATUS["on_time"] if has_rate and rate >= 0.9
                      else STATUS["due_soon"] if has_rate else ACCENT)
    data = [{"type": "bar", "orientation": "h", "x": _ints(d["n"]),
             "y": [t(f"stage.{s}", lang) for s in d["stage"]], "marker": {"color": colors},
             "text": texts, "textposition": "outside", "cliponaxis": False,
             "hovertemplate": "%{y}: %{x:,}<extra></extra>"}]
    fig = _figure(data, title, note=note,
                  xaxis=_axis(t("chart.funnel.x", lang), tickformat=",d"),
                  yaxis=_axis(None, type="category"))
    fig["layout"]["margin"]["r"] = 110
    return fig


@_builder
def ageing(df: pd.DataFrame, lang: str, note: str | None = None) -> dict:
    """Backlog matters by days in backlog (≤30 … >365)."""
    title = t("chart.ageing.title", lang)
    if df is None or df.empty or int(df["n"].sum()) == 0:
        return _empty(title, t("chart.ageing.empty", lang), note=note)
    values = _ints(df["n"])
    data = [{"type": "bar", "x": list(df["bucket"]), "y": values,
             "marker": {"color": AGEING_COLORS[:len(df)]},
             "text": [f"{v:,}" for v in values], "textposition": "outside",
             "cliponaxis": False, "hovertemplate": "%{x}: %{y:,}<extra></extra>"}]
    return _figure(data, title, note=note,
                   xaxis=_axis(t("chart.ageing.x", lang), type="category"),
                   yaxis=_axis(t("chart.ageing.y", lang), tickformat=",d"))


@_builder
def top_units(df: pd.DataFrame, lang: str, note: str | None = None) -> dict:
    """Responsible units with the most overdue matters (horizontal bars, worst on top)."""
    title = t("chart.top.title", lang)
    if df is None or df.empty:
        return _empty(title, t("chart.top.empty", lang), note=note)
    d = df.iloc[::-1]
    values = _ints(d["overdue"])
    open_label = t("chart.top.open", lang)
    data = [{"type": "bar", "orientation": "h", "x": values,
             "y": [u if len(u) <= 14 else u[:13] + "…" for u in d["unit"].astype(str)],
             "marker": {"color": STATUS["overdue"]}, "customdata": _ints(d["open"]),
             "text": [f"{v:,}" for v in values], "textposition": "outside",
             "cliponaxis": False,
             "hovertemplate": "%{y}: %{x:,} (" + open_label + " %{customdata:,})<extra></extra>"}]
    return _figure(data, title, note=note,
                   xaxis=_axis(t("chart.top.x", lang), tickformat=",d"),
                   yaxis=_axis(None, type="category"))


@_builder
def repeat_cross(df: pd.DataFrame, lang: str, note: str | None = None) -> dict:
    """Monthly repeat rate (of submissions) and cross-level rate (of visits), in %."""
    title = t("chart.repeat.title", lang)
    if df is None or df.empty or int(df["submissions"].sum()) == 0:
        return _empty(title, t("chart.repeat.empty", lang), note=note)
    labels = _month_labels(df["month"])
    data = []
    for col, key, color in (("repeat_rate", "chart.repeat.repeat", ACCENT),
                            ("cross_level_rate", "chart.repeat.cross", "#c2410c")):
        values = [None if pd.isna(v) else round(float(v) * 100, 1) for v in df[col]]
        name = t(key, lang)
        data.append({"type": "scatter", "mode": "lines+markers", "x": labels, "y": values,
                     "name": name, "line": {"color": color, "width": 2},
                     "marker": {"size": 5}, "connectgaps": False,
                     "hovertemplate": "%{x|%Y-%m} " + name + ": %{y:.1f}%<extra></extra>"})
    return _figure(data, title, note=note, legend=True, xaxis=_month_axis(lang),
                   yaxis=_axis(t("chart.repeat.y", lang), ticksuffix="%", rangemode="tozero"))


#: Figure builders by chart id (the page lays them out in this order).
BUILDERS = {
    "trend": trend_by_channel,
    "categories": categories,
    "funnel": funnel,
    "ageing": ageing,
    "top_units": top_units,
    "repeat": repeat_cross,
}
