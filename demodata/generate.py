"""Vectorised generation of demo matters and submissions (DESIGN §7).

:func:`generate` plans a data set and returns a :class:`Demo`; its :meth:`Demo.blocks` yield
plain numpy arrays (dates as day numbers since 1970-01-01, ``NA`` for empty; enumerations as
small integers into the tuples below) block by block, and :mod:`demodata.writer` turns them
into the CSV files of DESIGN §5. Randomness comes from ``np.random.default_rng`` streams
derived from the seed (one for the dates, one for the places, one per block), so the output
depends on the arguments only, and memory on the block size only.

The model, in order:

1. **When and what.** Every (day, category) cell of the window gets an intensity: monthly
   seasonality × working-day factor × category share × the category's own season (wages ×2 in
   Dec–Jan, civil affairs ×2 in Jun–Aug). Each project zone adds cells for land expropriation
   and demolition inside its influence area during its expropriation window, worth
   ``zone_factor − 1`` times the base intensity there, so the density there is ×5. law_related
   and discipline are scaled so that they are exactly 14 % and 2 % of the expected total. The N
   matters are drawn from all cells at once and numbered in registration order.
2. **Where.** Base matters pick a village ∝ population (× an urban/rural factor for a few
   categories) and a uniform point inside its polygon; zone matters a uniform point inside the
   influence area and the village under it. A first submission by visit moves the
   registration onto a working day.
3. **Clocks** (per block). Forwarding and acceptance delays (97 % / 98 % within 15 days),
   lognormal answer times (median 25 d, 90th percentile 55 d), extensions (6 %), late answers
   (3 %, 8 % for land, demolition and law-related), backlog (2 %), evaluation, review and
   re-review; township performance factors scale the late and backlog rates
   (:data:`demodata.params.BAD_TOWNSHIPS`, :data:`demodata.params.GOOD_TOWNSHIPS`) around an
   unchanged city average. Stages after ``end`` are left empty, so recent matters are still
   open.
4. **Submissions** (per block). One on the registration day, plus repeats calibrated to 30 %
   of the submissions of a month; channel, receiving level (conditional on the channel, with
   the overall mix of DESIGN §7), persons and the irregular flag (3 % of visits at city level
   and above). See :func:`_submissions`.
5. **What real exports hold** (issue 10, DESIGN §3, §5), so the importer's warnings and the
   revised rules have something to work on: direct intake (15 %, no forwarding date; the
   intake column often blank where the importer infers it right), a blank stage date while a
   later one is set (3 % of matters: an unrecorded clock), flagged backlog (1 %, with its
   date; half of the flagged and re-petitioned backlog resolved on a date of its own, and 20 %
   of the resolved petitioners back afterwards), mistyped ID check digits (2 % of IDs) and
   date-times with an offset (1 % of the date cells, see :func:`_stamp_times`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from demodata import places
from demodata.params import (
    BAD_TOWNSHIPS,
    CATEGORY_SEASON,
    CATEGORY_SHARES,
    DEPARTMENTS,
    GOOD_TOWNSHIPS,
    HIGH_RISK_CATEGORIES,
    SEASONALITY,
    TOPICS,
    TOWNSHIP_GOV,
    ZONE_CATEGORIES,
    DemoParams,
)

NA = np.int32(-1)  # an empty date
#: Matters per block of :meth:`Demo.blocks` (part of the output's definition: keep it fixed).
BLOCK_ROWS = 50_000

CATEGORIES: tuple[str, ...] = tuple(CATEGORY_SHARES)
NATURES: tuple[str, ...] = ("claim", "accusation", "suggestion")
ROUTES: tuple[str, ...] = ("ordinary", "simplified", "political_legal", "discipline")
SATISFACTION: tuple[str, ...] = ("satisfied", "basically_satisfied", "dissatisfied",
                                 "not_evaluated")  # -1: blank
CHANNELS: tuple[str, ...] = ("online", "visit", "letter", "phone", "hotline_12345",
                             "leader_mailbox")
LEVELS: tuple[str, ...] = ("county", "city", "province", "national")
PACKAGE_LEVELS: tuple[str, ...] = ("county", "township")
INTAKES: tuple[str, ...] = ("office", "direct")  # -1: blank (the importer infers it)
#: Date columns of the matters file, in the order of ``matters["stamp_col"]``.
MATTER_DATE_COLUMNS: tuple[str, ...] = (
    "registered_on", "forwarded_on", "accepted_on", "answered_on", "review_requested_on",
    "review_decided_on", "recheck_requested_on", "recheck_decided_on", "backlog_flagged_on",
    "backlog_resolved_on")
BLANK_FORWARDED, BLANK_ACCEPTED = 1, 2  # matters["blank_stage"]; 0: nothing left blank
DEPARTMENT_NAMES: tuple[str, ...] = tuple(dict.fromkeys(
    d for opts in DEPARTMENTS.values() for d, _w in opts if d != TOWNSHIP_GOV))

#: Synthetic petitioner names: 演示 + a heavenly stem + a numeral (演示甲一 … 演示癸十).
PETITIONER_NAMES: tuple[str, ...] = tuple(
    f"演示{g}{n}" for g in "甲乙丙丁戊己庚辛壬癸" for n in "一二三四五六七八九十")
#: Synthetic leaders: <county>演示领导01…08 (county level), <township>演示干部1…3 (township).
COUNTY_LEADERS_PER_COUNTY = 8
TOWNSHIP_LEADERS_PER_TOWNSHIP = 3
SUMMARY_PREFIX = "【演示数据】反映"

BACKLOG_LONG, BACKLOG_REPETITION, BACKLOG_FLAGGED = 1, 2, 3
_LOG_Z90 = 1.2815515655446004  # standard normal 90th percentile

_CAT = {c: i for i, c in enumerate(CATEGORIES)}
_CH = {c: i for i, c in enumerate(CHANNELS)}
_LV = {c: i for i, c in enumerate(LEVELS)}


@dataclass(frozen=True)
class Lookups:
    """String tables the integer columns index into (besides the module tuples)."""

    village_codes: np.ndarray     # matters["village"]
    unit_names: np.ndarray        # matters["unit"]: responsible units
    leader_names: np.ndarray      # matters["leader"]: package leaders
    id_numbers: np.ndarray        # matters["id"]: synthetic ID numbers, valid then mistyped
    summaries: np.ndarray         # matters["summary"]: summary texts


@dataclass
class Demo:
    """A planned demo data set: who, when, where for every matter; the rest block by block.

    :meth:`blocks` generates the clocks, evaluations, people and submissions of
    :data:`BLOCK_ROWS` matters at a time (each block from its own random stream), so memory
    does not grow with N; :meth:`collect` concatenates them for tests and small runs.
    """

    start: dt.date
    end: dt.date
    params: DemoParams
    seed: int
    geo: places.Geography
    lookups: Lookups
    core: dict[str, np.ndarray]   # per matter, in registration order
    work_days: np.ndarray         # day numbers of the working days in the window
    late_norm: float              # mean township late factor over all matters
    backlog_norm: float           # mean backlog weight over all matters

    @property
    def n_matters(self) -> int:
        return len(self.core["registered_on"])

    def blocks(self, rows: int | None = None) -> Iterator[tuple[int, dict, dict]]:
        """(offset, matters, submissions) per block; submissions["matter"] is block-local."""
        rows = rows or BLOCK_ROWS
        for b, lo in enumerate(range(0, self.n_matters, rows)):
            sl = slice(lo, min(self.n_matters, lo + rows))
            ss = np.random.SeedSequence(self.seed, spawn_key=(100 + b,))
            rng = np.random.default_rng(ss)
            matters = _block_matters(self, rng, {k: v[sl] for k, v in self.core.items()})
            subs, resolved = _submissions(rng, self.params, matters, self.work_days,
                                          _day(self.end))
            matters["backlog_resolved_on"] = resolved
            _stamp_times(rng, self.params, matters, subs)
            yield lo, matters, subs

    def collect(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """All matters and submissions (submissions["matter"] indexes the matters)."""
        ms, ss = [], []
        for lo, m, s in self.blocks():
            ms.append(m)
            ss.append({**s, "matter": s["matter"] + lo})
        return ({k: np.concatenate([m[k] for m in ms]) for k in ms[0]},
                {k: np.concatenate([s[k] for s in ss]) for k in ss[0]})


def window(end: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """First and last day of ``months`` months ending on ``end`` (inclusive)."""
    if months < 1:
        raise ValueError("months must be ≥ 1")
    y, m = divmod(end.year * 12 + end.month - 1 - months, 12)
    m += 1
    day = min(end.day, _days_in_month(y, m))
    return dt.date(y, m, day) + dt.timedelta(days=1), end


def _days_in_month(y: int, m: int) -> int:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def _day(d: dt.date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def generate(geo: places.Geography, n: int, seed: int, months: int, end: dt.date,
             params: DemoParams = DemoParams()) -> Demo:
    """Plan N matters registered in the ``months`` months ending on ``end``.

    Draws the registration day, category, place and first channel of every matter (steps 1
    and 2 of the module docstring) and numbers them in registration order; the rest is drawn
    block by block when the returned :class:`Demo` is iterated.
    """
    if n < 1:
        raise ValueError("n must be ≥ 1")
    p = params
    start, end = window(end, months)
    r_when, r_where = (np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))
                       for k in (1, 2))

    # --- calendar --------------------------------------------------------------------------
    d0, d1 = _day(start), _day(end)
    days = np.arange(d0, d1 + 1, dtype=np.int64)
    workday = _workdays(days)
    month = (days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12) + 1
    w_day = np.asarray(SEASONALITY)[month - 1] * np.where(workday, 1.0, p.weekend_factor)

    # --- 1. when and what --------------------------------------------------------------------
    n_cat = len(CATEGORIES)
    lam = np.empty((len(days), n_cat))
    for c, name in enumerate(CATEGORIES):
        season = np.ones(13)
        for mo, f in CATEGORY_SEASON.get(name, {}).items():
            season[mo] = f
        lam[:, c] = w_day * CATEGORY_SHARES[name] * season[month]
    spike_cells = []  # (zone index, day index array, category index, intensity array)
    for zi, zone in enumerate(geo.zones):
        if zone.start is None:
            continue
        z_end = zone.end or _add_months(zone.start, p.zone_window_months)
        lo, hi = max(_day(zone.start), d0), min(_day(z_end), d1)
        if hi < lo:
            continue
        idx = np.arange(lo - d0, hi - d0 + 1)
        vidx = np.fromiter(zone.village_fraction.keys(), dtype=np.int64)
        frac = np.fromiter(zone.village_fraction.values(), dtype=float)
        for name in ZONE_CATEGORIES:
            wv = places.settlement_weights(geo, name)
            share = float((wv[vidx] * frac).sum() / wv.sum())
            spike_cells.append((zi, idx, _CAT[name], (p.zone_factor - 1) * lam[idx, _CAT[name]]
                                * share))
    law, disc = _CAT["law_related"], _CAT["discipline"]
    other = np.ones(n_cat, bool)
    other[[law, disc]] = False
    total = (lam[:, other].sum() + sum(s[3].sum() for s in spike_cells)) / (
        1 - p.law_related_share - p.accusation_share)
    lam[:, law] = w_day * p.law_related_share * total / w_day.sum()
    lam[:, disc] = w_day * p.accusation_share * total / w_day.sum()

    weights = np.concatenate([lam.ravel()] + [s[3] for s in spike_cells])
    cell = r_when.choice(len(weights), size=n, p=weights / weights.sum())
    base = cell < lam.size
    reg = np.empty(n, dtype=np.int32)
    cat = np.empty(n, dtype=np.int8)
    zone_src = np.full(n, -1, dtype=np.int8)
    reg[base] = cell[base] // n_cat + d0
    cat[base] = cell[base] % n_cat
    offset = lam.size
    for zi, idx, ci, inten in spike_cells:
        sel = (cell >= offset) & (cell < offset + len(inten))
        reg[sel] = idx[cell[sel] - offset] + d0
        cat[sel] = ci
        zone_src[sel] = zi
        offset += len(inten)
    del cell

    # --- 2. where ------------------------------------------------------------------------------
    village = np.empty(n, dtype=np.int32)
    lon = np.empty(n)
    lat = np.empty(n)
    for c, name in enumerate(CATEGORIES):
        sel = np.flatnonzero(base & (cat == c))
        if len(sel):
            wv = places.settlement_weights(geo, name)
            village[sel] = r_where.choice(geo.n_villages, size=len(sel), p=wv / wv.sum())
    bsel = np.flatnonzero(base)
    lon[bsel], lat[bsel] = places.points_in_villages(r_where, geo, village[bsel])
    del bsel
    for zi, zone in enumerate(geo.zones):
        sel = np.flatnonzero(zone_src == zi)
        if len(sel):
            lon[sel], lat[sel], village[sel] = places.points_in_zone(r_where, geo, zone, len(sel))

    # First submission's channel; a visit needs a working day, so move the registration.
    ch_p = np.array([p.channel_shares[c] for c in CHANNELS])
    ch1 = r_when.choice(len(CHANNELS), size=n, p=ch_p / ch_p.sum()).astype(np.int8)
    work_days = days[workday]
    vis = np.flatnonzero(ch1 == _CH["visit"])
    moved, ok = _to_workday(reg[vis].astype(np.int64), work_days, d0, d1, prefer_next=False)
    reg[vis] = moved
    ch1[vis[~ok]] = _CH["online"]
    del vis, moved, ok

    order = np.argsort(reg, kind="stable")
    core = {"registered_on": reg, "category": cat, "zone_src": zone_src, "village": village,
            "lon": lon, "lat": lat, "channel1": ch1}
    core = {k: v[order] for k, v in core.items()}
    del order, reg, cat, zone_src, village, lon, lat, ch1
    core["township"] = geo.village_township[core["village"]]

    # Numbering: DEMO-<year>-<sequence within the year, in registration order>.
    year = (core["registered_on"].astype("datetime64[D]").astype("datetime64[Y]")
            .astype(np.int64) + 1970)
    core["year"] = year.astype(np.int16)
    core["seq"] = (np.arange(n) - np.searchsorted(year, year, side="left") + 1).astype(np.int32)

    county_leaders = [f"{cn}演示领导{j + 1:02d}" for cn in geo.county_name
                      for j in range(COUNTY_LEADERS_PER_COUNTY)]
    township_leaders = [f"{tn}演示干部{j + 1}" for tn in geo.township_name
                        for j in range(TOWNSHIP_LEADERS_PER_TOWNSHIP)]
    lookups = Lookups(
        village_codes=geo.village_code,
        unit_names=places.unit_names(geo, list(DEPARTMENT_NAMES))[0],
        leader_names=np.array(county_leaders + township_leaders, dtype=object),
        id_numbers=np.concatenate([fake_id_numbers(geo.county_code),
                                   mistyped_id_numbers(geo.county_code)]),
        summaries=np.array([f"{SUMMARY_PREFIX}{tp}问题" for c in CATEGORIES for tp in TOPICS[c]],
                           dtype=object),
    )
    t_class = _township_class(geo)[core["township"]]
    high = np.isin(core["category"], [_CAT[c] for c in HIGH_RISK_CATEGORIES])
    late_norm = float(np.array([1.0, p.bad_late_factor, p.good_late_factor])[t_class].mean())
    backlog_norm = float(_backlog_weight(p, high, t_class).mean())
    return Demo(start=start, end=end, params=p, seed=seed, geo=geo, lookups=lookups, core=core,
                work_days=work_days, late_norm=late_norm, backlog_norm=backlog_norm)


def _block_matters(demo: Demo, rng: np.random.Generator, core: dict) -> dict:
    """Kinds, clocks, evaluation, backlog, packages and people of one block of matters."""
    p, geo = demo.params, demo.geo
    d1 = _day(demo.end)
    n = len(core["registered_on"])
    reg = core["registered_on"].astype(np.int64)
    cat = core["category"].astype(np.int64)
    township = core["township"].astype(np.int64)
    county = geo.township_county[township].astype(np.int64)
    zone_m = core["zone_src"] >= 0

    # --- 3. kinds ---------------------------------------------------------------------------------
    law, disc = _CAT["law_related"], _CAT["discipline"]
    nature = np.zeros(n, dtype=np.int8)
    route = np.zeros(n, dtype=np.int8)
    is_law, is_disc = cat == law, cat == disc
    route[is_law] = ROUTES.index("political_legal")
    nature[is_disc] = NATURES.index("accusation")
    route[is_disc] = ROUTES.index("discipline")
    rest = ~(is_law | is_disc)
    u = rng.random(n)
    nature[rest & (u < p.suggestion_share)] = NATURES.index("suggestion")
    route[rest & (u >= p.suggestion_share) & (u < p.suggestion_share + p.simplified_share)] = (
        ROUTES.index("simplified"))

    # Township performance scales the late and backlog rates around the average.
    t_class = _township_class(geo)[township]  # 0 normal, 1 bad, 2 good
    late_f = np.array([1.0, p.bad_late_factor, p.good_late_factor])[t_class]
    late_f /= demo.late_norm
    high = np.isin(cat, [_CAT[c] for c in HIGH_RISK_CATEGORIES])
    bw = _backlog_weight(p, high, t_class)
    p_backlog = np.clip(p.backlog_share * bw / demo.backlog_norm, 0, 1)
    backlog = np.zeros(n, dtype=np.int8)
    is_bl = rng.random(n) < p_backlog
    kinds = np.asarray(p.backlog_kinds) / sum(p.backlog_kinds)
    backlog[is_bl] = 1 + rng.choice(3, size=int(is_bl.sum()), p=kinds)

    unit = _responsible_units(rng, geo, cat, county, township)

    # --- 4. clocks -------------------------------------------------------------------------
    # A direct matter is never forwarded; its acceptance clock starts at registration.
    direct = rng.random(n) < p.direct_intake_share
    fwd_late = rng.random(n) < p.forward_late_share * late_f
    fwd = reg + _delay(rng, n, fwd_late, 8.0, 60)
    acc_late = rng.random(n) < p.accept_late_share * late_f
    acc = np.where(direct, reg, fwd) + _delay(rng, n, acc_late, 6.0, 45)
    fwd[direct] = NA

    simplified = route == ROUTES.index("simplified")
    t = _lognormal(rng, n, p.answer_median_days, p.answer_p90_days)
    t[simplified] = np.minimum(
        _lognormal(rng, int(simplified.sum()), p.simplified_median_days,
                   p.simplified_p90_days), 60)
    p_late = np.where(high, p.overdue_share_high_risk, p.overdue_share) * late_f
    p_long = p_backlog * kinds[0]
    long_bl = backlog == BACKLOG_LONG
    late = ~long_bl & (rng.random(n) < np.clip((p_late - p_long) / (1 - p_long), 0, 1))
    ext = np.zeros(n, dtype=np.int64)
    slow = ~late & ~long_bl & (t > 60)
    # About 7 % of the lognormal lies beyond 60 days: most of it is extended (6 % of all
    # matters), the rest answered in the last days before the deadline.
    q_ext = min(1.0, p.extension_share * n / max(int(slow.sum()), 1))
    extended = slow & (rng.random(n) < q_ext)
    ext[extended] = np.minimum(30, t[extended] - 60 + rng.integers(0, 11, int(extended.sum())))
    t[extended] = np.minimum(t[extended], 60 + ext[extended])
    fold = slow & ~extended
    t[fold] = 60 - rng.integers(0, 6, int(fold.sum()))
    overrun = 1 + np.minimum(rng.geometric(1 / p.overdue_mean_days, n) - 1, 84)
    t[late] = 60 + overrun[late]
    # Long overdue backlog: answered (if at all) more than 90 days after the due date.
    t[long_bl] = 60 + 95 + rng.geometric(1 / p.backlog_overrun_mean_days, int(long_bl.sum())) - 1
    ans = acc + t
    answered_plan = ans.copy()  # when it is (or will be) answered, for the repeats

    # Nothing after the end: later stages of an unfinished one stay empty.
    fwd = np.where(fwd > d1, NA, fwd)
    acc = np.where(((fwd == NA) & ~direct) | (acc > d1), NA, acc)
    ans = np.where((acc == NA) | (ans > d1), NA, ans)
    ext[(acc == NA) | ((ans == NA) & (acc + 55 > d1))] = 0  # not granted yet
    due = np.where(acc == NA, NA, acc + 60 + ext)

    # --- evaluation, review, re-review -----------------------------------------------------
    answered = ans != NA
    mix = np.array([p.satisfaction_mix, p.bad_satisfaction_mix, p.good_satisfaction_mix])[t_class]
    mix[zone_m, 2] *= p.zone_dissatisfied_factor
    mix /= mix.sum(axis=1, keepdims=True)
    sat = np.full(n, -1, dtype=np.int8)
    evaluated = answered & (rng.random(n) < p.participation)
    u = rng.random(n)
    rating = (u[:, None] >= np.cumsum(mix, axis=1)[:, :2]).sum(axis=1)
    sat[evaluated] = rating[evaluated]
    not_eval = answered & ~evaluated & (rng.random(n) < 0.5)  # the rest stays blank
    sat[not_eval] = SATISFACTION.index("not_evaluated")

    dissat = answered & (sat == SATISFACTION.index("dissatisfied"))
    n_ans, n_dis = int(answered.sum()), int(dissat.sum())
    q_rev = max(0.0, p.review_share * n_ans - p.review_share_dissatisfied * n_dis) / max(
        n_ans - n_dis, 1)
    wants_review = answered & (rng.random(n) < np.where(dissat, p.review_share_dissatisfied,
                                                        q_rev))
    rv_req = np.where(wants_review, ans + rng.integers(1, 31, n), NA)
    rv_req = np.where(rv_req > d1, NA, rv_req)
    rv_dur = np.where(rng.random(n) < p.review_late_share, rng.integers(31, 52, n),
                      rng.integers(5, 31, n))
    rv_dec = np.where((rv_req != NA) & (rv_req + rv_dur <= d1), rv_req + rv_dur, NA)
    wants_recheck = (rv_dec != NA) & (rng.random(n) < p.recheck_share)
    rc_req = np.where(wants_recheck, rv_dec + rng.integers(1, 31, n), NA)
    rc_req = np.where(rc_req > d1, NA, rc_req)
    hearing = np.where((rc_req != NA) & (rng.random(n) < p.hearing_share),
                       rng.integers(5, 21, n), 0)
    rc_dur = np.where(rng.random(n) < p.review_late_share,
                      31 + hearing + rng.integers(1, 21, n),
                      rng.integers(5, 31, n) + hearing)
    rc_dec = np.where((rc_req != NA) & (rc_req + rc_dur <= d1), rc_req + rc_dur, NA)

    # --- what real exports hold: blank stage dates, intake left blank ---------------------------
    blank = _blank_stages(rng, p, direct, fwd, acc, ans)
    fwd = np.where(blank == BLANK_FORWARDED, NA, fwd)
    acc = np.where(blank == BLANK_ACCEPTED, NA, acc)
    # The importer infers intake when it is blank; leave it blank only where that inference
    # gives the truth (a direct matter not accepted yet, or an office matter whose forwarding
    # date is missing, would be read as the other kind).
    inferred_direct = (fwd == NA) & (acc != NA)
    intake_w = direct.astype(np.int8)
    intake_w[(inferred_direct == direct) & (rng.random(n) < p.intake_blank_share)] = -1

    # --- backlog flag and resolution plan -----------------------------------------------------
    flagged_kind = backlog == BACKLOG_FLAGGED
    flag_plan = reg + p.flag_delay_days + rng.geometric(1 / p.flag_delay_mean_days, n) - 1
    flag_on = np.where(flagged_kind & (flag_plan <= d1), flag_plan, NA)  # not flagged yet
    # A resolution ends re-petitioned (b) or flagged (c) backlog some time after it started;
    # _submissions moves it after the matter's last planned submission, so that only the
    # petitioners chosen to come back submit after it.
    resolves = (np.isin(backlog, [BACKLOG_REPETITION, BACKLOG_FLAGGED])
                & (rng.random(n) < p.backlog_resolved_share))
    res_anchor = np.where(flagged_kind, flag_plan, answered_plan)
    res_plan = np.where(resolves, res_anchor + p.resolution_delay_days
                        + rng.geometric(1 / p.resolution_delay_mean_days, n) - 1, NA)

    # --- leader packages -----------------------------------------------------------------------
    n_county_leaders = len(geo.county_code) * COUNTY_LEADERS_PER_COUNTY
    leader = np.full(n, -1, dtype=np.int64)
    leader_level = np.full(n, -1, dtype=np.int8)
    county_pkg = (backlog > 0) & (rng.random(n) < p.package_coverage)
    leader[county_pkg] = (county[county_pkg] * COUNTY_LEADERS_PER_COUNTY
                          + rng.integers(0, COUNTY_LEADERS_PER_COUNTY, int(county_pkg.sum())))
    leader_level[county_pkg] = PACKAGE_LEVELS.index("county")
    town_pkg = (backlog == 0) & (rng.random(n) < p.township_package_share)
    leader[town_pkg] = (n_county_leaders + township[town_pkg] * TOWNSHIP_LEADERS_PER_TOWNSHIP
                        + rng.integers(0, TOWNSHIP_LEADERS_PER_TOWNSHIP, int(town_pkg.sum())))
    leader_level[town_pkg] = PACKAGE_LEVELS.index("township")

    # --- synthetic personal data and summaries -------------------------------------------------
    named = rng.random(n) < p.named_share
    name = np.where(named, rng.integers(0, len(PETITIONER_NAMES), n), -1)
    with_id = named & (rng.random(n) < p.id_share / max(p.named_share, 1e-9))
    pid = np.where(with_id, county * 365 + rng.integers(0, 365, n), -1)
    # The mistyped twin of an ID sits one table further (see Lookups.id_numbers).
    mistyped = with_id & (rng.random(n) < p.bad_id_share)
    pid[mistyped] += len(geo.county_code) * 365
    first_topic = np.cumsum([0] + [len(TOPICS[c]) for c in CATEGORIES])
    n_topics = np.diff(first_topic)
    summary = np.where(rng.random(n) < p.summary_share,
                       first_topic[cat] + (rng.random(n) * n_topics[cat]).astype(np.int64), -1)

    i32 = np.int32
    return {
        **core,
        "nature": nature, "route": route, "unit": unit.astype(i32),
        "forwarded_on": fwd.astype(i32), "accepted_on": acc.astype(i32),
        "extension_days": ext.astype(np.int8), "answered_on": ans.astype(i32),
        "answer_due": due.astype(i32), "answered_plan": answered_plan.astype(i32),
        "satisfaction": sat,
        "review_requested_on": rv_req.astype(i32), "review_decided_on": rv_dec.astype(i32),
        "recheck_requested_on": rc_req.astype(i32), "recheck_decided_on": rc_dec.astype(i32),
        "hearing_days": hearing.astype(np.int8),
        "leader": leader.astype(i32), "leader_level": leader_level,
        "backlog_flag": flag_on != NA, "backlog_kind": backlog,
        "backlog_flagged_on": flag_on.astype(i32), "resolution_plan": res_plan.astype(i32),
        "intake": direct, "intake_written": intake_w, "blank_stage": blank,
        "late": late | long_bl,
        "summary": summary.astype(i32), "name": name.astype(np.int16), "id": pid.astype(i32),
    }


# --- pieces ------------------------------------------------------------------------------------

def _workdays(days: np.ndarray) -> np.ndarray:
    from domain.calendar import working_days

    return np.isin(days.astype("datetime64[D]"), working_days())


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return dt.date(y, m + 1, min(d.day, _days_in_month(y, m + 1)))


def _to_workday(day: np.ndarray, work_days: np.ndarray, lo, hi, prefer_next: bool):
    """Move days onto a working day within [lo, hi] (arrays allowed); returns (days, ok).

    A working day stays. Otherwise the next (or previous) working day is taken when in range,
    else the other direction; ``ok`` is False when neither exists.
    """
    if len(work_days) == 0:
        return day, np.zeros(len(day), bool)
    i = np.searchsorted(work_days, day, side="left")
    is_work = (i < len(work_days)) & (work_days[np.minimum(i, len(work_days) - 1)] == day)
    nxt = work_days[np.minimum(i, len(work_days) - 1)]
    nxt_ok = (i < len(work_days)) & (nxt <= hi)
    prv = work_days[np.maximum(i - 1, 0)]
    prv_ok = (i > 0) & (prv >= lo)
    first, first_ok, second, second_ok = ((nxt, nxt_ok, prv, prv_ok) if prefer_next
                                          else (prv, prv_ok, nxt, nxt_ok))
    out = np.where(is_work, day, np.where(first_ok, first, np.where(second_ok, second, day)))
    return out, is_work | first_ok | second_ok


def _township_class(geo: places.Geography) -> np.ndarray:
    cls = np.zeros(len(geo.township_code), dtype=np.int64)
    cls[np.isin(geo.township_code, list(BAD_TOWNSHIPS))] = 1
    cls[np.isin(geo.township_code, list(GOOD_TOWNSHIPS))] = 2
    return cls


def _backlog_weight(p: DemoParams, high: np.ndarray, t_class: np.ndarray) -> np.ndarray:
    return np.where(high, p.backlog_high_risk_factor, 1.0) * np.array(
        [1.0, p.bad_backlog_factor, p.good_backlog_factor])[t_class]


def _delay(rng, n: int, late: np.ndarray, late_mean: float, cap: int) -> np.ndarray:
    """Days a 15-day clock takes: 0–15 (mostly short) when on time, 16 + geometric when late."""
    on_time = np.floor(16 * rng.random(n) ** 2).astype(np.int64)
    over = 16 + np.minimum(rng.geometric(1 / late_mean, n) - 1, cap - 16)
    return np.where(late, over, on_time)


def _lognormal(rng, n: int, median: float, p90: float) -> np.ndarray:
    sigma = np.log(p90 / median) / _LOG_Z90
    return np.maximum(1, np.rint(rng.lognormal(np.log(median), sigma, n))).astype(np.int64)


def _responsible_units(rng, geo, cat, county, township) -> np.ndarray:
    dept_index = {d: i for i, d in enumerate(DEPARTMENT_NAMES)}
    n_dept = len(DEPARTMENT_NAMES)
    offset = len(geo.county_code) * n_dept
    unit = np.empty(len(cat), dtype=np.int64)
    u = rng.random(len(cat))
    for c, name in enumerate(CATEGORIES):
        sel = np.flatnonzero(cat == c)
        opts = DEPARTMENTS[name]
        w = np.array([wt for _d, wt in opts])
        pick = np.searchsorted(np.cumsum(w / w.sum())[:-1], u[sel], side="right")
        for k, (d, _w) in enumerate(opts):
            rows = sel[pick == k]
            if d == TOWNSHIP_GOV:
                unit[rows] = offset + township[rows]
            else:
                unit[rows] = county[rows] * n_dept + dept_index[d]
    return unit


def fake_id_numbers(county_codes) -> np.ndarray:
    """Synthetic 18-digit ID numbers: <county code> 1900MMDD 999 <check digit>.

    The checksum (GB 11643) is valid, so the importer's validation runs, but the birth year 1900
    and the sequence 999 mark them as obviously synthetic. Index: county × 365 + day of year.
    """
    days = np.arange(np.datetime64("1900-01-01"), np.datetime64("1901-01-01"))
    births = [str(d).replace("-", "") for d in days]
    return np.array([with_check_digit(f"{c}{b}999") for c in county_codes for b in births],
                    dtype=object)


def mistyped_id_numbers(county_codes) -> np.ndarray:
    """The IDs of :func:`fake_id_numbers` (same index) with a wrong check character, as an
    office types them by mistake: the importer must warn, drop the ID and land the matter."""
    check = "10X98765432"
    return np.array([i[:17] + check[(check.index(i[17]) + 1) % 11]
                     for i in fake_id_numbers(county_codes)], dtype=object)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check_digit(first17: str) -> str:
    """Append the GB 11643-1999 check character to 17 digits."""
    s = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[s % 11]


def _blank_stages(rng, p: DemoParams, direct, fwd, acc, ans) -> np.ndarray:
    """Which stage date each matter's file leaves blank (:data:`BLANK_FORWARDED`,
    :data:`BLANK_ACCEPTED` or 0), only where a later stage has a date (an unrecorded clock).

    Each kind is drawn among the matters where it can happen with the probability that makes
    it ``blank_stage_share`` × its weight of all matters; one uniform draw keeps the kinds
    apart.
    """
    n = len(direct)
    w = np.asarray(p.blank_stage_weights, dtype=float)
    w = w / w.sum()
    can_fwd = ~direct & (fwd != NA) & (acc != NA)
    can_acc = (acc != NA) & (ans != NA)
    p_fwd = min(1.0, p.blank_stage_share * w[0] * n / max(int(can_fwd.sum()), 1))
    p_acc = min(1.0 - p_fwd, p.blank_stage_share * w[1] * n / max(int(can_acc.sum()), 1))
    u = rng.random(n)
    blank = np.zeros(n, dtype=np.int8)
    blank[can_fwd & (u < p_fwd)] = BLANK_FORWARDED
    blank[can_acc & (u >= p_fwd) & (u < p_fwd + p_acc)] = BLANK_ACCEPTED
    return blank


def _stamp_times(rng, p: DemoParams, m: dict, subs: dict) -> None:
    """Pick the date cells written as a date-time with an offset (``offset_time_share`` of the
    non-empty date cells of each file) and their local time of day.

    Sets ``stamp_col`` (index into :data:`MATTER_DATE_COLUMNS`, -1: none; at most one cell per
    matter, drawn with probability share × its number of dates, so the share holds per cell),
    ``stamp_sec`` (seconds after local midnight, -1: none) and ``stamp_utc`` (written in UTC
    with ``Z``, else with ``+08:00``) in the matters and the submissions.
    """
    n = len(m["registered_on"])
    has = np.stack([m[c] != NA for c in MATTER_DATE_COLUMNS])
    k = has.sum(axis=0)
    stamped = rng.random(n) < p.offset_time_share * k
    nth = np.floor(rng.random(n) * k).astype(np.int64)  # the nth present date of the matter
    col = np.argmax(np.cumsum(has, axis=0) > nth, axis=0)
    m["stamp_col"] = np.where(stamped, col, -1).astype(np.int8)
    m["stamp_sec"] = np.where(stamped, rng.integers(0, 86_400, n), -1).astype(np.int32)
    m["stamp_utc"] = rng.random(n) < p.offset_utc_share
    t = len(subs["received_on"])
    stamped = rng.random(t) < p.offset_time_share
    subs["stamp_sec"] = np.where(stamped, rng.integers(0, 86_400, t), -1).astype(np.int32)
    subs["stamp_utc"] = rng.random(t) < p.offset_utc_share


def _submissions(rng, p: DemoParams, m: dict, work_days, d1: int) -> tuple[dict, np.ndarray]:
    """Submissions of one block of matters; ``matter`` indexes the block.

    Every matter gets its first submission on its registration day. Further (repeat)
    submissions follow the matter's planned course, whether or not it has reached that point by
    the end: ordinary repeats while it is handled (registration to answer, at most
    ``repeat_horizon_days``), a long-overdue backlog matter's during a year, a re-petitioned
    backlog matter's 3 or more in the 180 days after the answer, a dissatisfied petitioner's one
    in the 60 days after it. Those falling after the end are not (yet) there, so recent months
    look like any other month instead of collecting the future's repeats.

    A planned backlog resolution (``resolution_plan``) is moved after the matter's last planned
    submission; ``resubmitted_after_resolution_share`` of the resolved petitioners come back
    with 1 + Poisson(1.5) submissions in the 180 days after it. Returns the submissions and
    the resolution dates (``NA`` where none, or after the end).
    """
    n = len(m["registered_on"])
    ch1 = m["channel1"]
    zone_m = m["zone_src"] >= 0
    reg = m["registered_on"].astype(np.int64)
    ans = m["answered_plan"].astype(np.int64)
    kind = m["backlog_kind"]

    n_long = np.where(kind == BACKLOG_LONG, 2 + rng.poisson(2.0, n), 0)
    n_after = np.where(kind == BACKLOG_REPETITION, 3 + rng.poisson(1.5, n), 0)
    dissat = m["satisfaction"] == SATISFACTION.index("dissatisfied")
    n_dis = (dissat & (rng.random(n) < 0.5)).astype(np.int64)
    res_plan = m["resolution_plan"].astype(np.int64)
    comes_back = (res_plan != NA) & (rng.random(n) < p.resubmitted_after_resolution_share)
    n_back = np.where(comes_back, 1 + rng.poisson(1.5, n), 0)
    special = n_long + n_after + n_dis
    # Ordinary repeats make up the rest of the repeat share (×1.5 near an active zone).
    target = p.repeat_share / (1 - p.repeat_share) * n
    mult = np.where(zone_m, p.zone_repeat_factor, 1.0)
    mu = max(0.0, target - special.sum() - n_back.sum()) / mult.sum() * mult
    # At most 99 submissions per matter: the submission number has two digits.
    n_reg = np.minimum(rng.geometric(1 / (1 + mu)) - 1,
                       98 - np.minimum(special + n_back, 98))
    extra = n_reg + np.minimum(special, 98)
    n_back = np.minimum(n_back, 98 - extra)

    # Extras matter by matter: ordinary, long-backlog, re-petitioned, dissatisfied (in order).
    ex_m = np.repeat(np.arange(n), extra)
    pos = np.arange(len(ex_m)) - np.repeat(np.cumsum(extra) - extra, extra)
    bounds = np.cumsum([n_reg, n_long, n_after], axis=0)
    ex_kind = (pos >= bounds[0][ex_m]).astype(np.int64) + (pos >= bounds[1][ex_m]) + (
        pos >= bounds[2][ex_m])
    r, a = reg[ex_m], ans[ex_m]
    lo = np.where(ex_kind >= 2, a + 1, r)
    span = np.select(
        [ex_kind == 0, ex_kind == 1, ex_kind == 2],
        [np.clip(a - r + 1, 1, p.repeat_horizon_days), 365, 180], 60)
    ex_day = lo + np.floor(rng.random(len(ex_m)) * span).astype(np.int64)
    ch_p = np.array([p.channel_shares[c] for c in CHANNELS])
    ex_ch = rng.choice(len(CHANNELS), size=len(ex_m), p=ch_p / ch_p.sum())
    # Visits only on working days: an ordinary repeat moves back (never before registration),
    # a repeat after the answer forward; if there is none, the repeat is made online.
    for after_answer in (False, True):
        vis = np.flatnonzero((ex_ch == _CH["visit"]) & ((ex_kind >= 2) == after_answer)
                             & (ex_day <= d1))
        moved, ok = _to_workday(ex_day[vis], work_days, lo[vis], d1, prefer_next=after_answer)
        ex_day[vis] = moved
        ex_ch[vis[~ok]] = _CH["online"]

    # The resolution comes after everything planned so far; the returning petitioners after it.
    last = reg.copy()
    np.maximum.at(last, ex_m, ex_day)
    res = np.where(res_plan != NA, np.maximum(res_plan, last + 1), NA)
    bk_m = np.repeat(np.arange(n), n_back)
    bk_lo = res[bk_m] + 1
    bk_day = bk_lo + np.floor(rng.random(len(bk_m)) * 180).astype(np.int64)
    bk_ch = rng.choice(len(CHANNELS), size=len(bk_m), p=ch_p / ch_p.sum())
    vis = np.flatnonzero((bk_ch == _CH["visit"]) & (bk_day <= d1))
    moved, ok = _to_workday(bk_day[vis], work_days, bk_lo[vis], d1, prefer_next=True)
    bk_day[vis] = moved
    bk_ch[vis[~ok]] = _CH["online"]
    ex_m = np.concatenate([ex_m, bk_m])
    ex_day = np.concatenate([ex_day, bk_day])
    ex_ch = np.concatenate([ex_ch, bk_ch])
    keep = ex_day <= d1

    matter = np.concatenate([np.arange(n), ex_m[keep]])
    is_extra = np.r_[np.zeros(n, bool), np.ones(int(keep.sum()), bool)]
    received = np.concatenate([reg, ex_day[keep]])
    channel = np.concatenate([ch1, ex_ch[keep]])

    level = _levels(rng, p, channel)
    total = len(matter)
    persons = np.ones(total, dtype=np.int64)
    visit = channel == _CH["visit"]
    zone_row = zone_m[matter]
    n_vis = int(visit.sum())
    n_vis_zone = int((visit & zone_row).sum())
    q = p.collective_share * n_vis / max(n_vis - n_vis_zone + p.zone_collective_factor
                                         * n_vis_zone, 1)
    p_coll = np.where(zone_row, min(1.0, q * p.zone_collective_factor), q)
    collective = visit & (rng.random(total) < p_coll)
    large = collective & (rng.random(total) < p.large_scale_share / p.collective_share)
    persons[collective] = 5 + rng.poisson(p.collective_mean_extra, int(collective.sum()))
    persons[large] = 50 + rng.poisson(p.large_scale_mean_extra, int(large.sum()))
    small = visit & ~collective
    sp = np.asarray(p.small_visit_persons)
    persons[small] = 1 + rng.choice(len(sp), size=int(small.sum()), p=sp / sp.sum())
    upper = level >= _LV["city"]
    irregular = visit & upper & (rng.random(total) < p.irregular_share)

    # Order: by matter, then by day (the first submission first on its day); number within.
    key = received * 2 + is_extra
    o = np.lexsort((np.arange(total), key, matter))
    matter, received, channel, level, persons, irregular = (
        a[o] for a in (matter, received, channel, level, persons, irregular))
    first = np.searchsorted(matter, matter, side="left")
    seq = np.arange(total) - first + 1
    resolved = np.where((res != NA) & (res <= d1), res, NA).astype(np.int32)
    return {"matter": matter.astype(np.int32), "seq": seq.astype(np.int16),
            "received_on": received.astype(np.int32), "channel": channel.astype(np.int8),
            "received_level": level.astype(np.int8), "persons": persons.astype(np.int32),
            "irregular": irregular}, resolved


def level_matrix(p: DemoParams) -> np.ndarray:
    """P(level | channel), rows in CHANNELS order, columns in LEVELS order.

    Online takes whatever makes the overall mix equal ``p.level_shares``.
    """
    ch = np.array([p.channel_shares[c] for c in CHANNELS])
    ch = ch / ch.sum()
    mat = np.zeros((len(CHANNELS), len(LEVELS)))
    for c, name in enumerate(CHANNELS):
        for lv, share in p.level_by_channel.get(name, {}).items():
            mat[c, _LV[lv]] = share
    target = np.array([p.level_shares[lv] for lv in LEVELS])
    target = target / target.sum()
    online = _CH["online"]
    rest = target - ch @ mat
    if np.any(rest < -1e-12):
        raise ValueError("level_by_channel leaves no room for the online level mix")
    mat[online] = rest / ch[online]
    return mat / mat.sum(axis=1, keepdims=True)


def _levels(rng, p: DemoParams, channel: np.ndarray) -> np.ndarray:
    cum = np.cumsum(level_matrix(p), axis=1)[:, :-1]
    u = rng.random(len(channel))
    return (u[:, None] >= cum[channel]).sum(axis=1)
