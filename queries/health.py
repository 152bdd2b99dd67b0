"""Database health for ``/healthz``."""

from __future__ import annotations

from sqlalchemy import text

from queries.db import get_engine


def database_status() -> dict:
    """``{"database": "ok", "postgis": version}`` or ``{"database": "error", "error": ...}``."""
    try:
        with get_engine().connect() as conn:
            version = conn.execute(text("SELECT postgis_lib_version()")).scalar()
        return {"database": "ok", "postgis": version}
    except Exception as exc:  # report, never raise: this is the probe
        return {"database": "error", "error": type(exc).__name__}
