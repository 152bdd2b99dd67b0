"""Import of accountability records: package leaders, assignments and leader receptions.

``flask --app app import-accountability FILE --kind packages|assignments|receptions``
(``cli/accountability.py``); the demo-data command loads its generated files through here too.
Files are CSV (UTF-8 with or without BOM, or GB18030) or XLSX, with English or Chinese
headers in any order; unknown columns are ignored with a warning. Dates ``YYYY-MM-DD``.

packages — one row per leader's package of a matter (包案), key (matter, leader, since):

====================  ==========  ====================================================
``matter_no``         信访事项编号  required; the matter must exist
``leader_name``       包案领导      required
``leader_title``      职务          optional
``level``             包案级别      required: county 县级, township 乡级
``since``             包案日期      required, ≥ the matter's registration
``until``             结束日期      optional (the package ended: a new leader took over)
``progress``          化解进展      optional text (no personal data)
``resolved_on``       化解日期      optional
====================  ==========  ====================================================

assignments — one row per assigned item (交办件), key ``assignment_no``:

====================  ==========  ====================================================
``assignment_no``     交办编号      required
``title``             交办事项      optional short description
``matter_no``         信访事项编号  optional; must exist when given
``area_code``         属地代码      6-digit county or 9-digit township; default: the matter's
``assigned_unit``     承办单位      required
``assigned_by``       交办单位      optional
``assigned_on``       交办日期      required
``feedback_due``      反馈期限      required, ≥ assigned_on
``feedback_on``       反馈日期      optional, ≥ assigned_on
``closed_on``         销号日期      optional, ≥ assigned_on
``close_note``        销号说明      optional
====================  ==========  ====================================================

receptions — one row per leader reception (四访一包), key (leader, kind, day, unit):

====================  ==========  ====================================================
``leader_name``       接访领导      required
``leader_title``      职务          optional
``kind``              接访方式      required: fixed_point 定点接访, appointment 重点约访,
                                    thematic 专题走访, down_with_cases 带案下访,
                                    package 领导包案
``held_on``           接访日期      required
``unit_code``         单位代码      required: county, township or village code in the region
``matters_received``  接待事项数    integer ≥ 0 (default 0)
``matters_resolved``  化解事项数    integer, 0 … matters_received
``note``              备注          optional
``leader_level``      领导级别      optional: county 县级, township 乡级 (issue 16)
``matter_no``         包案事项编号  optional: the matter this reception took into a leader
                                    package; it must exist and lie in the unit's county
====================  ==========  ====================================================

A reception is linked to the leader roster (``ingest.leaders``) by name within its unit; a
blank ``leader_level`` keeps the level stored before.

Every row lands or is rejected with its line, column and reason in ``FILE.rejects.csv``;
importing the same file twice changes nothing. For assignments, a date or note recorded in the
application (a close-out) is kept when the file leaves it empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from psycopg2.extras import execute_values
from sqlalchemy.engine import Engine

from domain.enums import PACKAGE_LEVELS, lookup
from domain.rules import RECEPTION_KINDS
from ingest.leaders import LINK_SQL
from tabular import CsvWriter

KINDS = ("packages", "assignments", "receptions")
MAX_TEXT = 500

#: kind -> (column, 中文, required)
FORMATS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "packages": (
        ("matter_no", "信访事项编号", True), ("leader_name", "包案领导", True),
        ("leader_title", "职务", False), ("level", "包案级别", True),
        ("since", "包案日期", True), ("until", "结束日期", False),
        ("progress", "化解进展", False), ("resolved_on", "化解日期", False)),
    "assignments": (
        ("assignment_no", "交办编号", True), ("title", "交办事项", False),
        ("matter_no", "信访事项编号", False), ("area_code", "属地代码", False),
        ("assigned_unit", "承办单位", True), ("assigned_by", "交办单位", False),
        ("assigned_on", "交办日期", True), ("feedback_due", "反馈期限", True),
        ("feedback_on", "反馈日期", False), ("closed_on", "销号日期", False),
        ("close_note", "销号说明", False)),
    "receptions": (
        ("leader_name", "接访领导", True), ("leader_title", "职务", False),
        ("kind", "接访方式", True), ("held_on", "接访日期", True),
        ("unit_code", "单位代码", True), ("matters_received", "接待事项数", False),
        ("matters_resolved", "化解事项数", False), ("note", "备注", False),
        ("leader_level", "领导级别", False), ("matter_no", "包案事项编号", False)),
}
_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AccountabilityFileError(Exception):
    """The file as a whole cannot be imported (unreadable, a required column missing)."""


@dataclass
class LoadSummary:
    kind: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows: int = 0
    rejects_path: Path | None = None
    warnings: list[str] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------------

def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise AccountabilityFileError("cannot decode the file (UTF-8 or GB18030) / 文件编码无法识别")


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and ``(line, values)`` rows of a CSV or XLSX file (values as stripped text)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = []
        header: list[str] | None = None
        for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
            texts = ["" if v is None else (v.date().isoformat() if isinstance(v, dt.datetime)
                                            else str(v)).strip() for v in values]
            if header is None:
                header = texts
            elif any(texts):
                rows.append((i, texts))
        wb.close()
        return header or [], rows
    text = _decode(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    rows = []
    for values in reader:
        line = reader.line_num
        if any(v.strip() for v in values):
            rows.append((line, [v.strip() for v in values]))
    return [h.strip() for h in header], rows


def _columns(kind: str, header: list[str]) -> tuple[dict[str, int], list[str]]:
    names = {}
    for col, zh, _req in FORMATS[kind]:
        names[col] = col
        names[zh] = col
    positions: dict[str, int] = {}
    unknown = []
    for i, h in enumerate(header):
        col = names.get(h) or names.get(h.lower())
        if col is None:
            if h:
                unknown.append(h)
        elif col not in positions:
            positions[col] = i
    missing = [f"{c} ({zh})" for c, zh, req in FORMATS[kind] if req and c not in positions]
    if missing:
        raise AccountabilityFileError("missing required column(s): " + ", ".join(missing)
                                      + " / 缺少必填列")
    return positions, unknown


# --- validation --------------------------------------------------------------------------------

class _Row:
    """One record's values by column, collecting the reasons it is rejected."""

    def __init__(self, line: int, values: list[str], positions: dict[str, int]):
        self.line = line
        self.v = {c: (values[i] if i < len(values) else "") for c, i in positions.items()}
        self.errors: list[tuple[str, str]] = []

    def text(self, col: str, required: bool = False, limit: int = MAX_TEXT) -> str | None:
        value = self.v.get(col, "")
        if not value:
            if required:
                self.errors.append((col, "必填 / required"))
            return None
        if len(value) > limit or _CONTROL.search(value):
            self.errors.append((col, "过长或含控制字符 / too long or control characters"))
            return None
        return value

    def date(self, col: str, required: bool = False) -> dt.date | None:
        value = self.v.get(col, "")
        if not value:
            if required:
                self.errors.append((col, "必填 / required"))
            return None
        m = _DATE_RE.fullmatch(value)
        try:
            if not m:
                raise ValueError
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            self.errors.append((col, f"日期应为 YYYY-MM-DD / date must be YYYY-MM-DD: {value}"))
            return None

    def count(self, col: str) -> int | None:
        value = self.v.get(col, "")
        if not value:
            return 0
        if not re.fullmatch(r"\d{1,6}", value):
            self.errors.append((col, f"应为非负整数 / must be a whole number ≥ 0: {value}"))
            return None
        return int(value)

    def fail(self, col: str, reason: str) -> None:
        self.errors.append((col, reason))


