"""The rollups (migration 0006) give exactly the raw SQL's numbers, or are not used.

A world of matters with every clock (forward to re-review, extensions, hearings), backlog
flags, answers followed by more submissions, upper-level submissions, package leaders,
responsible units (some none), a project zone and several channels is loaded through the
importer (which refreshes the summaries); then many randomised scope / filter / period /
as-of combinations — past as-of dates, township and department users, clock filters,
villages — are answered with the summaries and with the raw tables and compared. The rollup
path must really be taken for the combinations it claims (checked), and stale summaries must
never be read.
"""

from __future__ import annotations

import csv
import datetime as dt
import random

import pandas as pd
import pytest
from sqlalchemy import text

from domain.clocks import ClockRules
from queries import areas, charts, kpi, summaries, summaries_build
from queries.filters import CLOCK_FILTERS, MatterFilter, Period
from queries.scope import Scope

END = dt.date(2026, 11, 20)
SAVED = ("_sum_saved_admin_unit", "_sum_saved_project_zone")
PREFIX = "SQ"
CATS = ["land_expropriation", "demolition", "labour_wages", "law_related", "other",
        "urban_construction"]
CHANNELS = ["online", "visit", "letter", "phone", "hotline_12345", "leader_mailbox"]
LEVELS = ["county", "county", "county", "city", "province", "national"]
UNITS = ["住建局", "人社局", "自然资源局", "信访局", "", ""]
RULES = ClockRules()


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _write(folder, vboxes, n: int, seed: int):
    """Matters and submissions exercising every clock and backlog rule."""
    rng = random.Random(seed)
    codes = sorted(vboxes)
    start = END - dt.timedelta(days=500)
    mpath, spath = folder / "matters.csv", folder / "submissions.csv"
    sub_no = 0
    with open(mpath, "w", newline="", encoding="utf-8") as mf, \
            open(spath, "w", newline="", encoding="utf-8") as sf:
        mw, sw = csv.writer(mf), csv.writer(sf)
        mw.writerow(["matter_no", "registered_on", "category", "route", "lon", "lat",
                     "responsible_unit", "forwarded_on", "accepted_on", "extension_days",
                     "answered_on", "satisfaction", "review_requested_on",
                     "review_decided_on", "recheck_requested_on", "recheck_decided_on",
                     "hearing_days", "package_leader", "package_level", "backlog_flag",
                     "intake", "backlog_flagged_on", "backlog_resolved_on"])
        sw.writerow(["submission_no", "matter_no", "received_on", "channel",
                     "received_level", "persons", "irregular"])
        for i in range(n):
            # A third of the matters in two townships, so township views have enough.
            pool = [c for c in codes if c.startswith(("430626101", "430602"))] \
                if rng.random() < 0.35 else codes
            village = rng.choice(pool)
            x0, y0, x1, y1 = vboxes[village]
            lon = round(rng.uniform(x0 + (x1 - x0) * .2, x1 - (x1 - x0) * .2), 6)
            lat = round(rng.uniform(y0 + (y1 - y0) * .2, y1 - (y1 - y0) * .2), 6)
            reg = start + dt.timedelta(days=rng.randrange(501))
            cat = rng.choice(CATS)
            route = "political_legal" if cat == "law_related" else rng.choice(
                ["ordinary"] * 6 + ["simplified", "discipline"])
            # Late and missing steps are common here so that overdue and backlog are.
            fwd = reg + dt.timedelta(days=rng.choice([1, 5, 14, 15, 16, 30, 200]))
            acc = fwd + dt.timedelta(days=rng.choice([0, 3, 15, 16, 40, 150]))
            ext = rng.choice([0, 0, 0, 10, 30])
            ans = acc + dt.timedelta(days=rng.choice([10, 40, 59, 60, 61, 90, 200]) + ext)
            # Intake as real exports hold it (DESIGN §3): mostly blank (inferred), some
            # explicit; a direct matter has no forwarding date.
            intake = rng.choice(["", "", "", "", "", "office", "direct"])
            fwd = fwd if fwd <= END and rng.random() > 0.05 and intake != "direct" else None
            acc = acc if (fwd or intake == "direct") and acc <= END and rng.random() > 0.05 \
                else None
            ans = ans if acc and ans <= END and rng.random() > 0.08 else None
            # Blank stage dates before recorded ones: unrecorded clocks.
            if ans and rng.random() < 0.04:
                acc = None
            if acc and intake == "office" and rng.random() < 0.1:
                fwd = None
            sat = rng.choice(["satisfied", "basically_satisfied", "dissatisfied",
                              "not_evaluated", ""]) if ans else ""
            rev_req = rev_dec = rec_req = rec_dec = None
            hearing = 0
            if ans and rng.random() < 0.2:
                rev_req = ans + dt.timedelta(days=rng.randrange(1, 20))
                rev_dec = rev_req + dt.timedelta(days=rng.choice([10, 30, 31, 120]))
                rev_req = rev_req if rev_req <= END else None
                rev_dec = rev_dec if rev_req and rev_dec <= END and rng.random() > .2 else None
                if rev_dec and rng.random() < 0.5:
                    rec_req = rev_dec + dt.timedelta(days=rng.randrange(1, 20))
                    hearing = rng.choice([0, 0, 10])
                    rec_dec = rec_req + dt.timedelta(days=rng.choice([5, 30, 45, 200]))
                    rec_req = rec_req if rec_req <= END else None
                    rec_dec = rec_dec if rec_req and rec_dec <= END and rng.random() > .3 \
                        else None
            leader = rng.random() < 0.1
            flag = rng.random() < 0.05
            flagged_on = reg + dt.timedelta(days=rng.randrange(0, 200)) \
                if flag and rng.random() < 0.7 else None
            # Resolutions: of flagged matters and of re-petitioned answered ones.
            resolved = (reg + dt.timedelta(days=rng.randrange(30, 450))
                        if (flag or ans) and rng.random() < 0.15 else None)
            mw.writerow([f"{PREFIX}{i:06d}", _d(reg), cat, route, lon, lat, rng.choice(UNITS),
                         _d(fwd), _d(acc), ext, _d(ans), sat, _d(rev_req), _d(rev_dec),
                         _d(rec_req), _d(rec_dec), hearing,
                         "演示领导" if leader else "",
                         rng.choice(["county", "township"]) if leader else "",
                         "yes" if flag else "no", intake,
                         _d(flagged_on if flagged_on and flagged_on <= END else None),
                         _d(resolved if resolved and resolved <= END else None)])
            days = [reg]
            for _k in range(rng.choice([0, 0, 0, 1, 2, 7])):
                days.append(reg + dt.timedelta(days=rng.randrange(0, 400)))
            if ans and rng.random() < 0.1:  # re-petitioned after the answer (backlog rule b)
                days += [ans + dt.timedelta(days=rng.randrange(1, 90)) for _ in range(4)]
            if ans and rng.random() < 0.1:  # back at the edge of the 90 days (一次性化解)
                days.append(ans + dt.timedelta(days=rng.choice([89, 90, 91, 120])))
            if resolved and rng.random() < 0.5:  # and again after a resolution
                days += [resolved + dt.timedelta(days=rng.randrange(0, 60)) for _ in range(3)]
            upper = rng.random() < 0.05  # many visits at city level or above (package rule)
            for day in sorted(x for x in days if x <= END):
                channel = "visit" if upper and rng.random() < 0.7 else rng.choice(CHANNELS)
                level = "national" if upper else rng.choice(LEVELS)
                sub_no += 1
                sw.writerow([f"{PREFIX}S{sub_no:07d}", f"{PREFIX}{i:06d}", _d(day), channel,
                             level,
                             rng.choice([1, 1, 2, 5, 6, 50]) if channel == "visit" else 1,
                             "yes" if level in ("city", "province", "national")
                             and rng.random() < 0.1 else "no"])
    return mpath, spath


