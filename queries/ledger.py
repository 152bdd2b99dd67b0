"""The unstable-factor ledger (不稳定因素台账, DESIGN §3): a ledger of disputes, never of people.

An entry records a dispute that may turn into petitions: where (township, or a county, and
optionally a point), how many people are involved (a number only), the risk, the responsible
unit and leader (staff), the measures taken, the resolve-by date and the status (open,
being resolved, resolved). Titles and measures describe the dispute: text holding an ID or a
mobile number is refused (:func:`domain.warnings.personal_data_in`).

Writes run as the application role inside ``scoped(scope)``: PostgreSQL's row-level policy
(migration 0004) refuses an entry outside the user's jurisdiction even if a check here were
missed; each create, edit and close is audited in the same transaction. Reads return frames
and GeoJSON for the map and the list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import pandas as pd
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from domain.enums import CATEGORIES
from domain.warnings import LEDGER_STATUSES, OPEN_STATUSES, RISK_LEVELS, personal_data_in
from queries import audit
from queries.db import scoped
from queries.scope import InvalidCode, require_rows, validate_unit_code
from queries.stability_audit import register_actions

register_actions()

#: A rough box around Yueyang (WGS84); points outside are refused before any SQL.
REGION_BOX = (111.9, 28.3, 114.3, 29.9)
_LEDGER_NO_RE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./")


class LedgerError(ValueError):
    """An entry that cannot be stored (bilingual message)."""


def _text(value, name_zh: str, name_en: str, max_len: int, *, required: bool = False
          ) -> str | None:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not value:
        if required:
            raise LedgerError(f"{name_zh}不能为空 / {name_en} is required")
        return None
    if len(value) > max_len:
        raise LedgerError(f"{name_zh}不超过{max_len}字 / {name_en}: at most {max_len} characters")
    kind = personal_data_in(value)
    if kind:
        what = ("身份证号", "an ID number") if kind == "id" else ("手机号码", "a phone number")
        raise LedgerError(f"{name_zh}中不得填写{what[0]}：台账记录纠纷而非个人 / {name_en} must "
                          f"not contain {what[1]}: the ledger records disputes, not people")
    return value


@dataclass(frozen=True)
class LedgerInput:
    """The fields of an entry a user fills in (validated on construction)."""

    title: str
    risk_level: str
    opened_on: dt.date
    township_code: str | None = None
    county_code: str | None = None
    category: str | None = None
    zone_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    people_involved: int = 0
    responsible_unit: str | None = None
    responsible_leader: str | None = None
    measures: str | None = None
    resolve_by: dt.date | None = None
    status: str = "open"
    closed_on: dt.date | None = None

    def __post_init__(self):
        s = object.__setattr__
        s(self, "title", _text(self.title, "纠纷名称", "title", 200, required=True))
        s(self, "measures", _text(self.measures, "化解稳控措施", "measures", 2000))
        s(self, "responsible_unit", _text(self.responsible_unit, "责任单位",
                                          "responsible unit", 100))
        s(self, "responsible_leader", _text(self.responsible_leader, "责任领导",
                                            "responsible leader", 50))
        if self.risk_level not in RISK_LEVELS:
            raise LedgerError(f"风险等级无效 / unknown risk level {str(self.risk_level)[:20]!r}")
        if self.status not in LEDGER_STATUSES:
            raise LedgerError(f"状态无效 / unknown status {str(self.status)[:20]!r}")
        if self.category is not None and self.category not in CATEGORIES:
            raise LedgerError(f"问题类别无效 / unknown category {str(self.category)[:30]!r}")
        try:
            people = int(self.people_involved)
        except (TypeError, ValueError):
            raise LedgerError("涉及人数须为整数 / people involved must be a whole number") from None
        if not 0 <= people <= 100_000:
            raise LedgerError("涉及人数须在0至100000之间 / people involved: 0–100,000")
        s(self, "people_involved", people)
        town = (self.township_code or "").strip() or None
        county = (self.county_code or "").strip() or None
        try:
            if town:
                town = validate_unit_code(town, levels=(9,))
            if county:
                county = validate_unit_code(county, levels=(6,))
        except InvalidCode as exc:
            raise LedgerError(str(exc)) from None
        if town and county and town[:6] != county:
            raise LedgerError("乡镇不属于所选县市区 / the township is not in that county")
        if county and county.endswith("00"):
            raise LedgerError("请选择县市区或乡镇 / choose a county or a township")
        s(self, "township_code", town)
        s(self, "county_code", county or (town[:6] if town else None))
        if (self.lon is None) != (self.lat is None):
            raise LedgerError("经纬度须同时填写 / give both longitude and latitude")
        if self.lon is not None:
            lon, lat = float(self.lon), float(self.lat)
            x0, y0, x1, y1 = REGION_BOX
            if not (x0 <= lon <= x1 and y0 <= lat <= y1):
                raise LedgerError("坐标不在本市范围内 / the point lies outside the region")
            s(self, "lon", lon)
            s(self, "lat", lat)
        if not self.county_code and self.lon is None:
            raise LedgerError("请填写所在乡镇、县市区或坐标 / give a township, a county or a point")
        zone = (self.zone_code or "").strip() or None
        if zone and (len(zone) > 32 or not set(zone) <= _LEDGER_NO_RE_CHARS):
            raise LedgerError("项目片区代码无效 / invalid project zone code")
        s(self, "zone_code", zone)
        if not isinstance(self.opened_on, dt.date):
            raise LedgerError("登记日期无效 / invalid opening date")
        if self.resolve_by is not None and self.resolve_by < self.opened_on:
            raise LedgerError("化解期限早于登记日期 / resolve-by is before the opening date")
        if self.status == "resolved":
            closed = self.closed_on or dt.date.today()
            if closed < self.opened_on:
                raise LedgerError("化解日期早于登记日期 / closed before it was opened")
            s(self, "closed_on", closed)
        else:
            s(self, "closed_on", None)


def _check_scope(scope, inp: LedgerInput) -> None:
    if scope.is_empty or not scope.personal_data:  # nobody, auditors, wall screens
        raise PermissionError("无权编辑台账 / you may not edit the ledger")
    code = inp.township_code or inp.county_code
    if code and scope.allows(code):
        return
    if inp.responsible_unit and inp.responsible_unit in scope.departments:
        return
    if code is None and (scope.is_region or inp.lon is not None):
        return  # a point: its township is found in SQL and checked again after the insert
    raise PermissionError("不在您的辖区内 / outside your jurisdiction")


_INSERT = """
INSERT INTO unstable_factor (ledger_no, title, category, county_code, township_code, zone_code,
    geom, people_involved, risk_level, responsible_unit, responsible_leader, measures,
    opened_on, resolve_by, status, closed_on, created_by, updated_by)
