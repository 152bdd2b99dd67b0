"""The shared workspace of the Overview (``/``) and Map (``/map``) pages: layout and callbacks.

State flows one way. The filter controls, a click on the map, the breadcrumb, the area table
and a click in a chart all go through one reducer callback that writes the view state to a
``dcc.Store`` and to the URL's query string (``dcc.Location`` without reload, so a copied link
reopens the view: the page's ``layout()`` parses the same query). Every other callback reads
the state, re-validates it against the user's scope taken from the server session
(:func:`dashboard.context.current_scope` — never a code from the browser as the
jurisdiction), and draws its part from ``dashboard.data`` (cached ``queries/`` calls).

Each page registers the callbacks for its own id prefix (``ov`` / ``mp``) with the features
it shows, so a page never has callbacks for components it lacks.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import dash
import pandas as pd
from dash import ALL, ClientsideFunction, Input, Output, State, ctx, dcc, html, no_update

from dashboard import data, i18n
from dashboard.components import charts as chart_figs
from dashboard.components import first_time_view, tables
from dashboard.components import legend as lg
from dashboard.components.kpi_cards import kpi_section
from dashboard.components.map import atlas_map, layer_names, map_notes
from dashboard.components.shell import filter_bar, header
from dashboard.context import current_account, current_lang, current_scope, toggle_lang
from dashboard.i18n import t
from dashboard.state import (
    StateError,
    ViewState,
    check_scope,
    from_query,
    from_store,
    resolve_period,
    today,
)
from domain.codes import is_region_code
from queries.areas import MEASURES
from queries.filters import MatterFilter, Period
from queries.scope import Scope
from settings import get_settings

log = logging.getLogger(__name__)

POINT_LIMIT = 20_000
#: Rows of the matter list per page: a page of 25 rows is about 30 KB of components, so a
#: township's view stays under the 100 KB an interaction may send (a 200-row list was 260 KB
#: and took the browser seconds to lay out).
LIST_PAGE = 25
CHART_IDS = ("trend", "categories", "funnel", "ageing", "top_units", "repeat")


# --- resolving a state on the server -----------------------------------------------------------

@dataclass(frozen=True)
class View:
    """A view state checked against the scope and turned into what the queries need."""

    state: ViewState
    period: Period
    as_of: dt.date
    flt: MatterFilter  # the selected unit's matters (KPI cards, charts, list)
    level: str  # level of the areas drawn
    parent: str | None  # their parent (None: the scope's own units, ``codes``)
    codes: tuple[str, ...]
    selected: str | None  # a village highlighted among its siblings
    unit_name: str
    path: tuple[tuple[str | None, str], ...]  # breadcrumb: (code or None for the root, name)
    study_unit: str | None  # hotspot study area
    schematic: bool

    @property
    def day(self) -> dt.date:
        return min(self.period.end, self.as_of)

    @property
    def area_filter(self) -> MatterFilter:
        """The filter of the areas drawn (the parent's matters)."""
        unit = None if self.parent is None or is_region_code(self.parent) else self.parent
        return replace(self.flt, unit=unit)


def _root(scope: Scope) -> tuple[str | None, str, tuple[str, ...]]:
    """(parent, level, codes) of the first view of a scope."""
    region = get_settings().region_code
    if scope.is_region or not scope.units:
        return region, "county", ()
    if len(scope.units) == 1:
        unit = scope.units[0]
        return unit, "township" if len(unit) == 6 else "village", ()
    six = tuple(u for u in scope.units if len(u) == 6)
    if six:
        return None, "county", six
    return None, "township", tuple(scope.units)


def _unit_names(scope: Scope, codes: tuple[str, ...]) -> dict[str, dict]:
    meta = data.units_meta(scope, codes)
    return {r["code"]: r for r in meta.to_dict("records")}


def resolve_view(raw, scope: Scope, lang: str) -> View:
    """The :class:`View` of a stored state dict (or a :class:`ViewState`) for ``scope``;
    :class:`StateError` for anything the user may not see or that does not exist."""
    state = raw if isinstance(raw, ViewState) else from_store(raw)
    check_scope(state, scope)
    settings = get_settings()
    region = settings.region_code
    unit = None if state.unit is None or state.unit == region else state.unit
    as_of = today()
    period = resolve_period(state, as_of, lambda i: data.sensitive_period(scope, i))
    day = min(period.end, as_of)
    flt = state.matter_filter(clock_day=day)

    root_parent, root_level, root_codes = _root(scope)
    chain: tuple[str, ...] = ()
    if unit:
        chain = tuple(c for c in (unit[:6], unit[:9], unit) if len(c) <= len(unit))
        chain = tuple(dict.fromkeys(chain))
    names = _unit_names(scope, tuple(sorted({*chain, *([root_parent] if root_parent else [])})))
    if unit and unit not in names:
        raise StateError("unit", unit)

    if unit is None:
        parent, level, codes, selected = root_parent, root_level, root_codes, None
    elif len(unit) == 6:
        parent, level, codes, selected = unit, "township", (), None
    elif len(unit) == 9:
        parent, level, codes, selected = unit, "village", (), None
    else:
        parent, level, codes, selected = unit[:9], "village", (), unit

    # Breadcrumb from the scope's root down to the unit.
    if root_parent == region:
        root_name = i18n.place(names.get(region, {}).get("name") or settings.region_name, lang)
    elif root_parent:
        root_name = i18n.place(names.get(root_parent, {}).get("name") or root_parent, lang)
    else:
        root_name = t("crumb.mine", lang)
    path: list[tuple[str | None, str]] = [(None, root_name)]
    for code in chain:
        if root_parent and root_parent != region and len(code) <= len(root_parent):
            continue
        path.append((code, i18n.place(names.get(code, {}).get("name") or code, lang)))
    unit_name = path[-1][1]

    # Hotspot study area: the county around the unit when the user may see it.
    study: str | None
    if unit is None:
        study = None if (root_parent is None or root_parent == region) else root_parent
    else:
        county = unit[:6]
        study = county if scope.allows(county) or (not scope.units and scope.departments) \
            else unit[:9]
    schematic = level in ("township", "village")
    return View(state=state, period=period, as_of=as_of, flt=flt, level=level, parent=parent,
                codes=codes, selected=selected, unit_name=unit_name, path=tuple(path),
                study_unit=study, schematic=schematic)


def error_message(exc: StateError, lang: str) -> str:
    key = {"unit": "error.unit", "dates": "error.dates", "scope": "error.no_scope"}.get(
        exc.kind, "error.filter")
    return t(key, lang, detail=exc.detail) if key != "error.no_scope" else t(key, lang)


def error_banner(messages: list[str], lang: str, *, reset: bool = False):
    if not messages:
        return None
    items = [html.Li(m) for m in messages]
    if reset:
        items.append(html.Li(t("error.reset", lang)))
    return html.Div([html.Strong(t("error.title", lang)), html.Ul(items)], className="alert",
                    role="alert")


def view_bounds(scope: Scope, view: View):
    """Map bounds of what a view draws: the selected village, the parent, or the scope."""
    if view.selected:
        return data.unit_bounds(scope, (view.selected,))
    if view.parent and not is_region_code(view.parent):
        return data.unit_bounds(scope, (view.parent,))
    if view.codes:
        return data.unit_bounds(scope, view.codes)
    return data.region_bounds(scope)


# --- URLs of the geometry endpoints ----------------------------------------------------------

def units_url(view: View) -> str:
    params: dict = {"v": data.geometry_version()}
    if view.parent:
        params["parent"] = view.parent
    else:
        params["codes"] = ",".join(view.codes)
    return "/geo/units.json?" + urlencode(params, safe=",")


def villages_url(study: str | None) -> str:
    params = {"level": "village", "v": data.geometry_version()}
    if study:
        params["within"] = study
    return "/geo/units.json?" + urlencode(params)


def zones_url() -> str:
    return "/geo/zones.json?" + urlencode({"v": data.geometry_version()})


def points_url(view: View) -> str:
    params = view.state.to_params()
    params.pop("measure", None)
    params["v"] = data.data_version()
    return "/geo/points.json?" + urlencode(params, safe=",")


# --- layout ------------------------------------------------------------------------------------

def _sensitive_choices(scope: Scope, day: dt.date) -> list[tuple[int, str, str]]:
    try:
        frame = data.sensitive_periods(scope, day)
    except Exception:  # a missing table must not take the page down
        log.exception("sensitive periods")
        return []
    return [(int(r["id"]), r["name"], r["name_en"] or "") for r in frame.to_dict("records")]


def page_layout(prefix: str, kind: str, query: dict) -> html.Div:
    """The page for ``kind`` ("overview" or "map") opened with ``query`` (its URL)."""
    lang = current_lang()
    scope = current_scope()
    account = current_account()
    user_name = getattr(account, "display_name", None) or getattr(account, "username", "")
    state, problems = from_query({k: v for k, v in query.items()})
    messages = [error_message(p, lang) for p in problems]
    view = None
    if scope.is_empty:
        messages = [t("error.no_scope", lang)]
    else:
        try:
            view = resolve_view(state, scope, lang)
        except StateError as exc:
            messages.append(error_message(exc, lang))
            state = ViewState()
            try:
                view = resolve_view(state, scope, lang)
            except StateError as exc2:
                messages.append(error_message(exc2, lang))
    settings = get_settings()
    as_of = today()
    period = view.period if view else Period.month(as_of.year, as_of.month)
    sensitive = _sensitive_choices(scope, as_of) if not scope.is_empty else []
    bounds = view_bounds(scope, view) if view is not None else None
    measure_label = i18n.measure(state.measure, lang)
    the_map = atlas_map(
        prefix, lang=lang, measure_label=measure_label, bounds=bounds,
        tile_url=settings.tile_url, tile_attribution=settings.tile_attribution,
        zones_url=zones_url() if view else None, with_points=(kind == "map"),
        with_hotspots=(kind == "map"), points_on=True, hotspots_on=False,
        height="640px" if kind == "map" else "540px")
    title = t("page.overview" if kind == "overview" else "page.map", lang)
    stores = [
        dcc.Location(id=f"{prefix}-url", refresh=False),
        dcc.Location(id=f"{prefix}-reload", refresh=True),
        dcc.Store(id=f"{prefix}-state", data=state.to_store()),
        dcc.Store(id=f"{prefix}-clicked"),
        # "(init)" is no unit: the first map callback fits the view to the unit drawn.
        dcc.Store(id=f"{prefix}-drawn", data="(init)"),
        html.Div(id=f"{prefix}-printed", hidden=True),
    ]
    measure_select = html.Div([
        html.Label(t("filter.measure", lang), htmlFor=f"{prefix}-measure"),
        dcc.Dropdown(id=f"{prefix}-measure", options=[
            {"label": i18n.measure(m, lang), "value": m} for m in MEASURES],
            value=state.measure, clearable=False, searchable=False, className="measure-dd"),
    ], className="measure-field no-print")
    legend_box = html.Div(id=f"{prefix}-legend", className="legend-box")
    map_panel = html.Section([
        html.Div([
            html.Nav(id=f"{prefix}-crumbs", className="crumbs",
                     **{"aria-label": t("crumb.label", lang)}),
            measure_select,
        ], className="panel-head"),
        html.Div(the_map, className="map-frame"),
        html.Div(id=f"{prefix}-map-notes", className="map-notes"),
        legend_box if kind == "overview" else None,
    ], className="panel map-panel", **{"aria-label": t("map.label", lang, unit="")})

    if kind == "overview":
        kpi = html.Section([
            html.Div([html.H2(t("kpi.label", lang)),
                      html.Span(id=f"{prefix}-period-label", className="period-label num")],
                     className="section-head"),
            dcc.Loading(html.Div(id=f"{prefix}-kpis"), type="dot", delay_show=400),
        ], className="kpis", **{"aria-label": t("kpi.label", lang)})
        graphs = [html.Div(dcc.Graph(id=f"{prefix}-chart-{c}", className="chart",
                                     config={"displaylogo": False, "displayModeBar": False,
                                             "responsive": True}),
                           className="chart-box") for c in CHART_IDS]
        side = html.Section(graphs[:2], className="side-charts")
        body = [
            kpi,
            html.Div([map_panel, side], className="grid-main"),
            html.P(t("chart.click_hint", lang), className="hint no-print"),
            html.Section(graphs[2:], className="grid-charts"),
            first_time_view.overview_placeholder(prefix),
        ]
    else:
        side = html.Section([
            html.Span(id=f"{prefix}-period-label", className="period-label num"),
            legend_box,
            html.Div(id=f"{prefix}-points-note", className="legend-box"),
            html.Div(id=f"{prefix}-hot-legend", className="legend-box"),
        ], className="panel side-legends")
        body = [html.Div([map_panel, side], className="grid-main map-page")]
    body += [
        html.Div([
            html.Div(id=f"{prefix}-areas", className="panel"),
            html.Div(id=f"{prefix}-zones-table", className="panel"),
        ], className="grid-tables"),
        html.Section([
            html.Div(html.Button(t("table.list.print", lang), id=f"{prefix}-print",
                                 className="button secondary", n_clicks=0),
                     className="panel-tools no-print"),
            html.Div(id=f"{prefix}-list"),
            dcc.Store(id=f"{prefix}-list-page", data=0),
            html.Nav([
                html.Button(t("table.list.prev", lang), id=f"{prefix}-list-prev", n_clicks=0,
                            className="button secondary"),
                html.Span(id=f"{prefix}-list-range", className="caption", role="status"),
                html.Button(t("table.list.next", lang), id=f"{prefix}-list-next", n_clicks=0,
                            className="button secondary"),
            ], id=f"{prefix}-list-pager", className="list-pager no-print", hidden=True,
                **{"aria-label": t("table.list.pages", lang)}),
        ], className="panel list-panel"),
        html.P(id=f"{prefix}-source", className="source-line"),
    ]
    return html.Div([
        *stores,
        header(prefix, lang, kind, query=state.to_query(), user_name=user_name),
        html.Main([
            html.H1(title, className="page-title"),
            html.Div(error_banner(messages, lang, reset=bool(messages)), id=f"{prefix}-error",
                     **{"aria-live": "polite"}),
            filter_bar(prefix, lang, state, start=period.start, end=period.end,
                       sensitive=sensitive, with_measure=False),
            *body,
        ], className="page", lang="en" if lang == "en" else "zh-CN"),
    ], className=f"atlas atlas-{kind}")


# --- callbacks ---------------------------------------------------------------------------------

def register(prefix: str, kind: str) -> None:
    """Register the callbacks of one page (``kind`` "overview" or "map")."""
    p = prefix
    overview = kind == "overview"

    inputs = {
        "period": Input(f"{p}-period", "value"),
        "start": Input(f"{p}-from", "value"),
        "end": Input(f"{p}-to", "value"),
        "categories": Input(f"{p}-category", "value"),
        "channels": Input(f"{p}-channel", "value"),
        "routes": Input(f"{p}-route", "value"),
        "clock": Input(f"{p}-clock", "value"),
        "measure": Input(f"{p}-measure", "value"),
        "clicked": Input(f"{p}-clicked", "data"),
        "crumb": Input({"type": f"{p}-crumb", "code": ALL}, "n_clicks"),
        "arealink": Input({"type": f"{p}-arealink", "code": ALL}, "n_clicks"),
        "reset": Input(f"{p}-reset", "n_clicks"),
        "current": State(f"{p}-state", "data"),
    }
    if overview:
        inputs["chart_cat"] = Input(f"{p}-chart-categories", "clickData")
        inputs["chart_trend"] = Input(f"{p}-chart-trend", "clickData")

    @dash.callback(
        output={
            "state": Output(f"{p}-state", "data"),
            "search": Output(f"{p}-url", "search"),
            "categories": Output(f"{p}-category", "value"),
            "channels": Output(f"{p}-channel", "value"),
            "period": Output(f"{p}-period", "value"),
            "start": Output(f"{p}-from", "value"),
            "end": Output(f"{p}-to", "value"),
            "routes": Output(f"{p}-route", "value"),
            "clock": Output(f"{p}-clock", "value"),
            "measure": Output(f"{p}-measure", "value"),
            "error": Output(f"{p}-error", "children"),
            "nav_overview": Output(f"{p}-nav-overview", "href"),
            "nav_map": Output(f"{p}-nav-map", "href"),
        },
        inputs=inputs,
        prevent_initial_call=True,
    )
    def reduce(period, start, end, categories, channels, routes, clock, measure, clicked,
               crumb, arealink, reset, current, chart_cat=None, chart_trend=None):
        """Every interaction → the next view state (validated) → store and URL."""
        scope = current_scope()
        lang = current_lang()
        trig = ctx.triggered_id
        value = ctx.triggered[0]["value"] if ctx.triggered else None
        skip = {k: no_update for k in ("state", "search", "categories", "channels", "period",
                                       "start", "end", "routes", "clock", "measure", "error",
                                       "nav_overview", "nav_map")}
        try:
            state = from_store(current)
        except StateError:
            state = ViewState()
        try:
            if isinstance(trig, dict) and trig.get("type") in (f"{p}-crumb", f"{p}-arealink"):
                if not value:  # the buttons were (re)drawn, nobody clicked
                    return skip
                code = trig.get("code") or None
                state = state.with_(unit=None if code in (None, "root") else str(code))
            elif trig == f"{p}-clicked":
                code = (clicked or {}).get("code") if isinstance(clicked, dict) else None
                if not code:
                    return skip
                state = state.with_(unit=str(code))
            elif trig == f"{p}-reset":
                state = ViewState(unit=state.unit, measure=state.measure)
            elif trig == f"{p}-chart-categories":
                code = _clicked_code(chart_cat)
                if not code:
                    return skip
                cats = () if state.categories == (code,) else (code,)
                state = state.with_(categories=cats)
            elif trig == f"{p}-chart-trend":
                code = _clicked_code(chart_trend)
                if not code:
                    return skip
                chans = () if state.channels == (code,) else (code,)
                state = state.with_(channels=chans)
            elif trig in (f"{p}-from", f"{p}-to"):
                state = state.with_(period="custom", start=_iso(start, "from"),
                                    end=_iso(end, "to"))
            else:
                state = state.with_(
                    period=period or "this_month",
                    categories=tuple(categories or ()), channels=tuple(channels or ()),
                    routes=tuple(routes or ()), clock=clock or None,
                    measure=measure or "matters")
                if state.period == "custom" and not (state.start and state.end):
                    state = state.with_(start=_iso(start, "from"), end=_iso(end, "to"))
            # Re-validate the whole state (enumerations, dates, unit in scope and existing).
            state = from_store(state.to_store())
            view = resolve_view(state, scope, lang)
        except StateError as exc:
            out = dict(skip)
            out["error"] = error_banner([error_message(exc, lang)], lang)
            return out
        q = state.to_query()
        return {
            "state": state.to_store(), "search": q,
            "categories": list(state.categories), "channels": list(state.channels),
            "period": state.period, "start": view.period.start.isoformat(),
            "end": view.period.end.isoformat(), "routes": list(state.routes),
            "clock": state.clock, "measure": state.measure, "error": None,
            "nav_overview": "/" + q, "nav_map": "/map" + q,
        }

    dash.clientside_callback(
        ClientsideFunction("atlas", "clickedUnit"),
        Output(f"{p}-clicked", "data"), Input(f"{p}-choro", "clickData"),
        prevent_initial_call=True)
    dash.clientside_callback(
        ClientsideFunction("atlas", "printPage"),
        Output(f"{p}-printed", "children"), Input(f"{p}-print", "n_clicks"),
        prevent_initial_call=True)

    @dash.callback(Output(f"{p}-reload", "href"), Input(f"{p}-lang", "n_clicks"),
                   State(f"{p}-url", "pathname"), State(f"{p}-state", "data"),
                   prevent_initial_call=True)
    def switch_language(n, pathname, current):
        if not n:
            return no_update
        toggle_lang()
        try:
            q = from_store(current).to_query()
        except StateError:
            q = ""
        path = pathname if pathname in ("/", "/map") else "/"
        return path + q

    _register_map(p, kind)
    _register_tables(p)
    if overview:
        _register_kpis(p)
        _register_charts(p)
        first_time_view.register_overview(p, _view_or_error)
    else:
        _register_points(p)
        _register_hotspots(p)


def _iso(value, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise StateError("dates", f"{name}={str(value)[:20]!r}") from None


def _clicked_code(click) -> str | None:
    try:
        point = click["points"][0]
    except (TypeError, KeyError, IndexError):
        return None
    code = point.get("customdata")
    if isinstance(code, list):
        code = code[0] if code else None
    return code if isinstance(code, str) else None


def _view_or_error(data_, lang):
    scope = current_scope()
    try:
        return scope, resolve_view(data_, scope, lang), None
    except StateError as exc:
        return scope, None, html.P(error_message(exc, lang), className="alert", role="alert")


def _register_map(p: str, kind: str) -> None:
    @dash.callback(
        output={
            "url": Output(f"{p}-choro", "url"),
            "hideout": Output(f"{p}-choro", "hideout"),
            "attribution": Output(f"{p}-choro", "attribution"),
            "zones": Output(f"{p}-zones", "hideout"),
            "viewport": Output(f"{p}-map", "viewport"),
            "drawn": Output(f"{p}-drawn", "data"),
            "crumbs": Output(f"{p}-crumbs", "children"),
            "legend": Output(f"{p}-legend", "children"),
            "notes": Output(f"{p}-map-notes", "children"),
            "period": Output(f"{p}-period-label", "children"),
            "source": Output(f"{p}-source", "children"),
        },
        inputs={"raw": Input(f"{p}-state", "data"), "drawn": State(f"{p}-drawn", "data")},
    )
    def draw_map(raw, drawn):
        lang = current_lang()
        scope, view, err = _view_or_error(raw, lang)
        if view is None:
            return {"url": no_update, "hideout": no_update, "attribution": no_update,
                    "zones": no_update, "viewport": no_update, "drawn": no_update,
                    "crumbs": no_update, "legend": err, "notes": None, "period": None,
                    "source": None}
        measure = view.state.measure
        frame = data.area_measures(scope, view.level, view.period, view.as_of,
                                   view.area_filter)
        if view.codes:
            frame = frame[frame.index.isin(view.codes)]
        values = {c: (None if pd.isna(v) else float(v)) for c, v in frame[measure].items()}
        breaks = lg.class_breaks(values.values())
        decimals = 1 if measure == "per_10k" else 0
        unit_label = i18n.measure_unit(measure, lang)
        text = {c: (i18n.fmt_num(v, decimals) if v is not None else t("map.legend.nodata", lang))
                + ("" if v is None else f" {unit_label}") for c, v in values.items()}
        hideout = {"values": values, "text": text, "breaks": breaks, "lang": lang,
                   "colors": lg.colors_for(breaks), "nodata": lg.NODATA,
                   "selected": view.selected or "", "label": i18n.measure(measure, lang),
                   "selectedColor": lg.SELECTED}
        zone_frame = data.area_measures(scope, "zone", view.period, view.as_of,
                                        view.area_filter if view.parent and not
                                        is_region_code(view.parent) else
                                        replace(view.flt, unit=None))
        zone_text = {c: f"{i18n.measure('matters', lang)} {i18n.fmt_int(r['matters'])} · "
                     f"{i18n.measure('overdue', lang)} {i18n.fmt_int(r['overdue'])}"
                     for c, r in zone_frame.to_dict("index").items()}
        attribution = t("map.attribution.county", lang) if view.level == "county" else \
            t("map.attribution.county", lang) + " · " + t("map.attribution.schematic", lang)
        unit_key = view.state.unit or ""
        viewport = no_update
        if (drawn or "") != unit_key:
            bounds = view_bounds(scope, view)
            if bounds:
                viewport = {"bounds": bounds} if drawn == "(init)" else \
                    {"bounds": bounds, "transition": "flyToBounds"}
        crumbs = []
        for i, (code, name) in enumerate(view.path):
            last = i == len(view.path) - 1
            if last:
                crumbs.append(html.Span(name, className="crumb current",
                                        **{"aria-current": "location"}))
            else:
                crumbs.append(html.Button(name, id={"type": f"{p}-crumb", "code": code or "root"},
                                          className="crumb linklike", n_clicks=0))
                crumbs.append(html.Span("›", className="crumb-sep", **{"aria-hidden": "true"}))
        hint = t("map.hint.village", lang) if view.selected or view.state.unit and \
            len(view.state.unit) == 12 else t("map.hint", lang)
        settings = get_settings()
        period_text = t("period.range", lang, start=i18n.fmt_date(view.period.start),
                        end=i18n.fmt_date(view.period.end))
        source = t("source.line", lang, region=i18n.place(settings.region_name, lang),
                   asof=i18n.fmt_date(view.as_of))
        return {
            "url": units_url(view), "hideout": hideout, "attribution": attribution,
            "zones": {"text": zone_text, "lang": lang}, "viewport": viewport, "drawn": unit_key,
            "crumbs": crumbs,
            "legend": lg.choropleth_legend(measure, breaks, lang, schematic=view.schematic),
            "notes": map_notes(lang, tile_url=settings.tile_url, schematic=view.schematic,
                               hint=hint),
            "period": period_text, "source": source,
        }


def _register_tables(p: str) -> None:
    @dash.callback(
        Output(f"{p}-areas", "children"), Output(f"{p}-zones-table", "children"),
        Input(f"{p}-state", "data"))
    def draw_tables(raw):
        lang = current_lang()
        scope, view, err = _view_or_error(raw, lang)
        if view is None:
            return err, None
        frame = data.area_measures(scope, view.level, view.period, view.as_of,
                                   view.area_filter)
        if view.codes:
            frame = frame[frame.index.isin(view.codes)]
        areas = tables.area_table(p, frame, level=view.level, measure=view.state.measure,
                                  lang=lang, selected=view.selected)
        zone_frame = data.area_measures(scope, "zone", view.period, view.as_of, view.flt)
        zones = tables.zone_table(zone_frame, data.zones(scope), lang)
        return areas, zones

    @dash.callback(
        Output(f"{p}-list", "children"), Output(f"{p}-list-page", "data"),
        Output(f"{p}-list-pager", "hidden"), Output(f"{p}-list-range", "children"),
        Output(f"{p}-list-prev", "disabled"), Output(f"{p}-list-next", "disabled"),
        Input(f"{p}-state", "data"), Input(f"{p}-list-prev", "n_clicks"),
        Input(f"{p}-list-next", "n_clicks"), State(f"{p}-list-page", "data"))
    def draw_list(raw, _prev, _next, page):
        """The matter list of a township or village, a page at a time; a new view starts
        again at its first page."""
        lang = current_lang()
        scope, view, err = _view_or_error(raw, lang)
        if view is None:
            return err, 0, True, "", True, True
        unit = view.state.unit
        if not (unit and len(unit) in (9, 12)):
            return tables.matter_list(p, None, 0, unit_name="", lang=lang), 0, True, "", \
                True, True
        step = {f"{p}-list-prev": -1, f"{p}-list-next": 1}.get(ctx.triggered_id, None)
        page = max(0, int(page or 0) + step) if step else 0
        frame, total = data.matter_list(scope, view.period, view.as_of, view.flt,
                                        limit=LIST_PAGE, offset=page * LIST_PAGE)
        if frame.empty and page > 0:  # the list shrank (new data): back to the last page
            page = max(0, (total - 1) // LIST_PAGE)
            frame, total = data.matter_list(scope, view.period, view.as_of, view.flt,
                                            limit=LIST_PAGE, offset=page * LIST_PAGE)
        first = page * LIST_PAGE + 1
        shown = t("table.list.range", lang, first=i18n.fmt_int(first),
                  last=i18n.fmt_int(page * LIST_PAGE + len(frame)),
                  total=i18n.fmt_int(total)) if len(frame) else ""
        listing = tables.matter_list(p, frame, total, unit_name=view.unit_name, lang=lang)
        last_page = (page + 1) * LIST_PAGE >= total
        return listing, page, total <= LIST_PAGE, shown, page == 0, last_page


def _register_kpis(p: str) -> None:
    @dash.callback(Output(f"{p}-kpis", "children"), Input(f"{p}-state", "data"))
    def draw_kpis(raw):
        lang = current_lang()
        scope, view, err = _view_or_error(raw, lang)
        if view is None:
            return err
        cur, prev, prev_period = data.kpis_with_previous(scope, view.period, view.as_of,
                                                         view.flt)
        caption = t("kpi.caption", lang, start=i18n.fmt_date(view.period.start),
                    end=i18n.fmt_date(view.period.end), asof=i18n.fmt_date(view.as_of),
                    pstart=i18n.fmt_date(prev_period.start), pend=i18n.fmt_date(prev_period.end))
        return kpi_section(cur, prev, lang, caption=caption)


def _register_charts(p: str) -> None:
    def make(chart_id: str):
        @dash.callback(Output(f"{p}-chart-{chart_id}", "figure"), Input(f"{p}-state", "data"))
        def draw_chart(raw):
            lang = current_lang()
            scope, view, _err = _view_or_error(raw, lang)
            builder = chart_figs.BUILDERS[chart_id]
            if view is None:
                return chart_figs.empty_figure(t(f"chart.{_title_key(chart_id)}.title", lang),
                                               t("error.title", lang), as_dict=True)
            frame = chart_frame(chart_id, scope, view)
            return builder(frame, lang, note=chart_note(chart_id, view, lang), as_dict=True)
        return draw_chart

    for chart_id in CHART_IDS:
        make(chart_id)


def _title_key(chart_id: str) -> str:
    return {"trend": "trend", "categories": "cat", "funnel": "funnel", "ageing": "ageing",
            "top_units": "top", "repeat": "repeat"}[chart_id]


def trend_period(period: Period) -> Period:
    """The months a trend shows: the period, widened to the 12 months ending with it."""
    end = period.end
    y, m = end.year, end.month - 11
    if m <= 0:
        y, m = y - 1, m + 12
    return Period(min(period.start, dt.date(y, m, 1)), end)


def chart_note(chart_id: str, view: View, lang: str) -> str:
    """The second line of a chart's title: the dates it covers."""
    if chart_id in ("trend", "repeat"):
        p = trend_period(view.period)
        return t("chart.note.months", lang, start=p.start.strftime("%Y-%m"),
                 end=p.end.strftime("%Y-%m"))
    if chart_id in ("ageing", "top_units"):
        return t("chart.note.day", lang, day=i18n.fmt_date(view.day))
    return t("chart.note.months", lang, start=i18n.fmt_date(view.period.start),
             end=i18n.fmt_date(view.period.end))


def chart_frame(chart_id: str, scope: Scope, view: View) -> pd.DataFrame:
    """The frame behind a chart for a view (the briefing can call this too)."""
    if chart_id == "trend":
        return data.trend_by_channel(scope, trend_period(view.period), view.flt)
    if chart_id == "categories":
        return data.categories(scope, view.period, view.flt)
    if chart_id == "funnel":
        return data.funnel(scope, view.period, view.day, view.flt)
    if chart_id == "ageing":
        return data.ageing(scope, view.day, view.flt)
    if chart_id == "top_units":
        return data.top_units(scope, view.day, view.flt)
    if chart_id == "repeat":
        return data.repeat_cross(scope, trend_period(view.period), view.flt)
    raise KeyError(chart_id)


def _overlay_on(overlays, lang: str, key: str, measure_label: str, default: bool) -> bool:
    if overlays is None:
        return default
    return layer_names(lang, measure_label)[key] in overlays


def _register_points(p: str) -> None:
    @dash.callback(
        Output(f"{p}-points", "url"), Output(f"{p}-points", "hideout"),
        Output(f"{p}-points-note", "children"),
        Input(f"{p}-state", "data"), Input(f"{p}-layers", "overlays"))
    def draw_points(raw, overlays):
        lang = current_lang()
        scope, view, err = _view_or_error(raw, lang)
        if view is None:
            return None, no_update, err
        legend = lg.points_legend(lang)
        if not _overlay_on(overlays, lang, "points", i18n.measure(view.state.measure, lang),
                           True):
            return None, no_update, legend
        unit = view.state.unit
        if not unit or len(unit) == 6:
            total, located = data.count_active(scope, view.period, view.as_of, view.flt) \
                if unit else (None, None)
            if total is None:
                return None, no_update, [legend, html.P(t("map.points.drill", lang),
                                                        className="legend-note")]
            if located > POINT_LIMIT:
                return None, no_update, [legend, html.P(
                    t("map.points.too_many", lang, n=i18n.fmt_int(located)),
                    className="legend-note")]
        else:
            total, located = data.count_active(scope, view.period, view.as_of, view.flt)
        labels = {
            "n": t("popup.number", lang), "c": t("popup.category", lang),
            "s": t("popup.stage", lang), "d": t("popup.days", lang),
            "k": t("popup.clock", lang),
            "cat": {c: i18n.category(c, lang) for c in i18n.CATEGORIES},
            "stage": {s: t(f"stage.{s}", lang) for s in
                      ("registered", "forwarded", "accepted", "answered", "review", "reviewed",
                       "recheck", "terminated")},
            "clock": {k: t(f"clock.{k}", lang) for k in lg.CLOCK_COLORS},
        }
        note = t("map.points.shown", lang, n=i18n.fmt_int(min(located, POINT_LIMIT)),
                 total=i18n.fmt_int(total)) if located else t("map.points.none", lang)
        return points_url(view), {"labels": labels, "colors": lg.CLOCK_COLORS}, \
            [legend, html.P(note, className="legend-note")]


def _register_hotspots(p: str) -> None:
    @dash.callback(
        Output(f"{p}-hot", "url"), Output(f"{p}-hot", "hideout"),
        Output(f"{p}-hot-legend", "children"),
        Input(f"{p}-state", "data"), Input(f"{p}-layers", "overlays"))
    def draw_hotspots(raw, overlays):
        lang = current_lang()
        scope, view, err = _view_or_error(raw, lang)
        if view is None:
            return no_update, no_update, err
        if not _overlay_on(overlays, lang, "hotspots", i18n.measure(view.state.measure, lang),
                           False):
            return no_update, no_update, html.Div([
                html.H3(t("map.hot.title", lang), className="legend-title"),
                html.P(t("map.hot.off", lang), className="legend-note")])
        measure = "per_10k" if view.state.measure == "per_10k" else "matters"
        result = data.hotspots(scope, view.study_unit, view.period, view.as_of, view.flt,
                               measure=measure, kind="queen")
        n = int((result["class"] != "island").sum()) if not result.empty else 0
        if n < 3:
            return villages_url(view.study_unit), {"classes": {}, "text": {}}, html.P(
                t("map.hot.too_few", lang, n=n), className="legend-note")
        sig = result[result["class"].str.startswith(("hot", "cold"))]
        classes = sig["class"].to_dict()
        labels = {cls: t(f"hot.{cls}", lang) for cls in set(sig["class"])}
        text = {c: f"{labels[r['class']]} · z = {r['z']:.2f}, p = {r['p']:.3f}"
                for c, r in sig.to_dict("index").items()}
        counts = result["class"].value_counts().to_dict()
        hideout = {"classes": classes, "text": text, "colors": lg.HOT_COLORS, "lang": lang}
        return villages_url(view.study_unit), hideout, lg.hotspot_legend(
            lang, measure=measure, weights="queen", n=n, counts=counts)
