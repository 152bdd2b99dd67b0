"""The naive baseline of bench/ingest.py: what a first importer usually looks like.

One ORM object per CSV row, one point-in-polygon query per row, one INSERT per row (flushed
individually), due dates computed row by row. It does the same work as the streamed importer
(assignment, due dates), minus personal-data handling, so the comparison is about method.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib

from sqlalchemy import select, text
from sqlalchemy.orm import Session, registry

from domain.clocks import due_dates_for
from queries.db import get_engine
from queries.schema import matter

mapper = registry()


class Matter:
    pass


mapper.map_imperatively(Matter, matter)

DATES = ("registered_on", "forwarded_on", "accepted_on", "answered_on", "review_requested_on",
         "review_decided_on", "recheck_requested_on", "recheck_decided_on")


def _date(v: str | None):
    return dt.date.fromisoformat(v[:10]) if v else None


def naive_import(path: str, limit: int) -> dict:
    engine = get_engine()
    n = 0
    with Session(engine) as session, open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if n >= limit:
                break
            stages = {k: _date(row.get(k)) for k in DATES}
            ext = int(row.get("extension_days") or 0)
            hearing = int(row.get("hearing_days") or 0)
            due = due_dates_for(**{k: v for k, v in stages.items() if v is not None},
                                extension_days=ext, hearing_days=hearing)
            place = session.execute(text(
                "SELECT v.code, v.parent_code FROM admin_unit v WHERE v.level = 'village' "
                "AND ST_Contains(v.geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326))"),
                {"x": float(row["lon"]), "y": float(row["lat"])}).first()
            m = Matter()
            m.matter_no = row["matter_no"]
            m.category = row["category"]
            m.nature = row.get("nature") or "claim"
            m.route = row.get("route") or "ordinary"
            m.village_code = place[0] if place else None
            m.township_code = place[1] if place else None
            m.county_code = place[1][:6] if place else None
            m.geom = f"SRID=4326;POINT({row['lon']} {row['lat']})"
            m.responsible_unit = row.get("responsible_unit") or None
            m.extension_days, m.hearing_days = ext, hearing
            m.satisfaction = row.get("satisfaction") or None
            for k, v in stages.items():
                setattr(m, k, v)
            for k, v in due.items():
                setattr(m, k, v)
            m.row_hash = hashlib.md5(repr(sorted(row.items())).encode()).hexdigest()
            session.add(m)
            session.flush()
            n += 1
            if n % 1000 == 0:
                session.commit()
        session.commit()
        total = session.execute(select(matter.c.id).limit(1)).first() is not None
    return {"rows": n, "landed": total}
