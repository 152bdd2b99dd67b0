"""The refresh contract of DESIGN §3: after a change of a rule stored at import, the pages show
no figure until ``refresh-summaries`` has recomputed the due dates (without a re-import), and
then the summaries agree with the raw tables under the new rules. Due dates by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from domain.clocks import ClockRules
from queries import rule_state, summaries, summaries_build
from queries.filters import MatterFilter, Period
from queries.scope import Scope
from tests.ingest.conftest import fetch, matter_row, write_csv

D = dt.date
DEFAULT = ClockRules()
SHORTER = ClockRules(forward_days=10, answer_days=30)


@pytest.fixture
def two_matters(importer, engine, tmp_path):
    importer(write_csv(tmp_path / "m.csv", [
        matter_row("R1", registered_on="2026-09-01", forwarded_on="2026-09-03",
                   accepted_on="2026-09-05"),
        matter_row("R2", registered_on="2026-09-10")]))
    yield
    # Leave the store under the default rules for the other tests.
    summaries_build.refresh(engine, DEFAULT)


def test_a_changed_limit_is_recomputed_by_refresh_not_by_a_reimport(two_matters, engine,
                                                                   monkeypatch):
    with engine.connect() as c:
        assert rule_state.is_current(c, DEFAULT)
        assert not rule_state.is_current(c, SHORTER)
    # Under the default rules: forward 09-01 + 15 = 09-16, answer 09-05 + 60 = 11-04.
    r1 = fetch(engine, "IT-M-R1")
    assert (r1["forward_due"], r1["answer_due"]) == (D(2026, 9, 16), D(2026, 11, 4))

    # The settings now say 10 and 30 days: every page with figures says "recomputing".
    monkeypatch.setenv("FORWARD_DAYS", "10")
    monkeypatch.setenv("ANSWER_DAYS", "30")
    from settings import get_settings

    get_settings.cache_clear()
    try:
        assert get_settings().clock_rules().stored_fingerprint() == \
            SHORTER.stored_fingerprint()
        from dashboard.components.recomputing import rules_stale

        assert rules_stale()
        import dash

        from dashboard.factory import create_dash

        create_dash()
        layout = dash.page_registry["pages.overview"]["layout"]()
        assert layout.to_plotly_json()["props"].get("data-recomputing") == "true"
    finally:
        monkeypatch.delenv("FORWARD_DAYS")
        monkeypatch.delenv("ANSWER_DAYS")
        get_settings.cache_clear()

    result = summaries_build.refresh(engine, SHORTER)
    assert "due dates and spans recomputed" in result["steps"]
    # 09-01 + 10 = 09-11; 09-05 + 30 = 10-05; R2: 09-10 + 10 = 09-20.
    r1, r2 = fetch(engine, "IT-M-R1"), fetch(engine, "IT-M-R2")
    assert (r1["forward_due"], r1["answer_due"]) == (D(2026, 9, 11), D(2026, 10, 5))
    assert r2["forward_due"] == D(2026, 9, 20)
    with engine.connect() as c:
        assert rule_state.is_current(c, SHORTER) and not rule_state.is_current(c, DEFAULT)
        assert summaries.is_fresh(c, SHORTER)
    # The rollups built under the new rules answer, and agree with the raw tables.
    period, as_of = Period.month(2026, 10), D(2026, 11, 20)
    fast = summaries.kpi_counts(Scope.region(), period, as_of, MatterFilter(), SHORTER)
    with summaries.raw_only():
        from queries.kpi import compute_kpis

        raw = compute_kpis(Scope.region(), period, as_of, MatterFilter(), SHORTER)["counts"]
    assert fast is not None and fast == raw
    # R1's answer (due 10-05 now) is overdue on 10-31; under the default (11-04) it was not.
    assert raw["overdue_open"] >= 1
    with engine.connect() as c:
        stamp = c.execute(text("SELECT rules->>'answer_days' FROM rule_state")).scalar()
    assert stamp == "30"