@pytest.fixture(scope="module")
def world(engine, db_url, tmp_path_factory):
    from ingest.matters import import_file
    from tests.dashboard.world import load_geography

    with engine.begin() as c:
        c.execute(text(f"DROP TABLE IF EXISTS {', '.join(SAVED)}"))
        c.execute(text(f"CREATE TABLE {SAVED[0]} AS SELECT * FROM admin_unit"))
        c.execute(text(f"CREATE TABLE {SAVED[1]} AS SELECT * FROM project_zone"))
        c.execute(text("DELETE FROM matter WHERE matter_no LIKE :p"), {"p": PREFIX + "%"})
        vboxes = load_geography(c)
    folder = tmp_path_factory.mktemp("summary_world")
    mpath, spath = _write(folder, vboxes, 2500, 11)
    for path, kind in ((mpath, "matters"), (spath, "submissions")):
        s = import_file(path, kind=kind, crs="wgs84", engine=engine, username="test")
        assert s.rejected == 0, s
    with engine.connect() as c:
        codes = {r[0]: r[1] for r in c.execute(text(
            "SELECT DISTINCT ON (level) level, code FROM admin_unit WHERE level <> 'prefecture'"
            " ORDER BY level, code"))}
        villages = [r[0] for r in c.execute(text(
            "SELECT DISTINCT village_code FROM matter WHERE township_code = '430626101'"))]
        assert summaries.is_fresh(c, RULES)
    yield {"villages": villages, "codes": codes}
    with engine.begin() as c:
        c.execute(text("DELETE FROM matter WHERE matter_no LIKE :p"), {"p": PREFIX + "%"})
        c.execute(text("DELETE FROM project_zone"))
        c.execute(text("DELETE FROM admin_unit"))
        c.execute(text(f"INSERT INTO admin_unit SELECT * FROM {SAVED[0]}"))
        c.execute(text(f"INSERT INTO project_zone SELECT * FROM {SAVED[1]}"))
        c.execute(text(f"DROP TABLE {', '.join(SAVED)}"))
    summaries_build.refresh(engine)