SELECT coalesce(:ledger_no, 'TZ' || to_char(CAST(:opened AS date), 'YYYY') || '-'
                || lpad(nextval('unstable_factor_id_seq')::text, 5, '0')),
       :title, :category,
       coalesce(:county, left(pt.town, 6)), coalesce(:town, pt.town),
       coalesce(:zone, pt.zone), pt.geom, :people, :risk, :unit, :leader, :measures,
       :opened, :resolve_by, :status, :closed, :by, :by
FROM (SELECT g.geom,
        (SELECT a.code FROM admin_unit a WHERE g.geom IS NOT NULL AND a.level = 'township'
           AND a.geom && g.geom AND ST_Contains(a.geom, g.geom) ORDER BY a.code LIMIT 1) AS town,
        (SELECT z.code FROM project_zone z WHERE g.geom IS NOT NULL
           AND ST_DWithin(z.geom::geography, g.geom::geography, z.influence_m)
           ORDER BY ST_Distance(z.geom::geography, g.geom::geography), z.code LIMIT 1) AS zone
      FROM (SELECT CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL::geometry
                   ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END AS geom) g) pt
RETURNING id, ledger_no, township_code, county_code
"""


def _row_params(inp: LedgerInput) -> dict:
    return {"title": inp.title, "category": inp.category, "county": inp.county_code,
            "town": inp.township_code, "zone": inp.zone_code, "lon": inp.lon, "lat": inp.lat,
            "people": inp.people_involved, "risk": inp.risk_level,
            "unit": inp.responsible_unit, "leader": inp.responsible_leader,
            "measures": inp.measures, "opened": inp.opened_on, "resolve_by": inp.resolve_by,
            "status": inp.status, "closed": inp.closed_on}


def _audit_detail(inp: LedgerInput) -> dict:
    # Not the title or measures (free text); the facts that matter for accountability.
    return {"township": inp.township_code, "county": inp.county_code, "risk": inp.risk_level,
            "people": inp.people_involved, "status": inp.status,
            "resolve_by": inp.resolve_by.isoformat() if inp.resolve_by else None}


def _rls_refused(exc: DBAPIError) -> bool:
    return "row-level security" in str(exc.orig) or "permission denied" in str(exc.orig)


def create_entry(scope, inp: LedgerInput, *, user, remote_addr: str | None = None,
                 ledger_no: str | None = None) -> str:
    """Store a new dispute in the ledger and audit it; returns its ledger number.

    A point without a township gets the township containing it and the nearest project zone
    whose influence distance reaches it. PermissionError outside the jurisdiction.
    """
    _check_scope(scope, inp)
    if ledger_no is not None and (not 1 <= len(ledger_no) <= 64
                                  or not set(ledger_no) <= _LEDGER_NO_RE_CHARS):
        raise LedgerError("台账编号无效 / invalid ledger number")
    by = getattr(user, "username", None) if not isinstance(user, str) else user
    try:
        with scoped(scope) as conn:
            row = conn.execute(text(_INSERT), {**_row_params(inp), "ledger_no": ledger_no,
                                               "by": by}).one()
            if row.county_code is None:
                raise LedgerError("坐标不在任何乡镇内 / the point lies in no township")
            if not (row.township_code and scope.allows(row.township_code)
                    or row.county_code and scope.allows(row.county_code)
                    or inp.responsible_unit in scope.departments):
                raise PermissionError("不在您的辖区内 / outside your jurisdiction")
            audit.record("ledger_create", f"ledger:{row.ledger_no}", _audit_detail(inp),
                         user=user, remote_addr=remote_addr, conn=conn)
            return row.ledger_no
    except DBAPIError as exc:
        if _rls_refused(exc):
            raise PermissionError("不在您的辖区内 / outside your jurisdiction") from None
        if "unique" in str(exc.orig).lower():
            raise LedgerError(f"台账编号已存在 / ledger number {ledger_no} exists") from None
        raise


_UPDATE = """
UPDATE unstable_factor u SET title = :title, category = :category,
    county_code = coalesce(:county, left(coalesce(:town, pt.town), 6), u.county_code),
    township_code = coalesce(:town, pt.town),
    zone_code = coalesce(:zone, pt.zone, CASE WHEN pt.geom IS NULL THEN u.zone_code END),
    geom = coalesce(pt.geom, CASE WHEN :keep_geom THEN u.geom END),
    people_involved = :people, risk_level = :risk, responsible_unit = :unit,
    responsible_leader = :leader, measures = :measures, resolve_by = :resolve_by,
    status = :status, closed_on = :closed, updated_at = now(), updated_by = :by
