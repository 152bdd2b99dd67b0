"""Import of the leader roster with reception days (领导接访日, issue 16 item 5).

``flask --app app import-leaders FILE`` (``cli/accountability.py``). The file is CSV (UTF-8
with or without BOM, GB18030) or XLSX, with English or Chinese headers in any order, read by
the shared reader (``ingest.reader``); unknown columns are ignored with a warning. One row per
leader, key (name, unit_code):

====================  ==========  ====================================================
``name``              领导姓名      required (an official, not a petitioner)
``title``             职务          optional
``unit_code``         单位代码      required: the county (6 digits) or township (9) led
``level``             级别          required: county 县级, township 乡级; a county leader's
                                    unit is a county, a township leader's a township
``weekday``           接访日        required: 1–7 (Monday = 1), 周一 … 周日, 星期一 …,
                                    Monday/Mon …
====================  ==========  ====================================================

Every row lands or is rejected with its line, column and reason in ``<file>.rejects.csv``;
good rows land even when others fail; importing the same file twice changes nothing. After
the roster is written, receptions are linked to it (:func:`link_receptions`): a reception
belongs to the roster leader of the same name whose unit contains the reception's unit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from domain.enums import PACKAGE_LEVELS
from domain.reception_days import parse_weekday
from ingest.columns import COLUMNS, KEYS, Column
from ingest.matters import ImportSummary
from ingest.reader import ImportFileError, open_source
from ingest.rejects import RejectsWriter, RowErrors, rejects_path_for
from ingest.runs import close_run
from ingest.validate import _parse_columns, check_duplicates

__all__ = ["ImportFileError", "ImportSummary", "import_leaders", "link_receptions",
           "LEADER_COLUMNS"]

KIND = "leaders"
LEADER_COLUMNS: tuple[Column, ...] = (
    Column("name", "领导姓名", "text", required=True, max_len=64),
    Column("title", "职务", "text", max_len=64),
    Column("unit_code", "单位代码", "text", required=True, max_len=12),
    Column("level", "级别", "enum", required=True, enum=PACKAGE_LEVELS),
    Column("weekday", "接访日", "text", required=True, max_len=12),
)
COLUMNS.setdefault(KIND, LEADER_COLUMNS)
KEYS.setdefault(KIND, "name")
_UPSERT = """
INSERT INTO leader AS l (name, title, unit_code, level, weekday, import_run_id)
SELECT n, t, u, lv, w, :run FROM unnest(CAST(:name AS text[]), CAST(:title AS text[]),
    CAST(:unit_code AS text[]), CAST(:level AS text[]), CAST(:weekday AS smallint[]))
    AS x(n, t, u, lv, w)
ON CONFLICT (name, unit_code) DO UPDATE SET title = excluded.title, level = excluded.level,
    weekday = excluded.weekday, import_run_id = excluded.import_run_id, updated_at = now()
WHERE (l.title, l.level, l.weekday) IS DISTINCT FROM (excluded.title, excluded.level,
                                                      excluded.weekday)
RETURNING (xmax = 0) AS inserted"""

# The roster leader of a reception: same name, the leader's unit contains the reception's
# unit (a county leader receiving in one of the county's townships), the level the reception
# states if it states one; the closest unit wins.
LINK_SQL = """
WITH best AS (
    SELECT DISTINCT ON (r.id) r.id, l.id AS leader_id
    FROM leader_reception r
    JOIN leader l ON l.name = r.leader_name
     AND left(r.unit_code, length(l.unit_code)) = l.unit_code
     AND (r.leader_level IS NULL OR r.leader_level = l.level)
    ORDER BY r.id, length(l.unit_code) DESC, l.id),
target AS (
    SELECT r.id, b.leader_id FROM leader_reception r LEFT JOIN best b ON b.id = r.id)