SCOPES = {
    "region": Scope.region(),
    "county": Scope(units=("430626",)),
    "township": Scope(units=("430626101",)),
    "two_townships": Scope(units=("430626101", "430602001")),
    "department": Scope(departments=("住建局",)),
    "county_and_department": Scope(units=("430602",), departments=("人社局",)),
}


def _random_case(rng: random.Random, world) -> tuple:
    scope_name = rng.choice(list(SCOPES))
    unit = rng.choice([None, None, "430626", "430626101", "430602", "430600",
                       rng.choice(world["villages"])])
    clock = rng.choice([None] * 8 + list(CLOCK_FILTERS))
    kind = rng.choice(["month", "month", "custom", "year", "day"])
    if kind == "month":
        period = Period.month(rng.choice([2025, 2026]), rng.randrange(1, 13))
    elif kind == "year":
        period = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    else:
        a = dt.date(2025, 6, 1) + dt.timedelta(days=rng.randrange(520))
        b = a + dt.timedelta(days=0 if kind == "day" else rng.randrange(1, 200))
        period = Period(a, b)
    # As-of: usually the test's today; often in the past, sometimes before the period.
    as_of = rng.choice([END, END, period.end, period.start + dt.timedelta(days=3),
                        period.start - dt.timedelta(days=10),
                        dt.date(2025, 9, 17), dt.date(2028, 3, 5)])
    flt = MatterFilter(
        unit=unit,
        categories=tuple(rng.sample(CATS, rng.choice([0, 0, 1, 2]))),
        channels=tuple(rng.sample(CHANNELS, rng.choice([0, 0, 1, 2]))),
        routes=tuple(rng.sample(["ordinary", "simplified"], rng.choice([0, 0, 0, 1]))),
        zone=rng.choice([None] * 8 + ["TEST-ZONE-1"]),
        clock=clock, clock_day=min(period.end, as_of) if clock else None)
    return scope_name, period, as_of, flt


def _both(fn, *args):
    fast = fn(*args)
    with summaries.raw_only():
        raw = fn(*args)
    return fast, raw


def _same_frame(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=a.index.name is None),
                                  b.reset_index(drop=b.index.name is None),
                                  check_dtype=False, obj=what)


