"""Fixtures of the dashboard tests: the test world (grid geography + matters through the
importer) in the test database, users of three scopes, a Flask client, and the application
served on a free loopback port for the headless-browser tests.

Whatever geography the database held is set aside for the module and put back afterwards;
this module's matters (``TW…``) and users are removed.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "dashboard-test-password"
LEADER_COUNTY = "430626"  # 平江县
OFFICER_TOWN = "430626101"
SAVED = ("_dash_saved_admin_unit", "_dash_saved_project_zone")


@pytest.fixture(scope="module")
def world(engine, db_url, tmp_path_factory):
    from dashboard import data
    from queries.users import create_user
    from tests.dashboard.world import build

    tag = uuid.uuid4().hex[:6]
    with engine.begin() as c:
        c.execute(text(f"DROP TABLE IF EXISTS {', '.join(SAVED)}"))
        c.execute(text(f"CREATE TABLE {SAVED[0]} AS SELECT * FROM admin_unit"))
        c.execute(text(f"CREATE TABLE {SAVED[1]} AS SELECT * FROM project_zone"))
    counts = build(db_url, n=1500, seed=3, folder=tmp_path_factory.mktemp("world"),
                   wipe=False, prefix="TW")
    assert counts["matters"][1] == 0 and counts["submissions"][1] == 0, counts
    users = {}
    with engine.begin() as c:
        for base, role, units in (("admin", "admin", []), ("leader", "leader", [LEADER_COUNTY]),
                                  ("officer", "officer", [OFFICER_TOWN])):
            name = f"dash_{base}_{tag}"
            create_user(c, name, PASSWORD, role, units)
            users[base] = name
    data.forget_versions()
    yield {"users": users, "tag": tag}
    with engine.begin() as c:
        c.execute(text("DELETE FROM matter WHERE matter_no LIKE 'TW%'"))
        c.execute(text("DELETE FROM app_user WHERE username LIKE :p"), {"p": f"dash\\_%\\_{tag}"})
        c.execute(text("DELETE FROM project_zone"))
        c.execute(text("DELETE FROM admin_unit"))
        c.execute(text(f"INSERT INTO admin_unit SELECT * FROM {SAVED[0]}"))
        c.execute(text(f"INSERT INTO project_zone SELECT * FROM {SAVED[1]}"))
        c.execute(text(f"DROP TABLE {', '.join(SAVED)}"))


@pytest.fixture(scope="module")
def app(world):
    from tests.dashboard.serve import build

    application = build()
    application.server.config["TESTING"] = True
    return application


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the login form carries a CSRF token"
    return match.group(1)


def login_client(server, username: str):
    client = server.test_client()
    page = client.get("/login")
    resp = client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": csrf_from(page.text)})
    assert resp.status_code in (302, 303), resp.status_code
    return client


@pytest.fixture(scope="module")
def clients(app, world):
    return {k: login_client(app.server, u) for k, u in world["users"].items()}


@pytest.fixture(scope="module")
def live_server(world, db_url):
    """The application in its own process on 127.0.0.1 (as gunicorn would run it)."""
    from tests.live_server import running_server

    with running_server("dash", {"DATABASE_URL": db_url}) as base:
        yield base
