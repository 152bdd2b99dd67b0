"""Pure page parts: class breaks, chart figures (titles, axis units, empty states), cards."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.components import charts, legend
from dashboard.components.kpi_cards import CARDS, kpi_cards
from queries.kpi import KPI_KEYS


def test_class_breaks():
    assert legend.class_breaks([]) == []
    assert legend.class_breaks([3, 1, 1, None]) == [1, 3]  # few distinct: one class each
    b = legend.class_breaks(range(0, 1001))
    assert len(b) == 5 and b == sorted(b) and b[-1] == 1000
    assert legend.class_of(0, b) == 0 and legend.class_of(1000, b) == 4
    assert legend.class_of(None, b) is None
    assert legend.colors_for(b)[0] == legend.PALETTE[0]
    assert legend.colors_for(b)[-1] == legend.PALETTE[-1]


def _months(n=3):
    return [dt.date(2026, m, 1) for m in range(1, n + 1)]


FRAMES = {
    "trend": pd.DataFrame({"month": _months() * 2, "channel": ["visit"] * 3 + ["online"] * 3,
                           "n": [5, 6, 7, 50, 60, 70]}),
    "categories": pd.DataFrame({"category": ["demolition", "other"], "n": [12, 3]}),
    "funnel": pd.DataFrame({"stage": ["registered", "forwarded", "accepted", "answered",
                                      "evaluated"], "n": [10, 9, 8, 6, 3],
                            "on_time": [None, 8, 7, 5, None],
                            "rate": [None, 8 / 9, 7 / 8, 5 / 6, None]}),
    "ageing": pd.DataFrame({"bucket": ["≤30", "31–60", "61–90", "91–180", "181–365", ">365"],
                            "n": [1, 2, 3, 4, 5, 6]}),
    "top_units": pd.DataFrame({"unit": ["住建局", "人社局"], "overdue": [9, 4], "open": [20, 8]}),
    "repeat": pd.DataFrame({"month": _months(), "submissions": [10, 20, 30],
                            "repeats": [3, 4, 5], "visits": [2, 0, 6],
                            "cross_visits": [1, 0, 2],
                            "repeat_rate": [0.3, 0.2, 1 / 6],
                            "cross_level_rate": [0.5, None, 1 / 3]}),
}
EMPTY = {k: f.iloc[0:0] for k, f in FRAMES.items()}


@pytest.mark.parametrize("chart_id", list(charts.BUILDERS))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_has_a_title_and_axis_units(chart_id, lang):
    fig = charts.BUILDERS[chart_id](FRAMES[chart_id], lang, note="2026-01 – 2026-03")
    title = fig.layout.title.text
    assert title and "2026-01" in title
    axis_titles = [fig.layout.xaxis.title.text, fig.layout.yaxis.title.text]
    assert any(axis_titles), chart_id
    assert not (fig.layout.meta or {}).get("empty")
    assert len(fig.data) >= 1


@pytest.mark.parametrize("chart_id", list(charts.BUILDERS))
def test_empty_state_says_why(chart_id):
    fig = charts.BUILDERS[chart_id](EMPTY[chart_id], "en")
    assert fig.layout.meta["empty"] is True
    assert fig.layout.annotations[0].text.startswith("No ")
    assert fig.layout.title.text


def test_clicks_carry_codes():
    cat = charts.categories(FRAMES["categories"], "zh")
    assert set(cat.data[0].customdata) == {"demolition", "other"}
    trend = charts.trend_by_channel(FRAMES["trend"], "zh")
    assert {tr.customdata[0] for tr in trend.data} == {"visit", "online"}


def test_kpi_cards_cover_design_section_4():
    covered = {c.key for c in CARDS} | {"collective_persons"}  # shown on the visits card
    assert covered == set(KPI_KEYS)
    cur = {k: None for k in KPI_KEYS} | {"timely_forward_rate": 0.9321, "overdue_open": 1234,
                                         "counts": {"fwd_n": 2000}}
    prev = {k: None for k in KPI_KEYS} | {"timely_forward_rate": 0.9, "overdue_open": 1300}
    cards = kpi_cards(cur, prev, "en")
    text = str(cards)
    assert "93.2%" in text and "1,234" in text and "+3.2 pp" in text and "−66" in text
    assert "better" in text and "of 2,000" in text