UPDATE leader_reception r SET leader_id = t.leader_id
FROM target t
WHERE t.id = r.id AND r.leader_id IS DISTINCT FROM t.leader_id"""


def link_receptions(conn) -> int:
    """Point every reception at its roster leader (or none); returns the rows changed."""
    return conn.execute(text(LINK_SQL)).rowcount


def _engine() -> Engine:
    from queries.db import admin_engine

    return admin_engine()


def _validate(frame: pd.DataFrame, errors: RowErrors, seen: dict, areas: dict[str, str]
              ) -> pd.DataFrame:
    by_name = {c.name: c for c in LEADER_COLUMNS}
    out = _parse_columns(frame, {k: c for k, c in by_name.items()}, errors)
    unit = frame["unit_code"]
    level_of = unit.map(lambda v: areas.get(v) if isinstance(v, str) else None)
    errors.add(unit.notna() & level_of.isna(), "unit_code",
               "单位代码不存在（应为县市区6位或乡镇9位代码）：{value}",
               "unknown unit code (a 6-digit county or 9-digit township): {value}", unit)
    lv = out["level"]
    wrong = unit.notna() & level_of.notna() & lv.notna() & (
        ((lv == "county") & (level_of != "county")) | ((lv == "township")
                                                       & (level_of != "township")))
    errors.add(wrong, "level", "级别与单位不符：县级领导填县市区代码，乡级领导填乡镇代码",
               "level does not match the unit: a county leader's unit is a county, a "
               "township leader's a township")
    weekday = frame["weekday"].map(parse_weekday)
    errors.add(frame["weekday"].notna() & weekday.isna(), "weekday",
               "接访日无效：{value}（应为1–7、周一…周日或 Monday…Sunday）",
               "not a weekday: {value} (1–7, 周一…周日 or Monday…Sunday)", frame["weekday"])
    out["weekday"] = weekday
    keys = frame["name"].fillna("") + "|" + unit.fillna("")
    keys = keys.where(frame["name"].notna() & unit.notna(), None)
    check_duplicates(keys, errors.lines, seen, errors, Column("name", "领导姓名+单位代码", "text"))
    return out


def _values(series: pd.Series) -> list:
    return [None if v is None or (isinstance(v, float) and pd.isna(v)) else
            (int(v) if isinstance(v, float) else v) for v in series.tolist()]


def import_leaders(path: str | Path, engine: Engine | None = None, *,
                   username: str | None = None) -> ImportSummary:
    """Import a leader roster file (see the module text); then re-link receptions to the
    roster. Raises :class:`ImportFileError` when the file as a whole is unusable."""
    path = Path(path)
    source = open_source(path, KIND)
    summary = ImportSummary(kind=KIND, warnings=list(source.warnings))
    engine = engine or _engine()
    writer = RejectsWriter(rejects_path_for(path), ["name", "unit_code"])
    seen: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            run_id = conn.execute(text(
                "INSERT INTO import_run (file_name, kind, username) VALUES (:f, :k, :u)"
                " RETURNING id"), {"f": str(path), "k": KIND, "u": username}).scalar_one()
            summary.run_id = int(run_id)
            areas = dict(conn.execute(text(
                "SELECT code, level FROM admin_unit WHERE level IN ('county', 'township')")
            ).all())
            for chunk in source.chunks(20_000):
                errors = RowErrors(chunk.lines, {k: chunk.frame[k] for k in
                                                 ("name", "unit_code")}, source.headers)
                errors.add(chunk.overflow, "name", "数据列多于表头",
                           "more values than header columns")
                typed = _validate(chunk.frame, errors, seen, areas)
                good = typed[~errors.bad]
                summary.rows += len(chunk.lines)
                summary.rejected += errors.count
                writer.write(errors.frame())
                if good.empty:
                    continue
                params = {c: _values(good[c]) for c in ("name", "title", "unit_code", "level",
                                                        "weekday")}
                params["run"] = run_id
                flags = conn.execute(text(_UPSERT), params).scalars().all()
                inserted = sum(1 for f in flags if f)
                summary.inserted += inserted
                summary.updated += len(flags) - inserted
                summary.unchanged += len(good) - len(flags)
            link_receptions(conn)
            close_run(conn, run_id, summary)
    finally:
        summary.rejects_path = writer.close()
    return summary
