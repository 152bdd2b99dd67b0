"""Fixtures for the geography tests: the reference geography loaded once per session.

``geography`` is meant to move to ``tests/conftest.py`` so other packages' tests (importer,
dashboard) can ask for a database with counties, townships, villages and zones.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def geography(engine) -> dict:
    """Runs init-geo once on the session's test database; returns its summary."""
    from ingest.geography import init_geo

    return init_geo(engine)


@pytest.fixture
def restore_geography(engine, geography):
    """For tests that change the stored geography: put the reference set back afterwards."""
    yield
    from ingest.geography import init_geo

    init_geo(engine)
