"""The briefing's static charts as PNG bytes, drawn on the server with matplotlib.

matplotlib rather than plotly + kaleido: kaleido starts a Chromium per export (about 2 s
each, stack notes §5.1) and the briefing has four charts per document, 138 documents a
month; matplotlib draws one in about 0.1 s in-process. Titles and labels are the dashboard's
own strings (``chart.*`` in :mod:`dashboard.i18n`), so the charts say what the screen says.

Each function returns None when there is nothing to draw; the document then prints the
chart's empty-state sentence instead.
"""

from __future__ import annotations

import io
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede any pyplot import elsewhere

import pandas as pd  # noqa: E402
from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from briefing.strings import t  # noqa: E402
from dashboard import i18n  # noqa: E402
from domain.enums import CHANNELS  # noqa: E402

#: Noto Sans CJK SC is what Debian's fonts-noto-cjk provides and what the PDF embeds.
FONT_FAMILY = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]
DPI = 200
WIDTH_IN = 6.7  # 17 cm: the text width of an A4 page with 2 cm margins
CHANNEL_COLOURS = {"online": "#2b6cb0", "visit": "#c53030", "letter": "#2f855a",
                   "phone": "#b7791f", "hotline_12345": "#6b46c1", "leader_mailbox": "#718096"}
BAR = "#2b6cb0"
ACCENT = "#c53030"


@contextmanager
def style():
    """Fonts and a quiet look for every chart (a context, not global rcParams: the web
    process may draw other things)."""
    with rc_context({
        "font.family": "sans-serif", "font.sans-serif": FONT_FAMILY, "font.size": 8.5,
        "axes.titlesize": 10, "axes.titleweight": "bold", "axes.spines.top": False,
        "axes.spines.right": False, "axes.grid": True, "grid.color": "#e2e8f0",
        "grid.linewidth": 0.6, "axes.axisbelow": True, "axes.unicode_minus": False,
        "legend.frameon": False, "svg.fonttype": "none",
    }):
        yield


def to_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.08,
                facecolor="white")
    return buf.getvalue()


_MON = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_labels(months, lang: str) -> list[str]:
    """Month names, with the year under the first month and under each January."""
    out = []
    for i, p in enumerate(months):
        y, m = p.start.year, p.start.month
        name = _MON[m - 1] if lang == "en" else f"{m}月"
        out.append(f"{name}\n{y}" if i == 0 or m == 1 else name)
    return out


def trend_chart(trend: pd.DataFrame, months: list, lang: str) -> bytes | None:
    """Submissions per month, stacked by channel (``queries.charts.monthly_by_channel``)."""
    if trend.empty or int(trend["n"].sum()) == 0:
        return None
    pivot = (trend.assign(month=pd.to_datetime(trend["month"]).dt.date)
             .pivot_table(index="month", columns="channel", values="n", aggfunc="sum",
                          fill_value=0)
             .reindex([m.start for m in months], fill_value=0))
    with style():
        fig = Figure(figsize=(WIDTH_IN, 2.9))
        ax = fig.subplots()
        x = range(len(pivot))
        bottom = [0] * len(pivot)
        for channel in [c for c in CHANNELS if c in pivot.columns]:
            values = pivot[channel].tolist()
            ax.bar(x, values, bottom=bottom, width=0.72, label=i18n.channel(channel, lang),
                   color=CHANNEL_COLOURS.get(channel, "#a0aec0"))
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_xticks(list(x), _month_labels(months, lang), rotation=0, fontsize=7)
        ax.set_ylabel(t("chart.trend.y", lang))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{int(v):,}"))
        ax.set_title(t("chart.trend.title", lang), loc="left")
        ax.legend(ncols=6, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1))
        return to_png(fig)


def category_chart(categories: pd.DataFrame, lang: str, limit: int = 12) -> bytes | None:
    """New matters of the month by category, largest on top (``charts.by_category``)."""
    if categories.empty or int(categories["n"].sum()) == 0:
        return None
    df = categories.sort_values("n", ascending=False).head(limit).iloc[::-1]
    with style():
        fig = Figure(figsize=(WIDTH_IN, 0.3 * len(df) + 0.9))
        ax = fig.subplots()
        ax.barh([i18n.category(c, lang) for c in df["category"]], df["n"], color=BAR,
                height=0.65)
        for y, v in enumerate(df["n"]):
            ax.text(v, y, f" {int(v):,}", va="center", fontsize=7)
        ax.set_xlabel(t("chart.cat.x", lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", visible=False)
        ax.set_title(t("chart.cat.title", lang), loc="left")
        return to_png(fig)


def rates_chart(rates: pd.DataFrame, months: list, lang: str) -> bytes | None:
    """Monthly repeat and cross-level rates in % (``charts.repeat_cross_trend``)."""
    if rates.empty or int(rates["submissions"].sum()) == 0:
        return None
    df = (rates.assign(month=pd.to_datetime(rates["month"]).dt.date).set_index("month")
          .reindex([m.start for m in months]))
    labels = _month_labels(months, lang)
    with style():
        fig = Figure(figsize=(WIDTH_IN, 2.5))
        ax = fig.subplots()
        x = list(range(len(df)))
        ax.plot(x, (df["repeat_rate"] * 100).tolist(), marker="o", ms=3, color=BAR,
                label=t("chart.repeat.repeat", lang))
        ax.plot(x, (df["cross_level_rate"] * 100).tolist(), marker="s", ms=3, color=ACCENT,
                label=t("chart.repeat.cross", lang))
        ax.set_xticks(x, labels, fontsize=7)
        ax.set_ylabel(t("chart.repeat.y", lang))
        ax.set_ylim(bottom=0)
        ax.set_title(t("chart.repeat.title", lang), loc="left")
        ax.legend(ncols=2, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1))
        return to_png(fig)


def ageing_chart(ageing: pd.DataFrame, lang: str) -> bytes | None:
    """Backlog matters by days in backlog on the reference day (``backlog.ageing``)."""
    if ageing.empty or int(ageing["n"].sum()) == 0:
        return None
    with style():
        fig = Figure(figsize=(WIDTH_IN, 2.2))
        ax = fig.subplots()
        ax.bar(ageing["bucket"], ageing["n"], color=ACCENT, width=0.6)
        for x, v in enumerate(ageing["n"]):
            if v:
                ax.text(x, v, f"{int(v):,}", ha="center", va="bottom", fontsize=7)
        ax.set_xlabel(t("chart.ageing.x", lang))
        ax.set_ylabel(t("chart.ageing.y", lang))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(t("chart.ageing.title", lang), loc="left")
        return to_png(fig)
