"""Fixtures for the attack tests: a small world of units, matters and users in the test DB,
the application's Flask server, and logged-in test clients.

The world is created per test module and removed afterwards (matters, units and users this
module added), so other test packages see the database as they left it. Audit rows stay:
the log is append-only.
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PASSWORD = "correct horse battery staple"
CITY, COUNTY_A, COUNTY_B = "430600", "430621", "430623"
TOWN_A, TOWN_A2, TOWN_B = "430621100", "430621101", "430623100"
DEPT_CODE, DEPT_NAME = "SEC-DEPT-ZJJ", "安全测试住建局"
UNITS = [
    (CITY, "岳阳市", "prefecture", None),
    (COUNTY_A, "岳阳县", "county", CITY),
    (COUNTY_B, "华容县", "county", CITY),
    (TOWN_A, "荣家湾镇", "township", COUNTY_A),
    (TOWN_A2, "黄沙街镇", "township", COUNTY_A),
    (TOWN_B, "城关镇", "township", COUNTY_B),
]
# matter_no -> (county, township, responsible unit, petitioner name)
MATTERS = {
    "SEC-A-1": (COUNTY_A, TOWN_A, None, "测试甲"),
    "SEC-A-2": (COUNTY_A, TOWN_A, None, None),
    "SEC-B-1": (COUNTY_B, TOWN_B, None, "测试乙"),
    "SEC-D-1": (COUNTY_A, TOWN_A2, DEPT_NAME, "测试丙"),
}


class World:
    def __init__(self, engine):
        self.engine = engine
        self.tag = uuid.uuid4().hex[:6]
        self.units_added: list[str] = []
        self.dept_added = False
        self.users: dict[str, str] = {}

    def name(self, base: str) -> str:
        return f"{base}_{self.tag}"

    def setup(self):
        from domain.privacy import encrypt_text, mask_name

        with self.engine.begin() as conn:
            for code, name, level, parent in UNITS:
                added = conn.execute(text(
                    "INSERT INTO admin_unit (code, name, level, parent_code, county_code)"
                    " VALUES (:c, :n, :l, :p, :cc) ON CONFLICT (code) DO NOTHING RETURNING code"),
                    {"c": code, "n": name, "l": level, "p": parent,
                     "cc": code[:6] if level != "prefecture" else None}).first()
                if added:
                    self.units_added.append(code)
            self.dept_added = conn.execute(text(
                "INSERT INTO reporting_unit (code, name, kind) VALUES (:c, :n, 'department')"
                " ON CONFLICT (code) DO NOTHING RETURNING code"),
                {"c": DEPT_CODE, "n": DEPT_NAME}).first() is not None
            for no, (county, town, unit, person) in MATTERS.items():
                mid = conn.execute(text(
                    "INSERT INTO matter (matter_no, registered_on, category, county_code,"
                    " township_code, responsible_unit, petitioner_name_enc,"
                    " petitioner_name_masked, row_hash) VALUES (:no, '2026-03-02', 'other',"
                    " :c, :t, :u, :enc, :masked, 'sec') RETURNING id"),
                    {"no": no, "c": county, "t": town, "u": unit,
                     "enc": encrypt_text(person) if person else None,
                     "masked": mask_name(person) if person else None}).scalar_one()
                conn.execute(text(
                    "INSERT INTO submission (submission_no, matter_id, received_on, channel,"
                    " row_hash) VALUES (:s, :m, '2026-03-02', 'visit', 'sec')"),
                    {"s": "S" + no, "m": mid})
        self.add_user("admin", "admin")
        self.add_user("leader_a", "leader", [COUNTY_A])
        self.add_user("officer_a", "officer", [TOWN_A])
        self.add_user("officer_b", "officer", [TOWN_B])
        self.add_user("dept", "officer", [DEPT_CODE])
        self.add_user("auditor", "auditor")
        return self

    def add_user(self, base: str, role: str, units=()) -> str:
        from queries.users import create_user

        username = self.name(base)
        with self.engine.begin() as conn:
            create_user(conn, username, PASSWORD, role, units)
        self.users[base] = username
        return username

    def teardown(self):
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM matter WHERE matter_no LIKE 'SEC-%'"))
            conn.execute(text("DELETE FROM app_user WHERE username LIKE :p"),
                         {"p": f"%\\_{self.tag}"})
            conn.execute(text("DELETE FROM wall_token WHERE name LIKE :p"),
                         {"p": f"%{self.tag}%"})
            if self.dept_added:
                conn.execute(text("DELETE FROM reporting_unit WHERE code = :c"),
                             {"c": DEPT_CODE})
            for code in reversed(self.units_added):
                conn.execute(text("DELETE FROM admin_unit WHERE code = :c"), {"c": code})


@pytest.fixture(scope="module")
def world(engine):
    w = World(engine).setup()
    yield w
    w.teardown()


@pytest.fixture(scope="session")
def dash_app(db_url):
    from dashboard.factory import create_dash

    app = create_dash()
    return app


@pytest.fixture
def server(dash_app):
    """The Flask server with fresh throttle counters (in memory) for each test."""
    from dashboard.auth.throttle import make_throttles
    from settings import get_settings

    s = get_settings().model_copy(update={"redis_url": None})
    dash_app.server.extensions["atlas_throttles"] = make_throttles(s)
    return dash_app.server


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "login form carries a CSRF token"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, next_: str | None = None,
          addr: str = "127.0.0.1"):
    env = {"REMOTE_ADDR": addr}
    page = client.get("/login", environ_base=env)
    data = {"username": username, "password": password, "csrf_token": csrf_from(page.text)}
    if next_:
        data["next"] = next_
    return client.post("/login", data=data, environ_base=env)


@pytest.fixture
def client_for(server):
    """``client_for(username)``: a test client logged in as that user."""
    def make(username: str):
        client = server.test_client()
        response = login(client, username)
        assert response.status_code == 302, response.text[:300]
        return client
    return make


@pytest.fixture(scope="session")
def app_role_url(db_url) -> str:
    """The test database URL connecting directly as the application role."""
    from settings import get_settings

    return make_url(db_url)._replace(username=get_settings().app_db_role, password=None) \
        .render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app_role_engine(app_role_url):
    eng = create_engine(app_role_url)
    yield eng
    eng.dispose()


def decoded(response) -> str:
    """A JSON response as text with non-ASCII unescaped (Dash escapes CJK as \\uXXXX)."""
    import json

    return json.dumps(response.get_json(), ensure_ascii=False)


def audit_rows(engine, action: str, target: str | None = None) -> list[dict]:
    sql = "SELECT * FROM audit_log WHERE action = :a"
    params = {"a": action}
    if target is not None:
        sql += " AND target = :t"
        params["t"] = target
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql + " ORDER BY id"), params)]
