"""The real application plus one probe page (a Plotly graph, a dash-leaflet map and a
server callback), served for the headless-browser test: ``python -m
tests.security.browser_app PORT``. DATABASE_URL comes from the environment."""

from __future__ import annotations

import sys

import dash
import dash_leaflet as dl
import plotly.graph_objects as go
from dash import Input, Output, dcc, html

from dashboard.factory import create_dash

GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "cell"}, "geometry": {
        "type": "Polygon",
        "coordinates": [[[113.0, 29.3], [113.2, 29.3], [113.2, 29.5], [113.0, 29.3]]]}},
    {"type": "Feature", "properties": {"name": "point"},
     "geometry": {"type": "Point", "coordinates": [113.1, 29.4]}},
]}


def probe_layout(**_kwargs):
    return html.Main([
        html.H1("probe"),
        dcc.Graph(id="probe-graph", figure=go.Figure(go.Bar(x=["a", "b"], y=[3, 5]))),
        dl.Map(id="probe-map", center=[29.4, 113.1], zoom=9, style={"height": "300px"},
               children=[dl.GeoJSON(data=GEOJSON, id="probe-geojson")]),
        html.Button("go", id="probe-btn"),
        html.Div(id="probe-out"),
    ])


def build():
    app = create_dash()
    dash.register_page("probe", path="/probe", layout=probe_layout, name="probe")

    @app.callback(Output("probe-out", "children"), Input("probe-btn", "n_clicks"),
                  prevent_initial_call=True)
    def clicked(n):
        return f"clicked {n}"

    return app


if __name__ == "__main__":
    build().run(host="127.0.0.1", port=int(sys.argv[1]), debug=False)
