"""Import of reporting units, daily reports (零报告) and duty rosters (issue 6), with the
discipline of the case importer (DESIGN §5): CSV (UTF-8 with or without BOM, GB18030) or
XLSX, English or Chinese headers in any order, unknown columns ignored with a warning; every
row lands or is rejected with its line, column and reason in ``<file>.rejects.csv``; good rows
land even when others fail; importing the same file twice changes nothing (rows are compared
and only changed ones written); an ``import_run`` row records the counts.

Files (one row each):

- reporting units: ``code`` 单位代码 (letters, digits, ``_.-``; the key), ``name`` 单位名称,
  ``kind`` 类型 (township 乡镇（街道） | department 部门), ``county_code`` 所属县市区代码
  (6 digits; the prefecture code for a city department), ``township_code`` 所属乡镇代码
  (9 digits, townships);
- daily reports: ``unit_code`` 单位代码, ``report_date`` 报告日期, ``filed_at`` 报送时间
  (``YYYY-MM-DD HH:MM[:SS]``, office time), ``incidents`` 事件数 (≥ 0, default 0; 0 is a zero
  report), ``note`` 备注 — key (unit_code, report_date);
- duty rosters: ``unit_code`` 单位代码, ``duty_date`` 值班日期, ``shift`` 班次 (day 白班 |
  night 夜班 | full 全天（24小时）, default full), ``officer_name`` 值班人员, ``leader_name``
  带班领导, ``phone`` 值班电话 — key (unit_code, duty_date, shift). Names here are staff on
  duty, and never echoed in a reject reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from domain.warnings import SHIFTS, UNIT_KINDS
from ingest.columns import COLUMNS, KEYS, Column
from ingest.matters import ImportSummary
from ingest.reader import ImportFileError, open_source
from ingest.rejects import RejectsWriter, RowErrors, rejects_path_for
from ingest.runs import close_run
from ingest.validate import _parse_columns, check_duplicates

__all__ = ["ImportFileError", "ImportSummary", "import_stability_file", "KINDS"]

REPORTING_UNIT_COLUMNS: tuple[Column, ...] = (
    Column("code", "单位代码", "text", required=True, max_len=32),
    Column("name", "单位名称", "text", required=True, max_len=100),
    Column("kind", "类型", "enum", required=True, enum=UNIT_KINDS),
    Column("county_code", "所属县市区代码", "code"),
    Column("township_code", "所属乡镇代码", "code"),
)
DAILY_REPORT_COLUMNS: tuple[Column, ...] = (
    Column("unit_code", "单位代码", "text", required=True, max_len=32),
    Column("report_date", "报告日期", "date", required=True),
    Column("filed_at", "报送时间", "datetime", required=True),
    Column("incidents", "事件数", "int", default=0),
    Column("note", "备注", "text", max_len=500),
)
DUTY_ROSTER_COLUMNS: tuple[Column, ...] = (
    Column("unit_code", "单位代码", "text", required=True, max_len=32),
    Column("duty_date", "值班日期", "date", required=True),
    Column("shift", "班次", "enum", enum=SHIFTS, default="full"),
    Column("officer_name", "值班人员", "text", required=True, max_len=50, personal=True),
    Column("leader_name", "带班领导", "text", max_len=50, personal=True),
    Column("phone", "值班电话", "text", max_len=20, personal=True),
)

#: kind -> (columns, key columns written in rejects, import_run kind)
KINDS: dict[str, tuple[tuple[Column, ...], list[str]]] = {
    "reporting_units": (REPORTING_UNIT_COLUMNS, ["code"]),
    "daily_reports": (DAILY_REPORT_COLUMNS, ["unit_code", "report_date"]),
    "duty_rosters": (DUTY_ROSTER_COLUMNS, ["unit_code", "duty_date", "shift"]),
}
# The shared reader finds a file's columns through ingest.columns.COLUMNS.
for _kind, (_cols, _keys) in KINDS.items():
    COLUMNS.setdefault(_kind, _cols)
    KEYS.setdefault(_kind, _keys[0])

_CODE_RE = r"^[A-Za-z0-9_.-]{1,32}$"
_DATETIME_RX = (r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2})"
                r"(?::(\d{2})(?:\.\d+)?)?$")
_PHONE_RX = r"^[0-9+\-() ]{3,20}$"
CHUNK_ROWS = 20_000


def parse_datetimes(s: pd.Series, tz: ZoneInfo) -> tuple[pd.Series, pd.Series]:
    """``YYYY-MM-DD HH:MM[:SS]`` in office time -> (aware datetimes as objects, bad mask)."""
    parts = s.astype("object").where(s.notna(), None)
    ext = parts.dropna().astype(str).str.extract(_DATETIME_RX)
    out = pd.Series([None] * len(s), index=s.index, dtype=object)
    bad = s.notna().copy()
    for idx, row in ext.iterrows():
        if row.isna()[[0, 1, 2, 3, 4]].any():
            continue
        try:
            value = dt.datetime(int(row[0]), int(row[1]), int(row[2]), int(row[3]),
                                int(row[4]), int(row[5]) if isinstance(row[5], str) else 0,
                                tzinfo=tz)
        except ValueError:
            continue
        out[idx] = value
        bad[idx] = False
    return out, bad


def _engine() -> Engine:
    from queries.db import get_engine
    from settings import get_settings

    s = get_settings()
    return get_engine(s.admin_database_url or s.database_url)


def _tz() -> ZoneInfo:
    from settings import get_settings

    return ZoneInfo(get_settings().timezone)


def _known_units(conn) -> set[str]:
    return set(conn.execute(text("SELECT code FROM reporting_unit")).scalars())


def _known_areas(conn) -> dict[str, str]:
    return dict(conn.execute(text("SELECT code, level FROM admin_unit")).all())


# --- validation per kind -------------------------------------------------------------------

def _validate(kind: str, frame: pd.DataFrame, errors: RowErrors, seen: dict, ctx: dict
              ) -> pd.DataFrame:
    columns = {c.name: c for c in KINDS[kind][0] if c.kind != "datetime"}
    out = _parse_columns(frame, columns, errors)
    by_name = {c.name: c for c in KINDS[kind][0]}
    if kind == "reporting_units":
        code = frame["code"]
        errors.add(code.notna() & ~code.fillna("").str.match(_CODE_RE), "code",
                   "单位代码只能含字母、数字和 _.-：{value}",
                   "unit code may only hold letters, digits and _.-: {value}", code)
        for col, digits, levels in (("county_code", 6, ("county", "prefecture")),
                                    ("township_code", 9, ("township",))):
            s = frame[col]
            fmt_bad = s.notna() & ~s.fillna("").str.fullmatch(rf"\d{{{digits}}}")
            errors.add(fmt_bad, col, f"应为{digits}位区划代码：{{value}}",
                       f"expected a {digits}-digit area code: {{value}}", s)
            unknown = s.notna() & ~fmt_bad & ~s.map(
                lambda v, lv=levels: ctx["areas"].get(v) in lv).astype(bool)
            errors.add(unknown, col, "区划代码不存在：{value}", "unknown area code: {value}", s)
        town, county = frame["township_code"], frame["county_code"]
        errors.add(town.notna() & county.notna() & (town.str[:6] != county), "township_code",
                   "乡镇不属于所填县市区", "the township is not in the given county")
        errors.add((out["kind"] == "township") & town.isna(), "township_code",
                   "乡镇类单位须填写所属乡镇代码", "a township unit needs its township code")
        errors.add((out["kind"] == "department") & county.isna(), "county_code",
                   "部门须填写所属县市区代码（市直部门填市代码）",
                   "a department needs its county code (the prefecture code for a city one)")
        out["county_code"] = county.where(county.notna(), town.str[:6])
        check_duplicates(code, errors.lines, seen, errors, by_name["code"])
        return out

    unit = frame["unit_code"]
    errors.add(unit.notna() & ~unit.map(lambda v: v in ctx["units"]).astype(bool), "unit_code",
               "单位代码不存在（请先导入报送单位）：{value}",
               "unknown unit_code (import the reporting units first): {value}", unit)
    if kind == "daily_reports":
        errors.add(frame["filed_at"].isna(), "filed_at", "必填项为空", "required value missing")
        filed, bad = parse_datetimes(frame["filed_at"], ctx["tz"])
        errors.add(bad, "filed_at", "报送时间无效：{value}（应为 YYYY-MM-DD HH:MM）",
                   "not a valid time: {value} (expected YYYY-MM-DD HH:MM)", frame["filed_at"])
        out["filed_at"] = filed
        day = out["report_date"]
        early = pd.Series([f is not None and d is not pd.NaT and not pd.isna(d)
                           and f.date() < d.date() for f, d in zip(filed, day, strict=True)],
                          index=frame.index)
        errors.add(early, "filed_at", "报送时间早于报告日期", "filed before the report date")
        future = pd.Series([f is not None and f > ctx["now"] + dt.timedelta(minutes=5)
                            for f in filed], index=frame.index)
        errors.add(future, "filed_at", "报送时间晚于当前时间", "filed in the future")
        inc = out["incidents"]
        errors.add(inc.notna() & (inc < 0), "incidents", "事件数不能为负：{value}",
                   "incidents must be ≥ 0: {value}", frame["incidents"])
        errors.add(inc.notna() & (inc > 10_000), "incidents", "事件数过大：{value}",
                   "incidents too large: {value}", frame["incidents"])
        keys = unit.fillna("") + "|" + day.dt.strftime("%Y-%m-%d").fillna("")
        keys = keys.where(unit.notna() & day.notna(), None)
        check_duplicates(keys, errors.lines, seen, errors,
                         Column("report_date", "单位代码+报告日期", "text"))
        return out
    # duty rosters
    phone = frame["phone"]
    errors.add(phone.notna() & ~phone.fillna("").str.match(_PHONE_RX), "phone",
               "值班电话格式无效", "invalid duty phone")
    keys = unit.fillna("") + "|" + out["duty_date"].dt.strftime("%Y-%m-%d").fillna("") + "|" \
        + out["shift"].fillna("").astype(str)
    keys = keys.where(unit.notna() & out["duty_date"].notna(), None)
    check_duplicates(keys, errors.lines, seen, errors,
                     Column("duty_date", "单位代码+值班日期+班次", "text"))
    return out


# --- loading per kind ----------------------------------------------------------------------

_UPSERTS = {
    "reporting_units": """
        INSERT INTO reporting_unit AS t (code, name, kind, county_code, township_code)
        SELECT * FROM unnest(CAST(:code AS text[]), CAST(:name AS text[]),
                             CAST(:kind AS text[]), CAST(:county_code AS text[]),
                             CAST(:township_code AS text[]))
        ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
            county_code = excluded.county_code, township_code = excluded.township_code
        WHERE (t.name, t.kind, t.county_code, t.township_code) IS DISTINCT FROM
              (excluded.name, excluded.kind, excluded.county_code, excluded.township_code)
        RETURNING (xmax = 0) AS inserted""",
    "daily_reports": """
        INSERT INTO daily_report AS t (unit_code, report_date, filed_at, incidents, note,
                                       filed_by)
        SELECT u, d, f, i, n, :by FROM unnest(CAST(:unit_code AS text[]),
            CAST(:report_date AS date[]), CAST(:filed_at AS timestamptz[]),
            CAST(:incidents AS int[]), CAST(:note AS text[])) AS x(u, d, f, i, n)
        ON CONFLICT (unit_code, report_date) DO UPDATE SET filed_at = excluded.filed_at,
            incidents = excluded.incidents, note = excluded.note, updated_at = now()
        WHERE (t.filed_at, t.incidents, t.note) IS DISTINCT FROM
              (excluded.filed_at, excluded.incidents, excluded.note)
        RETURNING (xmax = 0) AS inserted""",
    "duty_rosters": """
        INSERT INTO duty_roster AS t (unit_code, duty_date, shift, officer_name, leader_name,
                                      phone)
        SELECT * FROM unnest(CAST(:unit_code AS text[]), CAST(:duty_date AS date[]),
            CAST(:shift AS text[]), CAST(:officer_name AS text[]),
            CAST(:leader_name AS text[]), CAST(:phone AS text[]))
        ON CONFLICT (unit_code, duty_date, shift) DO UPDATE SET
            officer_name = excluded.officer_name, leader_name = excluded.leader_name,
            phone = excluded.phone
        WHERE (t.officer_name, t.leader_name, t.phone) IS DISTINCT FROM
              (excluded.officer_name, excluded.leader_name, excluded.phone)
        RETURNING (xmax = 0) AS inserted""",
}


def _values(series: pd.Series) -> list:
    out = []
    for v in series.tolist():
        if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)) or \
                (not isinstance(v, (str, dt.datetime, dt.date)) and pd.isna(v)):
            out.append(None)
        elif isinstance(v, pd.Timestamp):
            out.append(v.date())
        elif isinstance(v, float) and v.is_integer():
            out.append(int(v))
        else:
            out.append(v)
    return out


def _load(conn, kind: str, rows: pd.DataFrame, username: str | None) -> tuple[int, int]:
    if rows.empty:
        return 0, 0
    params = {c: _values(rows[c]) for c in rows.columns}
    params["by"] = f"import:{username}" if username else "import"
    result = conn.execute(text(_UPSERTS[kind]), params).scalars().all()
    inserted = sum(1 for r in result if r)
    return inserted, len(result) - inserted


def import_stability_file(path: str | Path, kind: str, engine: Engine | None = None, *,
                          username: str | None = None, now: dt.datetime | None = None,
                          chunk_rows: int = CHUNK_ROWS) -> ImportSummary:
    """Import a reporting-units, daily-reports or duty-rosters file (see the module text).
    Raises :class:`ImportFileError` when the file as a whole is unusable."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}")
    path = Path(path)
    source = open_source(path, kind)
    summary = ImportSummary(kind=kind, warnings=list(source.warnings))
    engine = engine or _engine()
    tz = _tz()
    key_columns = KINDS[kind][1]
    writer = RejectsWriter(rejects_path_for(path), key_columns)
    seen: dict[str, int] = {}
    target = {"reporting_units": ["code", "name", "kind", "county_code", "township_code"],
              "daily_reports": ["unit_code", "report_date", "filed_at", "incidents", "note"],
              "duty_rosters": ["unit_code", "duty_date", "shift", "officer_name",
                               "leader_name", "phone"]}[kind]
    try:
        with engine.begin() as conn:
            run_id = conn.execute(text(
                "INSERT INTO import_run (file_name, kind, username) VALUES (:f, :k, :u)"
                " RETURNING id"), {"f": str(path), "k": kind, "u": username}).scalar_one()
        summary.run_id = int(run_id)
        for chunk in source.chunks(chunk_rows):
            with engine.begin() as conn:
                ctx = {"tz": tz, "now": now or dt.datetime.now(tz),
                       "units": _known_units(conn) if kind != "reporting_units" else set(),
                       "areas": _known_areas(conn) if kind == "reporting_units" else {}}
                errors = RowErrors(chunk.lines, {k: chunk.frame[k] for k in key_columns},
                                   source.headers)
                errors.add(chunk.overflow, key_columns[0], "数据列多于表头",
                           "more values than header columns")
                typed = _validate(kind, chunk.frame, errors, seen, ctx)
                good = typed[~errors.bad][target]
                inserted, updated = _load(conn, kind, good, username)
            writer.write(errors.frame())
            summary.rows += len(chunk.lines)
            summary.inserted += inserted
            summary.updated += updated
            summary.unchanged += len(good) - inserted - updated
            summary.rejected += errors.count
        with engine.begin() as conn:
            close_run(conn, run_id, summary)
    finally:
        summary.rejects_path = writer.close()
    return summary