FROM (SELECT g.geom,
        (SELECT a.code FROM admin_unit a WHERE g.geom IS NOT NULL AND a.level = 'township'
           AND a.geom && g.geom AND ST_Contains(a.geom, g.geom) ORDER BY a.code LIMIT 1) AS town,
        (SELECT z.code FROM project_zone z WHERE g.geom IS NOT NULL
           AND ST_DWithin(z.geom::geography, g.geom::geography, z.influence_m)
           ORDER BY ST_Distance(z.geom::geography, g.geom::geography), z.code LIMIT 1) AS zone
      FROM (SELECT CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL::geometry
                   ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END AS geom) g) pt
WHERE u.ledger_no = :no
RETURNING u.township_code, u.county_code
"""


def get_entry(scope, ledger_no: str) -> dict | None:
    """One entry (in scope) as a dict with lon/lat, or None."""
    require_rows(scope, "get_entry")
    with scoped(scope) as conn:
        row = conn.execute(text(
            "SELECT u.*, ST_X(u.geom) AS lon, ST_Y(u.geom) AS lat FROM unstable_factor u"
            " WHERE u.ledger_no = :no"), {"no": ledger_no}).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out.pop("geom", None)
    return out


def update_entry(scope, ledger_no: str, inp: LedgerInput, *, user,
                 remote_addr: str | None = None, keep_point: bool = True) -> None:
    """Replace the editable fields of an entry (the number and opening date stay) and audit
    which fields changed. ``keep_point``: without lon/lat the stored point stays.
    LookupError when the entry is not in scope; PermissionError when the change would move
    it out of the jurisdiction."""
    _check_scope(scope, inp)
    before = get_entry(scope, ledger_no)
    if before is None:
        raise LookupError(f"台账中无此纠纷 / no ledger entry {ledger_no}")
    if inp.resolve_by is not None and inp.resolve_by < before["opened_on"]:
        raise LedgerError("化解期限早于登记日期 / resolve-by is before the opening date")
    if inp.closed_on is not None and inp.closed_on < before["opened_on"]:
        raise LedgerError("化解日期早于登记日期 / closed before it was opened")
    by = getattr(user, "username", None) if not isinstance(user, str) else user
    changed = [f.name for f in fields(LedgerInput)
               if f.name not in ("opened_on",) and before.get(f.name) != getattr(inp, f.name)
               and not (f.name in ("lon", "lat") and getattr(inp, f.name) is None and keep_point)]
    action = "ledger_close" if inp.status == "resolved" and before["status"] != "resolved" \
        else "ledger_update"
    try:
        with scoped(scope) as conn:
            row = conn.execute(text(_UPDATE), {**_row_params(inp), "no": ledger_no, "by": by,
                                               "keep_geom": keep_point}).first()
            if row is None:
                raise LookupError(f"台账中无此纠纷 / no ledger entry {ledger_no}")
            audit.record(action, f"ledger:{ledger_no}",
                         {**_audit_detail(inp), "changed": changed}, user=user,
                         remote_addr=remote_addr, conn=conn)
    except DBAPIError as exc:
        if _rls_refused(exc):
            raise PermissionError("不在您的辖区内 / outside your jurisdiction") from None
        raise


def close_entry(scope, ledger_no: str, closed_on: dt.date, *, user,
                remote_addr: str | None = None, note: str | None = None) -> None:
    """Mark a dispute resolved on ``closed_on`` (audited as ``ledger_close``); ``note`` is
    appended to the measures."""
    before = get_entry(scope, ledger_no)
    if before is None:
        raise LookupError(f"台账中无此纠纷 / no ledger entry {ledger_no}")
    measures = before.get("measures")
    if note:
        note = _text(note, "化解说明", "note", 500)
        measures = f"{measures}\n{closed_on.isoformat()} {note}" if measures else \
            f"{closed_on.isoformat()} {note}"
    inp = entry_input(before, status="resolved", closed_on=closed_on, measures=measures)
    update_entry(scope, ledger_no, inp, user=user, remote_addr=remote_addr)


def entry_input(row: dict, **changes) -> LedgerInput:
    """A :class:`LedgerInput` of a stored entry (``get_entry``), with ``changes``."""
    base = {f.name: row.get(f.name) for f in fields(LedgerInput)}
    base.update(changes)
    return LedgerInput(**base)


# --- reads ---------------------------------------------------------------------------------

_LIST_SQL = """
SELECT u.ledger_no, u.title, u.category, u.county_code, u.township_code, u.zone_code,
       t.name AS township_name, c.name AS county_name, z.name AS zone_name,
       u.people_involved, u.risk_level, u.responsible_unit, u.responsible_leader, u.measures,
       u.opened_on, u.resolve_by, u.status, u.closed_on, u.updated_at,
       ST_X(u.geom) AS lon, ST_Y(u.geom) AS lat,
       CASE WHEN u.resolve_by IS NULL THEN NULL ELSE u.resolve_by - CAST(:d AS date) END
         AS days_left