CASES = 90


@pytest.mark.parametrize("seed", range(CASES))
def test_rollups_equal_raw(world, seed):
    rng = random.Random(1000 + seed)
    scope_name, period, as_of, flt = _random_case(rng, world)
    scope = SCOPES[scope_name]
    label = f"{scope_name} {period} as of {as_of} {flt}"
    fast, raw = _both(kpi.compute_kpis, scope, period, as_of, flt, RULES)
    assert fast == raw, label
    day = min(period.end, as_of)
    for level in ("county", "township", "zone", "village"):
        f_unit = flt if level != "village" else MatterFilter(
            unit="430626101", categories=flt.categories, channels=flt.channels)
        a, b = _both(areas.measures_by_area, scope, level, period, as_of, f_unit, RULES)
        _same_frame(a, b, f"{level}: {label}")
    for name, fn, args in (
            ("monthly_by_channel", charts.monthly_by_channel, (scope, period, flt)),
            ("repeat_cross_trend", charts.repeat_cross_trend, (scope, period, flt)),
            ("by_category", charts.by_category, (scope, period, flt)),
            ("stage_funnel", charts.stage_funnel, (scope, period, day, flt)),
            ("backlog_ageing", charts.backlog_ageing, (scope, day, flt, RULES)),
            ("top_units_by_overdue", charts.top_units_by_overdue, (scope, day, flt))):
        a, b = _both(fn, *args)
        _same_frame(a, b, f"{name}: {label}")


def test_the_rollups_are_really_used(world):
    """Supported combinations answer from the summaries (else the test above proves
    nothing), and the answers are not all zero."""
    used = nonzero = 0
    rng = random.Random(5)
    for _ in range(80):
        scope_name, period, as_of, flt = _random_case(rng, world)
        scope = SCOPES[scope_name]
        supported = summaries.pick_cut(summaries.needed_dims(scope, flt, "matter")) \
            and summaries.pick_cut(summaries.needed_dims(scope, flt, "submission"))
        counts = summaries.kpi_counts(scope, period, as_of, flt, RULES)
        assert (counts is not None) == bool(supported), (scope_name, flt)
        used += counts is not None
        nonzero += bool(counts and any(counts.values()))
    assert used >= 25 and nonzero >= 15, (used, nonzero)
    funnel = summaries.summary_frame(
        Scope.region(), lambda w: f"SELECT count(*) AS n FROM summary_funnel m WHERE {w}", "m",
        {}, MatterFilter(channels=("visit",)), RULES)
    assert funnel is not None and funnel.iloc[0]["n"] > 0
    region = summaries.kpi_counts(Scope.region(), Period.month(2026, 5), END, MatterFilter(),
                                  RULES)
    for key in ("fwd_n", "fwd_ok", "ans_n", "answered", "evaluated", "overdue_open", "subs",
                "visits", "cross_visits", "collective_visits", "backlog_open",
                "backlog_during", "package_gaps", "unrec", "fr_n", "fr_ok", "irr_national",
                "irr_city"):
        assert region[key] > 0, key
    # And the new rules' cases exist in the world the comparison above ran on.
    with engine_of_world() as c:
        found = c.execute(text(
            "SELECT count(*) FILTER (WHERE intake = 'direct'), count(*) FILTER"
            " (WHERE unrecorded_n > 0), (SELECT count(*) FROM matter_backlog_span"
            " WHERE e IS NOT NULL), (SELECT count(*) FROM backlog_resolution)"
            " FROM matter WHERE matter_no LIKE :p"), {"p": PREFIX + "%"}).one()
    assert all(n > 10 for n in found), found


def engine_of_world():
    from queries.db import get_engine
    from tests.conftest import TEST_URL

    return get_engine(TEST_URL).connect()


def test_unsupported_filters_fall_back(world):
    scope = Scope.region()
    period = Period.month(2026, 5)
    for flt in (MatterFilter(clock="overdue", clock_day=END),
                MatterFilter(unit=world["villages"][0]),
                MatterFilter(categories=("other",), channels=("visit",), zone="TEST-ZONE-1",
                             routes=("ordinary",))):
        if flt.categories:  # the widest cut holds even this combination
            assert summaries.kpi_counts(scope, period, END, flt, RULES) is not None
        else:
            assert summaries.kpi_counts(scope, period, END, flt, RULES) is None


