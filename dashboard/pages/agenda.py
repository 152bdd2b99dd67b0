"""联席会议议程 Joint-conference agenda (``/agenda?date=YYYY-MM-DD&unit=CODE``).

For a chosen day, what the conference should discuss — backlog matters, package gaps, large
collective visits, the matters overdue the longest — and the Friday tracking list (assigned
items due that week, clocks due soon per unit). A printable page (``assets/backlog.css`` holds
its print stylesheet) and the same lists as XLSX (``/export/agenda.xlsx``, audited).
"""

from __future__ import annotations

import datetime as dt

import dash
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, dcc, html, no_update

from dashboard import i18n
from dashboard.components import backlog_tables as tables
from dashboard.components.backlog_shell import badge, header, href
from dashboard.context import current_account, current_lang, current_scope, toggle_lang
from dashboard.exports import routes as export_routes
from dashboard.i18n import fmt_date, fmt_int, t
from dashboard.state import today, viewable
from domain.clocks import as_date, clock_states
from queries import agenda as agenda_q
from queries import backlog
from queries.accountability import accountability_rules
from queries.filters import MatterFilter
from queries.scope import InvalidCode, validate_unit_code
from settings import get_settings

PREFIX = "ag"

dash.register_page(__name__, path="/agenda", name="联席会议 Agenda", order=3,
                   title=f"{t('page.agenda', 'zh')} · {t('app.title', 'zh')}")

try:
    export_routes.init_app(dash.get_app().server)
except Exception:  # imported outside an app
    pass


def _first(v):
    if isinstance(v, list | tuple):
        v = v[-1] if v else None
    return v.strip() if isinstance(v, str) else None


def parse(query: dict, scope) -> tuple[dt.date, str | None, list[str]]:
    """(day, unit, problems) from the URL; the unit only when the user may see it."""
    problems = []
    day = today()
    raw = _first(query.get("date"))
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
            if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
                raise ValueError
        except ValueError:
            problems.append(f"date={raw[:20]!r}")
            day = today()
    unit = _first(query.get("unit")) or None
    if unit:
        try:
            unit = validate_unit_code(unit)
            if not viewable(scope, unit):
                raise InvalidCode(unit)
        except InvalidCode:
            problems.append(f"unit={unit[:20]!r}")
            unit = None
    return day, unit, problems


def _list_note(total: int, shown: int, lang: str):
    if total > shown:
        return html.P(t("ag.more", lang, n=fmt_int(total - shown),
                        limit=fmt_int(agenda_q.AGENDA_LIMIT)), className="caption")
    return None


def _simple_table(head: list[str], rows: list[list], nums: set[int], table_id: str,
                  data_key: str | None = None, keys: list | None = None):
    return html.Div(html.Table([
        html.Thead(html.Tr([html.Th(h, scope="col", className="num" if i in nums else None)
                            for i, h in enumerate(head)])),
        html.Tbody([html.Tr([html.Td(v, className="num" if i in nums else None)
                             for i, v in enumerate(r)],
                            **({f"data-{data_key}": keys[k]} if data_key else {}))
                    for k, r in enumerate(rows)]),
    ], className="data bl-table ag-table", id=table_id), className="ag-table-wrap")


def _d(v) -> str:
    return "—" if v is None or (not isinstance(v, str) and pd.isna(v)) else fmt_date(as_date(v))


def _s(v) -> str:
    return "—" if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else str(v)


def _section(title: str, body, sid: str) -> html.Section:
    return html.Section([html.H2(title), body], className="ag-section", id=sid)


