"""积案督办与责任落实 Backlog and accountability (``/backlog``).

Overdue and due-soon clocks by responsible unit and township with each matter's clocks as a
timeline; backlog ageing and resolution; package leaders and package gaps; the assignment
ledger with the monthly close-out notice; leader receptions (四访一包); units ranked by their
on-time rates with a yellow-card line. Edits where the office needs them (package leader,
package progress, close-out, reception), each audited.

The URL holds the view — the shared filter state of ``dashboard.state`` (unit, period,
categories, channels, routes) plus ``tab``, ``by``, ``line`` (yellow-card line, %) and
``matter`` (the timeline shown) — and the layout is drawn from it on the server: every
control writes a new URL (``dcc.Location`` with ``callback-nav``), which re-renders the page.
Every read uses the user's scope from the server session (``current_scope``), never a code
from the browser as the jurisdiction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard import data as shared_data
from dashboard import i18n
from dashboard.auth.personal import masked_id
from dashboard.components import backlog_charts as charts
from dashboard.components import backlog_forms as forms
from dashboard.components import backlog_tables as tables
from dashboard.components import first_time_view, irregular_view, quality_tables
from dashboard.components.backlog_shell import badge, header, href, tabs, tile
from dashboard.components.backlog_view import (
    BYS,
    TABS,
    View,
    arules_for,
    parse_extras,
    resolve,
)
from dashboard.components.shell import filter_bar
from dashboard.context import current_account, current_lang, current_scope, toggle_lang
from dashboard.exports import routes as export_routes
from dashboard.i18n import fmt_date, fmt_int, fmt_rate, t
from dashboard.state import (
    StateError,
    ViewState,
    from_query,
    from_store,
    today,
)
from queries import accountability, backlog, edits, quality
from queries import personal as personal_q
from queries.filters import Period
from queries.scope import Scope
from settings import get_settings

log = logging.getLogger(__name__)
#: Rows of a list drawn on the page (the count says how many there are in all).
PAGE_ROWS = 100

PREFIX = "bl"

dash.register_page(__name__, path="/backlog", name="积案督办 Backlog", order=2,
                   title=f"{t('page.backlog', 'zh')} · {t('app.title', 'zh')}")

# The agenda download route, until the factory registers it (idempotent).
try:
    export_routes.init_app(dash.get_app().server)
except Exception:  # imported outside an app (tests of the components)
    log.debug("export routes not registered here", exc_info=True)


def _unit_options(scope: Scope, lang: str) -> list[dict]:
    frame = backlog.units_in_scope(scope)
    opts = []
    for r in frame.to_dict("records"):
        name = i18n.place(r["name"], lang)
        label = name if r["level"] == "county" else f"　{name}"
        opts.append({"label": label, "value": r["code"]})
    return opts


def _sensitive(scope: Scope, day: dt.date) -> list[tuple[int, str, str]]:
    try:
        frame = shared_data.sensitive_periods(scope, day)
    except Exception:  # a missing table must not take the page down
        log.exception("sensitive periods")
        return []
    return [(int(r["id"]), r["name"], r["name_en"] or "") for r in frame.to_dict("records")]


def _can_edit() -> bool:
    account = current_account()
    return account is not None and account.role in edits.EDIT_ROLES


# --- layout ------------------------------------------------------------------------------------

def layout(**query):
    lang = current_lang()
    scope = current_scope()
    account = current_account()
    user_name = getattr(account, "display_name", None) or getattr(account, "username", "")
    state, problems = from_query(dict(query))
    extras = parse_extras(dict(query))
    messages = [_error(p, lang) for p in problems]
    stores = [dcc.Location(id=f"{PREFIX}-nav", refresh="callback-nav"),
              dcc.Location(id=f"{PREFIX}-reload", refresh=True)]
    if scope.is_empty:
        return html.Div([*stores, header(PREFIX, lang, "backlog", user_name=user_name),
                         html.Main(html.P(t("error.no_scope", lang), className="alert",
                                          role="alert"), className="page")],
                        className="atlas atlas-backlog")
    try:
        view = resolve(state, extras, scope)
    except StateError as exc:
        messages.append(_error(exc, lang))
        state = ViewState()
        view = resolve(state, extras, scope)
    rules = get_settings().clock_rules()
    arules = arules_for(extras)
    units = _unit_options(scope, lang)
    stores.append(dcc.Store(id=f"{PREFIX}-query", data=view.params()))

    frame = status(scope, view, rules)
    counts = backlog.backlog_counts(scope, view.day, view.flt, rules, frame=frame)
    _ledger, n_assign_overdue = accountability.assignments(
        scope, view.day, unit=view.flt.unit, states=("overdue",), arules=arules, limit=1)
    ranking = accountability.unit_ranking(scope, view.period, view.day, view.flt, by="unit",
                                          arules=arules, rules=rules)
    n_yellow = int(ranking["yellow"].sum()) if len(ranking) else 0
    n_irr_cards = irregular_view.card_count(scope, view.period, view.day, view.flt)
    irr_rules = irregular_view.irregular_card_rules()
    params = view.params(matter=None)
    tiles = html.Section([
        tile("overdue", counts["overdue"], lang, status="overdue",
             hint=t("bl.tile.overdue.hint", lang), link=href("/backlog", {**params,
                                                                        "tab": None})),
        tile("due_soon", counts["due_soon"], lang, status="due_soon",
             hint=t("bl.tile.due_soon.hint", lang, n=rules.due_soon_days),
             link=href("/backlog", {**params, "tab": None}) + "#bl-due-soon"),
        tile("backlog", counts["backlog"], lang, status="backlog",
             hint=t("bl.tile.backlog.hint", lang), link=href("/backlog", {**params,
                                                                        "tab": "backlog"})),
        tile("gaps", counts["package_gaps"], lang, status="gap",
             hint=t("bl.tile.gaps.hint", lang), link=href("/backlog", {**params,
                                                                     "tab": "packages"})),
        tile("assign_overdue", n_assign_overdue, lang, status="overdue",
             hint=t("bl.tile.assign_overdue.hint", lang),
             link=href("/backlog", {**params, "tab": "assignments"})),
        tile("yellow", n_yellow, lang, status="yellow",
             hint=t("bl.tile.yellow.hint", lang, line=fmt_rate(arules.yellow_card_line)),
             link=href("/backlog", {**params, "tab": "ranking"})),
        # The second kind of yellow card (非访黄牌), named apart from the handling-time one.
        tile("irr_cards", n_irr_cards, lang, status="yellow",
             hint=t("bl.tile.irr_cards.hint", lang, national=irr_rules.national,
                    any=irr_rules.any_level),
             link=href("/backlog", {**params, "tab": "ranking"}) + "#irr-cards-section"),
    ], className="bl-tiles", **{"aria-label": t("kpi.label", lang)})
    tab_counts = {"clocks": counts["overdue"], "backlog": counts["backlog"],
                  "packages": counts["package_gaps"], "assignments": n_assign_overdue,
                  "ranking": n_yellow + n_irr_cards}

    body: list = []
    if extras.saved:
        body.append(html.P(t(f"bl.saved.{extras.saved}", lang), className="bl-flash",
                           role="status"))
    if extras.matter:
        detail = backlog.matter_detail(scope, extras.matter, view.day, rules)
        body.append(tables.timeline_panel(
            detail, view.day, rules, lang, href("/backlog", view.params(matter=None)),
            extras.matter, petitioner=petitioner_line(scope, extras.matter, lang)
            if detail else None))
    builder = {"clocks": _tab_clocks, "backlog": _tab_backlog, "first_time": _tab_first_time,
               "packages": _tab_packages,
               "assignments": _tab_assignments, "receptions": _tab_receptions,
               "ranking": _tab_ranking, "quality": _tab_quality}[extras.tab]
    body += builder(scope, view, lang, rules, arules, units, frame)

    settings = get_settings()
    unit_bar = html.Div([
        html.Div([html.Label(t("bl.unit", lang), htmlFor=f"{PREFIX}-unit"),
                  dcc.Dropdown(id=f"{PREFIX}-unit", options=units, value=state.unit,
                               placeholder=t("bl.unit.all", lang), clearable=True,
                               searchable=True)], className="field bl-unit-field"),
        html.P(t("bl.asof", lang, day=fmt_date(view.day), start=fmt_date(view.period.start),
                 end=fmt_date(view.period.end)), className="bl-asof num"),
    ], className="bl-unit-bar no-print")
    return html.Div([
        *stores,
        header(PREFIX, lang, "backlog", query=state.to_query(), user_name=user_name),
        html.Main([
            html.H1(t("page.backlog", lang), className="page-title"),
            html.Div(_banner(messages, lang), id=f"{PREFIX}-error", **{"aria-live": "polite"}),
            unit_bar,
            filter_bar(PREFIX, lang, state, start=view.period.start, end=view.period.end,
                       sensitive=_sensitive(scope, view.day), with_measure=False),
            tiles,
            tabs(PREFIX, lang, extras.tab, TABS, view.params(matter=None), tab_counts),
            html.Div(body, className="bl-body", id=f"{PREFIX}-body"),
            html.P(t("bl.source", lang, region=i18n.place(settings.region_name, lang),
                     day=fmt_date(view.day)),
                   className="source-line"),
        ], className="page", lang="en" if lang == "en" else "zh-CN"),
    ], className="atlas atlas-backlog")


def petitioner_line(scope: Scope, matter_no: str, lang: str):
    """The petitioner of a matter, masked (``张**``, the ID's last four), with a reveal that
    asks for a reason for the roles allowed to (DESIGN §1.2); nothing for scopes without
    personal data."""
    if not scope.personal_data:
        return None
    ident = personal_q.masked_identity(scope, matter_no)
    if ident is None:
        return None
    masked, last4 = ident
    parts = [html.Strong(t("bl.pet.label", lang) + t("bl.colon", lang)),
             html.Span(masked or t("bl.pet.none", lang), id=f"{PREFIX}-pet-name",
                       className="bl-pet-name"),
             " · ", html.Strong(t("bl.pet.id", lang) + t("bl.colon", lang)),
             html.Span(masked_id(last4) or t("bl.pet.none", lang), className="num")]
    if scope.can_reveal and masked:
        parts.append(html.Details([
            html.Summary(t("bl.pet.reveal", lang), id=f"{PREFIX}-reveal-open",
                         className="button secondary"),
            html.Div([
                html.Label(t("bl.pet.reason", lang), htmlFor=f"{PREFIX}-reveal-reason"),
                dcc.Input(id=f"{PREFIX}-reveal-reason", type="text", maxLength=200,
                          placeholder=t("bl.pet.reason.placeholder", lang), debounce=False),
                html.Button(t("bl.pet.confirm", lang), id=f"{PREFIX}-reveal-go", n_clicks=0,
                            className="button"),
                html.P(t("bl.pet.note", lang, n=get_settings().reveal_limit_per_hour),
                       className="muted"),
            ], className="bl-reveal-form"),
        ], className="bl-reveal", id=f"{PREFIX}-reveal"))
        parts.append(dcc.Store(id=f"{PREFIX}-reveal-matter", data=matter_no))
    parts.append(html.Span(id=f"{PREFIX}-reveal-out", className="bl-reveal-out", role="status"))
    return html.Li(parts, className="bl-petitioner")


@dash.callback(Output(f"{PREFIX}-reveal-out", "children"),
               Output(f"{PREFIX}-pet-name", "children"),
               Input(f"{PREFIX}-reveal-go", "n_clicks"),
               State(f"{PREFIX}-reveal-reason", "value"),
               State(f"{PREFIX}-reveal-matter", "data"), prevent_initial_call=True)
def reveal(n, reason, matter_no):
    """Reveal the name after the reason is given; the checks (role, reason, hourly limit,
    jurisdiction) and the audit row are ``reveal_petitioner_name``'s."""
    from dashboard.auth.personal import RevealRefused, reveal_petitioner_name
    from dashboard.auth.session import remote_addr
    from dashboard.auth.views import throttles

    account = current_account()
    if not n or account is None or not isinstance(matter_no, str):
        return no_update, no_update
    lang = current_lang()
    try:
        name = reveal_petitioner_name(
            matter_no, scope=current_scope(), user=account, reason=reason,
            remote_addr=remote_addr(),
            allow=lambda: throttles().reveal_allowed(f"u:{account.id}"))
    except RevealRefused as exc:
        return t(f"bl.pet.refused.{exc.code}", lang), no_update
    except ValueError:
        return t("bl.pet.refused.not_in_scope", lang), no_update
    return t("bl.pet.revealed", lang), name or t("bl.pet.none", lang)


def status(scope: Scope, view: View, rules):
    """``queries.backlog.status_frame`` of the view, through the dashboard's cache (keyed by
    the data version and the package rows, which the page's own edits change)."""
    return shared_data.memo("bl_status", _status, scope, view.day, view.flt, rules,
                            backlog.package_version(scope))


def _status(scope, day, flt, rules, _package_version):
    return backlog.status_frame(scope, day, flt, rules)


def _packages(scope, day, flt, rules, _package_version):
    return accountability.packages_frame(scope, day, flt, rules)


def _error(exc: StateError, lang: str) -> str:
    key = {"unit": "error.unit", "dates": "error.dates", "scope": "error.no_scope"}.get(
        exc.kind, "error.filter")
    return t(key, lang) if key == "error.no_scope" else t(key, lang, detail=exc.detail)


def _banner(messages: list[str], lang: str):
    if not messages:
        return None
    return html.Div([html.Strong(t("error.title", lang)), html.Ul([html.Li(m)
                                                                   for m in messages])],
                    className="alert", role="alert")


# --- the sections ------------------------------------------------------------------------------

def _limited(df, total: int, lang: str) -> str:
    if total > len(df):
        return t("bl.list.limited", lang, n=fmt_int(len(df)), total=fmt_int(total))
    return t("bl.list.count", lang, n=fmt_int(total))


def _tab_clocks(scope, view: View, lang, rules, arules, units, frame) -> list:
    by = view.extras.by if view.extras.by in ("unit", "township", "county") else "unit"
    board = backlog.clock_board(scope, view.day, view.flt, by=by, rules=rules, frame=frame)
    params = view.params()
    by_links = html.Div([html.Span(t("bl.by.label", lang), className="muted")] + [
        dcc.Link(t(f"bl.by.{b}", lang), href=href("/backlog", {**params, "by": b}),
                 className="bl-seg" + (" active" if b == by else ""))
        for b in ("unit", "township", "county")], className="bl-segs")
    over, n_over = backlog.overdue_matters(scope, view.day, view.flt, rules, PAGE_ROWS,
                                           frame=frame)
    soon, n_soon = backlog.due_soon_matters(scope, view.day, view.flt, rules, PAGE_ROWS,
                                            frame=frame)
    return [
        tables.section(t("bl.board.title", lang, by=t(f"bl.by.{by}", lang)),
                       tables.board_table(board, by, lang, params),
                       caption=t("bl.board.caption", lang, n=rules.due_soon_days),
                       tools=by_links, sid="bl-board-section"),
        tables.section(t("bl.list.overdue", lang),
                       tables.matter_table(over, lang, view.day, rules, params,
                                           table_id="bl-overdue") if n_over
                       else tables.empty(t("bl.list.empty.overdue", lang)),
                       caption=t("bl.list.overdue.caption", lang),
                       count=_limited(over, n_over, lang), sid="bl-overdue-section"),
        tables.section(t("bl.list.due_soon", lang),
                       tables.matter_table(soon, lang, view.day, rules, params,
                                           table_id="bl-due-soon-list") if n_soon
                       else tables.empty(t("bl.list.empty.due_soon", lang)),
                       caption=t("bl.list.due_soon.caption", lang),
                       count=_limited(soon, n_soon, lang), sid="bl-due-soon"),
    ]


def _tab_backlog(scope, view: View, lang, rules, arules, units, frame) -> list:
    note = t("chart.note.day", lang, day=fmt_date(view.day))
    ageing = backlog.ageing(frame, view.day)
    months = backlog.months_back(view.day, 12)
    series = shared_data.memo("bl_resolution", backlog.resolution_series, scope, tuple(months),
                              view.day, view.flt, rules)
    rows, n = backlog.backlog_matters(scope, view.day, view.flt, rules, PAGE_ROWS,
                                      frame=frame)
    config = {"displaylogo": False, "displayModeBar": False, "responsive": True}
    return [
        html.Div([
            html.Div(dcc.Graph(id=f"{PREFIX}-ageing", figure=charts.ageing(ageing, lang, note),
                               config=config, className="chart"), className="chart-box"),
            html.Div(dcc.Graph(id=f"{PREFIX}-resolution",
                               figure=charts.resolution(series, lang, t(
                                   "chart.note.months", lang, start=fmt_date(months[0].start),
                                   end=fmt_date(view.day))),
                               config=config, className="chart"), className="chart-box"),
        ], className="bl-charts"),
        tables.section(t("bl.list.backlog", lang),
                       tables.backlog_table(rows, lang, view.day, view.params()) if n
                       else tables.empty(t("bl.list.empty.backlog", lang)),
                       caption=t("bl.list.backlog.caption", lang),
                       count=_limited(rows, n, lang), sid="bl-backlog-section"),
    ]


def _tab_packages(scope, view: View, lang, rules, arules, units, frame) -> list:
    gaps, n_gaps = backlog.package_gaps(scope, view.day, view.flt, rules, PAGE_ROWS,
                                        frame=frame)
    packaged = shared_data.memo("bl_packages", _packages, scope, view.day, view.flt, rules,
                                backlog.package_version(scope))
    board = accountability.package_board(scope, view.day, view.flt, rules, frame=packaged)
    pkgs, n_pkgs = accountability.package_matters(scope, view.day, view.flt, rules=rules,
                                                  limit=PAGE_ROWS, frame=packaged)
    params = view.params()
    out = [
        tables.section(t("bl.gaps.title", lang),
                       tables.gaps_table(gaps, lang, params, rules) if n_gaps
                       else tables.empty(t("bl.gaps.empty", lang)),
                       caption=t("bl.gaps.caption", lang), count=_limited(gaps, n_gaps, lang),
                       sid="bl-gaps-section"),
        html.Div([
            tables.section(t("bl.leaders.title", lang),
                           tables.leaders_table(board, lang) if len(board)
                           else tables.empty(t("bl.leaders.empty", lang)),
                           caption=t("bl.leaders.caption", lang), sid="bl-leaders-section"),
            html.Div([forms.package_form(lang, view.day, view.extras.pk),
                      forms.progress_form(lang, view.extras.pk)] if _can_edit()
                     else [forms.readonly(lang)], className="panel bl-forms"),
        ], className="bl-split"),
        tables.section(t("bl.pkgs.title", lang),
                       tables.package_list_table(pkgs, lang, params) if n_pkgs
                       else tables.empty(t("bl.leaders.empty", lang)),
                       count=_limited(pkgs, n_pkgs, lang), sid="bl-packages-section"),
    ]
    return out


def _tab_assignments(scope, view: View, lang, rules, arules, units, frame) -> list:
    month = view.period
    notice = accountability.closeout_notice(scope, month, view.day, view.flt.unit, arules)
    ledger, n = accountability.assignments(scope, view.day, view.period, view.flt.unit,
                                           arules=arules, limit=PAGE_ROWS)
    label = fmt_date(month.start)[:7] if month.start.day == 1 and month.end == Period.month(
        month.start.year, month.start.month).end else t(
        "period.range", lang, start=fmt_date(month.start), end=fmt_date(month.end))
    return [
        tables.section(t("bl.notice.title", lang, month=label),
                       tables.notice_table(notice, lang) if len(notice) and int(
                           notice["due"].sum() + notice["assigned"].sum())
                       else tables.empty(t("bl.notice.empty", lang)),
                       caption=t("bl.notice.caption", lang), sid="bl-notice-section"),
        html.Div([forms.close_form(lang, view.day, view.extras.close)] if _can_edit()
                 else [forms.readonly(lang)], className="panel bl-forms wide"),
        tables.section(t("bl.ledger.title", lang),
                       tables.ledger_table(ledger, lang, view.params()) if n
                       else tables.empty(t("bl.ledger.empty", lang)),
                       caption=t("bl.ledger.caption", lang),
                       count=_limited(ledger, n, lang), sid="bl-ledger-section"),
    ]


def _reception_month(view: View) -> Period:
    """The month of the reception-day view: the period's last month (to the reference day)."""
    return Period.month(view.day.year, view.day.month)


def _reception_days_section(scope, view: View, lang) -> html.Section:
    from briefing.reception_days import period_label

    month = _reception_month(view)
    unit = view.flt.unit[:9] if view.flt.unit else None
    df = accountability.reception_days(scope, month, view.day, unit)
    totals = accountability.reception_day_totals(df)
    link = html.A(t("rd.download", lang), className="button secondary",
                  href=href("/export/reception-days.xlsx",
                            {"month": month.key, "unit": unit, "date": view.day.isoformat()}),
                  id=f"{PREFIX}-rd-download")
    summary = html.P(t("rd.summary", lang, leaders=fmt_int(totals["leaders"]),
                       kept=fmt_int(totals["kept"]), partly=fmt_int(totals["partly"]),
                       missed=fmt_int(totals["missed"]), due=fmt_int(totals["due_days"]),
                       kept_days=fmt_int(totals["kept_days"]),
                       receptions=fmt_int(totals["receptions"]),
                       received=fmt_int(totals["received"]),
                       packaged=fmt_int(totals["packaged"])),
                     className="bl-rd-summary", id=f"{PREFIX}-rd-summary")
    return tables.section(
        t("rd.title", lang, period=period_label(month, lang)),
        html.Div([summary, tables.reception_day_table(df, lang)]) if len(df)
        else tables.empty(t("rd.empty", lang)),
        caption=t("rd.caption", lang, start=fmt_date(month.start),
                  end=fmt_date(min(month.end, view.day))),
        tools=link if len(df) else None, sid="bl-reception-days-section")


def _tab_receptions(scope, view: View, lang, rules, arules, units, frame) -> list:
    days_section = _reception_days_section(scope, view, lang)
    frame = accountability.receptions(scope, view.period, view.flt.unit)
    table = accountability.reception_table(frame)
    months = accountability.reception_months(frame)
    unit_opts = _reception_units(scope, units)
    caption = t("bl.rec.caption", lang, start=fmt_date(view.period.start),
                end=fmt_date(view.period.end))
    return [
        days_section,
        tables.section(t("bl.rec.title", lang),
                       tables.reception_table(table, lang) if len(table)
                       else tables.empty(t("bl.rec.empty", lang)),
                       caption=caption, sid="bl-receptions-section"),
        html.Div([
            tables.section(t("bl.rec.months", lang),
                           tables.reception_month_table(months, lang) if len(months)
                           else tables.empty(t("bl.rec.empty", lang)),
                           sid="bl-reception-months-section"),
            html.Div([forms.reception_form(lang, view.day, unit_opts)] if _can_edit()
                     else [forms.readonly(lang)], className="panel bl-forms"),
        ], className="bl-split"),
    ]


def _reception_units(scope: Scope, units: list[dict]) -> list[dict]:
    out = []
    for o in units:
        try:
            if scope.allows(o["value"]):
                out.append(o)
        except Exception:  # malformed codes are not offered
            continue
    return out


def _half_label(period: Period, lang: str, key: str = "bl.rank.half.title") -> str:
    return t(key, lang, y=period.start.year,
             h=t(f"bl.rank.half.{1 if period.start.month == 1 else 2}", lang))


def _tab_ranking(scope, view: View, lang, rules, arules, units, frame) -> list:
    by = view.extras.by
    period, day = view.period, view.day
    if view.extras.half:
        # 半年评议: the half year, its clocks judged as of the reference day.
        period = Period.parse_half(view.extras.half)
        day = min(period.end, today())
    df = accountability.unit_ranking(scope, period, day, view.flt, by=by,
                                     arules=arules, rules=rules)
    params = view.params()
    if view.extras.half:
        label = _half_label(period, lang)
    else:
        label = (fmt_date(period.start)[:7] if period.kind == "month"
                 else t("period.range", lang, start=fmt_date(period.start),
                        end=fmt_date(period.end)))
    this_half = Period.half_of(today())
    halves = [this_half, this_half.previous(), this_half.previous().previous()]
    period_links = html.Div(
        [html.Span(t("bl.rank.period", lang), className="muted"),
         dcc.Link(t("bl.rank.period.filter", lang), href=href("/backlog", {**params,
                                                                          "half": None}),
                  className="bl-seg" + ("" if view.extras.half else " active"))]
        + [dcc.Link(_half_label(h, lang, "bl.rank.period.half"),
                    href=href("/backlog", {**params, "half": h.key}),
                    className="bl-seg" + (" active" if view.extras.half == h.key else ""),
                    id=f"{PREFIX}-half-{h.key}")
           for h in halves], className="bl-segs", id=f"{PREFIX}-rank-periods")
    controls = html.Div([
        period_links,
        html.Div([html.Span(t("bl.by.label", lang), className="muted")] + [
            dcc.Link(t(f"bl.by.{b}", lang), href=href("/backlog", {**params, "by": b}),
                     className="bl-seg" + (" active" if b == by else ""))
            for b in BYS], className="bl-segs"),
        html.Div([html.Label(t("bl.rank.line", lang), htmlFor=f"{PREFIX}-line"),
                  dcc.Input(id=f"{PREFIX}-line", type="number", min=1, max=100, step=1,
                            value=round(arules.yellow_card_line * 100), className="bl-input",
                            debounce=True),
                  html.Button(t("bl.rank.apply", lang), id=f"{PREFIX}-line-apply", n_clicks=0,
                              className="button secondary", type="button")],
                 className="bl-line"),
    ], className="bl-rank-tools")
    yellow = [i18n.place(r["name"] or r["key"], lang) for r in df.to_dict("records")
              if r["yellow"]]
    listing = html.P([badge("yellow", lang), t("bl.rank.yellow_list", lang, n=len(yellow)),
                      "、".join(yellow)], className="bl-yellow-list") if yellow else None
    return [tables.section(
        t("bl.rank.title", lang, month=label),
        html.Div([listing, tables.ranking_table(df, lang, arules)]) if len(df)
        else tables.empty(t("bl.rank.empty", lang)),
        caption=t("bl.rank.caption", lang, min=arules.yellow_card_min_items),
        tools=controls, sid="bl-ranking-section"),
        irregular_view.cards_section(scope, view.period, view.day, view.flt, lang)]


def _tab_first_time(scope, view: View, lang, rules, arules, units, frame) -> list:
    return first_time_view.backlog_tab(scope, view, lang)


def _tab_quality(scope, view: View, lang, rules, arules, units, frame) -> list:
    by = view.extras.by
    params = view.params()
    controls = html.Div([html.Span(t("bl.by.label", lang), className="muted")] + [
        dcc.Link(t(f"bl.by.{b}", lang), href=href("/backlog", {**params, "by": b}),
                 className="bl-seg" + (" active" if b == by else "")) for b in BYS],
        className="bl-segs")
    return quality_tables.quality_sections(
        quality.quality_by_unit(scope, view.day, view.flt, by=by),
        quality.quality_by_import(scope), lang, by, tools=controls)


# --- callbacks ---------------------------------------------------------------------------------

@dash.callback(
    Output(f"{PREFIX}-nav", "href", allow_duplicate=True),
    Output(f"{PREFIX}-error", "children"),
    Input(f"{PREFIX}-period", "value"), Input(f"{PREFIX}-from", "value"),
    Input(f"{PREFIX}-to", "value"), Input(f"{PREFIX}-category", "value"),
    Input(f"{PREFIX}-channel", "value"), Input(f"{PREFIX}-route", "value"),
    Input(f"{PREFIX}-unit", "value"), Input(f"{PREFIX}-reset", "n_clicks"),
    State(f"{PREFIX}-query", "data"),
    prevent_initial_call=True)
def apply_filters(period, start, end, categories, channels, routes, unit, reset, current):
    """Every filter change → a validated state → the page's URL (which redraws it)."""
    lang = current_lang()
    scope = current_scope()
    trig = ctx.triggered_id
    current = current if isinstance(current, dict) else {}
    extras = parse_extras(current)
    try:
        state = from_store_params(current)
        if trig == f"{PREFIX}-reset":
            state = ViewState(unit=state.unit)
        elif trig in (f"{PREFIX}-from", f"{PREFIX}-to"):
            state = state.with_(period="custom", start=_iso(start, "from"), end=_iso(end, "to"))
        else:
            state = state.with_(period=period or "this_month",
                                categories=tuple(categories or ()),
                                channels=tuple(channels or ()), routes=tuple(routes or ()),
                                unit=unit or None)
            if state.period == "custom" and not (state.start and state.end):
                state = state.with_(start=_iso(start, "from"), end=_iso(end, "to"))
        state = from_store(state.to_store())
        resolve(state, extras, scope)
    except StateError as exc:
        return no_update, _banner([_error(exc, lang)], lang)
    params = {**state.to_params(), **replace(extras, matter=None).params()}
    return href("/backlog", params), None


def from_store_params(params: dict) -> ViewState:
    """The filter state held in the page's query store (strict)."""
    state, _ = from_query({k: v for k, v in params.items() if v is not None})
    return state


def _iso(value, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise StateError("dates", f"{name}={str(value)[:20]!r}") from None


@dash.callback(Output(f"{PREFIX}-reload", "href"), Input(f"{PREFIX}-lang", "n_clicks"),
               State(f"{PREFIX}-query", "data"), prevent_initial_call=True)
def switch_language(n, current):
    if not n:
        return no_update
    toggle_lang()
    return href("/backlog", current if isinstance(current, dict) else {})


@dash.callback(Output(f"{PREFIX}-nav", "href", allow_duplicate=True),
               Input(f"{PREFIX}-line-apply", "n_clicks"), Input(f"{PREFIX}-line", "n_submit"),
               State(f"{PREFIX}-line", "value"), State(f"{PREFIX}-query", "data"),
               prevent_initial_call=True)
def apply_line(n, submitted, value, current):
    try:
        line = int(value)
    except (TypeError, ValueError):
        return no_update
    if not 1 <= line <= 100:
        return no_update
    current = current if isinstance(current, dict) else {}
    return href("/backlog", {**current, "line": line, "matter": None})


def _saved(current: dict, kind: str, **extra) -> str:
    current = current if isinstance(current, dict) else {}
    return href("/backlog", {**current, "saved": kind, **extra})


def _edit(call, lang: str):
    """Run an edit; (message, ok)."""
    from dashboard.auth.session import remote_addr

    try:
        call(remote_addr())
    except edits.EditRefused as exc:
        return html.Span(t("bl.form.refused", lang, msg=exc.en if lang == "en" else exc.zh),
                         className="bl-msg-bad"), False
    except edits.EditInvalid as exc:
        return html.Span(t("bl.form.invalid", lang, msg=exc.en if lang == "en" else exc.zh),
                         className="bl-msg-bad"), False
    return None, True


@dash.callback(Output(f"{PREFIX}-pk-msg", "children"),
               Output(f"{PREFIX}-nav", "href", allow_duplicate=True),
               Input(f"{PREFIX}-pk-save", "n_clicks"),
               State(f"{PREFIX}-pk-matter", "value"), State(f"{PREFIX}-pk-leader", "value"),
               State(f"{PREFIX}-pk-title", "value"), State(f"{PREFIX}-pk-level", "value"),
               State(f"{PREFIX}-pk-since", "value"), State(f"{PREFIX}-pk-progress", "value"),
               State(f"{PREFIX}-query", "data"), prevent_initial_call=True)
def save_package(n, matter_no, leader, title, level, since, progress, current):
    if not n:
        return no_update, no_update
    lang = current_lang()
    msg, ok = _edit(lambda addr: edits.set_package_leader(
        current_scope(), current_account(), (matter_no or "").strip(), leader, level, since,
        leader_title=title, progress=progress, today=today(), remote_addr=addr), lang)
    if not ok:
        return msg, no_update
    return None, _saved(current, "package", matter=(matter_no or "").strip() or None)


@dash.callback(Output(f"{PREFIX}-pg-msg", "children"),
               Output(f"{PREFIX}-nav", "href", allow_duplicate=True),
               Input(f"{PREFIX}-pg-save", "n_clicks"),
               State(f"{PREFIX}-pg-matter", "value"), State(f"{PREFIX}-pg-text", "value"),
               State(f"{PREFIX}-pg-resolved", "value"), State(f"{PREFIX}-query", "data"),
               prevent_initial_call=True)
def save_progress(n, matter_no, text, resolved_on, current):
    if not n:
        return no_update, no_update
    lang = current_lang()
    msg, ok = _edit(lambda addr: edits.record_package_progress(
        current_scope(), current_account(), (matter_no or "").strip(), text, resolved_on or None,
        today=today(), remote_addr=addr), lang)
    if not ok:
        return msg, no_update
    return None, _saved(current, "progress", matter=(matter_no or "").strip() or None)


@dash.callback(Output(f"{PREFIX}-cl-msg", "children"),
               Output(f"{PREFIX}-nav", "href", allow_duplicate=True),
               Input(f"{PREFIX}-cl-save", "n_clicks"),
               State(f"{PREFIX}-cl-no", "value"), State(f"{PREFIX}-cl-feedback", "value"),
               State(f"{PREFIX}-cl-closed", "value"), State(f"{PREFIX}-cl-note", "value"),
               State(f"{PREFIX}-query", "data"), prevent_initial_call=True)
def save_closeout(n, number, feedback_on, closed_on, note, current):
    if not n:
        return no_update, no_update
    lang = current_lang()
    msg, ok = _edit(lambda addr: edits.close_assignment(
        current_scope(), current_account(), (number or "").strip(), closed_on,
        feedback_on=feedback_on or None, note=note, today=today(), remote_addr=addr), lang)
    if not ok:
        return msg, no_update
    return None, _saved(current, "closeout")


@dash.callback(Output(f"{PREFIX}-rc-msg", "children"),
               Output(f"{PREFIX}-nav", "href", allow_duplicate=True),
               Input(f"{PREFIX}-rc-save", "n_clicks"),
               State(f"{PREFIX}-rc-leader", "value"), State(f"{PREFIX}-rc-title", "value"),
               State(f"{PREFIX}-rc-kind", "value"), State(f"{PREFIX}-rc-date", "value"),
               State(f"{PREFIX}-rc-unit", "value"), State(f"{PREFIX}-rc-received", "value"),
               State(f"{PREFIX}-rc-resolved", "value"), State(f"{PREFIX}-rc-note", "value"),
               State(f"{PREFIX}-query", "data"), prevent_initial_call=True)
def save_reception(n, leader, title, kind, held_on, unit, received, resolved, note, current):
    if not n:
        return no_update, no_update
    lang = current_lang()
    msg, ok = _edit(lambda addr: edits.record_reception(
        current_scope(), current_account(), leader, kind, held_on, unit or "",
        leader_title=title, received=received, resolved=resolved, note=note, today=today(),
        remote_addr=addr), lang)
    if not ok:
        return msg, no_update
    return None, _saved(current, "reception")

