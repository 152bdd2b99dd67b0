"""The briefing's static choropleth: the jurisdiction's units coloured by the month's new
matters, project zones hatched, drawn on the server from the PostGIS outlines (GeoJSON text
from ``queries.maps``) with shapely and matplotlib — no tiles, no browser.

Only the jurisdiction is drawn: the coloured units are read with the briefing's scope, and
project zones are kept only where they touch the jurisdiction's outline (and clipped to it),
so a township's map never shows a neighbour.
"""

from __future__ import annotations

import json
import math

import numpy as np
import shapely
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from shapely.geometry import shape

from briefing.figures import WIDTH_IN, style, to_png
from briefing.model import MapData
from briefing.strings import t

#: Five sequential classes (ColorBrewer YlOrRd) and a near-white for zero.
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
ZERO = "#f7fafc"
ZONE = "#c53030"
HOT_EDGE = "#542788"
LABEL_LIMIT = 45  # label every unit up to this many; above, only the counties
MAX_HEIGHT_IN = 6.3

__all__ = ["render_map", "class_breaks", "features", "zones_inside"]


def features(geojson: str | None) -> list[tuple[dict, object]]:
    """``(properties, shapely geometry)`` of each feature of a FeatureCollection text."""
    if not geojson:
        return []
    data = json.loads(geojson)
    out = []
    for f in data.get("features", []):
        if f.get("geometry"):
            geom = shape(f["geometry"])
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
            out.append((f.get("properties") or {}, geom))
    return out


def zones_inside(zones_geojson: str, outline) -> list[tuple[dict, object]]:
    """Project zones touching ``outline`` (a shapely geometry), clipped to it; all of them
    when ``outline`` is None (a region map)."""
    out = []
    for props, geom in features(zones_geojson):
        if outline is None:
            out.append((props, geom))
        elif geom.intersects(outline):
            clipped = geom.intersection(outline)
            if not clipped.is_empty and clipped.area > 0:
                out.append((props, clipped))
    return out


