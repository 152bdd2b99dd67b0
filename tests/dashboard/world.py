"""A test world for the dashboard: a grid geography with the real codes and a few thousand
matters loaded through the importer.

The geography is a stand-in until ``init-geo`` is in the tree: the nine real counties of
Yueyang as rectangles in a 3×3 grid, each with its real townships as vertical strips and
their real villages stacked inside them (codes and names from ``data/``), plus one project
zone. Matters get a point inside a village, so the importer assigns township, village and
zone itself, and submissions on several channels. Everything is deterministic for a seed.

``python -m tests.dashboard.world DATABASE_URL [N]`` builds it in any database (the owner
URL) — the development server and the benchmark use that.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
REGION = "430600"
COUNTIES = [("430602", "岳阳楼区"), ("430603", "云溪区"), ("430611", "君山区"),
            ("430621", "岳阳县"), ("430623", "华容县"), ("430624", "湘阴县"),
            ("430626", "平江县"), ("430681", "汨罗市"), ("430682", "临湘市")]
LON0, LAT0, W, H = 112.75, 28.55, 0.42, 0.42
ZONE = ("TEST-ZONE-1", "测试风光带", "Test scenic belt", "scenic")
CATEGORY_WEIGHTS = {"urban_construction": 15, "demolition": 8, "labour_wages": 9,
                    "social_security": 6, "law_related": 14, "land_expropriation": 10,
                    "agriculture": 7, "civil_affairs": 5, "environment": 4, "other": 3}
CHANNEL_WEIGHTS = {"online": 55, "visit": 20, "letter": 10, "phone": 7, "hotline_12345": 3,
                   "leader_mailbox": 5}
LEVEL_WEIGHTS = {"county": 60, "city": 10, "province": 10, "national": 20}
UNITS = ["住建局", "人社局", "自然资源局", "信访局", "公安局", "民政局", "生态环境局"]


def _box(x0, y0, x1, y1) -> str:
    return f"MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"


def county_box(i: int) -> tuple[float, float, float, float]:
    row, col = divmod(i, 3)
    x0, y0 = LON0 + col * W, LAT0 + row * H
    return x0, y0, x0 + W, y0 + H


def geography_rows() -> tuple[list[dict], dict[str, tuple[float, float, float, float]]]:
    """Rows for admin_unit and the box of every village."""
    towns = pd.read_csv(ROOT / "data" / "yueyang_townships.csv", dtype=str)
    villages = pd.read_csv(ROOT / "data" / "yueyang_villages.csv", dtype=str)
    rows = [{"code": REGION, "name": "岳阳市", "level": "prefecture", "parent": None,
             "county": None, "pop": 5_051_922, "geom": None, "synthetic": False,
             "source": "test world"}]
    vboxes: dict[str, tuple[float, float, float, float]] = {}
    for i, (ccode, cname) in enumerate(COUNTIES):
        x0, y0, x1, y1 = county_box(i)
        rows.append({"code": ccode, "name": cname, "level": "county", "parent": REGION,
                     "county": ccode, "pop": 500_000, "geom": _box(x0, y0, x1, y1),
                     "synthetic": False, "source": "test grid (county)"})
        ts = towns[towns["county_code"] == ccode].sort_values("code")
        step = (x1 - x0) / max(len(ts), 1)
        for j, t in enumerate(ts.itertuples()):
            tx0, tx1 = round(x0 + j * step, 6), round(x0 + (j + 1) * step, 6)
            vs = villages[villages["township_code"] == t.code].sort_values("code")
            rows.append({"code": t.code, "name": t.name, "level": "township", "parent": ccode,
                         "county": ccode, "pop": 2_000 * max(len(vs), 1),
                         "geom": _box(tx0, y0, tx1, y1), "synthetic": True,
                         "source": "test grid (schematic)"})
            vstep = (y1 - y0) / max(len(vs), 1)
            for k, v in enumerate(vs.itertuples()):
                vy0, vy1 = round(y0 + k * vstep, 6), round(y0 + (k + 1) * vstep, 6)
                rows.append({"code": v.code, "name": v.name, "level": "village",
                             "parent": t.code, "county": ccode,
                             "pop": 1_000 + (int(v.code[-3:]) * 37) % 3_000,
                             "geom": _box(tx0, vy0, tx1, vy1), "synthetic": True,
                             "source": "test grid (schematic)"})
                vboxes[v.code] = (tx0, vy0, tx1, vy1)
    # English names as init-geo stores them (issue 16): the same rule and overrides.
    from ingest.geography import with_english_names

    named = with_english_names(pd.DataFrame(
        [{"code": r["code"], "name": r["name"], "level": r["level"]} for r in rows]))
    for r, en in zip(rows, named["name_en"], strict=True):
        r["name_en"] = en
    return rows, vboxes


def load_geography(conn) -> dict[str, tuple[float, float, float, float]]:
    """Replace admin_unit/project_zone with the grid geography; returns the village boxes."""
    from queries.geography import clear_place_names

    rows, vboxes = geography_rows()
    clear_place_names()
    conn.execute(text("DELETE FROM project_zone"))
    conn.execute(text("DELETE FROM admin_unit"))
    conn.execute(text(
        "INSERT INTO admin_unit (code, name, name_en, level, parent_code, county_code,"
        " population, geom, geom_simple, is_synthetic, source) VALUES (:code, :name,"
        " :name_en, :level, :parent,"
        " :county, :pop, ST_GeomFromText(:geom, 4326), ST_GeomFromText(:geom, 4326),"
        " :synthetic, :source)"), rows)
    x0, y0, x1, y1 = county_box(0)
    zx0, zy0 = x0 + 0.02, y0 + 0.02
    conn.execute(text(
        "INSERT INTO project_zone (code, name, name_en, zone_type, phase, county_code,"
        " expropriation_start, expropriation_end, influence_m, geom, is_synthetic, source)"
        " VALUES (:c, :n, :ne, :t, '二期', :county, '2025-01-01', '2027-12-31', 500,"
        " ST_GeomFromText(:g, 4326), true, 'test world')"),
        {"c": ZONE[0], "n": ZONE[1], "ne": ZONE[2], "t": ZONE[3], "county": COUNTIES[0][0],
         "g": _box(zx0, zy0, zx0 + 0.08, zy0 + 0.06)})
    return vboxes


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def write_cases(folder: Path, vboxes: dict, n: int, seed: int, end: dt.date,
                months: int = 14, prefix: str = "TW") -> tuple[Path, Path]:
    """Matters and submissions CSV in the import format (DESIGN §5)."""
    rng = random.Random(seed)
    codes = sorted(vboxes)
    hot = [c for c in codes if c.startswith("430626")][:40]  # a deliberate cluster
    start = end - dt.timedelta(days=int(months * 30.4))
    span = (end - start).days
    folder.mkdir(parents=True, exist_ok=True)
    mpath, spath = folder / "matters.csv", folder / "submissions.csv"
    sub_no = 0
    with open(mpath, "w", newline="", encoding="utf-8") as mf, \
            open(spath, "w", newline="", encoding="utf-8") as sf:
        mw = csv.writer(mf)
        sw = csv.writer(sf)
        mw.writerow(["matter_no", "registered_on", "category", "route", "lon", "lat",
                     "responsible_unit", "forwarded_on", "accepted_on", "answered_on",
                     "satisfaction", "backlog_flag"])
        sw.writerow(["submission_no", "matter_no", "received_on", "channel", "received_level",
                     "persons"])
        for i in range(n):
            village = rng.choice(hot) if rng.random() < 0.15 else rng.choice(codes)
            x0, y0, x1, y1 = vboxes[village]
            mx, my = (x1 - x0) * 0.2, (y1 - y0) * 0.2
            lon = round(rng.uniform(x0 + mx, x1 - mx), 6)
            lat = round(rng.uniform(y0 + my, y1 - my), 6)
            reg = start + dt.timedelta(days=rng.randrange(span + 1))
            cat = _pick(rng, CATEGORY_WEIGHTS)
            route = "political_legal" if cat == "law_related" else \
                ("simplified" if rng.random() < 0.1 else "ordinary")
            fwd = reg + dt.timedelta(days=rng.choice([2, 5, 9, 12, 14, 18, 25]))
            acc = fwd + dt.timedelta(days=rng.choice([1, 4, 8, 13, 16, 22]))
            ans = acc + dt.timedelta(days=int(rng.lognormvariate(3.2, 0.45)))
            fwd = fwd if fwd <= end else None
            acc = acc if fwd and acc <= end else None
            ans = ans if acc and ans <= end and rng.random() > 0.04 else None
            sat = (rng.choice(["satisfied", "satisfied", "basically_satisfied", "dissatisfied",
                               "not_evaluated"]) if ans and rng.random() < 0.7 else "")
            no = f"{prefix}{i:07d}"
            mw.writerow([no, reg.isoformat(), cat, route, lon, lat, rng.choice(UNITS),
                         fwd.isoformat() if fwd else "", acc.isoformat() if acc else "",
                         ans.isoformat() if ans else "", sat,
                         "yes" if rng.random() < 0.01 else "no"])
            day = reg
            for _k in range(1 + (rng.random() < 0.3) + (rng.random() < 0.1)):
                channel = _pick(rng, CHANNEL_WEIGHTS)
                persons = rng.choice([1, 1, 1, 2, 3, 6, 12]) if channel == "visit" else 1
                sub_no += 1
                sw.writerow([f"{prefix}S{sub_no:08d}", no, day.isoformat(), channel,
                             _pick(rng, LEVEL_WEIGHTS), persons])
                day = min(end, day + dt.timedelta(days=rng.randrange(3, 60)))
    return mpath, spath


def build(url: str, n: int = 3000, seed: int = 7, end: dt.date | None = None,
          folder: Path | None = None, *, wipe: bool = True, prefix: str = "TW") -> dict:
    """Load the world into the database at ``url`` (owner role); returns counts.

    ``wipe`` deletes every matter first; otherwise only this world's (``prefix``)."""
    from ingest.matters import import_file

    end = end or dt.date.today()
    engine = create_engine(url)
    with engine.begin() as conn:
        if wipe:
            conn.execute(text("DELETE FROM submission"))
            conn.execute(text("DELETE FROM matter"))
        else:
            conn.execute(text("DELETE FROM matter WHERE matter_no LIKE :p"), {"p": prefix + "%"})
        vboxes = load_geography(conn)
    folder = folder or (ROOT / "var" / "testworld")
    mpath, spath = write_cases(folder, vboxes, n, seed, end, prefix=prefix)
    out = {}
    for path, kind in ((mpath, "matters"), (spath, "submissions")):
        s = import_file(path, kind=kind, crs="wgs84", engine=engine, username="test-world")
        out[kind] = (s.inserted, s.rejected)
    engine.dispose()
    return out


if __name__ == "__main__":
    print(build(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000))
