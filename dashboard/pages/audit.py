"""审计日志 Audit log: logins, reveals, exports, user and role changes — for auditors and admins.

No personal data is shown because none is written (``queries.audit.clean``).
"""

from __future__ import annotations

import datetime as dt
import json

import dash
from dash import Input, Output, callback, dcc, html

from dashboard.auth import current_account
from queries.audit import ACTIONS, VIEWER_ROLES, AuditQuery, recent

dash.register_page(__name__, path="/audit", name="审计日志 Audit log", order=90,
                   roles=VIEWER_ROLES)

COLUMNS = (("at", "时间 Time"), ("username", "用户 User"), ("role", "角色 Role"),
           ("remote_addr", "来源地址 From"), ("action", "操作 Action"),
           ("target", "对象 Target"), ("detail", "详情 Detail"))


def _allowed() -> bool:
    account = current_account()
    return account is not None and account.role in VIEWER_ROLES


def _forbidden():
    return html.P("无权查看审计日志。The audit log is for auditors.", className="error")


def _cell(key: str, value) -> str:
    if value is None:
        return ""
    if key == "at":
        return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    if key == "detail":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def audit_table(rows: list[dict]):
    if not rows:
        return html.P("没有符合条件的记录。No audit entries match.", className="empty")
    return html.Table([
        html.Thead(html.Tr([html.Th(label) for _k, label in COLUMNS])),
        html.Tbody([html.Tr([html.Td(_cell(k, r[k])) for k, _l in COLUMNS]) for r in rows]),
    ], className="audit-table")


def layout(**_kwargs):
    if not _allowed():
        return _forbidden()
    return html.Main([
        html.H1("审计日志 Audit log"),
        html.Div([
            dcc.Dropdown(id="audit-action", options=[{"label": a, "value": a} for a in ACTIONS],
                         placeholder="操作 Action", clearable=True),
            dcc.Input(id="audit-user", type="text", placeholder="用户 User", maxLength=64,
                      debounce=True),
            dcc.DatePickerRange(id="audit-dates", display_format="YYYY-MM-DD"),
        ], className="filters"),
        html.P(id="audit-error", className="error"),
        html.Div(audit_table(recent(current_account().role)), id="audit-rows"),
    ])


@callback(Output("audit-rows", "children"), Output("audit-error", "children"),
          Input("audit-action", "value"), Input("audit-user", "value"),
          Input("audit-dates", "start_date"), Input("audit-dates", "end_date"),
          prevent_initial_call=True)
def filter_rows(action, username, start, end):
    if not _allowed():
        return _forbidden(), ""
    try:
        query = AuditQuery(action=action or None, username=(username or "").strip() or None,
                           since=dt.date.fromisoformat(start[:10]) if start else None,
                           until=dt.date.fromisoformat(end[:10]) if end else None)
    except (ValueError, TypeError) as exc:
        return dash.no_update, str(exc)
    return audit_table(recent(current_account().role, query)), ""