def class_breaks(values, k: int = len(PALETTE)) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes of the positive ``values`` (integers
    when the values are), without duplicates; empty when nothing is positive."""
    v = np.asarray([x for x in values if x is not None and not math.isnan(x) and x > 0],
                   dtype=float)
    if v.size == 0:
        return []
    qs = np.quantile(v, np.linspace(0, 1, k + 1)[1:])
    if np.all(np.mod(v, 1) == 0):
        qs = np.ceil(qs)
    breaks: list[float] = []
    for q in qs:
        if not breaks or q > breaks[-1]:
            breaks.append(float(q))
    return breaks


def _colour(value, breaks: list[float]) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value <= 0:
        return ZERO
    for i, b in enumerate(breaks):
        if value <= b:
            return PALETTE[i + len(PALETTE) - len(breaks)]
    return PALETTE[-1]


def _legend_labels(breaks: list[float]) -> list[str]:
    labels, low = [], 1.0
    for b in breaks:
        labels.append(f"{int(low):,}–{int(b):,}" if b > low else f"{int(b):,}")
        low = b + 1
    return labels


def _path(geom) -> Path | None:
    """A compound matplotlib path of a (multi)polygon, holes included."""
    polys = [geom] if geom.geom_type == "Polygon" else \
        [g for g in getattr(geom, "geoms", []) if g.geom_type == "Polygon"]
    verts, codes = [], []
    for poly in polys:
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 3:
                continue
            verts.append(xy)
            codes.append([Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY])
    if not verts:
        return None
    return Path(np.concatenate(verts), np.concatenate(codes))


def _draw(ax, geom, **kw) -> None:
    path = _path(geom)
    if path is not None:
        ax.add_patch(PathPatch(path, **kw))


def _scale_bar(ax, x0, x1, y0, y1, lang: str) -> None:
    """A scale bar of a round number of kilometres, bottom left."""
    lat = (y0 + y1) / 2
    km_per_deg = 111.32 * math.cos(math.radians(lat))
    width_km = (x1 - x0) * km_per_deg
    nice = next((n for n in (100, 50, 20, 10, 5, 2, 1, 0.5) if n <= width_km / 4), 0.5)
    length = nice / km_per_deg
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + length], [by, by], color="#1a202c", lw=2, solid_capstyle="butt")
    label = f"{nice:g} km" if lang == "en" else f"{nice:g} 公里"
    ax.text(bx + length / 2, by + (y1 - y0) * 0.012, label, ha="center", va="bottom",
            fontsize=6.5)
    nx, ny = x1 - (x1 - x0) * 0.04, y1 - (y1 - y0) * 0.1
    ax.annotate("N" if lang == "en" else "北", xy=(nx, ny + (y1 - y0) * 0.06), xytext=(nx, ny),
                ha="center", va="center", fontsize=7,
                arrowprops={"arrowstyle": "-|>", "color": "#1a202c", "lw": 1})


def render_map(data: MapData, lang: str, *, measure: str = "matters",
               label_counties: bool = False) -> tuple[bytes | None, list[float], int]:
    """The map PNG, the class breaks used and the number of zones drawn.

    ``label_counties``: a region map labels its counties (138 township names would be
    unreadable); otherwise every coloured unit is labelled when there are few enough.
    """
    units = features(data.units)
    if not units:
        return None, [], 0
    outline_feats = features(data.outline)
    outline = shapely.union_all([g for _p, g in outline_feats]) if outline_feats else None
    zone_outline = None if label_counties else outline
    zones = zones_inside(data.zones, zone_outline)
    frame = data.frame
    values = {code: frame.at[code, measure] for code in frame.index}
    breaks = class_breaks(list(values.values()))
    bounds = shapely.union_all([g for _p, g in units]).bounds
    x0, y0, x1, y1 = bounds
    pad_x, pad_y = (x1 - x0) * 0.03, (y1 - y0) * 0.03
    x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
    aspect = 1 / math.cos(math.radians((y0 + y1) / 2))
    ratio = (y1 - y0) * aspect / (x1 - x0)  # height ÷ width on paper
    # At most the text width and about two thirds of the page height, so the map, its
    # title and its legend always fit one page.
    width = min(WIDTH_IN, MAX_HEIGHT_IN / ratio)
    height = max(width * ratio, 2.0)
    width = max(width, 2.6)
    hot = set(data.hot_codes)
    with style():
        fig = Figure(figsize=(width, height))
        ax = fig.subplots()
        ax.grid(False)
        for props, geom in units:
            code = props.get("code")
            edge = HOT_EDGE if code in hot else "#4a5568"
            _draw(ax, geom, facecolor=_colour(values.get(code), breaks), edgecolor=edge,
                  linewidth=1.6 if code in hot else 0.35, zorder=2 if code in hot else 1)
        for _props, geom in outline_feats:
            _draw(ax, geom, facecolor="none", edgecolor="#1a202c", linewidth=1.0, zorder=3)
        for props, geom in zones:
            _draw(ax, geom, facecolor="none", edgecolor=ZONE, hatch="////", linewidth=1.0,
                  zorder=4)
            if label_counties:
                continue  # at city scale zone names would cover the county names
            p = geom.representative_point()
            name = props.get("name_en") if lang == "en" and props.get("name_en") else \
                props.get("name")
            ax.text(p.x, p.y, name, fontsize=6, color=ZONE, ha="center", va="center",
                    zorder=6, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                                    "alpha": 0.8})
        labelled = outline_feats if label_counties else \
            (units if len(units) <= LABEL_LIMIT else [])
        for props, geom in labelled:
            p = geom.representative_point()
            label = props.get("name_en") if lang == "en" and props.get("name_en") else \
                props.get("name", "")
            ax.text(p.x, p.y, label, fontsize=6.5 if label_counties else 5.5,
                    ha="center", va="center", zorder=5, color="#1a202c",
                    fontweight="bold" if label_counties else "normal")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(aspect)
        ax.set_axis_off()
        _scale_bar(ax, x0, x1, y0, y1, lang)
        handles = [Patch(facecolor=ZERO, edgecolor="#4a5568", lw=0.4, label="0")]
        handles += [Patch(facecolor=PALETTE[i + len(PALETTE) - len(breaks)], edgecolor="#4a5568",
                          lw=0.4, label=lab) for i, lab in enumerate(_legend_labels(breaks))]
        if zones:
            handles.append(Patch(facecolor="none", edgecolor=ZONE, hatch="////",
                                 label=t("br.map.zones", lang)))
        if hot & {p.get("code") for p, _g in units}:
            handles.append(Patch(facecolor="none", edgecolor=HOT_EDGE, lw=1.6,
                                 label=t("br.map.hot", lang)))
        # Below the map, so it never hides an area.
        ax.legend(handles=handles, title=t("br.map.legend", lang), fontsize=6.5,
                  title_fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.01),
                  ncols=max(1, min(len(handles), int(max(width, 4.0) / 0.95))),
                  frameon=False)
        return to_png(fig), breaks, len(zones)
