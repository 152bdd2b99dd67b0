"""敏感期 Sensitive periods (``/periods``): define, edit and list them — administrators only
(issue 6). Each save is audited (``period_create`` / ``period_update``). The banner of every
page, the wall screen's panel order, the warning thresholds and the period filters follow.
"""

from __future__ import annotations

import datetime as dt

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dashboard import (
    i18n,
    strings_stability,  # noqa: F401  (registers the strings)
)
from dashboard.components.shell import header
from dashboard.context import current_account, current_lang, current_scope, toggle_lang
from dashboard.i18n import t
from dashboard.state import today
from domain.warnings import PERIOD_LEVELS
from queries import periods

P = "sp"
FIELDS = ("name", "name_en", "start", "end", "level", "scope", "note")

dash.register_page(__name__, path="/periods", name="敏感期 Sensitive periods", order=4,
                   title="敏感期 · 信访态势图", roles=("admin",))


def _is_admin() -> bool:
    account = current_account()
    return account is not None and account.role == "admin"


def periods_table(frame, lang: str):
    if frame is None or frame.empty:
        return html.P(t("periods.empty", lang), className="empty")
    head = html.Tr([html.Th(t(f"periods.col.{c}", lang)) for c in
                    ("name", "dates", "level", "scope", "status", "edit")])
    rows = []
    for r in frame.to_dict("records"):
        name = r["name"] + (f" / {r['name_en']}" if r.get("name_en") else "")
        rows.append(html.Tr([
            html.Td(name),
            html.Td(f"{i18n.fmt_date(r['starts_on'])} – {i18n.fmt_date(r['ends_on'])}",
                    className="num"),
            html.Td(t(f"plevel.{r['level']}", lang)),
            html.Td(r["scope_code"] or t("periods.scope.all", lang)),
            html.Td(t(f"pstatus.{r['status']}", lang), className=r["status"]),
            html.Td(html.Button(t("ledger.edit", lang), id={"type": f"{P}-edit",
                                                            "id": int(r["id"])},
                                n_clicks=0, className="button secondary small")),
        ], **{"data-id": str(r["id"])}))
    return html.Div(html.Table([html.Thead(head), html.Tbody(rows)],
                               className="data periods-table"), className="table-scroll")


def _field(label, control, cid, cls=""):
    return html.Div([html.Label(label, htmlFor=cid), control], className=f"field {cls}".strip())