FROM unstable_factor u
LEFT JOIN admin_unit t ON t.code = u.township_code
LEFT JOIN admin_unit c ON c.code = u.county_code
LEFT JOIN project_zone z ON z.code = u.zone_code
WHERE {where}
ORDER BY CASE u.status WHEN 'resolved' THEN 1 ELSE 0 END,
         CASE u.risk_level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
         u.resolve_by NULLS LAST, u.ledger_no
LIMIT :limit
"""


def _list_where(scope, params: dict, status: str, unit: str | None, zone: str | None) -> str:
    parts = ["TRUE"]
    if status == "open":
        parts.append("u.status = ANY(:open)")
        params["open"] = list(OPEN_STATUSES)
    elif status in LEDGER_STATUSES:
        parts.append("u.status = :status")
        params["status"] = status
    elif status != "all":
        raise ValueError(f"unknown status filter {status!r}")
    if unit and not (len(unit) == 6 and unit.endswith("00")):
        unit = validate_unit_code(unit, levels=(6, 9))
        parts.append("u.township_code = :unit" if len(unit) == 9 else "u.county_code = :unit")
        params["unit"] = unit
    if zone:
        parts.append("u.zone_code = :zone")
        params["zone"] = zone
    if not scope.is_region:  # RLS would hide them anyway; say it in SQL too
        params["su"] = list(scope.units)
        params["sd"] = list(scope.departments)
        parts.append("(u.county_code = ANY(:su) OR u.township_code = ANY(:su)"
                     " OR u.responsible_unit = ANY(:sd))")
    return " AND ".join(parts)


def list_entries(scope, day: dt.date, *, status: str = "open", unit: str | None = None,
                 zone: str | None = None, limit: int = 500, personal: bool | None = None
                 ) -> pd.DataFrame:
    """Ledger entries in scope: open ones first, by risk then resolve-by. ``status``: open
    (open + being resolved), a status, or all. ``days_left`` counts from ``day`` (negative:
    past due). ``personal=False`` (default for scopes without personal data, i.e. wall
    screens) drops the responsible leader's name."""
    if personal:  # the leader's name is for the office's pages, never a wall screen
        require_rows(scope, "list_entries")
    params: dict = {"d": day, "limit": int(limit)}
    where = _list_where(scope, params, status, unit, zone)
    with scoped(scope) as conn:
        frame = pd.read_sql_query(text(_LIST_SQL.format(where=where)), conn, params=params)
    if personal is None:
        personal = scope.personal_data
    if not personal:
        frame = frame.drop(columns=["responsible_leader"])
    return frame


