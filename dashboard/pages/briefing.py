"""月度简报 Monthly briefing (``/briefing``): pick a month, a jurisdiction, a format and a
language; the briefing is generated in the background with a progress bar and downloaded.

Rights are enforced here in code, not by the choices offered: the unit sent back by the
browser is checked against the session's scope (``briefing.service.resolve_unit``), a refusal
is an ``access_denied`` audit row, and each file made is an ``export`` audit row (written by
the job). The job and its file belong to the account that started it.
"""

from __future__ import annotations

import datetime as dt

import dash
from dash import Input, Output, State, dcc, html, no_update

from briefing.model import FORMATS
from briefing.service import BriefingError, BriefingRefused, parse_month, resolve_unit
from dashboard import briefing_jobs as jobs
from dashboard import (
    i18n,
    strings_briefing,  # noqa: F401  (merges the strings)
)
from dashboard.auth import audit_event
from dashboard.components.shell import header
from dashboard.context import current_account, current_lang, current_scope, toggle_lang
from dashboard.i18n import t
from dashboard.state import today
from queries.backlog import units_in_scope
from settings import get_settings

P = "brf"
MONTHS_BACK = 36
ROLES = ("admin", "leader", "officer")

dash.register_page(__name__, path="/briefing", name="月度简报 Briefing", order=5,
                   title=f"{t('page.briefing', 'zh')} · {t('app.title', 'zh')}")


def month_options(day: dt.date, lang: str) -> list[dict]:
    """The last :data:`MONTHS_BACK` months, newest first (the current month included)."""
    from briefing.strings import month_label

    out, y, m = [], day.year, day.month
    for _ in range(MONTHS_BACK):
        out.append({"label": month_label(y, m, lang), "value": f"{y}-{m:02d}"})
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


def unit_options(scope, lang: str) -> list[dict]:
    """The units the user may have a briefing of: the region (region users), then each county
    and its townships inside the jurisdiction."""
    settings = get_settings()
    opts = []
    if scope.is_region:
        opts.append({"label": settings.region_name, "value": settings.region_code})
    frame = units_in_scope(scope)
    names = dict(zip(frame["code"], frame["name"], strict=True))
    for r in frame.to_dict("records"):
        if not scope.allows(r["code"]):
            continue
        if r["level"] == "county":
            label = r["name"]
        else:
            county = names.get(r["county_code"])
            label = f"　{r['name']}" + (f"（{county}）" if county else "")
        opts.append({"label": label, "value": r["code"]})
    return opts


def layout(**_query):
    lang = current_lang()
    scope = current_scope()
    account = current_account()
    user_name = getattr(account, "display_name", None) or getattr(account, "username", "")
    top = [dcc.Location(id=f"{P}-reload", refresh=True),
           header(P, lang, "briefing", user_name=user_name)]
    units = unit_options(scope, lang) if not scope.is_empty else []
    if not units:
        return html.Div([*top, html.Main([
            html.H1(t("page.briefing", lang), className="page-title"),
            html.P(t("brp.no_unit", lang), className="alert", id=f"{P}-no-unit")],
            className="page")], className="atlas atlas-briefing")
    day = today()
    months = month_options(day, lang)
    default_month = months[1]["value"] if len(months) > 1 else months[0]["value"]

    def field(label_key, control, cid, cls=""):
        return html.Div([html.Label(t(label_key, lang), htmlFor=cid), control],
                        className="field " + cls)

    controls = html.Section([
        field("brp.month", dcc.Dropdown(id=f"{P}-month", options=months, value=default_month,
                                        clearable=False, searchable=False), f"{P}-month",
              "w-period"),
        field("brp.unit", dcc.Dropdown(id=f"{P}-unit", options=units,
                                       value=units[0]["value"], clearable=False,
                                       searchable=True), f"{P}-unit", "w-wide"),
        field("brp.format", dcc.RadioItems(
            id=f"{P}-format", value="pdf", inline=True,
            options=[{"label": t(f"brp.fmt.{f}", lang), "value": f} for f in FORMATS]),
            f"{P}-format"),
        field("brp.lang", dcc.RadioItems(
            id=f"{P}-doclang", value=lang, inline=True,
            options=[{"label": t(f"brp.lang.{x}", lang), "value": x} for x in ("zh", "en")]),
            f"{P}-doclang"),
        html.Button(t("brp.generate", lang), id=f"{P}-go", n_clicks=0, className="button",
                    type="button"),
    ], className="filter-bar brf-controls", **{"aria-label": t("brp.controls", lang)})

    progress = html.Section([
        html.H2(t("brp.progress", lang)),
        html.Progress(id=f"{P}-bar", value="0", max="100", className="brf-bar",
                      **{"aria-label": t("brp.progress", lang)}),
        html.P(t("brp.step.idle", lang), id=f"{P}-step", className="brf-step",
               role="status", **{"aria-live": "polite", "data-state": "idle"}),
    ], className="card brf-progress")

    about = html.Section([
        html.H2(t("brp.contents", lang)),
        html.P(t("brp.contents.list", lang)),
        html.P(t("brp.cli", lang), className="caption mono"),
    ], className="card brf-about")

    return html.Div([
        *top,
        dcc.Store(id=f"{P}-job", data=None),
        dcc.Interval(id=f"{P}-tick", interval=700, disabled=True),
        dcc.Download(id=f"{P}-download"),
        html.Main([
            html.H1(t("page.briefing", lang), className="page-title"),
            html.P(t("brp.intro", lang), className="lead"),
            controls, progress, about,
        ], className="page brf-page", lang="en" if lang == "en" else "zh-CN"),
    ], className="atlas atlas-briefing")


