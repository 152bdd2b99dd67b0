"""Half-year evaluation (半年评议, issue 16 item 6): ``briefing`` and ``ranking`` take
``--half`` and ``--from/--to``; the briefing's title and comparisons follow the period (the
previous period of equal length, the same period last year), read back from the files; the
``--month`` forms are unchanged."""

from __future__ import annotations

import datetime as dt
import json

import click
import pytest
from flask import Flask

from queries.filters import Period
from tests.briefing import readers
from tests.briefing.conftest import AS_OF
from tests.briefing.test_outputs import KPI_ORDER

D = dt.date


def test_period_parsing_by_hand():
    h = Period.parse_half("2026H2")
    assert (h.start, h.end, h.kind, h.key) == (D(2026, 7, 1), D(2026, 12, 31), "half", "2026H2")
    assert h.previous() == Period(D(2026, 1, 1), D(2026, 6, 30))
    assert h.year_before() == Period(D(2025, 7, 1), D(2025, 12, 31))
    assert Period.parse_half("2026h1") == Period(D(2026, 1, 1), D(2026, 6, 30))
    m = Period.parse_months("2026-02", "2026-04")
    assert (m.kind, m.key, m.previous()) == ("months", "2026-02_2026-04",
                                             Period(D(2025, 11, 1), D(2026, 1, 31)))
    assert Period.parse_month("2026-10").key == "2026-10"
    assert Period.half_of(D(2026, 6, 30)).key == "2026H1"
    for bad in ("2026H3", "2026-H2", "H2", "26H1"):
        with pytest.raises(ValueError):
            Period.parse_half(bad)
    with pytest.raises(ValueError):
        Period.parse_months("2026-05", "2026-04")


def test_resolve_period_options():
    from cli.periods import resolve_period

    assert resolve_period("2026-10", None, None, None) == Period.month(2026, 10)
    assert resolve_period(None, None, None, "2026H2").key == "2026H2"
    assert resolve_period(None, "2026-07", "2026-09", None) == Period(D(2026, 7, 1),
                                                                       D(2026, 9, 30))
    for args in ((None, None, None, None), ("2026-10", None, None, "2026H2"),
                 (None, "2026-07", None, None)):
        with pytest.raises(click.UsageError):
            resolve_period(*args)


@pytest.fixture(scope="module")
def half_files(run_cli, world, tmp_path_factory):
    folder = tmp_path_factory.mktemp("half")
    out = {}
    for fmt in ("pdf", "xlsx"):
        path = folder / f"half.{fmt}"
        result = run_cli("briefing", "--half", "2026H2", "--format", fmt, "--out", str(path),
                         "--as-of", AS_OF.isoformat())
        assert result.exit_code == 0, result.output
        assert "2026H2" in result.output
        out[fmt] = path
    return out


def _kpis(period: Period) -> dict:
    from queries.kpi import compute_kpis
    from queries.scope import Scope
    from settings import get_settings

    return compute_kpis(Scope.region(personal_data=False), period, min(period.end, AS_OF),
                        None, get_settings().clock_rules())


def test_half_year_xlsx_compares_with_equal_periods(half_files):
    sheets = readers.xlsx_values(half_files["xlsx"])
    rows = sheets["主要指标"]
    head_at = next(i for i, r in enumerate(rows) if "指标代码" in r)
    col = {h: j for j, h in enumerate(rows[head_at])}
    assert {"本期", "上期", "去年同期"} <= set(col) and "本月" not in col
    data = {r[col["指标代码"]]: r for r in rows[head_at + 1:] if r[col["指标代码"]]}
    half = Period.parse_half("2026H2")
    want = {"本期": _kpis(half), "上期": _kpis(Period(D(2026, 1, 1), D(2026, 6, 30))),
            "去年同期": _kpis(Period(D(2025, 7, 1), D(2025, 12, 31)))}
    assert want["本期"]["counts"]["subs"] > 0  # the half year has data to compare
    for key in KPI_ORDER:
        for column, values in want.items():
            expected, got = values[key], data[key][col[column]]
            if expected is None:
                assert got is None, (key, column)
            else:
                assert got == pytest.approx(expected, abs=1e-12), (key, column)
    summary = {r[0]: r[1] for r in sheets["概览"] if r and r[0]}
    assert summary["month"] == "2026H2"
    assert (summary["period_start"], summary["period_end"]) == ("2026-07-01", "2026-12-31")


