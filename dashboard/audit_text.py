"""Audit rows as people read them: office time, actions, roles and details in the user's
language (``dashboard.strings_security``); shared by the audit page and its XLSX export."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dashboard import strings_security  # noqa: F401  (registers the strings)
from dashboard.i18n import STRINGS, t
from queries.audit import AuditQuery
from settings import get_settings

#: Rows of one page of the audit log.
PAGE_ROWS = 50


def office_time(at: dt.datetime | None) -> dt.datetime | None:
    """``at`` (aware) in the office's time zone (DESIGN §3), without tzinfo for display."""
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(ZoneInfo(get_settings().timezone)).replace(tzinfo=None)


def when(at: dt.datetime | None) -> str:
    local = office_time(at)
    return local.strftime("%Y-%m-%d %H:%M:%S") if local else ""


def _label(prefix: str, code, lang: str) -> str:
    key = f"{prefix}.{code}"
    return t(key, lang) if key in STRINGS else str(code)


def action(code: str, lang: str) -> str:
    return _label("au.action", code, lang)


def role(code: str | None, lang: str) -> str:
    return _label("au.role", code, lang) if code else ""


def _value(value, lang: str) -> str:
    if isinstance(value, bool):
        return t(f"au.value.{str(value).lower()}", lang)
    if isinstance(value, list | tuple):
        return "、".join(_value(v, lang) for v in value) or "—"
    if isinstance(value, dict):
        return "，".join(f"{_label('au.key', k, lang)} {_value(v, lang)}"
                        for k, v in value.items())
    if isinstance(value, str) and f"au.value.{value}" in STRINGS:
        return t(f"au.value.{value}", lang)
    return "—" if value is None else str(value)


def detail(detail: dict | None, lang: str) -> str:
    """``{"by": "account", "count": 10}`` → ``受限于：账户+地址；次数：10``."""
    if not detail:
        return ""
    sep, colon = ("；", "：") if lang == "zh" else ("; ", ": ")
    return sep.join(f"{_label('au.key', k, lang)}{colon}{_value(v, lang)}"
                    for k, v in detail.items())


def user(row: dict, lang: str) -> str:
    return row.get("username") or t("au.anonymous", lang)


def _date(raw) -> dt.date | None:
    if not raw:
        return None
    return dt.date.fromisoformat(str(raw)[:10])


def parse(query: dict) -> tuple[AuditQuery, int]:
    """The filters and page number of the URL (ValueError when malformed)."""
    try:
        page = max(1, min(int(query.get("page") or 1), 10**6))
    except (TypeError, ValueError):
        page = 1
    q = AuditQuery(action=query.get("action") or None,
                   username=(query.get("user") or "").strip() or None,
                   since=_date(query.get("from")), until=_date(query.get("to")),
                   limit=PAGE_ROWS, offset=(page - 1) * PAGE_ROWS)
    return q, page


