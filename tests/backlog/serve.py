"""Serve the application for the backlog browser tests: ``python -m tests.backlog.serve PORT``.

DATABASE_URL and ATLAS_AS_OF come from the environment. The Backlog page registers the agenda
download route itself (until the factory does), so the application is the factory's as is.
"""

from __future__ import annotations

import sys

from dashboard.factory import create_dash

if __name__ == "__main__":
    create_dash().run(host="127.0.0.1", port=int(sys.argv[1]), debug=False, threaded=True)
