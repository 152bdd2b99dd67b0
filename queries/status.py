"""Row counts used by the setup script to skip work already done."""

from __future__ import annotations

from sqlalchemy import func, select

from queries.db import get_engine
from queries.schema import admin_unit, matter
from settings import get_settings

_TABLES = {"geography": admin_unit, "matters": matter}


def row_count(part: str) -> int:
    """Rows in the table behind ``part`` ("geography" or "matters"), read as the owner."""
    settings = get_settings()
    with get_engine(settings.admin_database_url or settings.database_url).connect() as conn:
        return conn.execute(select(func.count()).select_from(_TABLES[part])).scalar_one()
