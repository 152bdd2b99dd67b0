"""The notice a page shows instead of figures while stored due dates are being recomputed.

The refresh contract of DESIGN §3: after a change of a rule stored at import (the day rule, a
limit), ``refresh-summaries`` recomputes the due dates; until it has, no page reads due dates
computed under other rules, and every page with figures says why it shows none.
"""

from __future__ import annotations

from dash import html

from dashboard.i18n import norm_lang, t


def rules_stale() -> bool:
    """Whether the stored due dates were computed under rules other than the settings'."""
    from queries.rule_state import rules_current
    from settings import get_settings

    return not rules_current(get_settings().clock_rules())


def recomputing_notice(lang: str | None) -> html.Div:
    """A full-page notice (both the office and the wall theme read it)."""
    lang = norm_lang(lang)
    return html.Div([
        html.H1(t("recompute.title", lang)),
        html.P(t("recompute.body", lang)),
        html.P(t("recompute.action", lang), className="muted"),
    ], className="recomputing-notice", role="status", **{"data-recomputing": "true"})
