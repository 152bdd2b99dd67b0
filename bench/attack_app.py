"""The application as ``bench/attack.py`` attacks it: the real app plus, for this run only,
an endpoint injectable on purpose (the positive control sqlmap must find), and a log of every
request's path, run label and status code. ``python -m bench.attack_app PORT LOG``.

The control concatenates its parameter into SQL — exactly what the product never does — and
exists nowhere but in this process; it still sits behind the login guard.
"""

from __future__ import annotations

import json
import sys
import threading

from flask import jsonify, request
from sqlalchemy import text

from dashboard.factory import create_dash
from queries.db import app_connection


def build(log_path: str):
    app = create_dash()
    server = app.server
    lock = threading.Lock()
    out = open(log_path, "a", buffering=1)

    @server.get("/bench/injectable")
    def injectable():
        code = request.args.get("code", "")
        with app_connection() as conn:  # deliberately vulnerable: the positive control
            rows = conn.execute(text(
                "SELECT code, name FROM admin_unit WHERE code = '" + code.replace(":", "\\:")
                + "'")).all()
        return jsonify([{"code": c, "name": n} for c, n in rows])

    @server.after_request
    def _log(response):
        with lock:
            out.write(json.dumps({"path": request.path, "method": request.method,
                                  "run": request.headers.get("X-Bench-Run", ""),
                                  "status": response.status_code}) + "\n")
        return response

    return app


if __name__ == "__main__":
    build(sys.argv[2]).run(host="127.0.0.1", port=int(sys.argv[1]), debug=False,
                           threaded=True)
