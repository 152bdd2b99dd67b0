"""The dash-leaflet map: choropleth, project zones, clustered matter points, hotspots.

Geometry is fetched once by URL from ``dashboard.geojson`` (cached by the browser); the values
that change with the filters travel in each layer's ``hideout`` and are drawn by the
functions of ``assets/map.js`` (``dashExtensions.atlas``), never generated JavaScript.
With no ``TILE_URL`` there is no tile layer at all, so the page requests nothing from any
other host (Leaflet's default OpenStreetMap tiles are never used).
"""

from __future__ import annotations

import dash_leaflet as dl
from dash import html
from dash_extensions.javascript import Namespace

from dashboard.i18n import t

JS = Namespace("dashExtensions", "atlas")

#: Layer stacking (Leaflet panes): choropleth < hotspots < zones < points.
PANES = {"choropleth": 410, "hotspots": 420, "zones": 430, "points": 640}


def layer_names(lang: str, measure_label: str) -> dict[str, str]:
    """The LayersControl labels (the control reports the checked ones by name)."""
    return {
        "choropleth": t("map.layers.choropleth", lang, measure=measure_label),
        "zones": t("map.layers.zones", lang),
        "points": t("map.layers.points", lang),
        "hotspots": t("map.layers.hotspots", lang),
    }


def atlas_map(prefix: str, *, lang: str, measure_label: str, bounds, tile_url: str | None,
              tile_attribution: str = "", zones_url: str | None = None,
              with_points: bool = False, with_hotspots: bool = False,
              points_on: bool = True, hotspots_on: bool = False,
              height: str = "560px") -> dl.Map:
    """The map of a page; ids are ``{prefix}-map``, ``{prefix}-choro``, ``{prefix}-zones``,
    ``{prefix}-points``, ``{prefix}-hot``, ``{prefix}-layers``."""
    names = layer_names(lang, measure_label)
    panes = [dl.Pane(name=f"atlas-{k}", style={"zIndex": z}) for k, z in PANES.items()]
    choro = dl.GeoJSON(
        id=f"{prefix}-choro", pane="atlas-choropleth",
        style=JS("choroplethStyle"), hoverStyle=JS("hoverStyle"),
        onEachFeature=JS("choroplethEach"), hideout={"values": {}, "text": {}, "breaks": [],
                                                     "colors": []})
    overlays = [dl.Overlay(choro, name=names["choropleth"], checked=True)]
    zones = dl.GeoJSON(
        id=f"{prefix}-zones", pane="atlas-zones", url=zones_url,
        style=JS("zoneStyle"), onEachFeature=JS("zoneEach"), hideout={"text": {}})
    overlays.append(dl.Overlay(zones, name=names["zones"], checked=True))
    if with_hotspots:
        hot = dl.GeoJSON(
            id=f"{prefix}-hot", pane="atlas-hotspots", style=JS("hotStyle"),
            onEachFeature=JS("hotEach"), hideout={"classes": {}, "labels": {}},
            interactive=True)
        overlays.append(dl.Overlay(hot, name=names["hotspots"], checked=hotspots_on))
    if with_points:
        points = dl.GeoJSON(
            id=f"{prefix}-points", pane="atlas-points", cluster=True,
            zoomToBoundsOnClick=True, superClusterOptions={"radius": 60, "maxZoom": 16},
            pointToLayer=JS("pointToLayer"), onEachFeature=JS("pointEach"),
            hideout={"labels": {}})
        overlays.append(dl.Overlay(points, name=names["points"], checked=points_on))
    children = [*panes]
    if tile_url:
        children.append(dl.TileLayer(url=tile_url, attribution=tile_attribution or "",
                                     maxZoom=18, id=f"{prefix}-tiles"))
    children += [
        dl.LayersControl(overlays, id=f"{prefix}-layers", collapsed=False, position="topright"),
        dl.ScaleControl(position="bottomleft", imperial=False),
    ]
    # Always give center and zoom too: dash-leaflet's viewport tracking reads them.
    kwargs = {"center": [29.1, 113.3], "zoom": 8}
    if bounds:
        kwargs.update(bounds=bounds, center=[(bounds[0][0] + bounds[1][0]) / 2,
                                             (bounds[0][1] + bounds[1][1]) / 2])
    return dl.Map(children, id=f"{prefix}-map", className="atlas-map" + (
        "" if tile_url else " no-tiles"), style={"height": height}, minZoom=6, maxZoom=18,
        zoomSnap=0.25, preferCanvas=False, attributionControl=True, **kwargs)


def map_notes(lang: str, *, tile_url: str | None, schematic: bool, hint: str) -> list:
    """The text under the map: base-map status, schematic note, how to drill."""
    notes = []
    if not tile_url:
        notes.append(html.Span(t("map.no_tiles", lang), className="note"))
    if schematic:
        notes.append(html.Span(t("map.schematic", lang), className="note schematic"))
    notes.append(html.Span(hint, className="note"))
    return notes
