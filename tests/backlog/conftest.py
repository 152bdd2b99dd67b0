"""Fixtures of the backlog tests: the hand-built data set (``tests/backlog/handset.py``) loaded
through the importers into the test database, alone.

The KPIs of the whole region must see this data set only, so whatever matters, assignments and
receptions the database held are set aside for the module and put back afterwards (with their
submissions, events and package rows), as the other packages' tests do with the geography. The
admin units the data set needs are added when missing and removed again.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from geo.names import english_name
from tests.backlog import handset

PASSWORD = "backlog-test-password"
# table -> rows set aside (matter children first when deleting, last when restoring)
_SAVED = ("assignment", "leader_reception", "leader", "package_assignment", "matter_event",
          "submission", "matter")


class DataSet:
    def __init__(self, engine, folder):
        self.engine = engine
        self.folder = folder
        self.files = handset.write_all(folder)
        self.units_added: list[str] = []
        self.users: dict[str, str] = {}
        self.tag = uuid.uuid4().hex[:6]

    def set_aside(self):
        with self.engine.begin() as c:
            for t in _SAVED:
                c.execute(text(f"DROP TABLE IF EXISTS _blk_{self.tag}_{t}"))
                c.execute(text(f"CREATE TABLE _blk_{self.tag}_{t} AS SELECT * FROM {t}"))
            for t in _SAVED:
                c.execute(text(f"DELETE FROM {t}"))
            for code, name, level, parent in handset.UNITS:
                added = c.execute(text(
                    "INSERT INTO admin_unit (code, name, name_en, level, parent_code,"
                    " county_code) VALUES (:c, :n, :en, :l, :p, :cc)"
                    " ON CONFLICT (code) DO NOTHING RETURNING code"),
                    {"c": code, "n": name, "en": english_name(name, level), "l": level,
                     "p": parent, "cc": code[:6] if level != "prefecture" else None}).first()
                if added:
                    self.units_added.append(code)

    def load(self):
        from ingest.accountability import import_accountability
        from ingest.matters import import_file

        for kind in ("matters", "submissions"):
            s = import_file(self.files[kind], kind=kind, engine=self.engine)
            assert s.rejected == 0, (kind, s)
        for kind in ("packages", "assignments", "receptions"):
            s = import_accountability(self.files[kind], kind, self.engine)
            assert s.rejected == 0, (kind, s.rejects_path and s.rejects_path.read_text())

    def add_user(self, base: str, role: str, units=()) -> str:
        from queries.users import create_user

        name = f"blk_{base}_{self.tag}"
        with self.engine.begin() as c:
            create_user(c, name, PASSWORD, role, list(units))
        self.users[base] = name
        return name

    def restore(self):
        with self.engine.begin() as c:
            for t in _SAVED:
                c.execute(text(f"DELETE FROM {t}"))
            for t in reversed(_SAVED):
                c.execute(text(f"INSERT INTO {t} SELECT * FROM _blk_{self.tag}_{t}"))
                c.execute(text(f"DROP TABLE _blk_{self.tag}_{t}"))
            c.execute(text("DELETE FROM app_user WHERE username LIKE :p"),
                      {"p": f"blk\\_%\\_{self.tag}"})
            for code in reversed(self.units_added):
                c.execute(text("DELETE FROM admin_unit WHERE code = :c"), {"c": code})


@pytest.fixture(scope="module")
def dataset(engine, tmp_path_factory):
    """The hand-built data set, imported, alone in the database for the module."""
    ds = DataSet(engine, tmp_path_factory.mktemp("handset"))
    ds.set_aside()
    try:
        ds.load()
        yield ds
    finally:
        ds.restore()


@pytest.fixture
def empty_store(engine, tmp_path):
    """The database without matters (set aside), for tests that import the files themselves."""
    ds = DataSet(engine, tmp_path / "files")
    ds.set_aside()
    try:
        yield ds
    finally:
        ds.restore()
