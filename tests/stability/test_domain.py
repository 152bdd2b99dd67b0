"""The pure rules of domain.warnings: the exact influx test, thresholds, each warning rule at
its edges, the traffic lights. No database."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from math import comb
from zoneinfo import ZoneInfo

import pytest

from domain import warnings as w

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 26, 18, 0, tzinfo=TZ)


def exact_sf(k: int, n: int) -> Fraction:
    return Fraction(sum(comb(n, i) for i in range(k, n + 1)), 2 ** n)


@pytest.mark.parametrize("k,n", [(0, 0), (1, 1), (3, 5), (12, 14), (10, 20), (20, 20),
                                 (60, 100), (45, 100), (300, 520), (1, 40)])
def test_binomial_tail_is_exact(k, n):
    assert w.binom_sf(k, n) == pytest.approx(float(exact_sf(k, n)), rel=1e-9, abs=1e-15)


def test_rise_p_value_known_values():
    # 12 in the period against 2 in the baseline: P(X >= 12 | n = 14, p = ½) = 106/16384.
    assert w.rise_p_value(12, 2) == pytest.approx(106 / 16384, rel=1e-12)
    assert w.rise_p_value(5, 5) == pytest.approx(float(exact_sf(5, 10)))
    assert w.rise_p_value(0, 7) == 1.0
    with pytest.raises(ValueError):
        w.rise_p_value(-1, 3)


def test_assess_rise_needs_significance_count_and_direction():
    r = w.assess_rise(12, 2, alpha=0.01, min_count=5)
    assert r.significant and r.ratio == 6 and r.p < 0.01
    assert not w.assess_rise(12, 2, alpha=0.005, min_count=5).significant  # p ≈ 0.0065
    assert not w.assess_rise(4, 0, alpha=0.1, min_count=5).significant  # too few
    r0 = w.assess_rise(9, 0, alpha=0.01, min_count=5)
    assert r0.ratio is None and r0.significant  # p = 1/512
    assert not w.assess_rise(5, 5).significant
    assert not w.assess_rise(3, 30).significant


def test_baseline_window_same_length_and_running_period():
    d = dt.date(2026, 11, 26)
    assert w.baseline_window(d - dt.timedelta(days=6), d, d) == (
        dt.date(2026, 11, 20), d, dt.date(2026, 11, 13), dt.date(2026, 11, 19))
    # A period still running is compared over its elapsed days only.
    cs, ce, bs, be = w.baseline_window(dt.date(2026, 11, 20), dt.date(2026, 12, 10), d)
    assert (ce - cs).days == (be - bs).days == 6 and be == dt.date(2026, 11, 19)
    # Not started yet: nothing elapsed.
    cs, ce, bs, be = w.baseline_window(dt.date(2026, 12, 6), dt.date(2026, 12, 16), d)
    assert ce < cs and be < bs


def test_thresholds_tighten_in_sensitive_periods_and_read_env():
    rules = w.WarningRules()
    n, s = rules.for_period(False), rules.for_period(True)
    assert s.collective_persons < n.collective_persons
    assert s.influx_ratio < n.influx_ratio and s.alpha > n.alpha
    assert s.ledger_lead_days > n.ledger_lead_days == 0
    assert s.report_grace_minutes == 0 < n.report_grace_minutes
    env = w.rules_from_env({"WARN_COLLECTIVE_PERSONS": "30/8", "WARN_INFLUX_RATIO": "3",
                            "WARN_ALPHA": ""})
    assert env.normal.collective_persons == 30 and env.sensitive.collective_persons == 8
    assert env.normal.influx_ratio == env.sensitive.influx_ratio == 3
    assert env.normal.alpha == w.NORMAL.alpha
    for bad in ({"WARN_INFLUX_RATIO": "x"}, {"WARN_COLLECTIVE_PERSONS": "3"},
                {"WARN_ALPHA": "1/2/3"}):
        with pytest.raises(ValueError):
            w.rules_from_env(bad)


def visit(persons, days_ago, no="S1"):
    return {"received_on": NOW.date() - dt.timedelta(days=days_ago), "persons": persons,
            "township_code": "430626101", "township_name": "墙测镇", "category": "demolition",
            "submission_no": no}


def test_collective_visit_rule_edges():
    th = w.NORMAL
    assert not w.collective_warnings([visit(19, 0)], th, NOW)
    got = w.collective_warnings([visit(20, 0)], th, NOW)
    assert len(got) == 1 and got[0].severity == "amber" and got[0].link == "/map?unit=430626101"
    assert w.collective_warnings([visit(50, 1)], th, NOW)[0].severity == "red"
    assert w.collective_warnings([visit(25, th.lookback_days - 1)], th, NOW)
    assert not w.collective_warnings([visit(25, th.lookback_days)], th, NOW)
    # inside a sensitive period every collective visit (>= 5) warns
    assert w.collective_warnings([visit(5, 0)], w.SENSITIVE, NOW)
    assert not w.collective_warnings([visit(4, 0)], w.SENSITIVE, NOW)


def test_influx_rule_needs_ratio_and_significance():
    rows = [{"code": "A", "name": "甲", "level": "township", "current": 12, "baseline": 2},
            {"code": "B", "name": "乙", "level": "township", "current": 5, "baseline": 5},
            {"code": "C", "name": "丙", "level": "township", "current": 30, "baseline": 17},
            {"code": "Z", "name": "区", "level": "zone", "current": 15, "baseline": 0}]
    normal = {x.area_code: x for x in w.influx_warnings(rows, w.NORMAL, NOW, window="k")}
    assert set(normal) == {"A", "Z"}
    assert normal["A"].params["ratio"] == 6 and normal["A"].link == "/stability?unit=A"
    assert normal["Z"].link == "/stability?zone=Z" and normal["Z"].severity == "red"
    # 30 vs 17 is 1.76×: significant at 0.05 and above 1.5× only in a sensitive period
    assert w.rise_p_value(30, 17) < 0.05
    sens = {x.area_code for x in w.influx_warnings(rows, w.SENSITIVE, NOW, window="k")}
    assert sens == {"A", "C", "Z"}


def ledger_item(days_to_due, risk="medium", status="open", no="L"):
    return {"ledger_no": no, "title": "工程款纠纷", "township_code": "430626101",
            "township_name": "墙测镇", "risk_level": risk, "status": status,
            "resolve_by": NOW.date() + dt.timedelta(days=days_to_due), "people_involved": 9}


def test_ledger_rule_edges():
    assert not w.ledger_warnings([ledger_item(0)], w.NORMAL, NOW)  # due today: not late yet
    late = w.ledger_warnings([ledger_item(-1)], w.NORMAL, NOW)
    assert late[0].kind == "ledger_overdue" and late[0].severity == "amber"
    assert late[0].params["days"] == 1 and late[0].link == "/stability?ledger=L"
    assert w.ledger_warnings([ledger_item(-1, risk="high")], w.NORMAL, NOW)[0].severity == "red"
    assert w.ledger_warnings([ledger_item(-8)], w.NORMAL, NOW)[0].severity == "red"
    assert not w.ledger_warnings([ledger_item(-3, status="resolved")], w.NORMAL, NOW)
    assert not w.ledger_warnings([ledger_item(2)], w.NORMAL, NOW)
    soon = w.ledger_warnings([ledger_item(3)], w.SENSITIVE, NOW)
    assert soon and soon[0].kind == "ledger_due_soon"
    assert not w.ledger_warnings([ledger_item(4)], w.SENSITIVE, NOW)


def test_missing_report_rule_cutoff_and_grace():
    units = [{"code": "U1", "name": "墙测镇人民政府", "township_code": "430626101"}]
    cutoff = dt.time(17, 0)
    at = lambda h, m: NOW.replace(hour=h, minute=m)  # noqa: E731
    assert not w.report_warnings(units, cutoff, w.NORMAL, at(17, 59), strict=False)
    got = w.report_warnings(units, cutoff, w.NORMAL, at(18, 0), strict=False)
    assert got[0].severity == "amber" and got[0].at == at(18, 0)
    assert not w.report_warnings(units, cutoff, w.SENSITIVE, at(16, 59), strict=True)
    strict = w.report_warnings(units, cutoff, w.SENSITIVE, at(17, 0), strict=True)
    assert strict[0].severity == "red" and strict[0].link == "/stability#compliance"


def test_evaluate_sorts_red_first_then_newest():
    out = w.evaluate(now=NOW, sensitive=False, visits=[visit(60, 3, "S2"), visit(22, 0, "S1")],
                     ledger=[ledger_item(-2, no="L2")])
    assert [x.severity for x in out] == ["red", "amber", "amber"]
    assert out[1].key == "collective:S1"  # newer amber before older amber
    assert all(x.kind in w.WARNING_KINDS for x in out)
    assert set(out[0].as_dict()) >= {"kind", "severity", "at", "area_name", "link", "params"}


def test_traffic_lights():
    assert w.traffic_light("timely_forward_rate", 0.97) == "green"
    assert w.traffic_light("timely_forward_rate", 0.92) == "amber"
    assert w.traffic_light("timely_forward_rate", 0.85) == "red"
    assert w.traffic_light("repeat_rate", 0.25) == "green"
    assert w.traffic_light("repeat_rate", 0.40) == "red"
    assert w.traffic_light("overdue_open", 10, 10) == "green"
    assert w.traffic_light("overdue_open", 11, 10) == "amber"
    assert w.traffic_light("overdue_open", 12, 10) == "red"
    assert w.traffic_light("package_gaps", 0) == "green"
    assert w.traffic_light("package_gaps", 1) == "red"
    assert w.traffic_light("satisfaction_rate", None) == "none"
    assert w.traffic_light("backlog_open", 5) == "none"


def test_personal_data_detector():
    assert w.personal_data_in("住户 430626190001010015 反映") == "id"
    assert w.personal_data_in("联系 13812345678") == "phone"
    assert w.personal_data_in("2026年工程款 1500 万元分歧") is None
    assert w.personal_data_in(None) is None
