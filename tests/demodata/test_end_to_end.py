"""init-geo, then demo-data: every generated row lands through the importer, and a second run
with the same arguments changes nothing; what real exports hold (issue 10) lands with warnings,
never rejects, and the stored dates are Asia/Shanghai days.

Whatever geography the test database held is set aside for the module and put back afterwards
(as the other packages' tests do); the demo matters (``DEMO-...``) are removed.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from flask import Flask
from sqlalchemy import text

from cli.demo import demo_data
from cli.geography import init_geo

SAVED = ("project_zone", "admin_unit")
ARGS = ["--cases", "2000", "--seed", "5", "--months", "24", "--end", "2026-06-30"]


@pytest.fixture(scope="module")
def runner(engine):
    with engine.begin() as conn:
        for table in SAVED:
            conn.execute(text(f"DROP TABLE IF EXISTS _demodata_saved_{table}"))
            conn.execute(text(f"CREATE TABLE _demodata_saved_{table} AS SELECT * FROM {table}"))
    server = Flask("demo-data-test")
    server.cli.add_command(init_geo)
    server.cli.add_command(demo_data)
    cli = server.test_cli_runner()
    result = cli.invoke(args=["init-geo"])
    assert result.exit_code == 0, result.output
    yield cli
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM submission WHERE submission_no LIKE 'DEMO-%'"))
        conn.execute(text("DELETE FROM matter WHERE matter_no LIKE 'DEMO-%'"))
        for table in SAVED:
            conn.execute(text(f"DELETE FROM {table}"))
        for table in reversed(SAVED):
            conn.execute(text(f"INSERT INTO {table} SELECT * FROM _demodata_saved_{table}"))
            conn.execute(text(f"DROP TABLE _demodata_saved_{table}"))


def _counts(output: str, kind: str) -> dict[str, int]:
    line = next(ln for ln in output.splitlines() if ln.startswith(f"{kind}:"))
    return {k: int(v) for k, v in re.findall(r"(inserted|updated|unchanged|rejected) (\d+)",
                                             line)}


def _warned(output: str, kind: str) -> int:
    line = next(ln for ln in output.splitlines() if ln.startswith(f"{kind}:"))
    return int(re.search(r"warned (\d+)", line).group(1))


@pytest.fixture(scope="module")
def first(runner, tmp_path_factory):
    """The first demo-data run of the module: (result, output directory, matters, submissions)."""
    out = tmp_path_factory.mktemp("demo") / "a"
    result = runner.invoke(args=["demo-data", *ARGS, "--out", str(out)])
    assert result.exit_code == 0, result.output
    read = {name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False,
                              encoding="utf-8-sig") for name in ("matters", "submissions")}
    return result, out, read["matters"], read["submissions"]


def test_demo_data_lands_every_row_and_is_idempotent(runner, engine, first, tmp_path):
    first, out, matters, subs = first
    assert _counts(first.output, "matters") == {"inserted": 2000, "updated": 0,
                                                "unchanged": 0, "rejected": 0}
    assert _counts(first.output, "submissions") == {"inserted": len(subs), "updated": 0,
                                                    "unchanged": 0, "rejected": 0}

    with engine.connect() as conn:
        stored = pd.read_sql(text(
            "SELECT matter_no, village_code, township_code, county_code, answered_on, "
            "petitioner_name_masked, petitioner_id_last4, ST_X(geom) AS lon "
            "FROM matter WHERE matter_no LIKE 'DEMO-%' ORDER BY matter_no"), conn)
        n_subs = conn.execute(text(
            "SELECT count(*) FROM submission WHERE submission_no LIKE 'DEMO-%'")).scalar()
        repeats = conn.execute(text(
            "SELECT avg(is_repeat::int) FROM submission WHERE submission_no LIKE 'DEMO-%'"
        )).scalar()
    assert len(stored) == 2000 and n_subs == len(subs)
    merged = stored.merge(matters, on="matter_no", suffixes=("", "_csv"))
    assert (merged["village_code"] == merged["area_code"]).all()
    assert (merged["township_code"] == merged["area_code"].str[:9]).all()
    assert merged["lon"].notna().all()
    named = merged["petitioner_name"] != ""
    assert (merged.loc[named, "petitioner_name_masked"] == "演**").all()
    assert 0.25 < float(repeats) < 0.35

    # Same arguments again: same bytes, nothing inserted or updated.
    second = runner.invoke(args=["demo-data", *ARGS, "--out", str(tmp_path / "b")])
    assert second.exit_code == 0, second.output
    assert (out / "matters.csv").read_bytes() == (tmp_path / "b" / "matters.csv").read_bytes()
    assert _counts(second.output, "matters") == {"inserted": 0, "updated": 0,
                                                 "unchanged": 2000, "rejected": 0}
    assert _counts(second.output, "submissions") == {"inserted": 0, "updated": 0,
                                                     "unchanged": len(subs), "rejected": 0}


# --- what real exports hold (issue 10) -----------------------------------------------------------
# The expectations below are read off the CSV files by hand (DESIGN §3, §5), not by the importer.

STAGES = ("forwarded_on", "accepted_on", "answered_on", "review_requested_on",
          "review_decided_on", "recheck_requested_on", "recheck_decided_on")


def _direct(mf: pd.DataFrame) -> pd.Series:
    inferred = (mf["forwarded_on"] == "") & (mf["accepted_on"] != "")
    return (mf["intake"] == "direct") | ((mf["intake"] == "") & inferred)


def _blank_stage(mf: pd.DataFrame) -> pd.Series:
    later = pd.Series(False, index=mf.index)
    gap = pd.Series(False, index=mf.index)
    for col in reversed(STAGES):
        blank = (mf[col] == "") & ~((col == "forwarded_on") & _direct(mf))
        gap |= blank & later
        later |= mf[col] != ""
    return gap


def _bad_id(mf: pd.DataFrame) -> pd.Series:
    def ok(number: str) -> bool:
        total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(number[:17]))
        return number[17] == "10X98765432"[total % 11]

    return (mf["petitioner_id"] != "") & ~mf["petitioner_id"].map(lambda v: v == "" or ok(v))


def test_flaws_of_real_exports_warn_and_land(first, engine):
    result, out, mf, sf = first
    gap, bad_id = _blank_stage(mf), _bad_id(mf)
    assert gap.sum() > 20 and bad_id.sum() > 0
    assert _counts(result.output, "matters")["rejected"] == 0
    assert _warned(result.output, "matters") == int((gap | bad_id).sum())
    assert _warned(result.output, "submissions") == 0

    warnings = pd.read_csv(out / "matters.csv.warnings.csv", dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")
    assert list(warnings.columns) == ["line", "column", "matter_no", "reason_zh", "reason_en"]
    warned_lines = set(warnings["line"].astype(int))
    assert warned_lines == set((mf.index[gap | bad_id] + 2).tolist())  # header is line 1
    id_lines = set(warnings.loc[warnings["column"] == "petitioner_id", "line"].astype(int))
    assert id_lines == set((mf.index[bad_id] + 2).tolist())

    # Never a value: no ID number, name or summary of the file appears in the warnings file.
    raw = (out / "matters.csv.warnings.csv").read_text(encoding="utf-8-sig")
    assert not re.search(r"\d{17}[\dXx]", raw)
    for col in ("petitioner_id", "petitioner_name", "summary"):
        for value in set(mf[col]) - {""}:
            assert value not in raw, col
    assert "演示" not in raw  # every synthetic person and leader is called 演示…

    with engine.connect() as conn:
        stored = pd.read_sql(text(
            "SELECT matter_no, intake, unrecorded_n, petitioner_id_last4, backlog_flag, "
            "backlog_resolved_on FROM matter WHERE matter_no LIKE 'DEMO-%'"), conn
        ).set_index("matter_no").loc[mf["matter_no"]]
    assert (stored["intake"].eq("direct").to_numpy() == _direct(mf).to_numpy()).all()
    assert ((stored["unrecorded_n"] > 0).to_numpy() == gap.to_numpy()).all()
    assert stored["petitioner_id_last4"][bad_id.to_numpy()].isna().all()
    assert stored["petitioner_id_last4"][((mf["petitioner_id"] != "") & ~bad_id).to_numpy()
                                         ].notna().all()
    assert (stored["backlog_flag"].to_numpy() == (mf["backlog_flag"] == "yes").to_numpy()).all()


def _next_day_cells(col: pd.Series) -> pd.Series:
    """Cells with a UTC time of 16:00 or later: 00:00 or later the next day in Yueyang."""
    return col.str.fullmatch(r"\d{4}-\d\d-\d\dT(1[6-9]|2[0-3]):\d\d:\d\dZ")


def test_times_with_an_offset_land_on_the_shanghai_day(first, engine):
    _, _, mf, sf = first
    date_cols = [c for c in mf.columns if c.endswith("_on")]
    with engine.connect() as conn:
        stored = pd.read_sql(text(
            f"SELECT matter_no, {', '.join(date_cols)} FROM matter "
            "WHERE matter_no LIKE 'DEMO-%'"), conn).set_index("matter_no")
        received = pd.read_sql(text(
            "SELECT submission_no, received_on FROM submission "
            "WHERE submission_no LIKE 'DEMO-%'"), conn).set_index("submission_no")
    shifted = 0
    for col in date_cols:
        cells = _next_day_cells(mf[col])
        for no, value in zip(mf.loc[cells, "matter_no"], mf.loc[cells, col], strict=True):
            want = dt.date.fromisoformat(value[:10]) + dt.timedelta(days=1)
            assert stored.loc[no, col] == want, (no, col, value)
            shifted += 1
        plus8 = mf[col].str.endswith("+08:00")
        for no, value in zip(mf.loc[plus8, "matter_no"], mf.loc[plus8, col], strict=True):
            assert stored.loc[no, col] == dt.date.fromisoformat(value[:10]), (no, col, value)
    assert shifted > 0
    cells = _next_day_cells(sf["received_on"])
    assert cells.sum() > 0
    for no, value in zip(sf.loc[cells, "submission_no"], sf.loc[cells, "received_on"],
                         strict=True):
        want = dt.date.fromisoformat(value[:10]) + dt.timedelta(days=1)
        assert received.loc[no, "received_on"] == want, (no, value)


def test_summary_shows_what_the_demo_holds(first, engine):
    result, _, mf, sf = first
    text_out = result.output
    assert "as in a real office export" in text_out
    direct = int(_direct(mf).sum())
    assert f"direct intake {direct} " in text_out
    assert f"blank stage dates in {int(_blank_stage(mf).sum())} matters" in text_out
    assert f"bad check digits {int(_bad_id(mf).sum())} " in text_out
    flagged = int((mf["backlog_flag"] == "yes").sum())
    resolved = int(((mf["backlog_flag"] == "yes") & (mf["backlog_resolved_on"] != "")).sum())
    assert f"flagged backlog {flagged} ({resolved} resolved)" in text_out
    # Petitioners back after a resolution (the matter's own date; DESIGN §3).
    res = mf.set_index("matter_no")["backlog_resolved_on"].str[:10]
    res = res[res != ""]
    after = sf[sf["matter_no"].isin(res.index)]
    back = after[after["received_on"].str[:10] > after["matter_no"].map(res)]
    assert f"back after a resolution {back['matter_no'].nunique()} of {len(res)}" in text_out
    upper = (sf["channel"] == "visit") & sf["received_level"].isin(["city", "province",
                                                                     "national"])
    irregular = int((upper & (sf["irregular"] == "yes")).sum())
    assert f"irregular visits {irregular} " in text_out
    stamped = sum(int(mf[c].str.contains("T").sum()) for c in mf.columns if c.endswith("_on"))
    stamped += int(sf["received_on"].str.contains("T").sum())
    assert f"times with an offset {stamped} " in text_out
