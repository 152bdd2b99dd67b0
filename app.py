"""Entry point: the Flask ``server`` (for gunicorn) and the Dash ``app``.

``python app.py`` serves on http://127.0.0.1:8050; ``gunicorn app:server`` and
``flask --app app run`` serve the same application; ``flask --app app <command>`` runs the
commands of DESIGN §9.

Imported by a server (gunicorn, any WSGI host) the module refuses to load while ``SECRET_KEY``
or ``DATA_KEY`` has its development value, unless ``ATLAS_ENV=development``; the ``flask``
commands (``run`` included) and ``python app.py`` only warn.
"""

from __future__ import annotations

import os
import sys

import click

from cli import register_commands
from dashboard.factory import create_dash
from settings import check_keys, get_settings


def _served() -> bool:
    """True unless run as a script or loaded by the ``flask`` command line (a click context):
    every other importer is treated as the production entry, so the check fails closed."""
    return __name__ != "__main__" and click.get_current_context(silent=True) is None


for _line in check_keys(get_settings(), server=_served()):
    print(_line, file=sys.stderr)

app = create_dash()
server = app.server
register_commands(server)

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=False)
