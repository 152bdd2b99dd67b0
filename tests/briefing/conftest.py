"""Fixtures of the briefing tests: a world in the test database (the dashboard tests' grid
geography with the real codes and names, about 2,500 matters through the importer, with
synthetic petitioner names, ID numbers and summaries so that their absence from every output
can be checked), package leaders and assigned items through the accountability importer,
two sensitive periods, and users created with the ``create-user`` command.

Whatever the database held in those tables is set aside for the package and put back
afterwards. ``tests/conftest.py`` drops and recreates the test database at the start of a
session: give these tests a database of their own (``TEST_DATABASE_URL``) when another run
may be using the default one.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "briefing-test-password"
AS_OF = dt.date(2026, 11, 20)
MONTH = "2026-10"
TOWN = "430626001"  # 汉昌街道, 平江县: inside the world's deliberate cluster
OTHER_TOWN = "430603101"  # 陆城镇, 云溪区
COUNTY = "430626"
SMALL_COUNTY = "430603"  # 云溪区: five townships, for --all-units
PREFIX = "TB"
SURNAMES = "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐".split()
GIVEN = "嘉禾 婉清 若水 怀瑾 梓萱 思远 望舒 听澜 子衿 明哲".split()
LEADERS = ("平江县测试领导甲", "平江县测试领导乙", "云溪区测试领导丙", "岳阳市测试领导丁")
DEPARTMENTS = ("住建局", "人社局", "自然资源局", "信访局")


def _id_number(rng: random.Random) -> str:
    """A checksum-valid 18-digit ID with birth year 1900 (obviously synthetic)."""
    body = f"430626{1900:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}999"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _add_personal_data(path: Path, rng: random.Random) -> dict[str, list[str]]:
    """Give every matter a petitioner name, an ID number and a summary; returns them."""
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names, ids, summaries = [], [], []
    for i, row in enumerate(rows):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
        pid = _id_number(rng)
        summary = f"【测试摘要】第{i}号事项的具体诉求"
        row.update(petitioner_name=name, petitioner_id=pid, summary=summary)
        names.append(name)
        ids.append(pid)
        summaries.append(summary)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return {"names": sorted(set(names)), "ids": ids, "summaries": summaries}


def _accountability(engine, folder: Path, rng: random.Random) -> None:
    """Package leaders for some backlog-prone matters and assigned items per township."""
    from ingest.accountability import import_accountability

    with engine.connect() as c:
        matters = c.execute(text(
            "SELECT matter_no, registered_on, township_code FROM matter"
            " WHERE matter_no LIKE :p AND registered_on <= :d ORDER BY matter_no"),
            {"p": PREFIX + "%", "d": AS_OF - dt.timedelta(days=10)}).all()
    packages = folder / "packages.csv"
    with open(packages, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["matter_no", "leader_name", "leader_title", "level", "since", "progress",
                    "resolved_on"])
        for no, reg, town in matters[::9]:
            leader = LEADERS[0] if town and town.startswith(COUNTY) else rng.choice(LEADERS)
            resolved = (reg + dt.timedelta(days=60)) if rng.random() < 0.3 else None
            w.writerow([no, leader, "副县长", "county", reg + dt.timedelta(days=5),
                        "已约谈，正在化解", resolved if resolved and resolved <= AS_OF else ""])
    assignments = folder / "assignments.csv"
    with open(assignments, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["assignment_no", "title", "matter_no", "assigned_unit", "assigned_by",
                    "assigned_on", "feedback_due", "feedback_on", "closed_on"])
        for k, (no, _reg, _town) in enumerate(matters[::23]):
            on = dt.date(2026, 9, 20) + dt.timedelta(days=k % 30)
            due = on + dt.timedelta(days=15)
            fb = due + dt.timedelta(days=rng.choice([-5, -1, 0, 3, 40]))
            fb = fb if fb <= AS_OF else None
            closed = fb + dt.timedelta(days=2) if fb and rng.random() < 0.7 else None
            w.writerow([f"{PREFIX}-JB-{k:04d}", "督办件", no, DEPARTMENTS[k % 4], "市信访局",
                        on, due, fb or "", closed if closed and closed <= AS_OF else ""])
    for path, kind in ((packages, "packages"), (assignments, "assignments")):
        s = import_accountability(path, kind, engine)
        assert s.rejected == 0, (kind, s.rejects_path and s.rejects_path.read_text())


def _periods(engine) -> None:
    from queries.periods import PeriodInput, create_period

    class Admin:
        username, role = "briefing-test", "admin"

    with engine.begin() as c:
        create_period(PeriodInput(name="国庆节前后敏感期", name_en="National Day", level="city",
                                  starts_on=dt.date(2026, 9, 28),
                                  ends_on=dt.date(2026, 10, 8)), user=Admin(), conn=c)
        # A period of another township: it must not appear in TOWN's briefing.
        create_period(PeriodInput(name="陆城镇专项整治敏感期", level="local",
                                  scope_code=OTHER_TOWN, starts_on=dt.date(2026, 10, 12),
                                  ends_on=dt.date(2026, 10, 18)), user=Admin(), conn=c)


#: Tables the world replaces; set aside for the package and put back afterwards (children
#: first when deleting), so the packages that run later find the database as it was.
SAVED = ("assignment", "leader_reception", "package_assignment", "matter_event", "submission",
         "matter", "sensitive_period", "project_zone", "admin_unit")


@pytest.fixture(scope="package")
def world(engine, db_url, tmp_path_factory):
    """The briefing world in the test database, alone in it for the package; yields names
    and codes for the tests."""
    tag = uuid.uuid4().hex[:6]
    with engine.begin() as c:
        for t in SAVED:
            c.execute(text(f"CREATE TABLE _brf_{tag}_{t} AS SELECT * FROM {t}"))
        for t in SAVED:
            c.execute(text(f"DELETE FROM {t}"))
    try:
        yield _build(engine, tmp_path_factory.mktemp("briefing-world"))
    finally:
        with engine.begin() as c:
            for t in SAVED:
                c.execute(text(f"DELETE FROM {t}"))
            for t in reversed(SAVED):
                c.execute(text(f"INSERT INTO {t} SELECT * FROM _brf_{tag}_{t}"))
                c.execute(text(f"DROP TABLE _brf_{tag}_{t}"))


def _build(engine, folder: Path) -> dict:
    from ingest.matters import import_file
    from tests.dashboard.world import load_geography, write_cases

    rng = random.Random(11)
    with engine.begin() as c:
        vboxes = load_geography(c)
    mpath, spath = write_cases(folder, vboxes, 2500, 5, AS_OF, prefix=PREFIX)
    personal = _add_personal_data(mpath, rng)
    for path, kind in ((mpath, "matters"), (spath, "submissions")):
        s = import_file(path, kind=kind, crs="wgs84", engine=engine, username="briefing-test")
        assert s.rejected == 0, (kind, s)
    _accountability(engine, folder, rng)
    _periods(engine)
    with engine.connect() as c:
        towns = dict(c.execute(text(
            "SELECT code, name FROM admin_unit WHERE level = 'township'")).all())
        villages = dict(c.execute(text(
            "SELECT code, name FROM admin_unit WHERE level = 'village'")).all())
        counties = dict(c.execute(text(
            "SELECT code, name FROM admin_unit WHERE level = 'county'")).all())
        masked = [r for (r,) in c.execute(text(
            "SELECT DISTINCT petitioner_name_masked FROM matter"
            " WHERE petitioner_name_masked IS NOT NULL"))]
    assert len(personal["names"]) >= 50 and masked
    return {"towns": towns, "villages": villages, "counties": counties, "personal": personal,
            "masked": masked, "folder": folder}


@pytest.fixture(scope="package")
def cli_app(world):
    """A Flask app with the real commands (``kpi``, ``briefing``, ``create-user``)."""
    from cli import accounts, briefing, reports

    server = Flask("briefing-tests")
    for module in (reports, briefing, accounts):
        for command in module.COMMANDS:
            server.cli.add_command(command)
    return server


@pytest.fixture(scope="package")
def run_cli(cli_app):
    runner = cli_app.test_cli_runner()

    def run(*args, input=None):
        return runner.invoke(args=list(args), input=input, catch_exceptions=False)
    return run


@pytest.fixture(scope="package")
def users(run_cli, engine):
    """An officer of TOWN, a leader of COUNTY and an admin, made with ``create-user``."""
    tag = uuid.uuid4().hex[:6]
    out = {}
    for base, args in (("officer", ["--role", "officer", "--unit", TOWN]),
                       ("leader", ["--role", "leader", "--unit", COUNTY]),
                       ("admin", ["--role", "admin"])):
        name = f"brf_{base}_{tag}"
        result = run_cli("create-user", name, *args, "--password-stdin", input=PASSWORD + "\n")
        assert result.exit_code == 0, result.output
        out[base] = name
    yield out
    with engine.begin() as c:
        c.execute(text("DELETE FROM app_user WHERE username = ANY(:u)"),
                  {"u": list(out.values())})


@pytest.fixture(scope="package")
def outputs(run_cli, world, tmp_path_factory):
    """The city's and TOWN's briefing of MONTH in the three formats, written by the command."""
    folder = tmp_path_factory.mktemp("briefings")
    files = {}
    for who, unit in (("city", None), ("town", TOWN)):
        for fmt in ("pdf", "docx", "xlsx"):
            path = folder / f"{who}.{fmt}"
            args = ["briefing", "--month", MONTH, "--format", fmt, "--out", str(path),
                    "--as-of", AS_OF.isoformat()]
            if unit:
                args += ["--unit", unit]
            result = run_cli(*args)
            assert result.exit_code == 0, result.output
            assert path.exists() and path.stat().st_size > 5_000, path
            files[(who, fmt)] = path
    return files


def kpi_json(run_cli, month: str, unit: str | None) -> dict:
    """What ``flask --app app kpi --json`` prints for the month and unit."""
    import json

    args = ["kpi", "--month", month, "--as-of", AS_OF.isoformat(), "--json"]
    if unit:
        args += ["--unit", unit]
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)
