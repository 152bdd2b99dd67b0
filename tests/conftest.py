"""Test fixtures: a real PostGIS database, migrated from scratch once per test session.

The server is the one ``scripts/test.sh`` prepares (``TEST_DATABASE_URL``, default the local
PostgreSQL); the test database is dropped and created anew, so a run never sees stale data.
"""

from __future__ import annotations

import os

import pytest

TEST_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/petition_atlas_test"
)
# Everything the application builds during tests talks to the test database.
os.environ["DATABASE_URL"] = TEST_URL


@pytest.fixture(scope="session")
def db_url() -> str:
    """URL of a freshly created and migrated test database."""
    from alembic import command
    from alembic.config import Config

    from queries.db import create_postgis_database, get_engine
    from settings import get_settings

    create_postgis_database(TEST_URL, recreate=True)
    get_settings.cache_clear()
    get_engine.cache_clear()
    cfg = Config(os.path.join(os.path.dirname(__file__), "..", "alembic.ini"))
    command.upgrade(cfg, "head")
    return TEST_URL


@pytest.fixture(scope="session")
def engine(db_url):
    from queries.db import get_engine

    return get_engine(db_url)
