"""Entry point: the Flask ``server`` (for gunicorn) and the Dash ``app``.

``python app.py`` serves on http://127.0.0.1:8050; ``gunicorn app:server`` and
``flask --app app run`` serve the same application; ``flask --app app <command>`` runs the
commands of DESIGN §9.
"""

from __future__ import annotations

import os

from cli import register_commands
from dashboard.factory import create_dash

app = create_dash()
server = app.server
register_commands(server)

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=False)
