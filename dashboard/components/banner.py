"""The sensitive-period banner (敏感期提示) for every page (issue 6).

``sensitive_banner(scope, lang)`` returns a ``role="status"`` strip while a sensitive period
is on for the user's jurisdiction (name, level, dates, day n, days left, and what changes:
24-hour duty, strict daily reports, tighter warnings), a quieter notice when one starts within
``ahead_days``, and None otherwise — so a page can include it unconditionally::

    from dashboard.components.banner import sensitive_banner
    html.Main([sensitive_banner(scope, lang), ...])

Reads go through the pages' cache (``dashboard.data.memo``, keyed by the data version, which
changes when a period is edited), so the banner costs no query on most page loads.
Styles: ``assets/stability.css`` (``.sensitive-banner``).
"""

from __future__ import annotations

import datetime as dt

from dash import html

from dashboard import strings_stability  # noqa: F401  (registers the strings)
from dashboard.i18n import t
from queries import periods


def _name(p: dict, lang: str) -> str:
    return (p.get("name_en") or p["name"]) if lang == "en" else p["name"]


def _cached(name: str, fn, scope, day: dt.date):
    from dashboard import data

    return data.memo(name, fn, scope, day, timeout=60)


def sensitive_banner(scope, lang: str, *, day: dt.date | None = None, ahead_days: int = 14,
                     banner_id: str | None = None):
    """The banner for ``scope`` on ``day`` (default today in the office's time zone)."""
    if scope is None or scope.is_empty:
        return None
    if day is None:
        from dashboard.state import today

        day = today()
    active = _cached("active_period", periods.active_period, scope, day)
    kw = {"id": banner_id} if banner_id else {}
    if active:
        text = t("banner.active", lang, name=_name(active, lang),
                 level=t(f"plevel.{active['level']}", lang),
                 start=active["starts_on"].isoformat(), end=active["ends_on"].isoformat(),
                 day=active["day_no"], left=active["days_left"])
        return html.Div([html.Span("▲", className="sb-icon", **{"aria-hidden": "true"}),
                         html.Strong(text), html.Span(t("banner.rules", lang),
                                                      className="sb-rules")],
                        className="sensitive-banner active", role="status",
                        **{"aria-label": t("banner.label", lang),
                           "data-period": str(active["id"])}, **kw)
    upcoming = _cached("next_period", periods.next_period, scope, day)
    if upcoming and upcoming["days_until"] <= ahead_days:
        return html.Div([html.Span("●", className="sb-icon", **{"aria-hidden": "true"}),
                         html.Span(t("banner.upcoming", lang, name=_name(upcoming, lang),
                                     start=upcoming["starts_on"].isoformat(),
                                     days=upcoming["days_until"]))],
                        className="sensitive-banner upcoming", role="status",
                        **{"aria-label": t("banner.label", lang),
                           "data-period": str(upcoming["id"])}, **kw)
    return None
