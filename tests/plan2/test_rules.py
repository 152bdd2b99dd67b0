"""The work plan's rules on hand-built cases (no database): first-time matters on day 90 and
day 91 after the answer, the yellow card for irregular petitions at its thresholds, a
national irregular submission as an immediate warning listed first, and the weeks of the
weekly report ending on Sunday at 23:59 Asia/Shanghai. Expected values are written by hand.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from domain.plan import (
    IrregularCardRules,
    answered_on_time,
    first_time_state,
    irregular_card,
    parse_week,
    week_as_of,
    week_key,
)
from domain.warnings import NORMAL, EarlyWarning, irregular_warnings, sort_warnings

D = dt.date
ANSWER = {"answered_on": D(2026, 7, 10), "answer_due": D(2026, 8, 31)}
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("returns, day, expected", [
    ([D(2026, 10, 8)], D(2026, 11, 12), "came_back"),  # day 90: came back
    ([D(2026, 10, 9)], D(2026, 11, 12), "resolved_at_once"),  # day 91: too late to count
    ([D(2026, 7, 10)], D(2026, 11, 12), "resolved_at_once"),  # the answer's own day
    ([], D(2026, 10, 8), "resolved_at_once"),  # the 90th day has come, nothing back
    ([], D(2026, 10, 7), "watching"),  # day 89: still watching
    ([D(2026, 8, 1)], D(2026, 7, 31), "watching"),  # comes back later than the day asked
    ([D(2026, 8, 1)], D(2026, 8, 1), "came_back"),
    ([], D(2026, 7, 9), "unanswered"),  # answered after the day asked
])
def test_first_time_state(returns, day, expected):
    assert first_time_state(ANSWER, returns, day) == expected


def test_first_time_unanswered_and_on_time():
    assert first_time_state({"answered_on": None}, [D(2026, 7, 2)], D(2026, 11, 12)) == \
        "unanswered"
    assert answered_on_time(ANSWER) is True
    assert answered_on_time({"answered_on": D(2026, 10, 20), "answer_due": D(2026, 9, 6)}) \
        is False
    assert answered_on_time({"answered_on": None, "answer_due": D(2026, 9, 6)}) is None


@pytest.mark.parametrize("by_level, expected", [
    ({"national": 1}, ("national",)),  # one in Beijing is enough
    ({"county": 2, "city": 0}, ()),  # two at any level is not
    ({"county": 3}, ("count",)),  # three at any level is
    ({"county": 1, "city": 1, "province": 1}, ("count",)),
    ({"national": 1, "county": 2}, ("national", "count")),
    ({}, ()),
])
def test_irregular_card_default_thresholds(by_level, expected):
    assert irregular_card(by_level) == expected


def test_irregular_card_thresholds_are_settings():
    strict = IrregularCardRules(national=2, any_level=5)
    assert irregular_card({"national": 1}, strict) == ()
    assert irregular_card({"national": 2}, strict) == ("national",)
    assert irregular_card({"county": 4}, strict) == ()
    assert irregular_card({"county": 5}, strict) == ("count",)
    with pytest.raises(ValueError):
        IrregularCardRules(national=0)


def test_settings_defaults_and_env(monkeypatch):
    from settings import Settings

    s = Settings()
    assert (s.irregular_card_national, s.irregular_card_any) == (1, 3)
    monkeypatch.setenv("IRREGULAR_CARD_ANY", "4")
    assert Settings().irregular_card_any == 4


def _sub(day: dt.date, no: str = "S1") -> dict:
    return {"received_on": day, "submission_no": no, "matter_no": "M1",
            "township_code": "430623100", "township_name": "某镇", "responsible_unit": "某局"}


def test_national_irregular_is_red_within_the_lookback():
    now = dt.datetime(2026, 11, 8, 23, 59, tzinfo=SHANGHAI)
    out = irregular_warnings([_sub(D(2026, 11, 2), "in-monday"),
                              _sub(D(2026, 11, 8), "in-sunday"),
                              _sub(D(2026, 11, 1), "out-before"),
                              _sub(D(2026, 11, 9), "out-after")], NORMAL, now)
    assert sorted(w.key for w in out) == ["irregular:in-monday", "irregular:in-sunday"]
    assert {w.severity for w in out} == {"red"}
    assert out[0].params["matter_no"] == "M1" and "name" not in out[0].params


def test_national_irregular_is_listed_first():
    now = dt.datetime(2026, 11, 8, 23, 59, tzinfo=SHANGHAI)
    newer_red = EarlyWarning("influx", "red", now, "t", "t", "/", "influx:t")
    irr = irregular_warnings([_sub(D(2026, 11, 2))], NORMAL, now)[0]
    amber = EarlyWarning("report_missing", "amber", now, "t", "t", "/", "report:t")
    assert [w.kind for w in sort_warnings([amber, newer_red, irr])] == [
        "irregular_national", "influx", "report_missing"]


@pytest.mark.parametrize("week, monday, sunday", [
    ("2026-W45", D(2026, 11, 2), D(2026, 11, 8)),
    ("2026W01", D(2025, 12, 29), D(2026, 1, 4)),  # ISO week 1 starts in the year before
    ("2026-W53", D(2026, 12, 28), D(2027, 1, 3)),  # 2026 has 53 ISO weeks
])
def test_parse_week(week, monday, sunday):
    assert parse_week(week) == (monday, sunday)


@pytest.mark.parametrize("bad", ["2026-45", "2026-W54", "2025-W53", "W45", "", "2026-W4"])
def test_bad_weeks_are_refused(bad):
    with pytest.raises(ValueError):
        parse_week(bad)


def test_week_ends_sunday_2359_shanghai():
    moment = week_as_of(D(2026, 11, 8))
    assert moment == dt.datetime(2026, 11, 8, 23, 59, tzinfo=SHANGHAI)
    # 15:59 UTC on Sunday is still the week; 16:00 UTC is Monday 00:00 in Yueyang.
    assert moment.astimezone(dt.UTC) == dt.datetime(2026, 11, 8, 15, 59, tzinfo=dt.UTC)
    assert week_key(D(2026, 11, 8)) == "2026-W45" and week_key(D(2026, 11, 9)) == "2026-W46"
