"""The demo-data generator on a synthetic geography: determinism, rates, date rules, places."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import shapely

from demodata import generate, prepare_geography, window, write_demo
from demodata.generate import (
    BLANK_ACCEPTED,
    BLANK_FORWARDED,
    CATEGORIES,
    CHANNELS,
    LEVELS,
    NA,
    ROUTES,
    SATISFACTION,
    level_matrix,
    with_check_digit,
)
from demodata.params import BAD_TOWNSHIPS, GOOD_TOWNSHIPS, DemoParams
from demodata.writer import MATTER_COLUMNS, SUBMISSION_COLUMNS
from domain.calendar import working_days
from tests.demodata import synthetic

END = dt.date(2026, 6, 30)
N = 50_000
DATE_ORDER = ("registered_on", "forwarded_on", "accepted_on", "answered_on",
              "review_requested_on", "review_decided_on", "recheck_requested_on",
              "recheck_decided_on")


def day(d: dt.date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def local_days(col: pd.Series) -> pd.Series:
    """The Asia/Shanghai day of each cell of a date column (NaT for blank), written out by hand
    rather than taken from the importer: ``YYYY-MM-DD``, or a date-time ending in ``Z`` (UTC:
    eight hours later in Yueyang) or ``+08:00`` (already local)."""
    stamp = col.str.extract(r"^(\d{4}-\d\d-\d\d)T(\d\d):\d\d:\d\d(Z|\+08:00)$")
    days = pd.to_datetime(col.where(col.str.len() == 10), format="%Y-%m-%d")
    stamped = stamp[0].notna()
    shift = ((stamp[2] == "Z") & (stamp[1].astype(float) >= 16)).astype(int)
    days[stamped] = (pd.to_datetime(stamp[0][stamped], format="%Y-%m-%d")
                     + pd.to_timedelta(shift[stamped], unit="D"))
    assert days[col != ""].notna().all(), "a date cell in neither form"
    return days


@pytest.fixture(scope="module")
def geo():
    return prepare_geography(*synthetic.frames())


@pytest.fixture(scope="module")
def demo(geo):
    return generate(geo, N, 42, 24, END)


@pytest.fixture(scope="module")
def rows(demo):
    return demo.collect()


@pytest.fixture(scope="module")
def files(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return write_demo(demo, out)


# --- determinism and sizes -------------------------------------------------------------------

def test_same_seed_gives_identical_bytes_and_another_seed_differs(geo, tmp_path):
    a = write_demo(generate(geo, 3000, 7, 12, END), tmp_path / "a")
    b = write_demo(generate(geo, 3000, 7, 12, END), tmp_path / "b")
    c = write_demo(generate(geo, 3000, 8, 12, END), tmp_path / "c")
    for x, y, z in zip(a, b, c, strict=True):
        assert x.read_bytes() == y.read_bytes()
        assert x.read_bytes() != z.read_bytes()


def test_output_does_not_depend_on_row_order_of_the_geography(tmp_path):
    villages, townships, counties, zones = synthetic.frames()
    shuffled = villages.sample(frac=1, random_state=3)
    a = write_demo(generate(prepare_geography(villages, townships, counties, zones),
                            2000, 1, 6, END), tmp_path / "a")
    b = write_demo(generate(prepare_geography(shuffled, townships.iloc[::-1], counties, zones),
                            2000, 1, 6, END), tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_file_sizes_and_headers(files, rows):
    matters_csv, submissions_csv = files
    m, s = rows
    raw = matters_csv.read_bytes()
    assert raw.startswith("\ufeff".encode())  # UTF-8 BOM, as Excel in China expects
    mf = pd.read_csv(matters_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    sf = pd.read_csv(submissions_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert tuple(mf.columns) == MATTER_COLUMNS
    assert tuple(sf.columns) == SUBMISSION_COLUMNS
    assert len(mf) == N == len(m["registered_on"])
    assert len(sf) == len(s["matter"])
    assert 1.35 * N < len(sf) < 1.5 * N
    assert mf["matter_no"].is_unique and sf["submission_no"].is_unique
    assert set(sf["matter_no"]) == set(mf["matter_no"])  # every matter has a submission
    assert mf["matter_no"].str.fullmatch(r"DEMO-20\d\d-\d{7}").all()


def test_window():
    assert window(dt.date(2026, 11, 26), 24) == (dt.date(2024, 11, 27), dt.date(2026, 11, 26))
    assert window(dt.date(2026, 3, 31), 1) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    with pytest.raises(ValueError):
        window(END, 0)


# --- dates -------------------------------------------------------------------------------------

def test_stage_dates_in_order_and_never_after_end(files, demo, rows):
    mf = pd.read_csv(files[0], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    m, _ = rows
    latest = local_days(mf["registered_on"])
    assert latest.min() >= pd.Timestamp(demo.start)
    end = pd.Timestamp(END)
    present_before = pd.Series(True, index=mf.index)
    # Stages the file skips on purpose: a direct matter is never forwarded; a blank stage date
    # (an unrecorded clock) leaves a later stage dated.
    skipped = {"forwarded_on": m["intake"] | (m["blank_stage"] == BLANK_FORWARDED),
               "accepted_on": m["blank_stage"] == BLANK_ACCEPTED}
    for col in DATE_ORDER:
        d = local_days(mf[col])
        has = d.notna()
        assert (d[has] >= latest[has]).all(), col
        assert (d[has] <= end).all(), col
        # A stage is only there if the stage before it is (review needs an answer, ...).
        assert not (has & ~present_before).any(), col
        gap = skipped.get(col, np.zeros(len(mf), bool))
        assert not (has & gap).any(), col
        latest = d.where(has, latest)
        present_before = has | gap
    rv = local_days(mf["review_requested_on"])
    ans = local_days(mf["answered_on"])
    assert (ans[rv.notna()].notna()).all() and (rv[rv.notna()] > ans[rv.notna()]).all()
    ext = mf["extension_days"].astype(int)
    assert ext.between(0, 30).all() and (ext > 0).any()
    assert mf["hearing_days"].astype(int).ge(0).all()
    assert (mf.loc[mf["hearing_days"].astype(int) > 0, "recheck_requested_on"] != "").all()
    # Satisfaction only for answered matters.
    assert (mf.loc[mf["satisfaction"] != "", "answered_on"] != "").all()


def test_submission_dates(files, rows):
    m, s = rows
    reg = m["registered_on"][s["matter"]]
    assert (s["received_on"] >= reg).all()
    assert (s["received_on"] <= day(END)).all()
    first = s["seq"] == 1
    assert (s["received_on"][first] == reg[first]).all()
    assert first.sum() == len(m["registered_on"])
    # Numbered in order received within each matter.
    same = s["matter"][1:] == s["matter"][:-1]
    assert (s["received_on"][1:][same] >= s["received_on"][:-1][same]).all()
    # Visits only on working days (the office's reception days).
    work = working_days().astype(np.int64)
    visits = s["received_on"][s["channel"] == CHANNELS.index("visit")]
    assert np.isin(visits, work).all()


def test_recent_matters_are_still_open(rows):
    m, _ = rows
    recent = m["registered_on"] > day(END) - 10
    old = m["registered_on"] < day(END) - 400
    assert (m["answered_on"][recent] == NA).mean() > 0.95
    assert (m["answered_on"][old] == NA).mean() < 0.02


# --- rates (DESIGN §7) ---------------------------------------------------------------------------

def shares(values, k):
    return np.bincount(values, minlength=k) / len(values)


def test_channel_and_level_mix(rows):
    _, s = rows
    ch = dict(zip(CHANNELS, shares(s["channel"], len(CHANNELS)), strict=True))
    assert ch["online"] == pytest.approx(0.55, abs=0.01)
    assert ch["visit"] == pytest.approx(0.20, abs=0.01)
    assert ch["letter"] == pytest.approx(0.10, abs=0.01)
    assert ch["phone"] + ch["hotline_12345"] == pytest.approx(0.10, abs=0.01)
    assert ch["leader_mailbox"] == pytest.approx(0.05, abs=0.01)
    lv = dict(zip(LEVELS, shares(s["received_level"], len(LEVELS)), strict=True))
    assert lv["county"] == pytest.approx(0.60, abs=0.01)
    assert lv["city"] == pytest.approx(0.10, abs=0.01)
    assert lv["province"] == pytest.approx(0.10, abs=0.01)
    assert lv["national"] == pytest.approx(0.20, abs=0.01)
    # Physical visits are mostly received by the county: cross-level visits are rare.
    visit = s["channel"] == CHANNELS.index("visit")
    upper = np.isin(s["received_level"][visit], [LEVELS.index("province"),
                                                 LEVELS.index("national")])
    assert upper.mean() == pytest.approx(0.08, abs=0.015)


def test_level_matrix_reproduces_the_overall_mix():
    p = DemoParams()
    mat = level_matrix(p)
    ch = np.array([p.channel_shares[c] for c in CHANNELS])
    overall = ch @ mat
    assert overall == pytest.approx([p.level_shares[lv] for lv in LEVELS])
    assert (mat >= 0).all()


def test_matter_kinds(rows):
    m, _ = rows
    cat = m["category"]
    law = cat == CATEGORIES.index("law_related")
    assert law.mean() == pytest.approx(0.14, abs=0.006)
    assert (m["route"][law] == ROUTES.index("political_legal")).all()
    disc = cat == CATEGORIES.index("discipline")
    assert disc.mean() == pytest.approx(0.02, abs=0.003)
    assert (m["route"][disc] == ROUTES.index("discipline")).all()
    cs = shares(cat, len(CATEGORIES))
    assert cs[CATEGORIES.index("urban_construction")] == pytest.approx(0.15, abs=0.015)
    assert cs[CATEGORIES.index("land_expropriation")] == pytest.approx(0.10, abs=0.015)


def test_seasonality_of_wages_and_civil_affairs(rows):
    m, _ = rows
    month = (m["registered_on"].astype("datetime64[D]").astype("datetime64[M]")
             .astype(np.int64) % 12) + 1
    wages = m["category"] == CATEGORIES.index("labour_wages")
    winter = np.isin(month, [12, 1])
    spring = np.isin(month, [3, 4, 5])
    # Share of wage matters among new matters doubles before the Spring Festival.
    assert wages[winter].mean() > 1.7 * wages[spring].mean()
    civil = m["category"] == CATEGORIES.index("civil_affairs")
    flood = np.isin(month, [6, 7, 8])
    assert civil[flood].mean() > 1.7 * civil[spring].mean()


def test_collective_and_repeat_submissions(rows):
    _, s = rows
    visit = s["channel"] == CHANNELS.index("visit")
    persons = s["persons"][visit]
    assert (persons >= 5).mean() == pytest.approx(0.12, abs=0.01)
    assert 0.004 < (persons >= 50).mean() < 0.02
    assert (s["persons"][~visit] == 1).all()
    collective = persons[(persons >= 5) & (persons < 50)]
    assert collective.mean() == pytest.approx(17, abs=1.0)  # 5 + Poisson(12)
    # Repeats: 30 % of the submissions received in a month, once the window has a history
    # (the first months lack repeats of earlier matters, the files stop at the end).
    month = s["received_on"].astype("datetime64[D]").astype("datetime64[M]")
    settled = (month >= np.datetime64("2025-03")) & (month <= np.datetime64("2026-03"))
    assert (s["seq"][settled] > 1).mean() == pytest.approx(0.30, abs=0.01)
    assert 0.26 < (s["seq"] > 1).mean() < 0.30


def test_clock_rates(rows):
    m, _ = rows
    end = day(END)
    reg, fwd, acc, ans = (m[k].astype(np.int64) for k in
                          ("registered_on", "forwarded_on", "accepted_on", "answered_on"))
    due_fwd = reg + 15
    # The forward clock: office intake only, and not where the file leaves it unrecorded.
    mature = (due_fwd <= end) & ~m["intake"] & (m["blank_stage"] != BLANK_FORWARDED)
    on_time = (fwd != NA) & (fwd <= due_fwd)
    assert on_time[mature].mean() == pytest.approx(0.97, abs=0.01)

    due = m["answer_due"].astype(np.int64)
    clock = (due != NA) & (due <= end)
    late = (ans == NA) | (ans > due)
    high = np.isin(m["category"], [CATEGORIES.index(c) for c in
                                   ("land_expropriation", "demolition", "law_related")])
    assert late[clock & ~high].mean() == pytest.approx(0.03, abs=0.008)
    assert late[clock & high].mean() == pytest.approx(0.08, abs=0.015)

    answered = (ans != NA) & (acc != NA) & (m["route"] == ROUTES.index("ordinary"))
    t = (ans - acc)[answered]
    assert 23 <= np.median(t) <= 27
    assert 50 <= np.percentile(t, 90) <= 62
    settled = (acc != NA) & (acc + 100 <= end)
    assert (m["extension_days"][settled] > 0).mean() == pytest.approx(0.06, abs=0.01)


def test_evaluation_and_review_rates(rows):
    m, _ = rows
    answered = m["answered_on"] != NA
    sat = m["satisfaction"]
    evaluated = np.isin(sat, [0, 1, 2])
    assert evaluated[answered].mean() == pytest.approx(0.60, abs=0.01)
    ordinary = ~np.isin(m["township"], _township_index(BAD_TOWNSHIPS | GOOD_TOWNSHIPS))
    good = np.isin(sat[evaluated & ordinary], [SATISFACTION.index("satisfied"),
                                               SATISFACTION.index("basically_satisfied")])
    assert good.mean() == pytest.approx(0.90, abs=0.015)
    review = m["review_requested_on"] != NA
    mature = answered & (m["answered_on"] < day(END) - 40)
    assert review[mature].mean() == pytest.approx(0.04, abs=0.006)
    recheck = m["recheck_requested_on"] != NA
    decided = (m["review_decided_on"] != NA) & (m["review_decided_on"] < day(END) - 40)
    assert recheck[decided].mean() == pytest.approx(0.25, abs=0.05)
    assert (m["hearing_days"] > 0).sum() > 0


def test_backlog_and_packages(rows, demo):
    m, s = rows
    backlog = m["backlog_kind"] > 0
    assert backlog.mean() == pytest.approx(0.02, abs=0.003)
    assert m["backlog_flag"].sum() > 0 and (m["backlog_flag"] <= backlog).all()
    packaged = m["leader"] >= 0
    assert packaged[backlog].mean() == pytest.approx(0.90, abs=0.04)
    county_level = m["leader_level"] == 0
    assert (county_level == (backlog & packaged)).all()
    names = demo.lookups.leader_names[m["leader"][packaged]]
    assert all("演示" in n for n in names)
    # Re-petitioned backlog matters received ≥ 3 submissions in the 180 days after the answer.
    rep = np.flatnonzero((m["backlog_kind"] == 2) & (m["answered_on"] != NA)
                         & (m["answered_on"] < day(END) - 180))
    assert len(rep) > 10
    after = s["received_on"] > m["answered_on"][s["matter"]]
    counts = np.bincount(s["matter"][after], minlength=len(m["registered_on"]))
    assert (counts[rep] >= 3).all()
    # Long overdue: answered more than 90 days after the due date, or still open.
    long_ = np.flatnonzero(m["backlog_kind"] == 1)
    answered = m["answered_on"][long_] != NA
    assert (m["answered_on"][long_][answered] > m["answer_due"][long_][answered] + 90).all()


# --- places --------------------------------------------------------------------------------------

def test_points_inside_their_village(rows, geo, files):
    m, _ = rows
    mf = pd.read_csv(files[0], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    lon, lat = mf["lon"].astype(float).to_numpy(), mf["lat"].astype(float).to_numpy()
    code_index = {c: i for i, c in enumerate(geo.village_code)}
    v = np.array([code_index[c] for c in mf["area_code"]])
    assert (v == m["village"]).all()
    inside = np.zeros(len(v), bool)
    for i in np.unique(v):
        sel = v == i
        inside[sel] = shapely.contains_xy(geo.village_geom[i], lon[sel], lat[sel])
    assert inside.all()
    # Villages are chosen ∝ population: the most populous get more matters.
    counts = np.bincount(v, minlength=geo.n_villages)
    order = np.argsort(geo.village_population)
    assert counts[order[-20:]].mean() > 2 * counts[order[:20]].mean()


def test_zone_spike(rows, geo):
    m, _ = rows
    zone = geo.zones[0]
    land = np.isin(m["category"], [CATEGORIES.index("land_expropriation"),
                                   CATEGORIES.index("demolition")])
    near = shapely.contains_xy(zone.area, m["lon"], m["lat"])
    reg = m["registered_on"]
    during = (reg >= day(synthetic.ZONE_START)) & (reg <= day(synthetic.ZONE_END))
    days_in = day(synthetic.ZONE_END) - day(synthetic.ZONE_START) + 1
    days_out = day(END) - day(window(END, 24)[0]) + 1 - days_in
    rate_in = (land & near & during).sum() / days_in
    rate_out = (land & near & ~during).sum() / days_out
    assert rate_in > 3 * rate_out
    # ... and only for land and demolition matters.
    other_in = (~land & near & during).sum() / days_in
    other_out = (~land & near & ~during).sum() / days_out
    assert other_in < 1.5 * other_out
    assert (m["zone_src"][~(land & near & during)] == -1).all()


def _township_index(codes) -> np.ndarray:
    return np.flatnonzero(np.isin(synthetic_geo_codes(), list(codes)))


def synthetic_geo_codes() -> np.ndarray:
    return np.array(sorted(synthetic.township_codes()), dtype=object)


def test_bad_and_good_townships(rows, geo):
    m, _ = rows
    assert list(geo.township_code) == list(synthetic_geo_codes())
    bad = np.isin(m["township"], _township_index(BAD_TOWNSHIPS))
    good = np.isin(m["township"], _township_index(GOOD_TOWNSHIPS))
    rest = ~bad & ~good
    end = day(END)
    due = m["answer_due"].astype(np.int64)
    clock = (due != NA) & (due <= end)
    late = (m["answered_on"] == NA) | (m["answered_on"] > due)
    assert late[clock & bad].mean() > 2.5 * late[clock & rest].mean()
    assert late[clock & good].mean() < 0.25 * late[clock & rest].mean()
    fwd_late = (m["forwarded_on"] == NA) | (m["forwarded_on"] > m["registered_on"] + 15)
    mature = ((m["registered_on"] + 15 <= end) & ~m["intake"]
              & (m["blank_stage"] != BLANK_FORWARDED))
    assert fwd_late[mature & bad].mean() > 2.5 * fwd_late[mature & rest].mean()
    sat = m["satisfaction"]
    dis = sat == SATISFACTION.index("dissatisfied")
    ev = np.isin(sat, [0, 1, 2])
    assert dis[ev & bad].mean() > 0.3
    assert dis[ev & good].mean() < 0.05
    # Every named township is in every county's list once.
    assert len(set(BAD_TOWNSHIPS) | set(GOOD_TOWNSHIPS)) == 8


# --- people and units ------------------------------------------------------------------------

def test_synthetic_personal_data(files):
    mf = pd.read_csv(files[0], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    names = mf["petitioner_name"]
    assert 0.25 < (names != "").mean() < 0.35  # most rows carry no name
    pattern = r"演示[甲乙丙丁戊己庚辛壬癸][一二三四五六七八九十]"
    assert names[names != ""].str.fullmatch(pattern).all()
    ids = mf["petitioner_id"][mf["petitioner_id"] != ""]
    assert 0.07 < len(ids) / len(mf) < 0.13
    assert (names[ids.index] != "").all()
    # Mistyped ones too (test_bad_id_check_digits): all obviously synthetic.
    assert ids.str.fullmatch(r"4306\d\d1900\d{4}999[0-9X]").all()
    valid = ids.map(lambda i: with_check_digit(i[:17]) == i)
    from domain.privacy import valid_id_numbers

    assert (valid_id_numbers(ids.tolist()) == valid.to_numpy()).all()
    assert mf["summary"][mf["summary"] != ""].str.startswith("【演示数据】").all()


def test_responsible_units(files, geo):
    mf = pd.read_csv(files[0], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    units = mf["responsible_unit"]
    assert (units != "").all()
    assert units.str.contains("人民政府|办事处").any()
    assert (units.str.startswith(("测试县", *sorted(set(geo.county_name))))
            | units.str.endswith(("人民政府", "办事处"))).all()
    labour = units[mf["category"] == "labour_wages"]
    assert labour.str.endswith("人社局").mean() > 0.8


# --- what real exports hold (issue 10; rates in demodata.params) ------------------------------

def _matters_csv(files) -> pd.DataFrame:
    return pd.read_csv(files[0], dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _direct(mf: pd.DataFrame) -> pd.Series:
    """Intake as DESIGN §3 reads the file: explicit, else direct when nothing was forwarded
    and it was accepted."""
    inferred = (mf["forwarded_on"] == "") & (mf["accepted_on"] != "")
    return (mf["intake"] == "direct") | ((mf["intake"] == "") & inferred)


def _blank_stage(mf: pd.DataFrame) -> pd.Series:
    """Rows with a blank stage date while a later stage has one (DESIGN §3 unrecorded)."""
    later = pd.Series(False, index=mf.index)
    gap = pd.Series(False, index=mf.index)
    for col in reversed(DATE_ORDER[1:]):
        blank = mf[col] == ""
        if col == "forwarded_on":
            blank &= ~_direct(mf)  # a direct matter has no forwarding stage
        gap |= blank & later
        later |= ~blank
    return gap


def test_direct_intake_and_blank_intake(files, rows):
    mf = _matters_csv(files)
    m, _ = rows
    direct = _direct(mf)
    assert direct.mean() == pytest.approx(DemoParams().direct_intake_share, abs=0.006)
    # The file's reading of intake is the generator's truth on every row ...
    assert (direct.to_numpy() == m["intake"]).all()
    assert (mf.loc[direct, "forwarded_on"] == "").all()
    # ... though half the rows leave it blank, for both kinds.
    blank = mf["intake"] == ""
    assert blank.mean() == pytest.approx(0.5, abs=0.03)
    assert (blank & direct).sum() > 1000 and (blank & ~direct).sum() > 10_000


def test_blank_stage_dates(files, rows):
    mf = _matters_csv(files)
    m, _ = rows
    gap = _blank_stage(mf)
    assert gap.mean() == pytest.approx(DemoParams().blank_stage_share, abs=0.003)
    assert (gap.to_numpy() == (m["blank_stage"] > 0)).all()
    no_fwd = gap & (mf["forwarded_on"] == "") & ~_direct(mf)
    assert no_fwd.sum() / gap.sum() == pytest.approx(0.3, abs=0.05)
    # An office matter missing its forwarding date says so: blank intake would read direct.
    assert (mf.loc[no_fwd, "intake"] == "office").all()
    no_acc = gap & (mf["accepted_on"] == "")
    assert (mf.loc[no_acc, "answered_on"] != "").all()


def test_flagged_backlog_half_resolved(files, rows):
    mf = _matters_csv(files)
    m, _ = rows
    reg = local_days(mf["registered_on"])
    flagged = mf["backlog_flag"] == "yes"
    flagged_on = local_days(mf["backlog_flagged_on"])
    resolved_on = local_days(mf["backlog_resolved_on"])
    assert (flagged == flagged_on.notna()).all()
    assert (flagged_on[flagged] >= reg[flagged]).all()
    # 1 % of matters old enough to have been flagged (flags come 30 + ~60 days later).
    old = reg <= pd.Timestamp(END) - pd.Timedelta(days=365)
    assert flagged[old].mean() == pytest.approx(0.01, abs=0.0025)
    # Half of them resolved, once they had the time.
    settled = flagged & (flagged_on <= pd.Timestamp(END) - pd.Timedelta(days=365))
    assert settled.sum() > 100
    assert resolved_on[settled].notna().mean() == pytest.approx(0.5, abs=0.1)
    done = flagged & resolved_on.notna()
    assert (resolved_on[done] > flagged_on[done]).all()
    # Only flagged (c) and re-petitioned (b) backlog is resolved by a date of its own.
    has_res = resolved_on.notna().to_numpy()
    assert np.isin(m["backlog_kind"][has_res], [2, 3]).all()
    assert (m["backlog_kind"][has_res] == 2).sum() > 10


def test_new_submissions_after_a_resolution(files, rows):
    mf = _matters_csv(files)
    sf = pd.read_csv(files[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    resolved_on = local_days(mf["backlog_resolved_on"]).set_axis(mf["matter_no"])
    received = local_days(sf["received_on"])
    res = resolved_on.reindex(sf["matter_no"]).to_numpy()
    after = sf.loc[received.to_numpy() > res, "matter_no"].value_counts()
    # Resolved long enough ago for the 180 days after it to be in the files.
    mature = resolved_on[resolved_on <= pd.Timestamp(END) - pd.Timedelta(days=180)]
    assert len(mature) > 100
    came_back = after.reindex(mature.index, fill_value=0)
    assert (came_back > 0).mean() == pytest.approx(
        DemoParams().resubmitted_after_resolution_share, abs=0.07)
    # Some come back three times or more: a backlog that starts again (DESIGN §3).
    assert (came_back >= 3).sum() >= 3


def _check_digit_ok(number: str) -> bool:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(c) * w for c, w in zip(number[:17], weights, strict=True))
    return number[17] == "10X98765432"[total % 11]


def test_bad_id_check_digits(files):
    mf = _matters_csv(files)
    ids = mf["petitioner_id"][mf["petitioner_id"] != ""]
    bad = ~ids.map(_check_digit_ok)
    assert len(ids) > 4000
    assert bad.mean() == pytest.approx(DemoParams().bad_id_share, abs=0.006)


def test_times_with_an_offset(files, rows):
    mf = _matters_csv(files)
    sf = pd.read_csv(files[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    m, s = rows
    dates = [c for c in mf.columns if c.endswith("_on")]
    assert len(dates) == 10
    cells = sum(int((mf[c] != "").sum()) for c in dates)
    stamped = sum(int(mf[c].str.contains("T").sum()) for c in dates)
    share = DemoParams().offset_time_share
    assert stamped / cells == pytest.approx(share, abs=0.002)
    assert sf["received_on"].str.contains("T").mean() == pytest.approx(share, abs=0.002)
    # Each stamp, read as an Asia/Shanghai day, is the day the generator meant.
    for col in dates:
        want = pd.Series(m[col]).replace(int(NA), np.nan).to_numpy()
        got = local_days(mf[col]).to_numpy().astype("datetime64[D]").astype(float)
        got[np.isnat(local_days(mf[col]).to_numpy())] = np.nan
        assert np.array_equal(got, want.astype(float), equal_nan=True), col
    rcv = local_days(sf["received_on"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    assert (rcv == s["received_on"]).all()
    # Both forms occur, and UTC stamps late in the UTC day: the next day in Yueyang.
    utc = sf["received_on"].str.fullmatch(r".*T(1[6-9]|2[0-3]):.*Z")
    assert utc.sum() > 50 and sf["received_on"].str.endswith("+08:00").sum() > 100
    assert (rcv[utc.to_numpy()] == (pd.to_datetime(sf["received_on"][utc].str[:10])
                                    + pd.Timedelta(days=1)).to_numpy()
            .astype("datetime64[D]").astype(np.int64)).all()


def test_irregular_visits_at_city_level_and_above(rows):
    _, s = rows
    visit = s["channel"] == CHANNELS.index("visit")
    upper = s["received_level"] >= LEVELS.index("city")
    assert not s["irregular"][~(visit & upper)].any()
    assert (visit & upper).sum() > 2000
    assert s["irregular"][visit & upper].mean() == pytest.approx(
        DemoParams().irregular_share, abs=0.008)
