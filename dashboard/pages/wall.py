"""大屏 Wall screen (``/wall``): the joint conference's 16:9 screen (DESIGN §8, §10, §11).

A header strip (title, sensitive-period banner, the data's as-of time, a clock) over five
panels that rotate on their own — city map with hotspots and project zones, this month's KPIs
against last month with traffic lights, backlog and package gaps by township, stability
(influx against the baseline, open ledger disputes, units that missed today's daily report),
early warnings. During a sensitive period the stability panel comes first.

Nothing needs a keyboard or a mouse: rotation and the clock run in the browser
(``assets/wall.js``); the data refreshes itself (``dcc.Interval`` → one callback reading the
aggregate cache of :mod:`dashboard.wall_cache`, so screens cost the database nothing extra).
Every refresh *replaces* the panels' children and the map's ``hideout``: nothing accumulates
in the page, so it can run for days. No personal data: the snapshot holds none.

Query parameters (optional, for a particular screen): ``rotate`` and ``refresh`` (seconds),
``lang`` (zh | en), ``hold`` (show one panel only: map, kpi, backlog, stability, warnings).
A wall device reaches this page through ``/wall?token=…`` (``flask --app app wall-token``).
"""

from __future__ import annotations

import logging

import dash
import dash_leaflet as dl
from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc, html
from dash_extensions.javascript import Namespace

from dashboard import (
    i18n,
    strings_stability,  # noqa: F401  (registers the strings)
    wall_data,
)
from dashboard.auth.session import wall_scope
from dashboard.components.map import atlas_map
from dashboard.components.wall_panels import (
    PANELS,
    asof_text,
    banner_children,
    panel_order,
    render,
)
from dashboard.context import current_lang
from dashboard.i18n import t
from dashboard.state import today
from dashboard.wall_cache import WallSettings, get_cache, scope_key
from settings import get_settings

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/wall", name="大屏 Wall screen", order=80,
                   title="大屏 · 信访态势图")

PREFIX = "wall"
WJS = Namespace("dashExtensions", "wall")


# --- data ----------------------------------------------------------------------------------

def snapshot(scope) -> dict:
    """The cached snapshot of ``scope`` (computed at most once per ``WALL_CACHE_TTL``)."""
    from queries.summaries import write_version

    scope = wall_data.wall_scope(scope)
    # The database is part of the key: several deployments may share one Redis. So is the
    # write counter: an import (a national irregular submission) makes a new key, which the
    # next refresh computes at once rather than serving the stale snapshot.
    key = scope_key(scope, "snapshot", wall_data.SNAPSHOT_VERSION, today().isoformat(),
                    get_settings().database_url, write_version())
    return get_cache().get(key, lambda: wall_data.build_snapshot(scope, wall_data.office_now()))


def geometry(scope) -> dict:
    from dashboard import data

    scope = wall_data.wall_scope(scope)
    settings = WallSettings.from_env()
    long = WallSettings(ttl=3600.0, stale_ttl=7 * 24 * 3600.0, enabled=settings.enabled,
                        lock_seconds=settings.lock_seconds)
    key = scope_key(scope, "geometry", data.geometry_version(), get_settings().database_url)
    return get_cache(long).get(key, lambda: wall_data.build_geometry(scope))


def _seconds(raw, default: float, lo: float, hi: float) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return default
    return min(max(value, lo), hi)


# --- layout --------------------------------------------------------------------------------

def _map(geo: dict | None, lang: str):
    settings = get_settings()
    bounds = geo.get("bounds") if geo else None
    the_map = atlas_map(PREFIX, lang=lang, measure_label=t("wall.map.title", lang),
                        bounds=bounds, tile_url=settings.tile_url,
                        tile_attribution=settings.tile_attribution, zones_url=None,
                        with_hotspots=True, hotspots_on=True, height="100%")
    # The wall draws inline data (a wall device may reach /wall only, not /geo/…), in its
    # own dark styles, and takes no input.
    for layer in _walk(the_map):
        lid = getattr(layer, "id", None)
        if lid == f"{PREFIX}-choro":
            layer.data = geo["towns"] if geo else None
        elif lid == f"{PREFIX}-hot":
            layer.data = geo["towns"] if geo else None
            layer.style = WJS("hotOutline")
            layer.onEachFeature = None
            layer.interactive = False
        elif lid == f"{PREFIX}-zones":
            layer.data = geo["zones"] if geo else None
            layer.style = WJS("zoneStyle")
    if geo and geo.get("counties"):  # county outlines over the township cells
        the_map.children = [*the_map.children, dl.GeoJSON(
            id=f"{PREFIX}-counties", data=geo["counties"], pane="atlas-hotspots",
            style=WJS("countyStyle"), interactive=False)]
    for prop in ("dragging", "scrollWheelZoom", "doubleClickZoom", "boxZoom", "keyboard",
                 "touchZoom", "zoomControl"):
        setattr(the_map, prop, False)
    the_map.attributionControl = False
    the_map.zoomSnap = 0.1
    if bounds:  # fit the scope on whatever screen (center/zoom would win over bounds)
        the_map.viewport = {"bounds": bounds}
        the_map.boundsOptions = {"padding": [8, 8]}
    return the_map


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    if not isinstance(children, list | tuple):
        children = [children]
    for child in children:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def _panel(name: str, body, lang: str) -> html.Section:
    return html.Section(body, id=f"wall-panel-{name}", className=f"wall-panel wall-panel-{name}",
                        **{"aria-label": t(f"wall.panel.{name}", lang)})