def test_half_year_pdf_title_and_comparisons(half_files):
    text = readers.squeeze(readers.pdf_text(half_files["pdf"]))
    assert "岳阳市信访工作半年简报" in text and "2026年下半年" in text
    assert "主要指标（本期、上期、去年同期）" in text
    assert "上期（等长）2026-01-01至2026-06-30" in text.replace(" ", "")
    assert "去年同期2025-07-01至2025-12-31" in text.replace(" ", "")
    assert "月度简报" not in text


def test_month_range_in_english(run_cli, world, tmp_path):
    path = tmp_path / "q3.pdf"
    result = run_cli("briefing", "--from", "2026-07", "--to", "2026-09", "--format", "pdf",
                     "--lang", "en", "--out", str(path), "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    text = readers.squeeze(readers.pdf_text(path))
    for phrase in ("Petition briefing for the period: Yueyang City", "2026-07-01 to 2026-09-30",
                   "previous period of equal length 2026-04-01 to 2026-06-30"):
        assert readers.squeeze(phrase) in text, phrase


@pytest.mark.parametrize("args", [["--half", "2026H3"], ["--from", "2026-07"],
                                  ["--month", "2026-10", "--half", "2026H2"]])
def test_bad_periods_are_clear_errors(run_cli, world, tmp_path, args):
    result = run_cli("briefing", *args, "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2, result.output


def test_ranking_half_and_month(world):
    from cli import accountability
    from queries.accountability import accountability_rules, unit_ranking
    from queries.scope import Scope
    from settings import get_settings

    server = Flask("ranking-periods")
    for command in accountability.COMMANDS:
        server.cli.add_command(command)
    runner = server.test_cli_runner()
    result = runner.invoke(args=["ranking", "--half", "2026H2", "--as-of", AS_OF.isoformat(),
                                 "--by", "township", "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert (got["period"], got["start"], got["end"]) == ("2026H2", "2026-07-01", "2026-12-31")
    df = unit_ranking(Scope.region(), Period.parse_half("2026H2"), AS_OF, None, by="township",
                      arules=accountability_rules(), rules=get_settings().clock_rules())
    assert [u["key"] for u in got["units"]] == df["key"].tolist()
    assert [u["ans_n"] for u in got["units"]] == df["ans_n"].tolist()
    # A half year holds more clocks than its last month.
    month = runner.invoke(args=["ranking", "--month", "2026-10", "--as-of",
                                AS_OF.isoformat(), "--by", "township", "--json"])
    assert month.exit_code == 0, month.output
    m = json.loads(month.output)
    assert m["month"] == "2026-10" and "period" not in m
    assert sum(u["ans_n"] for u in got["units"]) > sum(u["ans_n"] for u in m["units"])


def test_english_briefing_names_places_in_english(run_cli, world, engine, tmp_path):
    """Item 7: every place an English briefing names is its English name — title, header,
    area table, hot spots, map labels — in the PDF, the DOCX and the XLSX."""
    import re

    from sqlalchemy import text

    from tests.briefing.conftest import COUNTY, TOWN

    with engine.connect() as c:
        names = dict(c.execute(text("SELECT name, name_en FROM admin_unit")).all())
    assert names["平江县"] == "Pingjiang County"
    han = re.compile(r"[\u3400-\u9fff]+")
    for unit in (COUNTY, TOWN):
        for fmt, read in (("pdf", readers.pdf_text), ("docx", readers.docx_text),
                          ("xlsx", readers.xlsx_text)):
            path = tmp_path / f"{unit}-en.{fmt}"
            result = run_cli("briefing", "--month", "2026-10", "--unit", unit, "--format", fmt,
                             "--lang", "en", "--out", str(path), "--as-of", AS_OF.isoformat())
            assert result.exit_code == 0, result.output
            content = read(path)
            runs = set(han.findall(content))
            assert not (runs & set(names)), (unit, fmt, runs & set(names))
            assert "Pingjiang County" in content, (unit, fmt)
