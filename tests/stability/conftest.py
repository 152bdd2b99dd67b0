"""Fixtures of the stability tests: the world of ``tests.stability.world`` in the test
database (whatever geography was there is set aside and put back), users of three scopes,
and the application served on a free loopback port for the browser tests (wall cache TTL of
one second, per-process cache).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from tests.stability import world as W

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "stability-test-password"
SAVED = ("_stab_saved_admin_unit", "_stab_saved_project_zone")


def _cleanup(conn) -> None:
    conn.execute(text("DELETE FROM matter WHERE matter_no LIKE 'WS%'"))
    conn.execute(text("DELETE FROM unstable_factor WHERE ledger_no LIKE 'WS%'"
                      " OR created_by LIKE 'stab\\_%'"))
    conn.execute(text("DELETE FROM daily_report WHERE unit_code LIKE 'WS-%'"))
    conn.execute(text("DELETE FROM duty_roster WHERE unit_code LIKE 'WS-%'"))
    conn.execute(text("DELETE FROM reporting_unit WHERE code LIKE 'WS-%'"))
    conn.execute(text("DELETE FROM sensitive_period WHERE name LIKE '墙测%'"))


@pytest.fixture(scope="package")
def world(engine, db_url, tmp_path_factory):
    from dashboard import data
    from dashboard.state import today
    from ingest.matters import import_file
    from ingest.stability import import_stability_file
    from queries import ledger
    from queries.scope import Scope
    from queries.users import create_user
    from tests.dashboard.world import load_geography

    tag = uuid.uuid4().hex[:6]
    day = today()
    towns = W.pick_townships()
    folder = tmp_path_factory.mktemp("stability-world")
    with engine.begin() as c:
        c.execute(text(f"DROP TABLE IF EXISTS {', '.join(SAVED)}"))
        c.execute(text(f"CREATE TABLE {SAVED[0]} AS SELECT * FROM admin_unit"))
        c.execute(text(f"CREATE TABLE {SAVED[1]} AS SELECT * FROM project_zone"))
        _cleanup(c)
        load_geography(c)
    mpath, spath = W.write_cases(folder, day, towns)
    for path, kind in ((mpath, "matters"), (spath, "submissions")):
        s = import_file(path, kind=kind, engine=engine, username="stability-test")
        assert s.rejected == 0, (kind, s)
    for path, kind in ((W.write_units(folder, towns), "reporting_units"),
                       (W.write_reports(folder, day), "daily_reports"),
                       (W.write_rosters(folder, day), "duty_rosters")):
        s = import_stability_file(path, kind, engine, username="stability-test")
        assert s.rejected == 0, (kind, s, s.rejects_path and s.rejects_path.read_text())
    users = {}
    with engine.begin() as c:
        for base, role, units in (("admin", "admin", []), ("leader", "leader", ["430626"]),
                                  ("officer", "officer", [towns["C"]])):
            name = f"stab_{base}_{tag}"
            create_user(c, name, PASSWORD, role, units)
            users[base] = name
    admin = SimpleNamespace(username=users["admin"], role="admin")
    region = Scope.region()
    entries = {}
    for key, town, risk, due, status in (
            ("L1", towns["A"], "high", day - dt.timedelta(days=5), "open"),
            ("L2", towns["B"], "low", day + dt.timedelta(days=2), "resolving"),
            ("L3", towns["C"], "medium", day + dt.timedelta(days=30), "resolved")):
        inp = ledger.LedgerInput(title=f"墙测纠纷{key}：工程款结算分歧", risk_level=risk,
                                 opened_on=day - dt.timedelta(days=40), township_code=town,
                                 people_involved={"L1": 40, "L2": 8, "L3": 12}[key],
                                 responsible_unit="墙测住建局", responsible_leader="墙测领导",
                                 resolve_by=due, status=status,
                                 closed_on=day if status == "resolved" else None)
        entries[key] = ledger.create_entry(region, inp, user=admin, ledger_no=f"WS-{key}")
    data.forget_versions()
    names = list(W.NAMES)
    yield SimpleNamespace(day=day, towns=towns, users=users, tag=tag, admin=admin,
                          ledger=entries, names=names, folder=folder)
    with engine.begin() as c:
        _cleanup(c)
        c.execute(text("DELETE FROM app_user WHERE username LIKE :p"), {"p": f"stab\\_%\\_{tag}"})
        c.execute(text("DELETE FROM wall_token WHERE name LIKE 'stab-%'"))
        c.execute(text("DELETE FROM project_zone"))
        c.execute(text("DELETE FROM admin_unit"))
        c.execute(text(f"INSERT INTO admin_unit SELECT * FROM {SAVED[0]}"))
        c.execute(text(f"INSERT INTO project_zone SELECT * FROM {SAVED[1]}"))
        c.execute(text(f"DROP TABLE {', '.join(SAVED)}"))


def office_now(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    from zoneinfo import ZoneInfo

    from settings import get_settings

    return dt.datetime.combine(day, dt.time(hour, minute),
                               tzinfo=ZoneInfo(get_settings().timezone))


@pytest.fixture(scope="package")
def live_server(world, db_url):
    """The application in its own process on 127.0.0.1, wall snapshots fresh for 1 s."""
    from tests.live_server import running_server

    with running_server("stability", {"DATABASE_URL": db_url, "WALL_CACHE_TTL": "1",
                                      "WALL_CACHE": "on", "REDIS_URL": None}) as base:
        yield base


@pytest.fixture(scope="package")
def wall_token(world, engine):
    from queries.users import create_wall_token

    with engine.begin() as c:
        _id, token = create_wall_token(c, f"stab-{world.tag}")
    return token
