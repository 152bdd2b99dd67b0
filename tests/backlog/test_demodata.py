"""Demo accountability records (``demodata.accountability``) on the synthetic geography of the
demo-data tests: same seed same bytes; consistent with the demo matters; some units clearly
behind; all five kinds of leader reception, month by month."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from demodata import generate, prepare_geography, write_demo
from demodata.accountability import write_accountability
from demodata.params import BAD_TOWNSHIPS, GOOD_TOWNSHIPS
from domain.rules import RECEPTION_KINDS
from tests.demodata import synthetic

END = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo():
    return generate(prepare_geography(*synthetic.frames()), 20_000, 7, 24, END)


@pytest.fixture(scope="module")
def files(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("acc")
    matters, _subs = write_demo(demo, out)
    paths = write_accountability(demo, out)
    read = {k: pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            for k, p in paths.items()}
    read["matters"] = pd.read_csv(matters, dtype=str, keep_default_na=False,
                                  encoding="utf-8-sig")
    return paths, read


def test_same_seed_same_bytes(demo, files, tmp_path):
    paths, _ = files
    again = write_accountability(demo, tmp_path / "again")
    for kind, path in paths.items():
        assert again[kind].read_bytes() == path.read_bytes(), kind
    other = write_accountability(generate(demo.geo, 20_000, 8, 24, END), tmp_path / "other")
    assert other["assignments"].read_bytes() != paths["assignments"].read_bytes()


def test_packages_follow_the_matters(files):
    _, f = files
    m, p = f["matters"].set_index("matter_no"), f["packages"]
    current = p[p["until"] == ""]
    # One package row in force per packaged matter, with the matter file's leader and level.
    assert current["matter_no"].is_unique
    assert set(current["matter_no"]) == set(m.index[m["package_leader"] != ""])
    joined = current.merge(m.reset_index(), on="matter_no")
    assert (joined["leader_name"] == joined["package_leader"]).all()
    assert (joined["level"] == joined["package_level"]).all()
    assert (joined["since"] >= joined["registered_on"]).all()
    assert (p["since"] <= END.isoformat()).all()
    # Some county packages had an earlier leader, ended on the change day.
    ended = p[p["until"] != ""]
    assert len(ended) > 20 and (ended["until"] > ended["since"]).all()
    assert set(ended["matter_no"]) <= set(current["matter_no"])
    # Progress recorded; some resolved.
    assert (p["progress"] != "").all() and (current["resolved_on"] != "").mean() > 0.2


def test_assignments_with_deadlines_close_outs_and_units_behind(files):
    _, f = files
    a = f["assignments"]
    assert a["assignment_no"].is_unique and len(a) > 500
    assert (a["feedback_due"] >= a["assigned_on"]).all()
    fb = a[a["feedback_on"] != ""]
    assert (fb["feedback_on"] >= fb["assigned_on"]).all()
    closed = a[a["closed_on"] != ""]
    assert (closed["closed_on"] > closed["feedback_on"]).all() and len(closed) > 0.6 * len(a)
    # Matter-linked items and monthly special assignments with a county or township area.
    assert (a["matter_no"] != "").mean() > 0.5
    special = a[a["matter_no"] == ""]
    assert len(special) > 0 and (special["area_code"] != "").all()
    # Units clearly behind: the poor townships' governments answer late far more often.
    due = a[(a["feedback_due"] < END.isoformat())].copy()
    due["late"] = (due["feedback_on"] == "") | (due["feedback_on"] > due["feedback_due"])
    names = dict(zip(synthetic.frames()[1]["code"], synthetic.frames()[1]["name"],
                     strict=True))

    def late_share(codes):
        govs = {n for c, n in names.items() if c in codes}
        rows = due[due["assigned_unit"].apply(lambda u: any(u.startswith(g) for g in govs))]
        assert len(rows) >= 5
        return rows["late"].mean()

    bad, good, overall = late_share(BAD_TOWNSHIPS), late_share(GOOD_TOWNSHIPS), due["late"].mean()
    assert bad > 0.3 and good < 0.05 and bad > 3 * overall


def test_receptions_of_every_kind_month_by_month(files, demo):
    _, f = files
    r = f["receptions"]
    assert set(r["kind"]) == set(RECEPTION_KINDS)
    key = ["leader_name", "kind", "held_on", "unit_code"]
    assert not r.duplicated(key).any()
    assert (r["matters_resolved"].astype(int) <= r["matters_received"].astype(int)).all()
    county_leaders = sorted({n for n in r["leader_name"] if "演示领导" in n})
    months = pd.to_datetime(r["held_on"]).dt.strftime("%Y-%m")
    assert months.nunique() == 24
    per = r.assign(month=months).groupby(["leader_name", "month"]).size()
    # Every county leader receives every month; one in four of them clearly less than the rest.
    assert all(per.loc[n].size >= 22 for n in county_leaders)
    totals = r[r["leader_name"].isin(county_leaders)].groupby("leader_name").size()
    lazy = totals[[n.endswith(("04", "08")) for n in totals.index]]
    busy = totals[[not n.endswith(("04", "08")) for n in totals.index]]
    assert lazy.mean() < 0.7 * busy.mean()
    assert set(r["unit_code"].str.len()) <= {6, 9}


def test_roster_and_reception_days(files):
    """The roster (issue 16) names every leader with a weekday; county leaders' fixed-point
    receptions fall on their day — nearly always for most, about a third of the time for the
    less active one in four, who then receives on another day — and package visits name the
    matter the leader took into a package."""
    _, f = files
    roster, r = f["leaders"], f["receptions"]
    assert set(roster["name"]) == set(r["leader_name"])
    assert set(roster["weekday"]) == {"1", "2", "3", "4", "5"}
    assert set(roster["level"]) == {"county", "township"}
    county = roster[roster["level"] == "county"].set_index("name")
    assert (county["unit_code"].str.len() == 6).all()
    fixed = r[(r["kind"] == "fixed_point") & r["leader_name"].isin(county.index)].copy()
    fixed["weekday"] = pd.to_datetime(fixed["held_on"]).dt.dayofweek + 1
    fixed["theirs"] = fixed["weekday"].astype(str) == fixed["leader_name"].map(
        county["weekday"])
    share = fixed.groupby("leader_name")["theirs"].mean()
    lazy = share[[n.endswith(("04", "08")) for n in share.index]]
    busy = share[[not n.endswith(("04", "08")) for n in share.index]]
    assert (busy == 1.0).all() and (lazy < 1.0).all()
    assert set(r["leader_level"]) == {"county", "township"}
    packaged = r[r["matter_no"] != ""]
    assert len(packaged) > 0 and (packaged["kind"] == "package").all()
    pk = f["packages"]
    pairs = set(zip(pk["matter_no"], pk["leader_name"], strict=True))
    assert all((m, n) in pairs for m, n in zip(packaged["matter_no"], packaged["leader_name"],
                                              strict=True))
    assert not packaged["matter_no"].duplicated().any()