def ledger_geojson(scope, day: dt.date, *, status: str = "open") -> str:
    """Located entries as GeoJSON text: properties no, title, risk, people, status, due,
    days_left, town (name). No person's name."""
    require_rows(scope, "ledger_geojson")
    params: dict = {"d": day}
    where = _list_where(scope, params, status, None, None)
    sql = f"""
        SELECT coalesce(json_agg(json_build_object(
          'type', 'Feature',
          'geometry', json_build_object('type', 'Point', 'coordinates',
              json_build_array(round(ST_X(u.geom)::numeric, 5), round(ST_Y(u.geom)::numeric, 5))),
          'properties', json_build_object(
              'no', u.ledger_no, 'title', u.title, 'risk', u.risk_level,
              'people', u.people_involved, 'status', u.status, 'due', u.resolve_by,
              'days_left', u.resolve_by - CAST(:d AS date), 'town', t.name))
          ORDER BY u.ledger_no), '[]'::json)::text
        FROM unstable_factor u LEFT JOIN admin_unit t ON t.code = u.township_code
        WHERE {where} AND u.geom IS NOT NULL"""
    with scoped(scope) as conn:
        features = conn.execute(text(sql), params).scalar_one()
    return '{"type":"FeatureCollection","features":' + features + "}"


def summary(scope, day: dt.date) -> dict:
    """Counts of open disputes: total, by risk, past resolve-by, people involved."""
    params: dict = {"d": day}
    where = _list_where(scope, params, "open", None, None)
    with scoped(scope) as conn:
        row = conn.execute(text(f"""
            SELECT count(*) AS open,
                   count(*) FILTER (WHERE u.risk_level = 'high') AS high,
                   count(*) FILTER (WHERE u.risk_level = 'medium') AS medium,
                   count(*) FILTER (WHERE u.risk_level = 'low') AS low,
                   count(*) FILTER (WHERE u.resolve_by < :d) AS overdue,
                   coalesce(sum(u.people_involved), 0) AS people
            FROM unstable_factor u WHERE {where}"""), params).mappings().one()
    return {k: int(v) for k, v in row.items()}
