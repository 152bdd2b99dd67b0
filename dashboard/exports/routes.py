"""Download routes: the joint-conference agenda (``GET /export/agenda.xlsx?date=&unit=``),
county leaders' reception days (``GET /export/reception-days.xlsx?month=&unit=``) and the audit
log (``GET /export/audit.xlsx?action=&user=&from=&to=``, auditors and admins).

Behind the login guard like every route; here also: a role that may open the agenda page
(admin, leader, officer), the unit inside the user's jurisdiction (from the server session,
never from the request), and an ``export`` row in the audit log for every file handed out. A
refusal is a 403 with an ``access_denied`` audit row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import quote

from flask import Blueprint, Response, abort, request

from dashboard.auth import audit_event, current_account, current_scope
from queries.scope import InvalidCode, validate_unit_code

BLUEPRINT = "atlas_backlog_exports"
ROLES = ("admin", "leader", "officer")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

bp = Blueprint(BLUEPRINT, __name__)


def init_app(server) -> None:
    """Register the export routes on ``server`` (idempotent; before its first request), with
    those of the work plan's views (``plan_routes``)."""
    from dashboard.exports import plan_routes

    if BLUEPRINT not in server.blueprints:
        server.register_blueprint(bp)
    plan_routes.init_app(server)


def _refuse(target: str, reason: str, export: str = "agenda"):
    audit_event("access_denied", target, {"export": export, "reason": reason})
    abort(403)


@bp.get("/export/agenda.xlsx")
def agenda_xlsx():
    from dashboard.context import current_lang
    from dashboard.exports.agenda_xlsx import agenda_workbook
    from dashboard.state import today, viewable

    account = current_account()
    if account is None or account.role not in ROLES:
        _refuse("/export/agenda.xlsx", "role")
    scope = current_scope()
    if scope.is_empty:
        _refuse("/export/agenda.xlsx", "no jurisdiction")
    try:
        day = dt.date.fromisoformat(request.args.get("date", "") or today().isoformat())
    except ValueError:
        abort(400, "date must be YYYY-MM-DD")
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        abort(400, "date out of range")
    unit = request.args.get("unit") or None
    if unit is not None:
        try:
            unit = validate_unit_code(unit)
        except InvalidCode:
            abort(400, "invalid unit code")
        if not viewable(scope, unit):
            _refuse(f"agenda {unit}", "unit outside the jurisdiction")
    lang = current_lang()
    data = agenda_workbook(scope, day, unit, lang)
    audit_event("export", f"agenda {day.isoformat()} {unit or 'scope'}",
                {"format": "xlsx", "date": day.isoformat(), "unit": unit, "bytes": len(data)})
    name = f"agenda-{day.isoformat()}{'-' + unit if unit else ''}.xlsx"
    zh = f"联席会议议程-{day.isoformat()}.xlsx"
    resp = Response(data, mimetype=XLSX)
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"{name}\"; "
                                           f"filename*=UTF-8''{quote(zh)}")
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/export/reception-days.xlsx")
def reception_days_xlsx():
    """County leaders' receptions against their reception day for ``month`` (issue 16), in
    the user's jurisdiction (narrowed to ``unit`` inside it), audited as an export."""
    from briefing.reception_days import workbook
    from dashboard.context import current_lang
    from dashboard.state import today, viewable
    from queries.accountability import reception_day_totals, reception_days
    from queries.filters import Period
    from settings import get_settings

    target = "/export/reception-days.xlsx"
    account = current_account()
    if account is None or account.role not in ROLES:
        _refuse(target, "role", "reception_days")
    scope = current_scope()
    if scope.is_empty:
        _refuse(target, "no jurisdiction", "reception_days")
    try:
        month = Period.parse_month(request.args.get("month", "") or today().strftime("%Y-%m"))
        day = dt.date.fromisoformat(request.args.get("date", "") or today().isoformat())
    except ValueError:
        abort(400, "month must be YYYY-MM, date YYYY-MM-DD")
    if not dt.date(2000, 1, 1) <= month.start <= dt.date(2100, 12, 1):
        abort(400, "month out of range")
    unit = request.args.get("unit") or None
    if unit is not None:
        try:
            unit = validate_unit_code(unit, levels=(6, 9))
        except InvalidCode:
            abort(400, "invalid unit code")
        if not viewable(scope, unit):
            _refuse(f"reception-days {unit}", "unit outside the jurisdiction",
                    "reception_days")
    lang = current_lang()
    day = min(day, today())
    frame = reception_days(scope, month, day, unit)
    data = workbook(frame, reception_day_totals(frame), month, day, lang,
                    unit or ("/".join(scope.units) if not scope.is_region
                             else get_settings().region_name))
    audit_event("export", f"reception-days {month.key} {unit or 'scope'}",
                {"format": "xlsx", "month": month.key, "unit": unit, "bytes": len(data)})
    name = f"reception-days-{month.key}{'-' + unit if unit else ''}.xlsx"
    zh = f"领导接访日-{month.key}.xlsx"
    resp = Response(data, mimetype=XLSX)
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"{name}\"; "
                                           f"filename*=UTF-8''{quote(zh)}")
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/export/audit.xlsx")
def audit_xlsx():
    """The audit log rows matching the page's filters (at most ``MAX_ROWS``), one ``export``
    row in the log for the file."""
    from dashboard.audit_text import parse
    from dashboard.context import current_lang
    from dashboard.exports.audit_xlsx import audit_workbook
    from queries import audit

    account = current_account()
    if account is None or account.role not in audit.VIEWER_ROLES:
        audit_event("access_denied", "/export/audit.xlsx", {"export": "audit",
                                                            "reason": "role"})
        abort(403)
    try:
        query, _page = parse(request.args.to_dict())
    except (ValueError, TypeError):
        abort(400, "invalid filter")
    query = replace(query, limit=audit.MAX_ROWS, offset=0)
    rows, _total = audit.page(account.role, query)
    lang = current_lang()
    data = audit_workbook(rows, lang)
    audit_event("export", "audit log", {"format": "xlsx", "rows": len(rows),
                                        "action": query.action, "user": query.username})
    resp = Response(data, mimetype=XLSX)
    stamp = dt.date.today().isoformat()
    resp.headers["Content-Disposition"] = (
        f"attachment; filename=\"audit-{stamp}.xlsx\"; "
        f"filename*=UTF-8''{quote(f'审计日志-{stamp}.xlsx')}")
    resp.headers["Cache-Control"] = "no-store"
    return resp
