"""Download routes of the work plan's views (issue 16): the first-time matters
(``/export/first-time.xlsx``), the monthly notice of yellow cards for irregular petitions
(``/export/irregular-cards.xlsx``) and the weekly early-warning report
(``/export/weekly-warnings.pdf|docx|xlsx``).

As the agenda's: behind the login guard, a role that may open the pages (admin, leader,
officer), the unit checked against the jurisdiction from the server session (never from the
request), an ``export`` audit row for every file and an ``access_denied`` one for a refusal.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from flask import Blueprint, Response, abort, request

from dashboard.auth import audit_event, current_account, current_scope
from queries.scope import InvalidCode, validate_unit_code

BLUEPRINT = "atlas_plan_exports"
ROLES = ("admin", "leader", "officer")

bp = Blueprint(BLUEPRINT, __name__)


def init_app(server) -> None:
    """Register the routes on ``server`` (idempotent)."""
    if BLUEPRINT not in server.blueprints:
        server.register_blueprint(bp)


def _caller(target: str, export: str):
    account = current_account()
    if account is None or account.role not in ROLES:
        audit_event("access_denied", target, {"export": export, "reason": "role"})
        abort(403)
    scope = current_scope()
    if scope.is_empty:
        audit_event("access_denied", target, {"export": export, "reason": "no jurisdiction"})
        abort(403)
    return scope


def _unit(scope, target: str, export: str, levels=(6, 9, 12)) -> str | None:
    from dashboard.state import viewable

    unit = request.args.get("unit") or None
    if unit is None:
        return None
    try:
        unit = validate_unit_code(unit, levels=levels)
    except InvalidCode:
        abort(400, "invalid unit code")
    if not viewable(scope, unit):
        audit_event("access_denied", f"{target} {unit}",
                    {"export": export, "reason": "unit outside the jurisdiction"})
        abort(403)
    return unit


def _date(name: str, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.args.get(name, "") or default.isoformat())
    except ValueError:
        abort(400, f"{name} must be YYYY-MM-DD")
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        abort(400, f"{name} out of range")
    return day


def _send(data: bytes, media: str, name: str, display: str) -> Response:
    resp = Response(data, mimetype=media)
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"{name}\"; "
                                           f"filename*=UTF-8''{quote(display)}")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _jurisdiction(scope, unit: str | None) -> str:
    from settings import get_settings

    return unit or ("/".join(scope.units) if not scope.is_region
                    else get_settings().region_name)


@bp.get("/export/first-time.xlsx")
def first_time_xlsx():
    """The period's first-time matters by group and those that came back (初信初访)."""
    from briefing.exports import first_time_workbook
    from dashboard.context import current_lang
    from dashboard.state import today
    from domain.enums import CATEGORIES, CHANNELS, ROUTES
    from queries import first_time
    from queries.filters import MatterFilter, Period
    from settings import get_settings

    target = "/export/first-time.xlsx"
    scope = _caller(target, "first_time")
    now = today()
    start, end = _date("from", now.replace(day=1)), _date("to", now)
    if end < start or (end - start).days > 731:
        abort(400, "from/to out of order or longer than two years")
    day = min(_date("date", now), now)
    unit = _unit(scope, target, "first_time")
    by = request.args.get("by") if request.args.get("by") in first_time.GROUPS else "unit"
    cats = tuple(c for c in (request.args.get("cat") or "").split(",") if c in CATEGORIES)
    routes = tuple(r for r in (request.args.get("route") or "").split(",") if r in ROUTES)
    chans = tuple(c for c in (request.args.get("ch") or "").split(",") if c in CHANNELS)
    flt = MatterFilter(unit=unit, categories=cats, routes=routes, channels=chans)
    period, rules = Period(start, end), get_settings().clock_rules()
    groups = first_time.first_time_by_group(scope, period, day, flt, by, rules)
    listing, _total = first_time.came_back(scope, period, day, flt, rules, limit=5000)
    lang = current_lang()
    data = first_time_workbook(groups, listing, by, start, end, day,
                               _jurisdiction(scope, unit), lang)
    audit_event("export", f"first-time {start}..{end} {unit or 'scope'}",
                {"format": "xlsx", "from": start.isoformat(), "to": end.isoformat(),
                 "unit": unit, "by": by, "bytes": len(data)})
    return _send(data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 f"first-time-{start}_{end}{'-' + unit if unit else ''}.xlsx",
                 f"初信初访-{start}_{end}.xlsx")


@bp.get("/export/irregular-cards.xlsx")
def irregular_cards_xlsx():
    """The month's yellow cards for irregular petitions with their reasons (非访黄牌通报)."""
    from briefing.exports import cards_workbook
    from briefing.reception_days import period_label
    from dashboard.context import current_lang
    from dashboard.state import today
    from domain.plan import irregular_card_rules
    from queries import irregular
    from queries.filters import MatterFilter, Period

    target = "/export/irregular-cards.xlsx"
    scope = _caller(target, "irregular_cards")
    now = today()
    try:
        month = Period.parse_month(request.args.get("month", "") or now.strftime("%Y-%m"))
    except ValueError:
        abort(400, "month must be YYYY-MM")
    if not dt.date(2000, 1, 1) <= month.start <= dt.date(2100, 12, 1):
        abort(400, "month out of range")
    day = min(_date("date", now), now, month.end)
    unit = _unit(scope, target, "irregular_cards")
    flt = MatterFilter(unit=unit)
    rules = irregular_card_rules()
    cards = irregular.irregular_cards(scope, month, day, flt, rules)
    listing = irregular.irregular_list(scope, month.start, day, flt, limit=5000)
    lang = current_lang()
    data = cards_workbook(cards, listing, period_label(month, lang), month.key, day,
                          _jurisdiction(scope, unit), rules, lang)
    audit_event("export", f"irregular-cards {month.key} {unit or 'scope'}",
                {"format": "xlsx", "month": month.key, "unit": unit, "cards": len(cards),
                 "bytes": len(data)})
    return _send(data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 f"irregular-cards-{month.key}{'-' + unit if unit else ''}.xlsx",
                 f"非访黄牌警告-{month.key}.xlsx")


@bp.get("/export/weekly-warnings.<fmt>")
def weekly_warnings(fmt: str):
    """The weekly early-warning report of a week for a unit of the jurisdiction."""
    from briefing.service import BriefingError, BriefingRefused
    from briefing.weekly import generate
    from dashboard.context import current_lang
    from dashboard.wall_data import office_now

    target = f"/export/weekly-warnings.{fmt}"
    if fmt not in ("pdf", "docx", "xlsx"):
        abort(404)
    scope = _caller(target, "weekly_warnings")
    unit = _unit(scope, target, "weekly_warnings", levels=(6, 9))
    lang = request.args.get("lang") if request.args.get("lang") in ("zh", "en") \
        else current_lang()
    week = (request.args.get("week") or "")[:10]
    try:
        report = generate(scope, unit, week, fmt, lang=lang, now=office_now())
    except BriefingRefused:
        audit_event("access_denied", target, {"export": "weekly_warnings", "reason": "unit"})
        abort(403)
    except BriefingError as exc:
        abort(400, str(exc))
    audit_event("export", f"warnings {report.week} {report.unit}",
                {"kind": "weekly_warnings", "format": fmt, "week": report.week,
                 "unit": report.unit, "lang": lang, "bytes": len(report.content),
                 "seconds": report.seconds})
    return _send(report.content, report.media_type, report.filename, report.display_name)