def _step_text(state: dict, lang: str) -> str:
    step = state.get("state")
    if step == "done":
        size = state.get("bytes") or 0
        return t("brp.step.done", lang, name=state.get("display_name", ""),
                 size=f"{size / 1024:,.0f} KB", seconds=state.get("seconds", "—"))
    if step == "failed":
        return t("brp.step.failed", lang, message=state.get("message")
                 or t("brp.error.internal", lang))
    if step == "queued":
        return t("brp.step.queued", lang)
    if state.get("step") == "render":
        return t("brp.step.render", lang)
    return t("brp.step.collect", lang, done=state.get("done", 0), total=state.get("total", 1))


def _percent(state: dict) -> int:
    if state.get("state") == "done":
        return 100
    if state.get("state") == "queued":
        return 2
    if state.get("step") == "render":
        return 90
    done, total = state.get("done", 0), max(state.get("total", 1), 1)
    return 5 + int(80 * done / total)


@dash.callback(
    Output(f"{P}-job", "data"), Output(f"{P}-tick", "disabled"),
    Output(f"{P}-step", "children"), Output(f"{P}-step", "data-state"),
    Output(f"{P}-bar", "value"), Output(f"{P}-go", "disabled"),
    Input(f"{P}-go", "n_clicks"),
    State(f"{P}-month", "value"), State(f"{P}-unit", "value"), State(f"{P}-format", "value"),
    State(f"{P}-doclang", "value"),
    prevent_initial_call=True)
def start(n, month, unit, fmt, doclang):
    """Check the request against the session's rights and start the job."""
    if not n:
        return (no_update,) * 6
    lang = current_lang()
    account = current_account()
    scope = current_scope()
    if account is None or account.role not in ROLES:
        audit_event("access_denied", "briefing", {"reason": "role"})
        return None, True, t("brp.error.refused", lang, detail="role"), "refused", "0", False
    try:
        parse_month(month if isinstance(month, str) else "")
        if fmt not in FORMATS or doclang not in i18n.LANGS:
            raise BriefingError(f"{str(fmt)[:10]} / {str(doclang)[:5]}")
        code = resolve_unit(scope, unit if isinstance(unit, str) else "")
    except BriefingRefused as exc:
        audit_event("access_denied", f"briefing {str(unit)[:20]}",
                    {"kind": "briefing", "reason": "unit outside the jurisdiction"})
        return None, True, t("brp.error.refused", lang, detail=str(exc)), "refused", "0", False
    except BriefingError as exc:
        return None, True, t("brp.error.input", lang, detail=str(exc)), "invalid", "0", False
    from dashboard.auth.session import remote_addr

    job = jobs.start(account=account, scope=scope, unit=code, month=month, fmt=fmt,
                     lang=doclang, as_of=today(), remote_addr=remote_addr())
    return job, False, t("brp.step.queued", lang), "queued", "2", True


@dash.callback(
    Output(f"{P}-step", "children", allow_duplicate=True),
    Output(f"{P}-step", "data-state", allow_duplicate=True),
    Output(f"{P}-bar", "value", allow_duplicate=True),
    Output(f"{P}-tick", "disabled", allow_duplicate=True),
    Output(f"{P}-go", "disabled", allow_duplicate=True),
    Output(f"{P}-download", "data"),
    Input(f"{P}-tick", "n_intervals"), State(f"{P}-job", "data"),
    prevent_initial_call=True)
def poll(_n, job):
    """The job's progress; its file once done (for the account that started it only)."""
    lang = current_lang()
    account = current_account()
    state = jobs.status(job, account) if isinstance(job, str) and account else None
    if state is None:
        return t("brp.step.lost", lang), "lost", "0", True, False, no_update
    if state.get("state") == "done":
        got = jobs.result(job, account)
        if got is None:
            return t("brp.step.lost", lang), "lost", "0", True, False, no_update
        meta, content = got
        return (_step_text(meta, lang), "done", "100", True, False,
                dcc.send_bytes(content, filename=meta.get("display_name") or meta["filename"],
                               type=meta.get("media_type")))
    if state.get("state") == "failed":
        return _step_text(state, lang), "failed", "0", True, False, no_update
    return (_step_text(state, lang), state.get("state", "running"), str(_percent(state)), False,
            True, no_update)


@dash.callback(Output(f"{P}-reload", "href"), Input(f"{P}-lang", "n_clicks"),
               prevent_initial_call=True)
def switch_language(n):
    if not n:
        return no_update
    toggle_lang()
    return "/briefing"
