"""Serve the application for the browser tests, screenshots and the benchmark: ``python -m
tests.dashboard.serve PORT [TIMING_FILE]``. DATABASE_URL comes from the environment.

Registers the map's GeoJSON blueprint when the factory does not yet (until the lead wires
it). With TIMING_FILE, every request is written there as a JSON line: path, the callback's
outputs, server time in ms and bytes sent.
"""

from __future__ import annotations

import json
import sys
import threading
import time

from flask import g, request

from dashboard import geojson
from dashboard.factory import create_dash


def build(timing_file: str | None = None):
    app = create_dash()
    server = app.server
    if "atlas_geo" not in server.blueprints:
        geojson.init_app(server)
    if timing_file:
        lock = threading.Lock()
        out = open(timing_file, "a", buffering=1)

        @server.before_request
        def _start():
            g.atlas_t0 = time.perf_counter()

        @server.after_request
        def _stop(response):
            t0 = getattr(g, "atlas_t0", None)
            if t0 is None:
                return response
            outputs = None
            if request.path == "/_dash-update-component":
                body = request.get_json(silent=True) or {}
                outputs = body.get("output")
            size = response.calculate_content_length()
            if size is None and not response.direct_passthrough:
                size = len(response.get_data())
            line = json.dumps({"t": time.time(), "path": request.path, "outputs": outputs,
                               "ms": round((time.perf_counter() - t0) * 1000, 1),
                               "bytes": size, "status": response.status_code})
            with lock:
                out.write(line + "\n")
            return response
    return app


if __name__ == "__main__":
    build(sys.argv[2] if len(sys.argv) > 2 else None).run(
        host="127.0.0.1", port=int(sys.argv[1]), debug=False, threaded=True)