def layout(**_query):
    lang = current_lang()
    scope = current_scope()
    account = current_account()
    user_name = getattr(account, "display_name", None) or getattr(account, "username", "")
    if not _is_admin():
        return html.Div([header(P, lang, "periods", user_name=user_name),
                         html.Main(html.P(t("periods.admin_only", lang), className="alert"),
                                   className="page")])
    day = today()
    level_opts = [{"label": t(f"plevel.{k}", lang), "value": k} for k in PERIOD_LEVELS]
    return html.Div([
        dcc.Location(id=f"{P}-reload", refresh=True),
        dcc.Store(id=f"{P}-editing", data=None),
        dcc.Store(id=f"{P}-rev", data=0),
        header(P, lang, "periods", user_name=user_name),
        html.Main([
            html.H1(t("page.periods", lang), className="page-title"),
            html.Section([
                html.H2(t("periods.form.title", lang)),
                html.P(id=f"{P}-editing-text", className="caption"),
                html.Div([
                    _field(t("periods.form.name", lang), dcc.Input(
                        id=f"{P}-name", type="text", maxLength=100), f"{P}-name", "w-wide"),
                    _field(t("periods.form.name_en", lang), dcc.Input(
                        id=f"{P}-name_en", type="text", maxLength=100), f"{P}-name_en",
                        "w-wide"),
                    _field(t("periods.form.start", lang), dcc.Input(
                        id=f"{P}-start", type="date", value=day.isoformat()), f"{P}-start",
                        "w-date"),
                    _field(t("periods.form.end", lang), dcc.Input(
                        id=f"{P}-end", type="date", value=day.isoformat()), f"{P}-end",
                        "w-date"),
                    _field(t("periods.form.level", lang), dcc.Dropdown(
                        id=f"{P}-level", options=level_opts, value="city", clearable=False),
                        f"{P}-level", "w-narrow"),
                    _field(t("periods.form.scope", lang), dcc.Input(
                        id=f"{P}-scope", type="text", maxLength=9), f"{P}-scope"),
                    _field(t("periods.form.note", lang), dcc.Input(
                        id=f"{P}-note", type="text", maxLength=500), f"{P}-note", "w-full"),
                ], className="form-grid"),
                html.Div([
                    html.Button(t("periods.form.save", lang), id=f"{P}-save", n_clicks=0,
                                className="button"),
                    html.Button(t("periods.form.new", lang), id=f"{P}-new", n_clicks=0,
                                className="button secondary"),
                    html.Span(id=f"{P}-msg", className="form-msg", role="status"),
                ], className="form-actions"),
            ], className="panel stab-section"),
            html.Section([
                html.H2(t("periods.list", lang)),
                html.Div(periods_table(periods.list_periods(scope, day), lang), id=f"{P}-list"),
            ], className="panel stab-section"),
        ], className="page", lang="en" if lang == "en" else "zh-CN"),
    ], className="atlas atlas-periods")


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@dash.callback(
    output={"fields": [Output(f"{P}-{k}", "value") for k in FIELDS],
            "editing": Output(f"{P}-editing", "data"),
            "editing_text": Output(f"{P}-editing-text", "children"),
            "msg": Output(f"{P}-msg", "children"),
            "list": Output(f"{P}-list", "children")},
    inputs={"edit": Input({"type": f"{P}-edit", "id": ALL}, "n_clicks"),
            "save": Input(f"{P}-save", "n_clicks"), "new": Input(f"{P}-new", "n_clicks"),
            "values": [State(f"{P}-{k}", "value") for k in FIELDS],
            "editing": State(f"{P}-editing", "data")},
    prevent_initial_call=True,
)
def period_actions(edit, save, new, values, editing):
    from dashboard.auth.session import remote_addr

    lang = current_lang()
    scope = current_scope()
    skip = {"fields": [no_update] * len(FIELDS), "editing": no_update,
            "editing_text": no_update, "msg": no_update, "list": no_update}
    if not _is_admin():
        return {**skip, "msg": t("periods.admin_only", lang)}
    trig = ctx.triggered_id
    if isinstance(trig, dict):
        if not ctx.triggered[0]["value"]:
            return skip
        p = periods.get_period(scope, int(trig["id"]))
        if p is None:
            return skip
        return {**skip, "fields": [p["name"], p["name_en"], p["starts_on"].isoformat(),
                                   p["ends_on"].isoformat(), p["level"], p["scope_code"],
                                   p["note"]],
                "editing": int(p["id"]),
                "editing_text": t("periods.form.editing", lang, id=p["id"])}
    if trig == f"{P}-new":
        d = today().isoformat()
        return {**skip, "fields": [None, None, d, d, "city", None, None], "editing": None,
                "editing_text": "", "msg": ""}
    vals = dict(zip(FIELDS, values, strict=True))
    try:
        inp = periods.PeriodInput(name=vals["name"] or "", name_en=vals["name_en"],
                                  starts_on=_date(vals["start"]), ends_on=_date(vals["end"]),
                                  level=vals["level"] or "city", scope_code=vals["scope"],
                                  note=vals["note"])
        if editing:
            periods.update_period(int(editing), inp, user=current_account(),
                                  remote_addr=remote_addr())
            new_id = int(editing)
        else:
            new_id = periods.create_period(inp, user=current_account(),
                                           remote_addr=remote_addr())
    except (periods.PeriodError, PermissionError, LookupError) as exc:
        return {**skip, "msg": str(exc)}
    from dashboard import data

    data.forget_versions()  # the banner and the period filters see the change at once
    return {**skip, "editing": new_id,
            "editing_text": t("periods.form.editing", lang, id=new_id),
            "msg": t("periods.saved", lang, name=inp.name),
            "list": periods_table(periods.list_periods(scope, today()), lang)}


@dash.callback(Output(f"{P}-reload", "href"), Input(f"{P}-lang", "n_clicks"),
               prevent_initial_call=True)
def switch_language(n):
    if not n:
        return no_update
    toggle_lang()
    return "/periods"
