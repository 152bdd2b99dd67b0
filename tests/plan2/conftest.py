"""Fixtures of the work plan's tests: the world of ``tests.plan2.world`` in one county that
holds nothing else (whatever geography was there is set aside and put back), accounts of
that county and of town A, and the application served on a free port with the office's day
pinned to ``world.AS_OF`` and wall snapshots fresh for ten minutes — so what reaches an open
wall sooner came through the import's invalidation, not the cache's expiry.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from types import SimpleNamespace

import pandas as pd
import pytest
from sqlalchemy import text

from tests.plan2 import world as W

PASSWORD = "plan2-test-password"
SAVED = ("_p2_saved_admin_unit", "_p2_saved_project_zone")


def _cleanup(conn) -> None:
    conn.execute(text("DELETE FROM matter WHERE matter_no LIKE 'P2-%'"))
    conn.execute(text("DELETE FROM unstable_factor WHERE ledger_no LIKE 'P2-%'"))
    conn.execute(text("DELETE FROM daily_report WHERE unit_code LIKE 'P2-%'"))
    conn.execute(text("DELETE FROM reporting_unit WHERE code LIKE 'P2-%'"))


def _empty_county(conn) -> str:
    """A county (not the test zone's, 430602) without matters, reporting units or ledger
    disputes: the world's figures are then exactly the hand-counted ones."""
    for code in ("430623", "430624", "430681", "430682", "430603", "430611", "430621",
                 "430626"):
        busy = conn.execute(text(
            "SELECT (SELECT count(*) FROM matter WHERE county_code = :c)"
            " + (SELECT count(*) FROM reporting_unit WHERE left(coalesce(township_code,"
            " county_code), 6) = :c)"
            " + (SELECT count(*) FROM unstable_factor WHERE county_code = :c"
            " OR left(township_code, 6) = :c)"), {"c": code}).scalar_one()
        if not busy:
            return code
    raise RuntimeError("no empty county for the plan2 world")


@pytest.fixture(scope="package", autouse=True)
def pinned_day():
    old = os.environ.get("ATLAS_AS_OF")
    os.environ["ATLAS_AS_OF"] = W.AS_OF.isoformat()
    yield W.AS_OF
    if old is None:
        os.environ.pop("ATLAS_AS_OF", None)
    else:
        os.environ["ATLAS_AS_OF"] = old


@pytest.fixture(scope="package")
def world(engine, db_url, tmp_path_factory, pinned_day):
    from dashboard import data
    from ingest.matters import import_file
    from ingest.stability import import_stability_file
    from queries import ledger
    from queries.scope import Scope
    from queries.users import create_user
    from tests.dashboard.world import ROOT, load_geography

    tag = uuid.uuid4().hex[:6]
    folder = tmp_path_factory.mktemp("plan2-world")
    with engine.begin() as c:
        c.execute(text(f"DROP TABLE IF EXISTS {', '.join(SAVED)}"))
        c.execute(text(f"CREATE TABLE {SAVED[0]} AS SELECT * FROM admin_unit"))
        c.execute(text(f"CREATE TABLE {SAVED[1]} AS SELECT * FROM project_zone"))
        _cleanup(c)
        load_geography(c)
        county = _empty_county(c)
    towns_csv = pd.read_csv(ROOT / "data" / "yueyang_townships.csv", dtype=str)
    a, b, c_ = sorted(towns_csv[towns_csv["county_code"] == county]["code"])[:3]
    towns = {"A": a, "B": b, "C": c_}
    mpath, spath = W.write_cases(folder, towns)
    for path, kind in ((mpath, "matters"), (spath, "submissions")):
        s = import_file(path, kind=kind, engine=engine, username="plan2-test")
        assert s.rejected == 0, (kind, s)
    for path, kind in ((W.write_units(folder, towns), "reporting_units"),
                       (W.write_reports(folder), "daily_reports")):
        s = import_stability_file(path, kind, engine, username="plan2-test")
        assert s.rejected == 0, (kind, s, s.rejects_path and s.rejects_path.read_text())
    users = {}
    with engine.begin() as conn:
        for base, role, units in (("leader", "leader", [county]), ("officer", "officer", [a]),
                                  ("admin", "admin", [])):
            name = f"p2_{base}_{tag}"
            create_user(conn, name, PASSWORD, role, units)
            users[base] = name
    admin = SimpleNamespace(username=users["admin"], role="admin")
    for key, town, due in W.LEDGER:
        inp = ledger.LedgerInput(title=f"P2纠纷{key}：工资结算分歧", risk_level="medium",
                                 opened_on=dt.date(2026, 10, 1), township_code=towns[town],
                                 people_involved=6, responsible_unit="P2住建局",
                                 resolve_by=due, status="open")
        ledger.create_entry(Scope.region(), inp, user=admin, ledger_no=f"P2-{key}")
    data.forget_versions()
    yield SimpleNamespace(county=county, towns=towns, users=users, tag=tag, folder=folder)
    with engine.begin() as conn:
        _cleanup(conn)
        conn.execute(text("DELETE FROM app_user WHERE username LIKE :p"),
                     {"p": f"p2\\_%\\_{tag}"})
        conn.execute(text("DELETE FROM wall_token WHERE name LIKE 'p2-%'"))
        conn.execute(text("DELETE FROM project_zone"))
        conn.execute(text("DELETE FROM admin_unit"))
        conn.execute(text(f"INSERT INTO admin_unit SELECT * FROM {SAVED[0]}"))
        conn.execute(text(f"INSERT INTO project_zone SELECT * FROM {SAVED[1]}"))
        conn.execute(text(f"DROP TABLE {', '.join(SAVED)}"))


@pytest.fixture(scope="package")
def live_server(world, db_url):
    from tests.live_server import running_server

    with running_server("plan2", {"DATABASE_URL": db_url, "ATLAS_AS_OF": W.AS_OF.isoformat(),
                                  "WALL_CACHE_TTL": "600", "WALL_CACHE": "on",
                                  "REDIS_URL": None}) as base:
        yield base


@pytest.fixture(scope="package")
def run_cli(world):
    from flask import Flask

    from cli import weekly

    server = Flask("plan2-tests")
    for command in weekly.COMMANDS:
        server.cli.add_command(command)
    runner = server.test_cli_runner()

    def run(*args):
        return runner.invoke(args=list(args), catch_exceptions=False)
    return run
