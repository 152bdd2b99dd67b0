"""init-geo, then demo-data: every generated row lands through the importer, and a second run
with the same arguments changes nothing.

Whatever geography the test database held is set aside for the module and put back afterwards
(as the other packages' tests do); the demo matters (``DEMO-...``) are removed.
"""

from __future__ import annotations

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


def test_demo_data_lands_every_row_and_is_idempotent(runner, engine, tmp_path):
    first = runner.invoke(args=["demo-data", *ARGS, "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    matters = pd.read_csv(tmp_path / "a" / "matters.csv", dtype=str, keep_default_na=False,
                          encoding="utf-8-sig")
    subs = pd.read_csv(tmp_path / "a" / "submissions.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")
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
    assert (tmp_path / "a" / "matters.csv").read_bytes() == \
        (tmp_path / "b" / "matters.csv").read_bytes()
    assert _counts(second.output, "matters") == {"inserted": 0, "updated": 0,
                                                 "unchanged": 2000, "rejected": 0}
    assert _counts(second.output, "submissions") == {"inserted": 0, "updated": 0,
                                                     "unchanged": len(subs), "rejected": 0}