def layout(**query):
    lang = current_lang()
    scope = current_scope()
    account = current_account()
    user_name = getattr(account, "display_name", None) or getattr(account, "username", "")
    nav = [dcc.Location(id=f"{PREFIX}-nav", refresh="callback-nav"),
           dcc.Location(id=f"{PREFIX}-reload", refresh=True),
           html.Div(id=f"{PREFIX}-printed", hidden=True)]
    if scope.is_empty:
        return html.Div([*nav, header(PREFIX, lang, "agenda", user_name=user_name),
                         html.Main(html.P(t("error.no_scope", lang), className="alert"),
                                   className="page")], className="atlas atlas-agenda")
    day, unit, problems = parse(dict(query), scope)
    settings = get_settings()
    rules, arules = settings.clock_rules(), accountability_rules()
    flt = MatterFilter(unit=unit)
    a = agenda_q.agenda(scope, day, flt, arules, rules)
    f = agenda_q.friday_list(scope, day, flt, arules, rules)
    units = backlog.units_in_scope(scope)
    names = dict(zip(units["code"], units["name"], strict=True))
    scope_name = names.get(unit) if unit else settings.region_name if scope.is_region else \
        "、".join(names.get(u, u) for u in scope.units) or t("crumb.mine", lang)
    params = {"date": day.isoformat(), "unit": unit}
    stores = [dcc.Store(id=f"{PREFIX}-query", data=params)]

    controls = html.Section([
        html.Div([html.Label(t("ag.date", lang), htmlFor=f"{PREFIX}-date"),
                  dcc.Input(id=f"{PREFIX}-date", type="date", value=day.isoformat(),
                            debounce=True, min="2000-01-01", max="2100-12-31")],
                 className="field w-date"),
        html.Div([html.Label(t("ag.unit", lang), htmlFor=f"{PREFIX}-unit"),
                  dcc.Dropdown(id=f"{PREFIX}-unit", value=unit, clearable=True,
                               placeholder=t("bl.unit.all", lang),
                               options=[{"label": r["name"] if r["level"] == "county"
                                         else f"　{r['name']}", "value": r["code"]}
                                        for r in units.to_dict("records")])],
                 className="field w-wide"),
        html.Button(t("ag.print", lang), id=f"{PREFIX}-print", n_clicks=0,
                    className="button secondary", type="button"),
        html.A(t("ag.download", lang), id=f"{PREFIX}-download", className="button",
               href=href("/export/agenda.xlsx", params), download=""),
    ], className="filter-bar ag-controls no-print", **{"aria-label": t("ag.controls", lang)})

    def place(r):
        return tables.place(r, lang)

    persons = arules.large_visit_persons
    summary = _simple_table(
        [t("ag.s.item", lang), t("ag.s.count", lang)],
        [[t("ag.s.backlog", lang), fmt_int(a.counts["backlog"])],
         [t("ag.s.gaps", lang), fmt_int(a.counts["package_gaps"])],
         [t("ag.s.visits", lang, n=persons, days=arules.agenda_window_days),
          f"{fmt_int(a.counts['large_visits'])}（{t('ag.s.persons', lang)} "
          f"{fmt_int(a.counts['large_visit_persons'])}）"],
         [t("ag.s.overdue", lang), fmt_int(a.counts["overdue"])],
         [t("ag.friday.assignments", lang), fmt_int(len(f.assignments))],
         [t("ag.friday.clocks", lang, n=rules.due_soon_days), fmt_int(len(f.clocks))]],
        {1}, "ag-summary")

    bl_rows = [[str(i), r["matter_no"], place(r), _s(r["responsible_unit"]),
                i18n.category(r["category"], lang),
                "；".join(t(f"bl.reason.{k}", lang) for k in r["reasons"]),
                _d(r["backlog_since"]), fmt_int((day - as_date(r["backlog_since"])).days),
                badge("gap", lang) if r["package_gap"] else _s(r["leader"])]
               for i, r in enumerate(a.backlog.to_dict("records"), start=1)]
    gap_rows = [[str(i), r["matter_no"], place(r), _s(r["responsible_unit"]),
                 "；".join(t("bl.reason.backlog", lang) if k == "backlog"
                          else t("bl.reason.upper_level", lang, n=fmt_int(r["upper_n"]))
                          for k in r["reasons"]), _s(r["leader"])]
                for i, r in enumerate(a.gaps.to_dict("records"), start=1)]
    visit_rows = [[str(i), _d(r["received_on"]), r["submission_no"], r["matter_no"], place(r),
                   fmt_int(r["persons"]), i18n.enum_label(_levels(), r["received_level"], lang),
                   t("ag.yes", lang) if r["is_cross_level"] else t("ag.no", lang),
                   i18n.category(r["category"], lang)]
                  for i, r in enumerate(a.visits.to_dict("records"), start=1)]
    long_rows = [[str(i), r["matter_no"], place(r), _s(r["responsible_unit"]),
                  "、".join(t(f"bl.clock.{k}", lang) for k, s in clock_states(r, day, rules).items()
                           if s == "overdue"), fmt_int(r["days_over"]),
                  badge("backlog", lang) if not pd.isna(r["backlog_since"]) else "",
                  _s(r["leader"])]
                 for i, r in enumerate(a.longest.to_dict("records"), start=1)]
    asg_rows = [[r["assignment_no"], _s(r["title"]), _s(r["matter_no"]), r["assigned_unit"],
                 _d(r["assigned_on"]), _d(r["feedback_due"]), _d(r["feedback_on"]),
                 _d(r["closed_on"]), badge(r["state"], lang)]
                for r in f.assignments.to_dict("records")]
    clock_rows = [[_s(r["unit"]), r["matter_no"], _s(i18n.place(r["township_name"], lang)),
                   t(f"bl.clock.{r['clock']}", lang), _d(r["due"]), fmt_int(r["days_left"]),
                   _s(r["leader"])]
                  for r in f.clocks.to_dict("records")]
    unit_rows = [[r["unit"] or "—", fmt_int(r["clocks"]), fmt_int(r["assignments"]),
                  fmt_int(r["open"])] for r in f.by_unit.to_dict("records")]

    def block(rows, head, nums, tid, key=None, keys=None, total=None):
        if not rows:
            return html.P(t("ag.empty", lang), className="empty")
        return html.Div([_simple_table(head, rows, nums, tid, key, keys),
                         _list_note(total if total is not None else len(rows), len(rows),
                                    lang)])

    num, c = t("ag.col.no", lang), "bl.col."
    doc = html.Article([
        html.Header([
            html.H1(t("ag.heading", lang, region=scope_name), className="ag-title"),
            html.P([html.Strong(t("ag.date", lang) + t("bl.colon", lang)), day.isoformat(),
                    "　", html.Strong(t("ag.unit", lang) + t("bl.colon", lang)), scope_name],
                   className="ag-meta"),
            html.P(t("ag.meta", lang, day=day.isoformat()), className="caption"),
        ], className="ag-head"),
        _section(t("ag.summary", lang), summary, "ag-s-summary"),
        _section(t("ag.backlog", lang), block(
            bl_rows, [num, t(c + "number", lang), t(c + "place", lang), t(c + "unit", lang),
                      t(c + "category", lang), t(c + "reason", lang), t(c + "since", lang),
                      t(c + "age", lang), t(c + "leader", lang)], {0, 6, 7}, "ag-backlog",
            "matter", list(a.backlog["matter_no"]), a.counts["backlog"]), "ag-s-backlog"),
        _section(t("ag.gaps", lang), block(
            gap_rows, [num, t(c + "number", lang), t(c + "place", lang), t(c + "unit", lang),
                       t(c + "why", lang), t(c + "current", lang)], {0}, "ag-gaps",
            "matter", list(a.gaps["matter_no"]), a.counts["package_gaps"]), "ag-s-gaps"),
        _section(t("ag.visits", lang), block(
            visit_rows, [num, t("ag.col.received_on", lang), t("ag.col.submission", lang),
                         t(c + "number", lang), t(c + "place", lang), t("ag.col.persons", lang),
                         t("ag.col.level", lang), t("ag.col.cross", lang),
                         t(c + "category", lang)], {0, 1, 5}, "ag-visits", "submission",
            list(a.visits["submission_no"]), a.counts["large_visits"]), "ag-s-visits"),
        _section(t("ag.longest", lang, n=arules.agenda_longest), block(
            long_rows, [num, t(c + "number", lang), t(c + "place", lang), t(c + "unit", lang),
                        t(c + "clocks", lang), t(c + "days_over", lang),
                        t("bl.status.backlog", lang), t(c + "leader", lang)], {0, 5},
            "ag-longest", "matter", list(a.longest["matter_no"])), "ag-s-longest"),
        _section(t("ag.friday", lang, start=fmt_date(f.week_start), end=fmt_date(f.week_end)),
                 html.Div([
                     html.H3(t("ag.friday.assignments", lang)),
                     block(asg_rows, [t(c + "assignment_no", lang),
                                      t(c + "assignment_title", lang), t(c + "number", lang),
                                      t(c + "assigned_unit", lang), t(c + "assigned_on", lang),
                                      t(c + "feedback_due", lang), t(c + "feedback_on", lang),
                                      t(c + "closed_on", lang), t(c + "state", lang)],
                           {4, 5, 6, 7}, "ag-assignments", "assignment",
                           list(f.assignments["assignment_no"])),
                     html.H3(t("ag.friday.clocks", lang, n=rules.due_soon_days)),
                     block(clock_rows, [t(c + "unit", lang), t(c + "number", lang),
                                        t(c + "place", lang), t("ag.col.clock", lang),
                                        t("ag.col.due", lang), t("ag.col.days_left", lang),
                                        t(c + "leader", lang)], {4, 5}, "ag-clocks"),
                     html.H3(t("ag.friday.by_unit", lang)),
                     block(unit_rows, [t(c + "unit", lang), t("ag.col.clocks_due", lang),
                                       t("ag.col.assignments_due", lang),
                                       t("ag.col.open", lang)], {1, 2, 3}, "ag-by-unit"),
                 ]), "ag-s-friday"),
    ], className="ag-doc panel")
    errors = [html.P(t("error.filter", lang, detail=p), className="alert", role="alert")
              for p in problems]
    return html.Div([
        *nav, *stores,
        header(PREFIX, lang, "agenda", user_name=user_name),
        html.Main([html.H1(t("page.agenda", lang), className="page-title no-print"), *errors,
                   controls, doc],
                  className="page ag-page", lang="en" if lang == "en" else "zh-CN"),
    ], className="atlas atlas-agenda")


def _levels():
    from domain.enums import RECEIVED_LEVELS

    return RECEIVED_LEVELS


@dash.callback(Output(f"{PREFIX}-nav", "href"), Input(f"{PREFIX}-date", "value"),
               Input(f"{PREFIX}-unit", "value"), prevent_initial_call=True)
def choose(day, unit):
    params = {}
    try:
        params["date"] = dt.date.fromisoformat(str(day)[:10]).isoformat()
    except (TypeError, ValueError):
        return no_update
    if unit:
        params["unit"] = unit
    return href("/agenda", params)


@dash.callback(Output(f"{PREFIX}-reload", "href"), Input(f"{PREFIX}-lang", "n_clicks"),
               State(f"{PREFIX}-query", "data"), prevent_initial_call=True)
def switch_language(n, current):
    if not n:
        return no_update
    toggle_lang()
    return href("/agenda", current if isinstance(current, dict) else {})


dash.clientside_callback(ClientsideFunction("backlog", "printPage"),
                         Output(f"{PREFIX}-printed", "children"),
                         Input(f"{PREFIX}-print", "n_clicks"), prevent_initial_call=True)
