"""Fixtures of the importer tests: a small fixture geography and helpers to write files.

The geography other engineers load (``init-geo``) may be absent or different, so these tests
bring their own: two counties, three townships (one without a polygon), two villages and one
project zone, all simple squares around Yueyang (real-looking NBS codes). Whatever geography
the test database held is set aside for the module and put back afterwards. Test matters and
submissions are numbered ``IT-...`` and removed around every test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from ingest.matters import import_file

COUNTY, COUNTY2 = "430602", "430603"
T1, T2, T_NOGEOM = "430602001", "430602100", "430602002"
V1, V2 = "430602001001", "430602100206"
ZONE = "ZQ-LAKE-2"

# (x0, y0, x1, y1) in WGS84 degrees.
BOXES = {
    COUNTY: (113.00, 29.30, 113.20, 29.45),
    COUNTY2: (113.20, 29.30, 113.30, 29.45),
    T1: (113.05, 29.35, 113.10, 29.40),
    T2: (113.10, 29.30, 113.20, 29.45),
    V1: (113.05, 29.35, 113.075, 29.375),
    V2: (113.15, 29.40, 113.18, 29.43),
    ZONE: (113.12, 29.32, 113.13, 29.33),
}
UNITS = [  # code, name, level, parent, county
    (COUNTY, "岳阳楼区", "county", None, COUNTY),
    (COUNTY2, "云溪区", "county", None, COUNTY2),
    (T1, "岳阳楼街道", "township", COUNTY, COUNTY),
    (T_NOGEOM, "三眼桥街道", "township", COUNTY, COUNTY),
    (T2, "郭镇乡", "township", COUNTY, COUNTY),
    (V1, "郭亮社区", "village", T1, COUNTY),
    (V2, "新华村", "village", T2, COUNTY),
]


def box_wkt(code: str) -> str:
    x0, y0, x1, y1 = BOXES[code]
    return f"MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"


def centre(code: str) -> tuple[float, float]:
    x0, y0, x1, y1 = BOXES[code]
    return (x0 + x1) / 2, (y0 + y1) / 2


@pytest.fixture(scope="module")
def geography(engine):
    """The fixture geography in admin_unit/project_zone for the duration of a module."""
    saved = ("_ingest_saved_admin_unit", "_ingest_saved_project_zone")
    with engine.begin() as c:
        c.execute(text(f"DROP TABLE IF EXISTS {', '.join(saved)}"))
        c.execute(text(f"CREATE TABLE {saved[0]} AS SELECT * FROM admin_unit"))
        c.execute(text(f"CREATE TABLE {saved[1]} AS SELECT * FROM project_zone"))
        c.execute(text("DELETE FROM project_zone"))
        c.execute(text("DELETE FROM admin_unit"))
        for code, name, level, parent, county in UNITS:
            geom = None if code == T_NOGEOM else box_wkt(code)
            c.execute(text(
                "INSERT INTO admin_unit (code, name, level, parent_code, county_code, geom, "
                "is_synthetic, source) VALUES (:code, :name, :level, :parent, :county, "
                "ST_GeomFromText(:geom, 4326), true, 'ingest tests')"),
                {"code": code, "name": name, "level": level, "parent": parent,
                 "county": county, "geom": geom})
        c.execute(text(
            "INSERT INTO project_zone (code, name, zone_type, county_code, influence_m, geom) "
            "VALUES (:code, '南湖风光带二期', 'scenic', :county, 1000, "
            "ST_GeomFromText(:geom, 4326))"), {"code": ZONE, "county": COUNTY,
                                               "geom": box_wkt(ZONE)})
    yield
    with engine.begin() as c:
        c.execute(text("DELETE FROM project_zone"))
        c.execute(text("DELETE FROM admin_unit"))
        c.execute(text(f"INSERT INTO admin_unit SELECT * FROM {saved[0]}"))
        c.execute(text(f"INSERT INTO project_zone SELECT * FROM {saved[1]}"))
        c.execute(text(f"DROP TABLE {', '.join(saved)}"))


def _clean(engine) -> None:
    with engine.begin() as c:
        c.execute(text("DELETE FROM submission WHERE submission_no LIKE 'IT-%'"))
        c.execute(text("DELETE FROM matter WHERE matter_no LIKE 'IT-%'"))


@pytest.fixture
def clean(engine, geography):
    """No test matters or submissions before and after the test."""
    _clean(engine)
    yield
    _clean(engine)


@pytest.fixture
def importer(engine, clean):
    """``importer(path, **kw)``: import_file against the test database."""
    def run(path, **kw):
        return import_file(path, engine=engine, **kw)
    return run


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None,
              encoding: str = "utf-8", rename: dict[str, str] | None = None) -> Path:
    """Write ``rows`` (dicts) as CSV; ``header`` defaults to the union of their keys in
    first-seen order; ``rename`` maps English names to the header text to write."""
    if header is None:
        header = list(dict.fromkeys(k for r in rows for k in r))
    rename = rename or {}
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow([rename.get(h, h) for h in header])
        for r in rows:
            w.writerow(["" if r.get(h) is None else r.get(h) for h in header])
    return path


def read_rejects(path: Path | None) -> list[dict]:
    if path is None:
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def matter_row(no: str, **values) -> dict:
    """A valid matter row (village V1), numbered ``IT-M-<no>``, with ``values`` over it."""
    row = {"matter_no": f"IT-M-{no}", "registered_on": "2024-03-01",
           "category": "labour_wages", "area_code": V1}
    row.update(values)
    return row


def id_number(first17: str) -> str:
    """A resident ID number with the right ISO 7064 check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def fetch(engine, matter_no: str) -> dict | None:
    with engine.connect() as c:
        row = c.execute(text(
            "SELECT *, ST_X(geom) AS x, ST_Y(geom) AS y FROM matter WHERE matter_no = :n"),
            {"n": matter_no}).mappings().first()
    return dict(row) if row else None


def wrong_check(number: str) -> str:
    """``number`` with a check character that does not match."""
    return number[:17] + ("1" if number[17] == "0" else "0")
