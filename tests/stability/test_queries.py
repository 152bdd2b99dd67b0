"""Stability queries on the world of tests/stability/world.py: influx against the baseline,
collective visits, backlog by township, the ledger (CRUD, audit, jurisdiction, grants), duty
rosters and daily-report compliance, sensitive periods, early warnings."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from queries import duty, ledger, periods, stability
from queries import warnings as qwarn
from queries.db import scoped
from queries.filters import MatterFilter, Period
from queries.scope import Scope
from tests.stability.conftest import office_now


def _audit(engine, action: str, target: str) -> list[dict]:
    with engine.connect() as c:
        return [dict(r._mapping) for r in c.execute(text(
            "SELECT username, action, target, detail FROM audit_log WHERE action = :a"
            " AND target = :t ORDER BY id"), {"a": action, "t": target})]


def _user(world, base: str, role: str):
    return SimpleNamespace(username=world.users[base], role=role)


def scopes(world):
    return {"region": Scope.region(), "leader": Scope(units=("430626",)),
            "officer": Scope(units=(world.towns["C"],)),
            "wall": Scope(units=("430600",), personal_data=False)}


# --- influx ----------------------------------------------------------------------------------

def test_influx_by_township_counts_and_rise(world):
    d = world.day
    f = stability.influx_by_area(Scope.region(), d - dt.timedelta(days=6), d, d)
    a, b, c = (f.loc[world.towns[k]] for k in "ABC")
    assert (a.submissions_cur, a.submissions_base) == (12, 2)
    assert (a.cross_level_cur, a.upper_level_cur, a.cross_level_base) == (4, 4, 0)
    assert a.submissions_p == pytest.approx(106 / 16384) and a.submissions_ratio == 6
    assert bool(a.submissions_rise) and bool(a.flagged)
    assert (b.submissions_cur, b.submissions_base) == (5, 5) and not b.flagged
    assert (c.collective_cur, c.collective_persons_cur) == (2, 66)
    assert (c.collective_base, c.collective_persons_base) == (1, 7)
    assert not c.collective_rise  # 2 against 1 is no evidence
    # every township of the scope is listed, with zeros where nothing happened
    assert len(f) >= 100 and int((f["submissions_cur"] == 0).sum()) >= 90


def test_influx_scope_totals_series_and_levels(world):
    d = world.day
    leader = Scope(units=("430626",))
    f = stability.influx_by_area(leader, d - dt.timedelta(days=6), d, d)
    assert world.towns["C"] not in f.index and all(c.startswith("430626") for c in f.index)
    tot = stability.influx_totals(Scope.region(), d - dt.timedelta(days=6), d, d,
                                  flt=MatterFilter(unit="430626"))
    assert (tot["submissions"]["cur"], tot["submissions"]["base"]) == (17, 7)
    assert tot["window"]["days"] == 7 and tot["window"]["be"] == (d - dt.timedelta(days=7))\
        .isoformat()
    s = stability.daily_series(Scope.region(), d - dt.timedelta(days=6), d, d,
                               flt=MatterFilter(unit=world.towns["A"]))
    assert len(s) == 14 and set(s["window"]) == {"baseline", "current"}
    assert int(s[s["window"] == "current"]["submissions"].sum()) == 12
    assert int(s[s["window"] == "baseline"]["submissions"].sum()) == 2
    counties = stability.influx_by_area(Scope.region(), d - dt.timedelta(days=6), d, d,
                                        level="county")
    assert int(counties.loc["430626", "submissions_cur"]) == 17
    with pytest.raises(ValueError):
        stability.influx_by_area(Scope.region(), d, d, d, level="village; DROP")


def test_collective_visits_carry_no_personal_data(world):
    d = world.day
    rows = stability.collective_visits(Scope.region(), d - dt.timedelta(days=6), d)
    mine = [r for r in rows if r["township_code"] == world.towns["C"]]
    assert [r["persons"] for r in mine] == [60, 6]
    assert set(mine[0]) == {"submission_no", "matter_no", "received_on", "persons",
                            "received_level", "category", "township_code", "township_name"}
    assert stability.collective_visits(Scope(units=("430626",)), d - dt.timedelta(days=6),
                                       d) == []


def test_backlog_by_township_agrees_with_the_kpis(world):
    from queries.kpi import compute_kpis

    d = world.day
    f = stability.backlog_by_township(Scope.region(), d)
    k = compute_kpis(Scope.region(), Period.month(d.year, d.month), d)
    assert int(f["backlog"].sum()) == k["backlog_open"]
    assert int(f["package_gaps"].sum()) == k["package_gaps"]
    assert int(f["overdue"].sum()) == k["overdue_open"]


# --- ledger ----------------------------------------------------------------------------------

def test_ledger_list_summary_and_order(world):
    d = world.day
    s = scopes(world)
    f = ledger.list_entries(s["region"], d)
    mine = f[f["ledger_no"].str.startswith("WS-")]
    assert list(mine["ledger_no"]) == ["WS-L1", "WS-L2"]  # open only, high risk first
    assert int(mine.iloc[0]["days_left"]) == -5
    assert set(ledger.list_entries(s["region"], d, status="all")["ledger_no"]) >= {
        "WS-L1", "WS-L2", "WS-L3"}
    assert list(ledger.list_entries(s["leader"], d)["ledger_no"]) == ["WS-L1", "WS-L2"]
    assert list(ledger.list_entries(s["officer"], d, status="all")["ledger_no"]) == ["WS-L3"]
    assert "responsible_leader" not in ledger.list_entries(s["wall"], d).columns
    summ = ledger.summary(s["leader"], d)
    assert summ == {"open": 2, "high": 1, "medium": 0, "low": 1, "overdue": 1, "people": 48}


def _point_in(engine, code: str) -> tuple[float, float]:
    with engine.connect() as c:
        return tuple(c.execute(text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM admin_unit"
            " WHERE code = :c) x"), {"c": code}).one())


def test_ledger_create_edit_close_audited(world, engine):
    d = world.day
    s = scopes(world)
    officer = _user(world, "officer", "officer")
    lon, lat = _point_in(engine, world.towns["C"])
    inp = ledger.LedgerInput(title="墙测新纠纷：安置房交付延期", risk_level="medium",
                             opened_on=d, lon=lon, lat=lat, people_involved=25,
                             resolve_by=d + dt.timedelta(days=30),
                             responsible_unit="墙测住建局")
    no = ledger.create_entry(s["officer"], inp, user=officer)
    row = ledger.get_entry(s["officer"], no)
    assert row["township_code"] == world.towns["C"]  # from the point
    assert row["county_code"] == world.towns["C"][:6] and row["created_by"] == officer.username
    assert _audit(engine, "ledger_create", f"ledger:{no}")[0]["username"] == officer.username
    assert no in ledger.ledger_geojson(s["officer"], d)

    changed = ledger.entry_input(row, people_involved=30, status="resolving")
    ledger.update_entry(s["officer"], no, changed, user=officer)
    upd = _audit(engine, "ledger_update", f"ledger:{no}")
    assert set(upd[-1]["detail"]["changed"]) == {"people_involved", "status"}
    assert "墙测新纠纷" not in str(upd[-1]["detail"])  # free text stays out of the log

    ledger.close_entry(s["officer"], no, d, user=officer, note="已签订协议")
    closed = ledger.get_entry(s["officer"], no)
    assert closed["status"] == "resolved" and closed["closed_on"] == d
    assert "已签订协议" in closed["measures"]
    assert _audit(engine, "ledger_close", f"ledger:{no}")


def test_ledger_refuses_outside_jurisdiction_people_and_walls(world):
    d = world.day
    s = scopes(world)
    officer = _user(world, "officer", "officer")
    elsewhere = ledger.LedgerInput(title="墙测越界纠纷", risk_level="low", opened_on=d,
                                   township_code=world.towns["A"])
    with pytest.raises(PermissionError):
        ledger.create_entry(s["officer"], elsewhere, user=officer)
    with pytest.raises(PermissionError):
        ledger.create_entry(s["wall"], elsewhere, user=officer)
    with pytest.raises(PermissionError):
        ledger.update_entry(s["officer"], "WS-L1", elsewhere, user=officer)
    mine = ledger.LedgerInput(title="墙测纠纷", risk_level="low", opened_on=d,
                              township_code=world.towns["C"])
    with pytest.raises(LookupError):  # not visible to the officer: as if it did not exist
        ledger.update_entry(s["officer"], "WS-L1", mine, user=officer)
    for bad in (dict(title="住户430626190001010015反映问题"),
                dict(title="联系人电话13812345678"), dict(people_involved=-1),
                dict(risk_level="extreme"), dict(resolve_by=d - dt.timedelta(days=1)),
                dict(township_code="4306261", county_code=None),
                dict(lon=10.0, lat=10.0, township_code=None, county_code=None)):
        args = dict(title="墙测纠纷", risk_level="low", opened_on=d,
                    township_code=world.towns["C"])
        args.update(bad)
        with pytest.raises(ledger.LedgerError):
            ledger.LedgerInput(**args)


def test_row_level_security_and_grants_on_the_ledger(world):
    """The database refuses what the query layer would: a row outside the scope, and any
    write the pages never make (renumbering, deleting)."""
    s = scopes(world)
    with pytest.raises(DBAPIError, match="row-level security"):
        with scoped(s["officer"]) as conn:
            conn.execute(text(
                "INSERT INTO unstable_factor (ledger_no, title, risk_level, opened_on,"
                " township_code, county_code) VALUES ('WS-X', 'x', 'low', now()::date, :t,"
                " left(:t, 6))"), {"t": world.towns["A"]})
    for sql in ("UPDATE unstable_factor SET ledger_no = 'WS-Y' WHERE ledger_no = 'WS-L1'",
                "DELETE FROM unstable_factor WHERE ledger_no = 'WS-L1'",
                "UPDATE daily_report SET filed_at = now() WHERE unit_code = 'WS-T-A'",
                "INSERT INTO daily_report (unit_code, report_date, filed_at)"
                " VALUES ('WS-T-A', '2000-01-01', '2000-01-01')",
                "UPDATE sensitive_period SET created_by = 'x'"):
        with pytest.raises(DBAPIError, match="permission denied"):
            with scoped(s["region"]) as conn:
                conn.execute(text(sql))
    with scoped(s["leader"]) as conn:  # the duty tables are scoped by their unit
        units = set(conn.execute(text("SELECT DISTINCT unit_code FROM daily_report"
                                      " WHERE unit_code LIKE 'WS-%'")).scalars())
    assert units == {"WS-T-A", "WS-T-B", "WS-D-1"}


# --- duty and daily reports ------------------------------------------------------------------

def test_compliance_today_by_the_cutoff(world):
    d = world.day
    leader = Scope(units=("430626",))
    after = duty.compliance_day(leader, office_now(d, 18))
    status = dict(zip(after["code"], after["status"], strict=True))
    assert {k: v for k, v in status.items() if k.startswith("WS-")} == {
        "WS-T-A": "on_time", "WS-T-B": "missing", "WS-D-1": "on_time"}
    assert list(after["code"])[0] == "WS-T-B"  # missing first
    before = duty.compliance_day(leader, office_now(d, 16, 59))
    assert dict(zip(before["code"], before["status"], strict=True))["WS-T-B"] == "pending"
    missing = duty.missing_reports(leader, office_now(d, 17, 1))
    assert [m["code"] for m in missing] == ["WS-T-B"]


def test_on_time_rates_over_a_period(world):
    d = world.day
    start = d - dt.timedelta(days=9)
    r = duty.on_time_rates(Scope.region(), start, d, office_now(d, 18))
    r = r[r["code"].str.startswith("WS-")].set_index("code")
    assert r.loc["WS-T-A", ["days", "on_time", "late", "missing"]].tolist() == [10, 10, 0, 0]
    assert r.loc["WS-T-B", ["days", "on_time", "late", "missing"]].tolist() == [10, 8, 0, 2]
    assert r.loc["WS-T-C", ["days", "on_time", "late", "missing"]].tolist() == [10, 8, 1, 1]
    assert r.loc["WS-T-B", "rate"] == pytest.approx(0.8)
    assert list(r.index)[:2] == ["WS-T-B", "WS-T-C"]  # worst first
    assert duty.overall_rate(r) == pytest.approx(46 / 50)
    # before the cutoff, today does not count yet
    early = duty.on_time_rates(Scope.region(), start, d, office_now(d, 10)).set_index("code")
    assert early.loc["WS-T-B", ["days", "missing"]].tolist() == [9, 1]


def test_filing_reports_and_rosters_audited_and_scoped(world, engine):
    d = world.day
    s = scopes(world)
    officer = _user(world, "officer", "officer")
    try:
        _file_and_roster(world, engine, d, s, officer)
    finally:  # leave C without today's report and duty, as the world has it
        with engine.begin() as c:
            c.execute(text("DELETE FROM daily_report WHERE unit_code = 'WS-T-C'"
                           " AND report_date = :d"), {"d": d})
            c.execute(text("DELETE FROM duty_roster WHERE unit_code = 'WS-T-C'"
                           " AND duty_date = :d"), {"d": d})


def _file_and_roster(world, engine, d, s, officer):
    first = duty.file_report(s["officer"], "WS-T-C", d, 0, "零报告", user=officer)
    again = duty.file_report(s["officer"], "WS-T-C", d, 2, "发现纠纷2起", user=officer)
    assert not first["corrected"] and again["corrected"]
    assert again["filed_at"] == first["filed_at"]  # a correction keeps the filing time
    assert len(_audit(engine, "daily_report_file", f"report:WS-T-C:{d.isoformat()}")) == 2
    with pytest.raises(PermissionError):
        duty.file_report(s["officer"], "WS-T-A", d, 0, user=officer)
    with pytest.raises(duty.DutyError):
        duty.file_report(s["officer"], "WS-T-C", d, -1, user=officer)
    with pytest.raises(PermissionError):
        duty.file_report(s["wall"], "WS-T-C", d, 0, user=officer)

    assert duty.roster_coverage(s["officer"], d) == {"units": 1, "covered": 0, "uncovered": 1}
    duty.set_roster(s["officer"], duty.RosterInput("WS-T-C", d, "墙测值班员丙", "full",
                                                   "墙测带班领导丙", "0730-00001234"),
                    user=officer)
    assert duty.roster_coverage(s["officer"], d)["covered"] == 1
    assert _audit(engine, "duty_roster_set", f"duty:WS-T-C:{d}")
    wall = duty.roster(s["wall"], d)
    assert not {"officer_name", "leader_name", "phone"} & set(wall.columns)
    with pytest.raises(duty.DutyError):
        duty.RosterInput("WS-T-C", d, "", "full")


# --- sensitive periods and warnings ------------------------------------------------------------

def test_periods_admin_only_validated_and_audited(world, engine):
    d = world.day
    admin = _user(world, "admin", "admin")
    leader = _user(world, "leader", "leader")
    inp = periods.PeriodInput(name="墙测敏感期", starts_on=d - dt.timedelta(days=2),
                              ends_on=d + dt.timedelta(days=3), level="provincial")
    with pytest.raises(PermissionError):
        periods.create_period(inp, user=leader)
    for bad in (dict(ends_on=d - dt.timedelta(days=5)), dict(level="galactic"),
                dict(name=""), dict(scope_code="110101"),
                dict(ends_on=d + dt.timedelta(days=400))):
        args = dict(name="墙测敏感期", starts_on=d - dt.timedelta(days=2),
                    ends_on=d + dt.timedelta(days=3), level="city")
        args.update(bad)
        with pytest.raises(periods.PeriodError):
            periods.PeriodInput(**args)
    pid = periods.create_period(inp, user=admin)
    try:
        active = periods.active_period(Scope.region(), d)
        assert active["id"] == pid and active["day_no"] == 3 and active["days_left"] == 3
        local = periods.create_period(periods.PeriodInput(
            name="墙测县级敏感期", starts_on=d, ends_on=d, level="local", scope_code="430621"),
            user=admin)
        assert periods.active_period(Scope.region(), d)["id"] == pid  # provincial wins
        officer = Scope(units=(world.towns["C"],))
        leader_scope = Scope(units=("430626",))
        seen = set(periods.list_periods(officer, d)["id"])
        assert {pid, local} <= seen
        assert local not in set(periods.list_periods(leader_scope, d)["id"])
        periods.update_period(local, periods.PeriodInput(
            name="墙测县级敏感期", starts_on=d + dt.timedelta(days=5),
            ends_on=d + dt.timedelta(days=6), level="local", scope_code="430621"), user=admin)
        assert periods.next_period(officer, d)["id"] == local
        assert _audit(engine, "period_create", f"sensitive_period:{pid}")
        assert _audit(engine, "period_update", f"sensitive_period:{local}")
        statuses = periods.list_periods(Scope.region(), d).set_index("id")["status"]
        assert statuses[pid] == "active" and statuses[local] == "upcoming"
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM sensitive_period WHERE name LIKE '墙测%'"))


def test_warnings_tighten_during_a_sensitive_period(world, engine):
    d = world.day
    region = Scope.region()

    def kinds(now):
        got = [x for x in qwarn.current_warnings(region, now)
               if x.area_code in set(world.towns.values()) or
               str(x.params.get("unit_code", "")).startswith("WS-") or
               str(x.params.get("ledger_no", "")).startswith("WS-")]
        return {(x.kind, x.params.get("persons") or x.params.get("ledger_no")
                 or x.params.get("unit_code") or x.area_code) for x in got}

    normal = kinds(office_now(d, 17, 30))
    assert ("collective_visit", 60) in normal and ("collective_visit", 6) not in normal
    assert ("influx", world.towns["A"]) in normal
    assert ("ledger_overdue", "WS-L1") in normal
    assert not any(k == "ledger_due_soon" for k, _ in normal)
    assert not any(k == "report_missing" for k, _ in normal)  # grace until 18:00
    assert ("report_missing", "WS-T-B") in kinds(office_now(d, 18, 0))

    admin = _user(world, "admin", "admin")
    pid = periods.create_period(periods.PeriodInput(
        name="墙测敏感期预警", starts_on=d - dt.timedelta(days=6), ends_on=d, level="city"),
        user=admin)
    try:
        sensitive = kinds(office_now(d, 17, 30))
        assert ("collective_visit", 6) in sensitive
        assert ("ledger_due_soon", "WS-L2") in sensitive
        assert ("report_missing", "WS-T-B") in sensitive  # strict: at the cutoff itself
        window = qwarn.watch_window(region, d)
        assert window["sensitive"] and window["period"]["id"] == pid
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM sensitive_period WHERE id = :i"), {"i": pid})
