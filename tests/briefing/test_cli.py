"""The ``briefing`` command: clear errors with a non-zero exit for bad input, and
``--all-units`` writing one file per township with an index."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import text

from tests.briefing import readers
from tests.briefing.conftest import AS_OF, MONTH, SMALL_COUNTY


@pytest.mark.parametrize("args, needle", [
    (["--month", "2026-13"], "--month"),
    (["--month", "2026/10"], "YYYY-MM"),
    (["--month", "october"], "YYYY-MM"),
    (["--month", MONTH, "--unit", "430626999"], "unknown unit"),
    (["--month", MONTH, "--unit", "440300"], "outside region"),
    (["--month", MONTH, "--unit", "430626001001"], "--unit"),
    (["--month", MONTH, "--format", "pptx"], "--format"),
    (["--month", MONTH, "--as-of", "yesterday"], "--as-of"),
])
def test_bad_input_is_a_clear_error(run_cli, world, tmp_path, args, needle):
    out = tmp_path / "x.pdf"
    result = run_cli("briefing", *args, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert not out.exists()


def test_out_or_all_units_is_required(run_cli, world, tmp_path):
    result = run_cli("briefing", "--month", MONTH)
    assert result.exit_code == 2 and "--all-units" in result.output
    both = run_cli("briefing", "--month", MONTH, "--out", str(tmp_path / "a.pdf"),
                   "--all-units", str(tmp_path / "d"))
    assert both.exit_code == 2


def test_all_units_writes_one_file_per_township(run_cli, world, engine, tmp_path):
    folder = tmp_path / "monthly"
    result = run_cli("briefing", "--month", MONTH, "--unit", SMALL_COUNTY, "--format", "pdf",
                     "--all-units", str(folder), "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    with engine.connect() as c:
        towns = dict(c.execute(text(
            "SELECT code, name FROM admin_unit WHERE level = 'township' AND code LIKE :p"),
            {"p": SMALL_COUNTY + "%"}).all())
    assert len(towns) >= 3
    files = sorted(folder.glob("*.pdf"))
    assert [f.name for f in files] == sorted(f"briefing-{MONTH}-{c}.pdf" for c in towns)
    with open(folder / "index.csv", encoding="utf-8-sig") as fh:
        index = list(csv.DictReader(fh))
    assert {r["code"] for r in index} == set(towns)
    assert all(r["status"] == "ok" and int(r["bytes"]) > 5_000 for r in index)
    for code, name in towns.items():
        content = readers.squeeze(readers.pdf_text(folder / f"briefing-{MONTH}-{code}.pdf"))
        assert f"{name}信访工作月度简报" in content
        others = [n for c, n in towns.items() if c != code and n not in name]
        assert not [n for n in others if n in content], (code, others)
