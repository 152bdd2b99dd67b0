"""Builds the Flask server and the Dash application (pages under ``dashboard/pages``)."""

from __future__ import annotations

from pathlib import Path

import dash
from flask import Flask, jsonify

from dashboard import geojson
from dashboard.auth import init_auth, register_dash
from dashboard.exports import routes as export_routes
from queries.health import database_status
from settings import get_settings

ROOT = Path(__file__).resolve().parent.parent


def create_server() -> Flask:
    settings = get_settings()
    server = Flask("petition_atlas")
    server.config.update(SECRET_KEY=settings.secret_key)

    @server.get("/healthz")
    def healthz():
        status = database_status()
        return jsonify(status), (200 if status["database"] == "ok" else 503)

    init_auth(server)  # guard every route before Dash registers its own
    return server


def create_dash(server: Flask | None = None) -> dash.Dash:
    server = server or create_server()
    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "dashboard" / "pages"),
        assets_folder=str(ROOT / "assets"),
        title="信访态势图 Petition Atlas",
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    # Screen readers and axe need the page language; Chinese is the default (DESIGN §1.5).
    app.index_string = app.index_string.replace("<html>", '<html lang="zh-CN">', 1)
    app.layout = dash.html.Div([dash.page_container])
    geojson.init_app(server)
    export_routes.init_app(server)
    register_dash(server, app)
    return app