def layout(rotate=None, refresh=None, lang=None, hold=None, **_query):
    scope = wall_scope()
    lang = lang if lang in i18n.LANGS else current_lang()
    settings = WallSettings.from_env()
    if scope.is_empty:
        return html.Div(html.P(t("error.no_scope", lang), className="wall-empty"),
                        className="wall-root", id="wall-root")
    rotate_s = _seconds(rotate, settings.rotate, 2, 3600)
    refresh_s = _seconds(refresh, settings.refresh, 2, 3600)
    hold = hold if hold in PANELS else ""
    try:
        snap = snapshot(scope)
    except Exception:  # the screen must come up; it retries on its own
        log.exception("wall snapshot")
        snap = None
    try:
        geo = geometry(scope)
    except Exception:
        log.exception("wall geometry")
        geo = None
    parts = render(snap, lang)
    order = panel_order(snap)
    the_map = _map(geo, lang)
    for layer in _walk(the_map):
        if getattr(layer, "id", None) == f"{PREFIX}-choro":
            layer.hideout = parts["choro"]
        elif getattr(layer, "id", None) == f"{PREFIX}-hot":
            layer.hideout = parts["hot"]
    banner, banner_class = banner_children(snap, lang)
    tz = get_settings().timezone
    first = hold or order[0]
    return html.Div([
        dcc.Interval(id="wall-refresh", interval=int(refresh_s * 1000)),
        dcc.Interval(id="wall-rotate", interval=int(rotate_s * 1000)),
        dcc.Interval(id="wall-tick", interval=1000),
        dcc.Store(id="wall-order", data=order),
        dcc.Store(id="wall-config", data={"lang": lang, "tz": tz, "hold": hold}),
        html.Header([
            html.Div([html.Span("信", className="wall-mark", **{"aria-hidden": "true"}),
                      html.H1(t("wall.title", lang), className="wall-title")],
                     className="wall-brand"),
            html.Div(banner, id="wall-banner", className=banner_class, role="status"),
            html.Div([
                html.Div("", id="wall-clock", className="wall-clock num"),
                html.Div(asof_text(snap, lang), id="wall-asof", className="wall-asof num"),
            ], className="wall-times"),
        ], className="wall-header"),
        html.Main([
            _panel("map", [
                html.Div(parts["map_left"], id="wall-map-left", className="wall-side"),
                html.Div([
                    html.H2(t("wall.map.title", lang), className="wall-h2"),
                    html.Div(the_map, className="wall-map-frame"),
                    html.Div(parts["map_legend"], id="wall-map-legend", className="wall-legend"),
                    html.P(t("wall.map.source", lang), className="wall-source"),
                ], className="wall-map-col"),
                html.Div(parts["map_right"], id="wall-map-right", className="wall-side"),
            ], lang),
            _panel("kpi", html.Div(parts["kpi"], id="wall-kpi-body", className="wall-body"),
                   lang),
            _panel("backlog", html.Div(parts["backlog"], id="wall-backlog-body",
                                       className="wall-body"), lang),
            _panel("stability", html.Div(parts["stability"], id="wall-stability-body",
                                         className="wall-body wall-cols"), lang),
            _panel("warnings", html.Div(parts["warnings"], id="wall-warnings-body",
                                        className="wall-body"), lang),
        ], className="wall-stage"),
        html.Footer([html.Span(t(f"wall.panel.{p}", lang), className=f"wall-tab wall-tab-{p}")
                     for p in PANELS], className="wall-footer"),
    ], id="wall-root", className=f"wall-root show-{first}", lang="en" if lang == "en"
        else "zh-CN")


# --- callbacks -----------------------------------------------------------------------------

clientside_callback(
    ClientsideFunction("wall", "rotate"),
    Output("wall-root", "className"),
    Input("wall-rotate", "n_intervals"), Input("wall-order", "data"),
    State("wall-config", "data"),
)

clientside_callback(
    ClientsideFunction("wall", "clock"),
    Output("wall-clock", "children"),
    Input("wall-tick", "n_intervals"), State("wall-config", "data"),
)


@dash.callback(
    output={"asof": Output("wall-asof", "children"),
            "banner": Output("wall-banner", "children"),
            "banner_class": Output("wall-banner", "className"),
            "order": Output("wall-order", "data"),
            "map_left": Output("wall-map-left", "children"),
            "map_right": Output("wall-map-right", "children"),
            "map_legend": Output("wall-map-legend", "children"),
            "choro": Output(f"{PREFIX}-choro", "hideout"),
            "hot": Output(f"{PREFIX}-hot", "hideout"),
            "kpi": Output("wall-kpi-body", "children"),
            "backlog": Output("wall-backlog-body", "children"),
            "stability": Output("wall-stability-body", "children"),
            "warnings": Output("wall-warnings-body", "children")},
    inputs={"_n": Input("wall-refresh", "n_intervals"), "config": State("wall-config", "data")},
    prevent_initial_call=True,
)
def refresh_wall(_n, config):
    """Replace every panel's content with the cached snapshot (no database work unless the
    snapshot is due; then one reader refreshes it in the background)."""
    lang = (config or {}).get("lang")
    lang = lang if lang in i18n.LANGS else current_lang()
    scope = wall_scope()
    try:
        snap = snapshot(scope)
    except Exception:
        log.exception("wall snapshot")
        out = {k: dash.no_update for k in ("banner", "banner_class", "order", "map_left",
                                           "map_right", "map_legend", "choro", "hot", "kpi",
                                           "backlog", "stability", "warnings")}
        out["asof"] = t("wall.error", lang)
        return out
    parts = render(snap, lang)
    banner, banner_class = banner_children(snap, lang)
    return {"asof": asof_text(snap, lang), "banner": banner, "banner_class": banner_class,
            "order": panel_order(snap), **{k: parts[k] for k in (
                "map_left", "map_right", "map_legend", "choro", "hot", "kpi", "backlog",
                "stability", "warnings")}}