# --- loaders of the ledger and of sensitive periods (demo data, CLI) ----------------------

_LEDGER_UPSERT = """
INSERT INTO unstable_factor AS u (ledger_no, title, category, county_code, township_code,
    zone_code, geom, people_involved, risk_level, responsible_unit, responsible_leader,
    measures, opened_on, resolve_by, status, closed_on, created_by, updated_by)
SELECT :ledger_no, :title, :category, :county_code, :township_code,
       (SELECT z.code FROM project_zone z
         WHERE ST_DWithin(z.geom::geography, p.geom::geography, z.influence_m)
         ORDER BY ST_Distance(z.geom::geography, p.geom::geography), z.code LIMIT 1),
       p.geom, :people_involved, :risk_level, :responsible_unit, :responsible_leader,
       :measures, :opened_on, :resolve_by, :status, :closed_on, :by, :by
FROM (SELECT (SELECT ST_GeometryN(ST_GeneratePoints(a.geom, 1, :point_seed), 1)
              FROM admin_unit a WHERE a.code = :township_code AND a.geom IS NOT NULL) AS geom
     ) p
ON CONFLICT (ledger_no) DO UPDATE SET title = excluded.title, category = excluded.category,
    county_code = excluded.county_code, township_code = excluded.township_code,
    zone_code = excluded.zone_code, geom = excluded.geom,
    people_involved = excluded.people_involved, risk_level = excluded.risk_level,
    responsible_unit = excluded.responsible_unit,
    responsible_leader = excluded.responsible_leader, measures = excluded.measures,
    opened_on = excluded.opened_on, resolve_by = excluded.resolve_by,
    status = excluded.status, closed_on = excluded.closed_on, updated_at = now()
WHERE (u.title, u.category, u.county_code, u.township_code, u.people_involved, u.risk_level,
       u.responsible_unit, u.responsible_leader, u.measures, u.opened_on, u.resolve_by,
       u.status, u.closed_on, ST_AsBinary(u.geom))
  IS DISTINCT FROM
      (excluded.title, excluded.category, excluded.county_code, excluded.township_code,
       excluded.people_involved, excluded.risk_level, excluded.responsible_unit,
       excluded.responsible_leader, excluded.measures, excluded.opened_on,
       excluded.resolve_by, excluded.status, excluded.closed_on, ST_AsBinary(excluded.geom))
RETURNING (xmax = 0) AS inserted
"""


