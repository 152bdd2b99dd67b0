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
    guard_figures_while_recomputing()
    geojson.init_app(server)
    export_routes.init_app(server)
    register_dash(server, app)
    return app


#: Pages that show no figure computed from due dates (they stay usable while rules change).
_NO_FIGURES = ("audit", "periods")


def guard_figures_while_recomputing() -> None:
    """Every page with figures says "being recomputed" instead of showing them while the
    stored due dates were computed under other rules (DESIGN §3 refresh contract): wraps
    each registered page's ``layout``."""
    import functools

    for module, page in dash.page_registry.items():
        layout = page.get("layout")
        if not callable(layout) or module.rsplit(".", 1)[-1] in _NO_FIGURES:
            continue

        @functools.wraps(layout)
        def guarded(*args, _layout=layout, **kwargs):
            from dashboard.components.recomputing import recomputing_notice, rules_stale

            if rules_stale():
                return recomputing_notice(kwargs.get("lang"))
            return _layout(*args, **kwargs)

        page["layout"] = guarded
