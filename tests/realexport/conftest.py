"""Fixtures of the real-export tests: the committed office export (``fixtures/``) imported with
the ``import-cases`` command into the test database, alone in it, on the dashboard tests'
grid geography (the real township codes and names of Yueyang).

Whatever the database held in the tables the export fills is set aside for the package and
put back afterwards, as the other packages' tests do. The export is copied to a temporary
folder first: the importer writes its warnings file beside the input.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import text

from tests.realexport import make_export, reference

MONTH = "2026-10"
AS_OF = dt.date(2026, 11, 20)
WALL_DAY = dt.date(2026, 10, 31)
TOWN = make_export.TOWN
#: Tables the export fills (children first when deleting, last when restoring).
SAVED = ("assignment", "leader_reception", "package_assignment", "matter_event",
         "backlog_resolution", "matter_backlog_span", "submission", "matter", "project_zone",
         "admin_unit")


@pytest.fixture(scope="package")
def store(engine, db_url):
    """The test database without matters, on the grid geography, for the package."""
    from tests.dashboard.world import load_geography

    tag = uuid.uuid4().hex[:6]
    with engine.begin() as c:
        for t in SAVED:
            c.execute(text(f"CREATE TABLE _rx_{tag}_{t} AS SELECT * FROM {t}"))
        for t in SAVED:
            c.execute(text(f"DELETE FROM {t}"))
        load_geography(c)
    try:
        yield engine
    finally:
        with engine.begin() as c:
            for t in SAVED:
                c.execute(text(f"DELETE FROM {t}"))
            for t in reversed(SAVED):
                c.execute(text(f"INSERT INTO {t} SELECT * FROM _rx_{tag}_{t}"))
                c.execute(text(f"DROP TABLE _rx_{tag}_{t}"))
            c.execute(text("DELETE FROM wall_token WHERE name LIKE 'rx-%'"))
        from queries.summaries_build import refresh_quietly

        refresh_quietly(engine)


@pytest.fixture(scope="package")
def runner():
    """The Flask CLI runner with every command of the application."""
    from cli import register_commands

    server = Flask("realexport")
    register_commands(server)
    return server.test_cli_runner()


@pytest.fixture(scope="package")
def export(store, runner, tmp_path_factory):
    """The export imported with ``import-cases``, both files without ``--kind``: the
    submissions file must be recognised by its header. Keeps both results and the files."""
    folder = tmp_path_factory.mktemp("export")
    matters = folder / "信访事项导出.csv"
    subs = folder / "信访件导出.csv"
    shutil.copyfile(make_export.MATTERS, matters)
    shutil.copyfile(make_export.SUBMISSIONS, subs)
    first = runner.invoke(args=["import-cases", str(matters)])
    second = runner.invoke(args=["import-cases", str(subs)])
    return SimpleNamespace(matters=matters, submissions=subs, matters_result=first,
                           submissions_result=second, folder=folder)


@pytest.fixture(scope="package")
def ref():
    """The reference: the export read by ``reference.py`` alone."""
    return reference.load(make_export.MATTERS, make_export.SUBMISSIONS)


def kpi_json(runner, unit: str | None = None, as_of: dt.date = AS_OF,
             month: str = MONTH) -> dict:
    args = ["kpi", "--month", month, "--as-of", as_of.isoformat(), "--json"]
    if unit:
        args += ["--unit", unit]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)