def test_stale_summaries_are_not_read(world, engine):
    scope, period, flt = Scope.region(), Period.month(2026, 6), MatterFilter()
    before = kpi.compute_kpis(scope, period, END, flt, RULES)
    with engine.begin() as c:  # an edit outside the importer
        c.execute(text("UPDATE matter SET answered_on = NULL, satisfaction = NULL"
                       " WHERE matter_no IN (SELECT matter_no FROM matter"
                       " WHERE answered_on BETWEEN '2026-06-01' AND '2026-06-30'"
                       " AND matter_no LIKE 'SQ%' ORDER BY matter_no LIMIT 5)"))
    with engine.connect() as c:
        assert not summaries.is_fresh(c, RULES)
    assert summaries.kpi_counts(scope, period, END, flt, RULES) is None
    after = kpi.compute_kpis(scope, period, END, flt, RULES)
    with summaries.raw_only():
        assert after == kpi.compute_kpis(scope, period, END, flt, RULES)
    assert after["counts"]["answered"] == before["counts"]["answered"] - 5
    summaries_build.refresh(engine)
    assert summaries.kpi_counts(scope, period, END, flt, RULES) is not None
    assert kpi.compute_kpis(scope, period, END, flt, RULES) == after
    # Other rules than the build's: not fresh for them.
    with engine.connect() as c:
        assert summaries.is_fresh(c, RULES)
        assert not summaries.is_fresh(c, ClockRules(backlog_days_past_due=60))


def test_statements_changing_nothing_keep_them_fresh(world, engine):
    """A re-import of an unchanged file writes no row: no refresh needed."""
    summaries_build.refresh_quietly(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE matter SET category = category WHERE false"))
        c.execute(text("DELETE FROM submission WHERE false"))
    with engine.connect() as c:
        assert summaries.is_fresh(c, RULES)
    assert summaries_build.refresh_quietly(engine) is None  # nothing to do


def test_row_level_security_on_summaries(world):
    """The web role sees summary rows of its scope only, and none without a scope."""
    from queries.db import app_connection, scoped

    tables = ("summary_matter_area_day", "summary_submission_cat_month",
              "summary_matter_unit_day", "summary_backlog_interval")
    with scoped(Scope(units=("430626101",))) as conn:
        for table in tables:
            seen = conn.execute(text(f"SELECT DISTINCT township_code FROM {table}")).scalars()
            assert set(seen) == {"430626101"}, table
    with scoped(Scope(departments=("住建局",))) as conn:
        units = set(conn.execute(text(
            "SELECT DISTINCT responsible_unit FROM summary_matter_unit_month")).scalars())
        assert units == {"住建局"}
        assert conn.execute(text("SELECT count(*) FROM summary_matter_area_month")).scalar() == 0
    with app_connection() as conn:
        for table in tables:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table


@pytest.mark.parametrize("seed", range(300))
def test_range_parts_cover_exactly_the_range(seed):
    rng = random.Random(seed)
    lo = None if seed % 7 == 0 else dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(700))
    hi = (lo or dt.date(2025, 3, 1)) + dt.timedelta(days=rng.randrange(-3, 400))
    origin = dt.date(2024, 12, 1)
    covered: dict[dt.date, int] = {}
    for grain, first, last, sign in summaries.range_parts(lo, hi):
        first = first or origin
        day = first
        end = summaries._month_end(last) if grain == "month" else last
        assert grain == "day" or (first.day == 1 and last.day == 1)
        while day <= end:
            covered[day] = covered.get(day, 0) + sign
            day += dt.timedelta(days=1)
    want = {origin + dt.timedelta(days=i) for i in range((hi - origin).days + 1)
            if (lo is None or origin + dt.timedelta(days=i) >= lo)}
    assert {d for d, n in covered.items() if n} == want
    assert all(n in (0, 1) for n in covered.values())
