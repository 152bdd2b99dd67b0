"""Charts of the Backlog page: backlog ageing (the Overview's figure, reused) and backlog
resolution month by month. Plain figure dicts (as the Overview's charts), titled, with units on
the axes and an empty state that says why."""

from __future__ import annotations

import pandas as pd

from dashboard.components import charts as shared
from dashboard.components.backlog_shell import badge  # noqa: F401  (strings merged)
from dashboard.i18n import fmt_date, t

HEIGHT = 300
OPEN_COLOR, NEW_COLOR, RESOLVED_COLOR = "#8a2a1f", "#d68910", "#1a7f37"


def ageing(df: pd.DataFrame, lang: str, note: str) -> dict:
    """Backlog matters on the day by days in backlog (≤30, 31–60, 61–90, 91–180, 181–365,
    >365): ``queries.charts.backlog_ageing`` drawn by the Overview's figure."""
    return _lower_title(shared.ageing(df, lang, note, as_dict=True))


def _lower_title(spec: dict) -> dict:
    """Two-line titles (title + note) start above the figure at y=0.985; keep them inside."""
    title = spec.get("layout", {}).get("title")
    if isinstance(title, dict) and "<br>" in str(title.get("text", "")):
        title["y"] = 0.93
    return spec


def resolution(df: pd.DataFrame, lang: str, note: str) -> dict:
    """Per month: backlog open at the month's end, new and resolved (bars, matters) and the
    resolution rate (line, %, right axis)."""
    title = t("bl.res.title", lang)
    if df is None or df.empty or int(df["during"].sum()) == 0:
        return _lower_title(shared.empty_figure(title, t("bl.res.empty", lang), note=note,
                                                as_dict=True, height=HEIGHT))
    months = [fmt_date(d)[:7] for d in df["start"]]
    rate = [None if r is None or pd.isna(r) else round(float(r) * 100, 1) for r in df["rate"]]

    def bars(col, key, color):
        return {"type": "bar", "name": t(key, lang), "x": months,
                "y": [int(v) for v in df[col]], "marker": {"color": color},
                "hovertemplate": "%{x} " + t(key, lang) + ": %{y:,}<extra></extra>"}

    data = [bars("open_end", "bl.res.open_end", OPEN_COLOR),
            bars("new", "bl.res.new", NEW_COLOR),
            bars("resolved", "bl.res.resolved", RESOLVED_COLOR),
            {"type": "scatter", "mode": "lines+markers", "name": t("bl.res.rate", lang),
             "x": months, "y": rate, "yaxis": "y2", "connectgaps": False,
             "line": {"color": "#1f5fa8", "width": 2}, "marker": {"size": 6},
             "hovertemplate": "%{x} " + t("bl.res.rate", lang) + ": %{y:.1f}%<extra></extra>"}]
    return {"data": data, "layout": {
        "template": "none", "height": HEIGHT, "barmode": "group", "bargap": 0.25,
        "title": {"text": f"{title}<br><span style='font-size:11px;color:{shared.MUTED}'>"
                          f"{note}</span>", "x": 0.01, "xanchor": "left", "xref": "container",
                  "y": 0.93, "yanchor": "top", "yref": "container",
                  "font": {"size": 14, "color": shared.INK}},
        "font": {"family": shared.FONT, "size": 12, "color": shared.INK},
        "margin": {"l": 8, "r": 12, "t": 66, "b": 60}, "separators": ".,",
        "showlegend": True, "paper_bgcolor": "white", "plot_bgcolor": "white",
        "legend": {"orientation": "h", "yref": "container", "y": 0.01, "yanchor": "bottom",
                   "x": 0, "font": {"size": 11}},
        "hoverlabel": {"font": {"family": shared.FONT}},
        "xaxis": _axis(t("bl.res.x", lang), type="category", tickangle=0),
        "yaxis": _axis(t("bl.res.y", lang), tickformat=",d", rangemode="tozero"),
        "yaxis2": _axis(t("bl.res.y2", lang), overlaying="y", side="right", range=[0, 100],
                        ticksuffix="%", dtick=25, showgrid=False, zeroline=False),
    }}


def _axis(title: str, **extra) -> dict:
    axis = {"gridcolor": shared.GRID, "zerolinecolor": shared.GRID, "automargin": True,
            "linecolor": shared.GRID, "title": {"text": title, "font": {"size": 11,
                                                                        "color": shared.MUTED}}}
    axis.update(extra)
    return axis
