"""审计日志 Audit log (``/audit``): logins, reveals, exports, user and role changes — for
auditors and admins, in the product's page frame (navigation, language switch, logout).

The URL holds the view (``action``, ``user``, ``from``, ``to``, ``page``); every control
writes a new URL and the table is drawn from it on the server, a page of 50 rows at a time
through the whole log. Times are office time (DESIGN §3); details are words, not JSON. The
export (``/export/audit.xlsx``) carries the same filters. No personal data is shown because
none is written (``queries.audit.clean``).
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, State, dcc, html, no_update

from dashboard import audit_text
from dashboard.components.shell import header
from dashboard.context import current_account, current_lang, toggle_lang
from dashboard.i18n import fmt_int, t
from queries import audit
from queries.audit import ACTIONS, VIEWER_ROLES, AuditQuery
from settings import get_settings

PREFIX = "au"
PAGE_ROWS = audit_text.PAGE_ROWS
parse = audit_text.parse

dash.register_page(__name__, path="/audit", name="审计日志 Audit log", order=90,
                   roles=VIEWER_ROLES, title="审计日志 · 信访态势图")

COLUMNS = ("at", "user", "role", "addr", "action", "target", "detail")


def _allowed() -> bool:
    account = current_account()
    return account is not None and account.role in VIEWER_ROLES


def href(params: dict) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return "/audit" + ("?" + urlencode(clean) if clean else "")


def _params(q: AuditQuery) -> dict:
    return {"action": q.action, "user": q.username,
            "from": q.since.isoformat() if q.since else None,
            "to": q.until.isoformat() if q.until else None}


def audit_table(rows: list[dict], lang: str):
    if not rows:
        return html.P(t("au.empty", lang), className="empty")
    head = html.Thead(html.Tr([html.Th(t(f"au.col.{c}", lang), scope="col") for c in COLUMNS]))
    body = html.Tbody([html.Tr([
        html.Td(audit_text.when(r["at"]), className="num au-at"),
        html.Td(audit_text.user(r, lang)),
        html.Td(audit_text.role(r["role"], lang)),
        html.Td(r["remote_addr"] or "", className="num"),
        html.Td(audit_text.action(r["action"], lang), **{"data-action": r["action"]}),
        html.Td(r["target"] or ""),
        html.Td(audit_text.detail(r["detail"], lang), className="au-detail"),
    ]) for r in rows])
    return html.Table([head, body], className="audit-table data", id="audit-table")


def _pager(q: AuditQuery, page: int, total: int, lang: str):
    pages = max(1, -(-total // PAGE_ROWS))
    base = _params(q)
    first = (page - 1) * PAGE_ROWS + 1 if total else 0
    last = min(page * PAGE_ROWS, total)
    links = []
    if page > 1:
        links.append(dcc.Link(t("au.prev", lang), href=href({**base, "page": page - 1}),
                              className="button secondary", id="audit-prev"))
    links.append(html.Span(t("au.page", lang, p=fmt_int(page), n=fmt_int(pages)),
                           className="au-page num"))
    if page < pages:
        links.append(dcc.Link(t("au.next", lang), href=href({**base, "page": page + 1}),
                              className="button secondary", id="audit-next"))
    return html.Div([
        html.P(t("au.count", lang, n=fmt_int(total), first=fmt_int(first),
                 last=fmt_int(last)), className="au-count num", id="audit-count"),
        html.Nav(links, className="au-pager", **{"aria-label": t("au.page", lang, p=page,
                                                                 n=pages)}),
    ], className="au-paging")


def _controls(q: AuditQuery, lang: str, names: list[str]):
    actions = [{"label": audit_text.action(a, lang), "value": a} for a in ACTIONS]
    return html.Section([
        html.Div([html.Label(t("au.filter.action", lang), htmlFor="audit-action"),
                  dcc.Dropdown(id="audit-action", options=actions, value=q.action,
                               placeholder=t("au.filter.all", lang), clearable=True)],
                 className="field w-wide"),
        html.Div([html.Label(t("au.filter.user", lang), htmlFor="audit-user"),
                  dcc.Dropdown(id="audit-user", options=[{"label": n, "value": n}
                                                         for n in names],
                               value=q.username, placeholder=t("au.filter.all", lang),
                               clearable=True, searchable=True)], className="field w-wide"),
        html.Div([html.Label(t("au.filter.from", lang), htmlFor="audit-from"),
                  dcc.Input(id="audit-from", type="date", debounce=True,
                            value=q.since.isoformat() if q.since else None,
                            min="2000-01-01", max="2100-12-31")], className="field w-date"),
        html.Div([html.Label(t("au.filter.to", lang), htmlFor="audit-to"),
                  dcc.Input(id="audit-to", type="date", debounce=True,
                            value=q.until.isoformat() if q.until else None,
                            min="2000-01-01", max="2100-12-31")], className="field w-date"),
        dcc.Link(t("au.filter.reset", lang), href="/audit", className="button secondary"),
        html.A(t("au.export", lang), id="audit-export", className="button",
               href="/export/audit.xlsx" + (("?" + urlencode(
                   {k: v for k, v in _params(q).items() if v})) if any(_params(q).values())
                   else "")),
    ], className="filter-bar au-controls no-print",
        **{"aria-label": t("au.filter.action", lang)})


def layout(**query):
    lang = current_lang()
    account = current_account()
    user_name = getattr(account, "display_name", None) or getattr(account, "username", "")
    frame = [dcc.Location(id=f"{PREFIX}-nav", refresh="callback-nav"),
             dcc.Location(id=f"{PREFIX}-reload", refresh=True),
             header(PREFIX, lang, "audit", user_name=user_name)]
    if not _allowed():
        return html.Div([*frame, html.Main(html.P(t("au.forbidden", lang), className="error"),
                                           className="page")], className="atlas atlas-audit")
    error = None
    try:
        q, page = parse(query)
    except (ValueError, TypeError) as exc:
        error = str(exc)
        q, page = AuditQuery(limit=PAGE_ROWS), 1
    rows, total = audit.page(account.role, q)
    return html.Div([
        *frame,
        dcc.Store(id=f"{PREFIX}-query", data=_params(q)),
        html.Main([
            html.H1(t("page.audit", lang), className="page-title"),
            html.P(t("au.intro", lang, tz=get_settings().timezone), className="au-intro"),
            _controls(q, lang, audit.usernames(account.role)),
            html.P(error or "", id="audit-error", className="error", role="alert"),
            _pager(q, page, total, lang),
            html.Div(audit_table(rows, lang), id="audit-rows", className="table-wrap"),
        ], className="page", lang="en" if lang == "en" else "zh-CN"),
    ], className="atlas atlas-audit")


@dash.callback(Output(f"{PREFIX}-nav", "href"),
               Input("audit-action", "value"), Input("audit-user", "value"),
               Input("audit-from", "value"), Input("audit-to", "value"),
               prevent_initial_call=True)
def filter_rows(action, username, start, end):
    """A changed filter is a new URL (page 1); the layout reads it. Nothing for other roles."""
    if not _allowed():
        return no_update
    return href({"action": action if action in ACTIONS else None,
                 "user": (username or "").strip()[:64] or None,
                 "from": start, "to": end})


@dash.callback(Output(f"{PREFIX}-reload", "href"), Input(f"{PREFIX}-lang", "n_clicks"),
               State(f"{PREFIX}-query", "data"), prevent_initial_call=True)
def switch_language(n, current):
    if not n:
        return no_update
    toggle_lang()
    return href(current if isinstance(current, dict) else {})