def load_ledger(conn, entries: list[dict], *, by: str = "demo-data") -> tuple[int, int, int]:
    """Upsert ledger entries (dicts with the columns of ``unstable_factor`` and a
    ``point_seed``: the point is drawn inside the township by PostGIS with that seed).
    ``conn`` is an owner connection. Returns (inserted, updated, unchanged)."""
    inserted = updated = 0
    for e in entries:
        row = conn.execute(text(_LEDGER_UPSERT), {**e, "by": by}).first()
        if row is not None:
            inserted += int(row.inserted)
            updated += int(not row.inserted)
    return inserted, updated, len(entries) - inserted - updated


def load_periods(conn, periods: list[dict], *, by: str = "demo-data") -> tuple[int, int, int]:
    """Add sensitive periods (matched on name and start date: an existing one is updated
    when it differs). Returns (inserted, updated, unchanged)."""
    inserted = updated = 0
    for p in periods:
        params = {"name": p["name"], "name_en": p.get("name_en"), "s": p["starts_on"],
                  "e": p["ends_on"], "level": p["level"], "scope": p.get("scope_code"),
                  "note": p.get("note"), "by": by}
        row = conn.execute(text(
            "SELECT id, name_en, ends_on, level, scope_code, note FROM sensitive_period"
            " WHERE name = :name AND starts_on = :s ORDER BY id LIMIT 1"), params).first()
        if row is None:
            conn.execute(text(
                "INSERT INTO sensitive_period (name, name_en, starts_on, ends_on, level,"
                " scope_code, note, created_by) VALUES (:name, :name_en, :s, :e, :level,"
                " :scope, :note, :by)"), params)
            inserted += 1
        elif (row.name_en, row.ends_on, row.level, row.scope_code, row.note) != \
                (params["name_en"], params["e"], params["level"], params["scope"],
                 params["note"]):
            conn.execute(text(
                "UPDATE sensitive_period SET name_en = :name_en, ends_on = :e, level = :level,"
                " scope_code = :scope, note = :note, updated_at = now(), updated_by = :by"
                " WHERE id = :id"), {**params, "id": row.id})
            updated += 1
    return inserted, updated, len(periods) - inserted - updated
