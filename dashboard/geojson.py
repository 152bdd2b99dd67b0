"""GeoJSON for the map, scoped to the logged-in user (a Flask blueprint).

- ``/geo/units.json?parent=CODE`` — the children of a unit (a county's townships…);
  ``?level=village&within=CODE`` — every village inside a unit (the hotspot layer);
  ``?codes=A,B`` — named units (an officer with several townships).
- ``/geo/zones.json`` — project zones.
- ``/geo/points.json?<view query>`` — located matters of the view, without personal data.

Outlines come from ``admin_unit.geom_simple``. Responses carry an ``ETag`` (a conditional
request gets 304) and ``Cache-Control: private``; geometry URLs carry the geometry version
(``v=``), so the browser keeps them and the filters only move values (in ``hideout``).
Bodies are gzipped when the browser accepts it. The login guard of ``dashboard.auth`` runs
before every route here; each route validates codes against the user's scope again.
"""

from __future__ import annotations

import gzip
import hashlib

from flask import Blueprint, Response, request

from dashboard import data
from dashboard.context import current_scope
from dashboard.state import StateError, check_scope, from_query, resolve_period, today, viewable
from queries.scope import InvalidCode, validate_unit_code

bp = Blueprint("atlas_geo", __name__, url_prefix="/geo")

GEOMETRY_MAX_AGE = 24 * 3600
POINTS_MAX_AGE = 60
POINT_LIMIT = 20_000
MIME = "application/geo+json"


def _error(message: str, status: int = 400) -> Response:
    body = '{"error": "' + message.replace('"', "'").replace("\\", "/")[:300] + '"}'
    return Response(body, status=status, mimetype="application/json")


def _send(body: str, *, max_age: int, scope_key: str) -> Response:
    etag = hashlib.sha1((scope_key + "\n" + body).encode()).hexdigest()[:32]
    if request.if_none_match and etag in request.if_none_match:
        resp = Response(status=304)
    else:
        raw = body.encode()
        if "gzip" in (request.headers.get("Accept-Encoding") or "") and len(raw) > 1024:
            resp = Response(gzip.compress(raw, compresslevel=6), mimetype=MIME)
            resp.headers["Content-Encoding"] = "gzip"
        else:
            resp = Response(raw, mimetype=MIME)
        resp.headers["Vary"] = "Accept-Encoding, Cookie"
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = f"private, max-age={max_age}"
    return resp


def _scope_key(scope) -> str:
    return repr((scope.units, scope.departments))


def _code(name: str) -> str | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    return validate_unit_code(value)


@bp.get("/units.json")
def units():
    scope = current_scope()
    if scope.is_empty:
        return _error("no jurisdiction / 无辖区", 403)
    try:
        parent = _code("parent")
        within = _code("within")
        codes = tuple(validate_unit_code(c) for c in
                      (request.args.get("codes") or "").split(",") if c)
        level = request.args.get("level")
        if level not in (None, "", "county", "township", "village"):
            raise InvalidCode(f"level {level[:20]!r}")
        for code in (parent, within, *codes):
            if code and not viewable(scope, code):
                return _error(f"unit {code} outside your jurisdiction / 不在辖区内", 403)
    except InvalidCode as exc:
        return _error(str(exc))
    if codes:
        body = data.units_geojson(scope, codes=codes)
    elif level:
        body = data.units_geojson(scope, level=level, parent=within)
    elif parent:
        body = data.units_geojson(scope, parent=parent)
    else:
        return _error("parent, level or codes required / 缺少参数")
    return _send(body, max_age=GEOMETRY_MAX_AGE, scope_key=_scope_key(scope))


@bp.get("/zones.json")
def zones():
    scope = current_scope()
    if scope.is_empty:
        return _error("no jurisdiction / 无辖区", 403)
    return _send(data.zones_geojson(scope), max_age=GEOMETRY_MAX_AGE,
                 scope_key=_scope_key(scope))


@bp.get("/points.json")
def points():
    scope = current_scope()
    if scope.is_empty:
        return _error("no jurisdiction / 无辖区", 403)
    state, problems = from_query(request.args.to_dict())
    if problems:
        return _error(problems[0].detail)
    try:
        check_scope(state, scope)
        as_of = today()
        period = resolve_period(state, as_of, lambda i: data.sensitive_period(scope, i))
        flt = state.matter_filter(clock_day=min(period.end, as_of))
    except StateError as exc:
        return _error(exc.detail, 403 if exc.kind == "unit" else 400)
    body = data.points_geojson(scope, period, as_of, flt, limit=POINT_LIMIT)
    return _send(body, max_age=POINTS_MAX_AGE, scope_key=_scope_key(scope))


def init_app(server) -> None:
    """Register the blueprint (before the first request)."""
    server.register_blueprint(bp)