def _order(row: _Row, first: str, later: str, a, b) -> None:
    if a is not None and b is not None and b < a:
        row.fail(later, f"早于{first} / before {first}")


# --- loading -----------------------------------------------------------------------------------

def _engine() -> Engine:
    from queries.db import admin_engine

    return admin_engine()


def import_accountability(path: str | Path, kind: str, engine: Engine | None = None, *,
                          username: str | None = None) -> LoadSummary:
    """Import an accountability file of ``kind`` (packages, assignments or receptions)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    path = Path(path)
    header, records = read_rows(path)
    positions, unknown = _columns(kind, header)
    summary = LoadSummary(kind=kind, rows=len(records))
    if unknown:
        summary.warnings.append("ignored unknown columns: " + ", ".join(unknown)
                                + " / 已忽略未知列")
    rows = [_Row(line, values, positions) for line, values in records]
    engine = engine or _engine()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("INSERT INTO import_run (file_name, kind, username) VALUES (%s, %s, %s)"
                    " RETURNING id", (str(path), kind, username))
        run_id = cur.fetchone()[0]
        good = {"packages": _packages, "assignments": _assignments,
                "receptions": _receptions}[kind](cur, rows)
        seen: dict[tuple, int] = {}
        for r in rows:
            if r.errors or r not in good:
                continue
            key = good[r][0]
            if key in seen:
                r.fail(FORMATS[kind][0][0], f"与第 {seen[key]} 行重复 / duplicate of line "
                                            f"{seen[key]}")
            else:
                seen[key] = r.line
        values = [good[r][1] for r in rows if not r.errors and r in good]
        ins, upd = _upsert(cur, kind, values)
        if kind == "receptions":
            cur.execute(LINK_SQL)
        summary.inserted, summary.updated = ins, upd
        summary.unchanged = len(values) - ins - upd
        summary.rejected = sum(1 for r in rows if r.errors)
        cur.execute("UPDATE import_run SET finished_at = now(), inserted = %s, updated = %s,"
                    " unchanged = %s, rejected = %s WHERE id = %s",
                    (summary.inserted, summary.updated, summary.unchanged, summary.rejected,
                     run_id))
        raw.commit()
    except Exception:
        raw.rollback()
        raise
    finally:
        raw.close()
    summary.rejects_path = _write_rejects(path, rows)
    return summary


def _write_rejects(path: Path, rows: list[_Row]) -> Path | None:
    out = path.with_name(path.name + ".rejects.csv")
    bad = [(r.line, col, reason) for r in rows for col, reason in r.errors]
    if not bad:
        if out.exists():
            out.unlink()
        return None
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        w = CsvWriter(fh)
        w.writerow(["line", "column", "reason"])
        w.writerows(bad)
    return out


def _matters(cur, numbers: set[str]) -> dict[str, tuple[int, dt.date, str | None, str | None]]:
    if not numbers:
        return {}
    cur.execute("SELECT matter_no, id, registered_on, county_code, township_code FROM matter"
                " WHERE matter_no = ANY(%s)", (list(numbers),))
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in cur.fetchall()}


def _packages(cur, rows: list[_Row]) -> dict:
    matters = _matters(cur, {r.v.get("matter_no", "") for r in rows} - {""})
    out = {}
    for r in rows:
        no = r.text("matter_no", required=True, limit=64)
        leader = r.text("leader_name", required=True, limit=64)
        title = r.text("leader_title", limit=64)
        level_raw = r.text("level", required=True)
        level = lookup(PACKAGE_LEVELS, level_raw) if level_raw else None
        if level_raw and level is None:
            r.fail("level", f"应为 county/township 或 县级/乡级 / unknown level: {level_raw}")
        since, until = r.date("since", required=True), r.date("until")
        resolved = r.date("resolved_on")
        progress = r.text("progress")
        _order(r, "since", "until", since, until)
        _order(r, "since", "resolved_on", since, resolved)
        found = matters.get(no) if no else None
        if no and found is None:
            r.fail("matter_no", f"信访事项编号不存在 / matter not found: {no}")
        elif found and since and since < found[1]:
            r.fail("since", "早于事项登记日期 / before the matter's registration")
        if not r.errors:
            out[r] = ((found[0], leader, since),
                      (found[0], leader, title, level, since, until, progress, resolved))
    return out


def _assignments(cur, rows: list[_Row]) -> dict:
    matters = _matters(cur, {r.v.get("matter_no", "") for r in rows} - {""})
    cur.execute("SELECT code, level, county_code FROM admin_unit"
                " WHERE level IN ('county', 'township')")
    units = {c: (lvl, cc) for c, lvl, cc in cur.fetchall()}
    out = {}
    for r in rows:
        no = r.text("assignment_no", required=True, limit=64)
        title = r.text("title")
        mno = r.text("matter_no", limit=64)
        area = r.text("area_code", limit=12)
        unit = r.text("assigned_unit", required=True, limit=100)
        by = r.text("assigned_by", limit=100)
        on, due = r.date("assigned_on", required=True), r.date("feedback_due", required=True)
        fb, closed = r.date("feedback_on"), r.date("closed_on")
        note = r.text("close_note")
        for col, value in (("feedback_due", due), ("feedback_on", fb), ("closed_on", closed)):
            _order(r, "assigned_on", col, on, value)
        found = matters.get(mno) if mno else None
        if mno and found is None:
            r.fail("matter_no", f"信访事项编号不存在 / matter not found: {mno}")
        county = township = None
        if area:
            info = units.get(area)
            if info is None:
                r.fail("area_code", f"属地代码不存在 / unknown county or township: {area}")
            elif info[0] == "county":
                county = area
            else:
                township, county = area, info[1] or area[:6]
        elif found:
            county, township = found[2], found[3]
        if not r.errors:
            out[r] = ((no,), (no, title, found[0] if found else None, county, township, unit,
                              by, on, due, fb, closed, note))
    return out


def _receptions(cur, rows: list[_Row]) -> dict:
    from queries.scope import InvalidCode, validate_unit_code
    from settings import get_settings

    region = get_settings().region_code

    cur.execute("SELECT code FROM admin_unit")
    known = {r[0] for r in cur.fetchall()}
    matters = _matters(cur, {r.v.get("matter_no", "") for r in rows} - {""})
    out = {}
    for r in rows:
        leader = r.text("leader_name", required=True, limit=64)
        title = r.text("leader_title", limit=64)
        kind_raw = r.text("kind", required=True)
        kind = lookup(RECEPTION_KINDS, kind_raw) if kind_raw else None
        if kind_raw and kind is None:
            r.fail("kind", f"接访方式无效 / unknown kind: {kind_raw}")
        held = r.date("held_on", required=True)
        unit = r.text("unit_code", required=True, limit=12)
        if unit:
            try:
                validate_unit_code(unit)
                if unit not in known:
                    r.fail("unit_code", f"单位代码不存在 / unknown unit: {unit}")
            except InvalidCode as exc:
                r.fail("unit_code", str(exc))
        received, resolved = r.count("matters_received"), r.count("matters_resolved")
        if received is not None and resolved is not None and resolved > received:
            r.fail("matters_resolved", "化解数多于接待数 / more resolved than received")
        note = r.text("note")
        level_raw = r.text("leader_level")
        level = lookup(PACKAGE_LEVELS, level_raw) if level_raw else None
        if level_raw and level is None:
            r.fail("leader_level", f"应为 county/township 或 县级/乡级 / unknown level: "
                                   f"{level_raw}")
        mno = r.text("matter_no", limit=64)
        found = matters.get(mno) if mno else None
        if mno and found is None:
            r.fail("matter_no", f"信访事项编号不存在 / matter not found: {mno}")
        elif found and unit and found[2] and found[2] != unit[:6] \
                and unit != region:
            r.fail("matter_no", "事项不在接访单位所属县市区 / the matter is outside the"
                                " reception's county")
        if not r.errors:
            out[r] = ((leader, kind, held, unit),
                      (leader, title, kind, held, unit, received, resolved, note, level,
                       found[0] if found else None))
    return out


_UPSERT = {
    "packages": """
        INSERT INTO package_assignment AS p (matter_id, leader_name, leader_title, level, since,
                                             until, progress, resolved_on)
        VALUES %s
        ON CONFLICT (matter_id, leader_name, since) DO UPDATE SET
            leader_title = EXCLUDED.leader_title, level = EXCLUDED.level,
            until = EXCLUDED.until, progress = EXCLUDED.progress,
            resolved_on = EXCLUDED.resolved_on
        WHERE (p.leader_title, p.level, p.until, p.progress, p.resolved_on)
              IS DISTINCT FROM (EXCLUDED.leader_title, EXCLUDED.level, EXCLUDED.until,
                                EXCLUDED.progress, EXCLUDED.resolved_on)
        RETURNING (xmax = 0)""",
    "assignments": """
        INSERT INTO assignment AS a (assignment_no, title, matter_id, county_code, township_code,
                                     assigned_unit, assigned_by, assigned_on, feedback_due,
                                     feedback_on, closed_on, close_note)
        VALUES %s
        ON CONFLICT (assignment_no) DO UPDATE SET
            title = EXCLUDED.title, matter_id = EXCLUDED.matter_id,
            county_code = EXCLUDED.county_code, township_code = EXCLUDED.township_code,
            assigned_unit = EXCLUDED.assigned_unit, assigned_by = EXCLUDED.assigned_by,
            assigned_on = EXCLUDED.assigned_on, feedback_due = EXCLUDED.feedback_due,
            feedback_on = coalesce(EXCLUDED.feedback_on, a.feedback_on),
            closed_on = coalesce(EXCLUDED.closed_on, a.closed_on),
            close_note = coalesce(EXCLUDED.close_note, a.close_note)
        WHERE (a.title, a.matter_id, a.county_code, a.township_code, a.assigned_unit,
               a.assigned_by, a.assigned_on, a.feedback_due, a.feedback_on, a.closed_on,
               a.close_note)
              IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.matter_id, EXCLUDED.county_code,
                                EXCLUDED.township_code, EXCLUDED.assigned_unit,
                                EXCLUDED.assigned_by, EXCLUDED.assigned_on,
                                EXCLUDED.feedback_due,
                                coalesce(EXCLUDED.feedback_on, a.feedback_on),
                                coalesce(EXCLUDED.closed_on, a.closed_on),
                                coalesce(EXCLUDED.close_note, a.close_note))
        RETURNING (xmax = 0)""",
    "receptions": """
        INSERT INTO leader_reception AS r (leader_name, leader_title, kind, held_on, unit_code,
                                           matters_received, matters_resolved, note,
                                           leader_level, matter_id)
        VALUES %s
        ON CONFLICT (leader_name, kind, held_on, (coalesce(unit_code, ''))) DO UPDATE SET
            leader_title = EXCLUDED.leader_title, matters_received = EXCLUDED.matters_received,
            matters_resolved = EXCLUDED.matters_resolved, note = EXCLUDED.note,
            leader_level = coalesce(EXCLUDED.leader_level, r.leader_level),
            matter_id = EXCLUDED.matter_id
        WHERE (r.leader_title, r.matters_received, r.matters_resolved, r.note, r.leader_level,
               r.matter_id)
              IS DISTINCT FROM (EXCLUDED.leader_title, EXCLUDED.matters_received,
                                EXCLUDED.matters_resolved, EXCLUDED.note,
                                coalesce(EXCLUDED.leader_level, r.leader_level),
                                EXCLUDED.matter_id)
        RETURNING (xmax = 0)""",
}


def _upsert(cur, kind: str, values: list[tuple]) -> tuple[int, int]:
    if not values:
        return 0, 0
    flags = execute_values(cur, _UPSERT[kind], values, page_size=2000, fetch=True)
    inserted = sum(1 for (f,) in flags if f)
    return inserted, len(flags) - inserted
