"""Page frame: header with navigation and language switch, and the filter bar."""

from __future__ import annotations

import datetime as dt

from dash import dcc, html

from dashboard import (
    i18n,
    strings_security,  # noqa: F401  (nav.audit)
)
from dashboard.i18n import t
from domain.enums import CATEGORIES, CHANNELS, ROUTES
from queries.areas import MEASURES
from queries.filters import CLOCK_FILTERS

NAV = (("overview", "/"), ("map", "/map"), ("backlog", "/backlog"), ("agenda", "/agenda"),
       ("stability", "/stability"), ("periods", "/periods"), ("wall", "/wall"),
       ("briefing", "/briefing"))


def header(prefix: str, lang: str, active: str, *, query: str = "",
           user_name: str | None = None, query_keys: tuple[str, ...] | None = None,
           printable: bool = True, banner: bool = True) -> html.Div:
    """The page header: brand, navigation, user, language switch, logout, and under it the
    sensitive-period banner while one is on or close (``banner=False`` for a page that places
    its own).

    ``query`` (the view's filters) is carried to the pages named in ``query_keys`` (all when
    None); ``printable=False`` hides the header when the page is printed.
    """
    links = [dcc.Link(t(f"nav.{key}", lang),
                      href=path + (query if query_keys is None or key in query_keys else ""),
                      id=f"{prefix}-nav-{key}",
                      className="nav-link" + (" active" if key == active else ""))
             for key, path in _nav_for_role()]
    top = html.Header([
        html.Div([
            html.Span("信", className="brand-mark", **{"aria-hidden": "true"}),
            html.Div([html.Span(t("app.title", lang), className="brand-title"),
                      html.Span(t("app.subtitle", lang), className="brand-sub")]),
        ], className="brand"),
        html.Nav(links, className="nav", **{"aria-label": t("nav.label", lang)}),
        html.Div([
            html.Span(user_name or "", className="user"),
            html.Button(t("lang.switch", lang), id=f"{prefix}-lang", n_clicks=0,
                        className="button ghost", title=t("lang.switch.title", lang),
                        lang="en" if lang == "zh" else "zh-CN"),
            logout_form(prefix, lang),
        ], className="header-tools"),
    ], className="app-header" + ("" if printable else " no-print"))
    strip = _banner(lang) if banner else None
    return html.Div([top, strip] if strip is not None else [top],
                    className="app-top" + ("" if printable else " no-print"))


AUDIT_NAV = ("audit", "/audit")


def _nav_for_role() -> tuple[tuple[str, str], ...]:
    """The pages the logged-in role may open: the auditor only the audit log, an admin
    everything and the audit log, the others the office's pages."""
    from flask import has_request_context

    from dashboard.context import current_account

    role = getattr(current_account(), "role", None) if has_request_context() else None
    if role == "auditor":
        return (AUDIT_NAV,)
    if role == "admin":
        return (*NAV, AUDIT_NAV)
    return NAV


def logout_form(prefix: str, lang: str) -> html.Form:
    """Log out: a POST with the session's CSRF token (a link could be triggered by another
    site or an image; a forged form is refused)."""
    return html.Form([
        dcc.Input(type="hidden", name="csrf_token", value=_csrf_token(),
                  id=f"{prefix}-logout-csrf"),
        html.Button(t("auth.logout", lang), type="submit", className="button ghost",
                    id=f"{prefix}-logout"),
    ], method="POST", action="/logout", className="logout-form")


def _csrf_token() -> str:
    from flask import has_request_context
    from flask_wtf.csrf import generate_csrf

    return generate_csrf() if has_request_context() else ""


def _banner(lang: str):
    from dashboard.components.banner import sensitive_banner
    from dashboard.context import current_scope

    try:
        return sensitive_banner(current_scope(), lang, banner_id="app-sensitive-banner")
    except RuntimeError:  # no request (a layout built at import for the page registry)
        return None


def _options(enum: dict, lang: str) -> list[dict]:
    return [{"label": i18n.pick(pair, lang), "value": code} for code, pair in enum.items()]


def _field(label: str, control, control_id: str, cls: str = "") -> html.Div:
    return html.Div([html.Label(label, htmlFor=control_id), control],
                    className="field " + cls)


def period_options(lang: str, sensitive: list[tuple[int, str, str]] = ()) -> list[dict]:
    """Period choices: the fixed ones, then sensitive periods ``(id, name, name_en)``."""
    opts = [{"label": t(f"period.{p}", lang), "value": p}
            for p in ("this_month", "last_month", "this_year", "last_12m")]
    opts += [{"label": t("period.sensitive", lang, name=(en if lang == "en" and en else name)),
              "value": f"sp{pid}"} for pid, name, en in sensitive]
    opts.append({"label": t("period.custom", lang), "value": "custom"})
    return opts


def filter_bar(prefix: str, lang: str, state, *, start: dt.date, end: dt.date,
               sensitive: list[tuple[int, str, str]] = (), with_measure: bool = True
               ) -> html.Section:
    """The filters on top of the page; their values are the view state."""
    def dd(key, enum, value, multi=True):
        return dcc.Dropdown(id=f"{prefix}-{key}", options=_options(enum, lang), value=value,
                            multi=multi, clearable=True, searchable=True,
                            placeholder=t("filter.all", lang))

    clock_enum = {c: (t(f"clock.{c}", "zh"), t(f"clock.{c}", "en")) for c in CLOCK_FILTERS}
    fields = [
        _field(t("filter.period", lang), dcc.Dropdown(
            id=f"{prefix}-period", options=period_options(lang, sensitive), value=state.period,
            clearable=False, searchable=False), f"{prefix}-period", "w-period"),
        html.Div([
            _field(t("filter.from", lang), dcc.Input(
                id=f"{prefix}-from", type="date", value=start.isoformat(), debounce=True,
                autoComplete="on",
                min="2000-01-01", max="2100-12-31"), f"{prefix}-from", "w-date"),
            _field(t("filter.to", lang), dcc.Input(
                id=f"{prefix}-to", type="date", value=end.isoformat(), debounce=True,
                autoComplete="on",
                min="2000-01-01", max="2100-12-31"), f"{prefix}-to", "w-date"),
        ], className="date-range"),
        _field(t("filter.category", lang), dd("category", CATEGORIES, list(state.categories)),
               f"{prefix}-category", "w-wide"),
        _field(t("filter.channel", lang), dd("channel", CHANNELS, list(state.channels)),
               f"{prefix}-channel"),
        _field(t("filter.route", lang), dd("route", ROUTES, list(state.routes)),
               f"{prefix}-route"),
        _field(t("filter.clock", lang), dd("clock", clock_enum, state.clock, multi=False),
               f"{prefix}-clock"),
    ]
    if with_measure:
        fields.append(_field(t("filter.measure", lang), dcc.Dropdown(
            id=f"{prefix}-measure", options=_options(MEASURES, lang), value=state.measure,
            clearable=False, searchable=False), f"{prefix}-measure", "w-measure"))
    fields.append(html.Button(t("filter.reset", lang), id=f"{prefix}-reset", n_clicks=0,
                              className="button secondary reset"))
    return html.Section(fields, className="filter-bar no-print",
                        **{"aria-label": t("filters.label", lang)})
