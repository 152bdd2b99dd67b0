"""Tables and the clock timeline of the Backlog page (plain HTML: they print, need no grid
library, and read from the keyboard). Numbers right-aligned with separators, dates
``YYYY-MM-DD``, rates with one decimal; every status is a badge with an icon and words.

Pure functions of frames from ``queries.backlog`` / ``queries.accountability`` — no SQL.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from dash import dcc, html

from dashboard import i18n
from dashboard.components.backlog_shell import badge, href
from dashboard.i18n import fmt_date, fmt_int, fmt_rate, t
from domain.clocks import DUTY_CLOCKS, ClockRules, as_date, timeline
from domain.rules import RECEPTION_KINDS, AccountabilityRules


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT or (
        not isinstance(v, str | tuple | list) and pd.isna(v))


def _th(text: str, num: bool = False, **kw) -> html.Th:
    return html.Th(text, scope="col", className="num" if num else None, **kw)


def _num(value, cls: str = "") -> html.Td:
    return html.Td(fmt_int(value), className=("num " + cls).strip())


def _date(value) -> html.Td:
    return html.Td("—" if _missing(value) else fmt_date(as_date(value)), className="num")


def _text(value) -> str:
    return "—" if _missing(value) or value == "" else str(value)


def _rate_cell(ok, n, rate) -> html.Td:
    if not n:
        return html.Td("—", className="num muted")
    return html.Td([html.Span(fmt_rate(rate), className="bl-rate"),
                    html.Span(f" {fmt_int(ok)}/{fmt_int(n)}", className="bl-frac")],
                   className="num")


def _table(head: list, rows: list, cls: str = "", caption: str | None = None,
           table_id: str | None = None) -> html.Div:
    return html.Div(html.Table([html.Thead(html.Tr(head) if not isinstance(head[0], html.Tr)
                                           else head),
                                html.Tbody(rows)], className=f"data bl-table {cls}".strip(),
                               id=table_id, **({"aria-label": caption} if caption else {})),
                    className="table-scroll bl-scroll")


def section(title: str, body, *, caption=None, tools=None, sid: str | None = None,
            count: str | None = None) -> html.Section:
    head = [html.H2([title, html.Span(count, className="bl-count num") if count else None])]
    if tools is not None:
        head.append(html.Div(tools, className="bl-tools no-print"))
    return html.Section([
        html.Div(head, className="bl-section-head"),
        html.P(caption, className="caption") if caption else None,
        body,
    ], className="panel bl-section", id=sid)


def empty(text: str) -> html.P:
    return html.P(text, className="empty")


def place(row, lang: str | None = None) -> str:
    """The matter's township (or county) name, in English on an English page."""
    for key in ("township_name", "county_name", "township_code", "county_code"):
        v = row.get(key)
        if not _missing(v) and v:
            return i18n.place(str(v), lang)
    return "—"


def matter_link(no: str, params: dict) -> dcc.Link:
    return dcc.Link(no, href=href("/backlog", {**params, "matter": no}) + "#bl-timeline",
                    className="mono bl-matter", title=no)


def clock_chips(row: dict, day: dt.date, rules: ClockRules, lang: str) -> html.Div:
    """The matter's duty clocks as small badges: state, and the due date or days overdue."""
    chips = []
    for e in timeline(row, day, rules):
        if e.key == "objection" or e.due is None:
            continue
        if e.state in ("on_time",):
            continue  # done on time: not news on a supervision list
        extra = ""
        if e.state == "overdue":
            extra = " " + t("bl.days", lang, n=fmt_int(e.days_over))
        elif e.state in ("due_soon", "running"):
            extra = " " + fmt_date(e.due)[5:]
        elif e.state == "late":
            extra = " +" + t("bl.days", lang, n=fmt_int(e.days_over))
        name, state = t(f"bl.clock.{e.key}", lang), t(f"bl.status.{e.state}", lang)
        chips.append(badge(e.state, lang, name + extra,
                           title=f"{name}: {state} · {t('bl.tl.due', lang)} {fmt_date(e.due)}"))
    return html.Div(chips, className="bl-chips")


def flags(row: dict, lang: str) -> list:
    out = []
    if not _missing(row.get("backlog_since")):
        out.append(badge("backlog", lang))
    if row.get("package_gap") is True:
        out.append(badge("gap", lang))
    return out


def _leader(row: dict, lang: str):
    leader = row.get("leader")
    if _missing(leader) or not leader:
        return "—"
    level = row.get("leader_level")
    lv = t(f"bl.level.{level}", lang) if level in ("county", "township") else ""
    return [leader, html.Span(f" {lv}", className="muted")] if lv else leader


# --- the clock board ---------------------------------------------------------------------------

def board_table(df: pd.DataFrame, by: str, lang: str, params: dict) -> html.Div:
    if df is None or df.empty:
        return empty(t("bl.board.empty", lang))
    group = html.Tr([
        html.Th("", colSpan=3), html.Th(t("bl.col.overdue_of", lang), colSpan=len(DUTY_CLOCKS),
                                        className="bl-group", scope="colgroup"),
        html.Th("", colSpan=3)])
    head = html.Tr([_th(t("bl.col.group", lang)), _th(t("bl.col.overdue_matters", lang), True),
                    _th(t("bl.col.due_soon_matters", lang), True)]
                   + [_th(t(f"bl.clock.{c.key}", lang), True) for c in DUTY_CLOCKS]
                   + [_th(t("bl.col.backlog", lang), True), _th(t("bl.col.oldest", lang), True),
                      _th(t("bl.col.open", lang), True)])
    rows = []
    for r in df.to_dict("records"):
        name = i18n.place(r["name"], lang) or "—"
        if by == "township" and r["key"]:
            name = dcc.Link(name, href=href("/backlog", {**params, "unit": r["key"]}),
                            title=r["key"])
        rows.append(html.Tr([
            html.Th(name, scope="row", className="bl-rowhead"),
            _num(r["overdue"], "bl-bad" if r["overdue"] else ""),
            _num(r["due_soon"], "bl-soon" if r["due_soon"] else ""),
            *[_num(r[f"overdue_{c.key}"], "" if r[f"overdue_{c.key}"] else "muted")
              for c in DUTY_CLOCKS],
            _num(r["backlog"], "bl-bad" if r["backlog"] else ""),
            _num(r["oldest"]), _num(r["open"]),
        ]))
    return _table([group, head], rows, "bl-board", table_id="bl-board")


# --- matter lists ------------------------------------------------------------------------------

def matter_table(df: pd.DataFrame, lang: str, day: dt.date, rules: ClockRules, params: dict,
                 *, table_id: str) -> html.Div:
    """Matters with their clocks (overdue / due-soon lists)."""
    head = [_th(t("bl.col.number", lang)), _th(t("bl.col.place", lang)),
            _th(t("bl.col.unit", lang)), _th(t("bl.col.category", lang)),
            _th(t("bl.col.clocks", lang)), _th(t("bl.col.days_over", lang), True),
            _th(t("bl.col.flags", lang)), _th(t("bl.col.leader", lang))]
    rows = []
    for r in df.to_dict("records"):
        rows.append(html.Tr([
            html.Td(matter_link(r["matter_no"], params)),
            html.Td(place(r, lang)), html.Td(_text(r["responsible_unit"])),
            html.Td(i18n.category(r["category"], lang)),
            html.Td(clock_chips(r, day, rules, lang)),
            _num(None if _missing(r["days_over"]) else r["days_over"],
                 "bl-bad" if not _missing(r["days_over"]) else ""),
            html.Td(flags(r, lang)),
            html.Td(_leader(r, lang)),
        ], **{"data-matter": r["matter_no"]}))
    return _table(head, rows, "bl-matters", table_id=table_id)


def backlog_table(df: pd.DataFrame, lang: str, day: dt.date, params: dict) -> html.Div:
    head = [_th(t("bl.col.number", lang)), _th(t("bl.col.place", lang)),
            _th(t("bl.col.unit", lang)), _th(t("bl.col.category", lang)),
            _th(t("bl.col.reason", lang)), _th(t("bl.col.since", lang), True),
            _th(t("bl.col.age", lang), True), _th(t("bl.col.days_over", lang), True),
            _th(t("bl.col.leader", lang))]
    rows = []
    for r in df.to_dict("records"):
        since = as_date(r["backlog_since"])
        leader = badge("gap", lang) if r.get("package_gap") else _leader(r, lang)
        rows.append(html.Tr([
            html.Td(matter_link(r["matter_no"], params)), html.Td(place(r, lang)),
            html.Td(_text(r["responsible_unit"])), html.Td(i18n.category(r["category"], lang)),
            html.Td("；".join(t(f"bl.reason.{k}", lang) for k in r["reasons"]) or "—"),
            _date(since), _num((day - since).days if since else None),
            _num(None if _missing(r["days_over"]) else r["days_over"]),
            html.Td(leader),
        ], **{"data-matter": r["matter_no"]}))
    return _table(head, rows, "bl-backlog", table_id="bl-backlog-list")


def gaps_table(df: pd.DataFrame, lang: str, params: dict, rules: ClockRules) -> html.Div:
    head = [_th(t("bl.col.number", lang)), _th(t("bl.col.place", lang)),
            _th(t("bl.col.unit", lang)), _th(t("bl.col.category", lang)),
            _th(t("bl.col.why", lang)), _th(t("bl.col.current", lang))]
    rows = []
    for r in df.to_dict("records"):
        why = [t("bl.reason.backlog", lang) if k == "backlog"
               else t("bl.reason.upper_level", lang, n=fmt_int(r["upper_n"]))
               for k in r["reasons"]]
        rows.append(html.Tr([
            html.Td(matter_link(r["matter_no"], params)), html.Td(place(r, lang)),
            html.Td(_text(r["responsible_unit"])), html.Td(i18n.category(r["category"], lang)),
            html.Td([badge("gap", lang, "；".join(why))]),
            html.Td(_leader(r, lang)),
        ], **{"data-matter": r["matter_no"]}))
    return _table(head, rows, "bl-gaps", table_id="bl-gaps")


def leaders_table(df: pd.DataFrame, lang: str) -> html.Div:
    head = [_th(t("bl.col.leader", lang)), _th(t("bl.col.level", lang)),
            _th(t("bl.col.title", lang)), _th(t("bl.col.matters", lang), True),
            _th(t("bl.col.in_backlog", lang), True), _th(t("bl.col.overdue", lang), True),
            _th(t("bl.col.resolved", lang), True), _th(t("bl.col.resolution_rate", lang), True)]
    rows = [html.Tr([
        html.Th(r["leader"], scope="row", className="bl-rowhead"),
        html.Td(t(f"bl.level.{r['level']}", lang) if r["level"] in ("county", "township") else "—"),
        html.Td(_text(r["title"])), _num(r["matters"]), _num(r["in_backlog"]),
        _num(r["overdue"], "bl-bad" if r["overdue"] else ""), _num(r["resolved"]),
        html.Td(fmt_rate(r["resolution_rate"]), className="num"),
    ]) for r in df.to_dict("records")]
    return _table(head, rows, "bl-leaders", table_id="bl-leaders")


def package_list_table(df: pd.DataFrame, lang: str, params: dict) -> html.Div:
    head = [_th(t("bl.col.number", lang)), _th(t("bl.col.place", lang)),
            _th(t("bl.col.leader", lang)), _th(t("bl.col.package_since", lang), True),
            _th(t("bl.col.flags", lang)), _th(t("bl.col.progress", lang))]
    rows = []
    for r in df.to_dict("records"):
        done = not _missing(r.get("package_resolved_on"))
        rows.append(html.Tr([
            html.Td(matter_link(r["matter_no"], params)), html.Td(place(r, lang)),
            html.Td(_leader(r, lang)), _date(r.get("package_since")),
            html.Td(flags(r, lang) + ([badge("on_time", lang, t("bl.col.resolved", lang))]
                                      if done else [])),
            html.Td(_text(r.get("package_progress"))),
        ], **{"data-matter": r["matter_no"]}))
    return _table(head, rows, "bl-packages", table_id="bl-package-list")


# --- assignments -------------------------------------------------------------------------------

def notice_table(df: pd.DataFrame, lang: str) -> html.Div:
    head = [_th(t("bl.col.assigned_unit", lang)), _th(t("bl.col.assigned", lang), True),
            _th(t("bl.col.due", lang), True), _th(t("bl.col.on_time", lang), True),
            _th(t("bl.col.late", lang), True), _th(t("bl.col.missing", lang), True),
            _th(t("bl.col.closed", lang), True), _th(t("bl.col.closeout_rate", lang), True),
            _th(t("bl.col.on_time_rate", lang), True), _th(t("bl.col.yellow", lang))]
    rows = [html.Tr([
        html.Th(r["unit"], scope="row", className="bl-rowhead"), _num(r["assigned"]),
        _num(r["due"]), _num(r["on_time"]), _num(r["late"], "bl-late" if r["late"] else ""),
        _num(r["missing"], "bl-bad" if r["missing"] else ""), _num(r["closed"]),
        html.Td(fmt_rate(r["closeout_rate"]), className="num"),
        html.Td(fmt_rate(r["on_time_rate"]), className="num"),
        html.Td(badge("yellow", lang) if r["yellow"] else ""),
    ]) for r in df.to_dict("records")]
    return _table(head, rows, "bl-notice", table_id="bl-notice")


def ledger_table(df: pd.DataFrame, lang: str, params: dict) -> html.Div:
    head = [_th(t("bl.col.assignment_no", lang)), _th(t("bl.col.assignment_title", lang)),
            _th(t("bl.col.number", lang)), _th(t("bl.col.place", lang)),
            _th(t("bl.col.assigned_unit", lang)), _th(t("bl.col.assigned_on", lang), True),
            _th(t("bl.col.feedback_due", lang), True), _th(t("bl.col.feedback_on", lang), True),
            _th(t("bl.col.closed_on", lang), True), _th(t("bl.col.state", lang))]
    rows = []
    for r in df.to_dict("records"):
        mno = r.get("matter_no")
        rows.append(html.Tr([
            html.Td(r["assignment_no"], className="mono"), html.Td(_text(r["title"])),
            html.Td(matter_link(mno, params) if not _missing(mno) and mno else "—"),
            html.Td(_text(i18n.place(r.get("township_name") or r.get("county_code"), lang))),
            html.Td(_text(r["assigned_unit"])), _date(r["assigned_on"]),
            _date(r["feedback_due"]), _date(r["feedback_on"]), _date(r["closed_on"]),
            html.Td(badge(r["state"], lang)),
        ], **{"data-assignment": r["assignment_no"]}))
    return _table(head, rows, "bl-ledger", table_id="bl-ledger")


# --- receptions --------------------------------------------------------------------------------

def reception_table(df: pd.DataFrame, lang: str) -> html.Div:
    kinds = list(RECEPTION_KINDS)
    head = ([_th(t("bl.col.leader", lang)), _th(t("bl.col.title", lang))]
            + [_th(t(f"bl.kind.{k}", lang), True) for k in kinds]
            + [_th(t("bl.col.total", lang), True), _th(t("bl.col.received", lang), True),
               _th(t("bl.col.res_matters", lang), True)])
    rows = [html.Tr([html.Th(r["leader"], scope="row", className="bl-rowhead"),
                     html.Td(_text(r["title"]))]
                    + [_num(r[k], "" if r[k] else "muted") for k in kinds]
                    + [_num(r["total"]), _num(r["received"]), _num(r["resolved"])])
            for r in df.to_dict("records")]
    return _table(head, rows, "bl-receptions", table_id="bl-receptions")


def reception_month_table(df: pd.DataFrame, lang: str) -> html.Div:
    kinds = list(RECEPTION_KINDS)
    head = ([_th(t("bl.col.month", lang))] + [_th(t(f"bl.kind.{k}", lang), True) for k in kinds]
            + [_th(t("bl.col.total", lang), True)])
    rows = [html.Tr([html.Th(fmt_date(as_date(r["month"]))[:7], scope="row", className="num")]
                    + [_num(r[k]) for k in kinds] + [_num(r["total"])])
            for r in df.to_dict("records")]
    return _table(head, rows, "bl-reception-months", table_id="bl-reception-months")


_DAY_STATUS = {"kept": "on_time", "partly": "late", "missed": "overdue",
               "none_due": "not_started"}


def reception_day_table(df: pd.DataFrame, lang: str) -> html.Div:
    """County leaders against their reception day (``queries.accountability.reception_days``):
    one row per leader, the status as a badge (icon and words), the days missed listed."""
    from briefing.reception_days import unit_label, weekday_label

    cols = ("leader", "title", "unit", "weekday", "status", "due", "kept", "missed", "other",
            "receptions", "received", "packaged", "missed_dates")
    num = {"due", "kept", "missed", "other", "receptions", "received", "packaged"}
    head = [_th(t(f"rd.col.{c}", lang), c in num) for c in cols]
    rows = []
    for r in df.to_dict("records"):
        status = r["status"]
        rows.append(html.Tr([
            html.Th(r["leader"], scope="row", className="bl-rowhead"),
            html.Td(_text(r["title"])), html.Td(unit_label(r, lang), className="place-name"),
            html.Td(weekday_label(r["weekday"], lang)),
            html.Td(badge(_DAY_STATUS[status], lang, t(f"rd.status.{status}", lang)),
                    **{"data-status": status}),
            _num(r["due"]), _num(r["kept"]), _num(r["missed"], "bad" if r["missed"] else
                                                 "muted"),
            _num(r["other_days"]), _num(r["receptions"]), _num(r["received"]),
            _num(r["packaged"]),
            html.Td(", ".join(fmt_date(d)[5:] for d in r["missed_dates"]) or "—",
                    className="num"),
        ], **{"data-leader": r["leader"]}))
    return _table(head, rows, "bl-reception-days", table_id="bl-reception-days")


# --- ranking -----------------------------------------------------------------------------------

def ranking_table(df: pd.DataFrame, lang: str, arules: AccountabilityRules) -> html.Div:
    head = [_th(t("bl.col.rank", lang), True), _th(t("bl.col.group", lang)),
            _th(t("bl.col.forward_rate", lang), True), _th(t("bl.col.accept_rate", lang), True),
            _th(t("bl.col.answer_rate", lang), True), _th(t("bl.col.handling_rate", lang), True),
            _th(t("bl.col.overdue", lang), True), _th(t("bl.col.yellow", lang))]
    rows = []
    for r in df.to_dict("records"):
        few = r["handling_n"] < arules.yellow_card_min_items
        rank = r["rank"]
        rows.append(html.Tr([
            html.Td("—" if _missing(rank) else str(int(rank)), className="num"),
            html.Th(i18n.place(r["name"] or r["key"] or "—", lang), scope="row",
                    className="bl-rowhead"),
            _rate_cell(r["fwd_ok"], r["fwd_n"], r["forward_rate"]),
            _rate_cell(r["acc_ok"], r["acc_n"], r["accept_rate"]),
            _rate_cell(r["ans_ok"], r["ans_n"], r["answer_rate"]),
            _rate_cell(r["acc_ok"] + r["ans_ok"], r["handling_n"], r["handling_rate"]),
            _num(r["overdue"], "bl-bad" if r["overdue"] else ""),
            html.Td(badge("yellow", lang) if r["yellow"] else (
                html.Span(t("bl.rank.few", lang), className="muted") if few else "")),
        ], className="is-yellow" if r["yellow"] else None, **{"data-unit": r["key"]}))
    return _table(head, rows, "bl-ranking", table_id="bl-ranking")


# --- the timeline of one matter ----------------------------------------------------------------

def timeline_panel(detail: dict | None, day: dt.date, rules: ClockRules, lang: str,
                   close: str, matter_no: str, petitioner=None) -> html.Section:
    """A matter's clocks on one time axis: span from start to due, due bar, done dot,
    the reference day, and each clock's state in words; ``petitioner``: the masked
    petitioner line (with its reveal) for roles that see personal data."""
    title = t("bl.tl.title", lang, no=matter_no)
    tools = dcc.Link(t("bl.tl.close", lang), href=close, className="button secondary")
    if detail is None:
        return section(title, empty(t("bl.tl.notfound", lang)), tools=tools, sid="bl-timeline")
    m = detail["matter"]
    entries = timeline(m, day, rules)
    dates = [d for e in entries for d in (e.start, e.due, e.done) if d] + [day]
    lo, hi = min(dates), max(dates)
    span = max((hi - lo).days, 1)

    def pos(d: dt.date) -> str:
        return f"{(d - lo).days / span * 100:.2f}%"

    rows = []
    for e in entries:
        marks = []
        if e.start and e.due:
            width = max((e.due - e.start).days, 0) / span * 100
            marks.append(html.Span(className="tl-span",
                                   style={"left": pos(e.start), "width": f"{width:.2f}%"}))
        if e.state == "overdue" and e.due:
            width = max((day - e.due).days, 0) / span * 100
            marks.append(html.Span(className="tl-over",
                                   style={"left": pos(e.due), "width": f"{width:.2f}%"},
                                   title=t("bl.status.overdue", lang)))
        if e.due:
            marks.append(html.Span(className="tl-due", style={"left": pos(e.due)},
                                   title=f"{t('bl.tl.due', lang)} {fmt_date(e.due)}"))
        if e.done:
            marks.append(html.Span(className="tl-done", style={"left": pos(e.done)},
                                   title=f"{t('bl.tl.done', lang)} {fmt_date(e.done)}"))
        tone = "overdue" if e.state == "overdue" else e.state
        state_text = t(f"bl.status.{e.state}", lang)
        if e.days_over is not None:
            state_text += " " + t("bl.days", lang, n=fmt_int(e.days_over))
        rows.append(html.Div([
            html.Div(t(f"bl.clock.{e.key}", lang), className="tl-label"),
            html.Div(marks + [html.Span(className="tl-today", style={"left": pos(day)})],
                     className=f"tl-track state-{tone}"),
            html.Div([badge(e.state, lang, state_text)], className="tl-state"),
            html.Div([html.Span(f"{t('bl.tl.start', lang)} {fmt_date(e.start)}"),
                      html.Span(f"{t('bl.tl.due', lang)} {fmt_date(e.due)}"),
                      html.Span(f"{t('bl.tl.done', lang)} {fmt_date(e.done)}")],
                     className="tl-dates num"),
        ], className="tl-row", **{"data-clock": e.key, "data-state": e.state}))
    at = (day - lo).days / span
    today_cls = "tl-mid" + (" at-end" if at > 0.8 else " at-start" if at < 0.2 else "")
    ticks = [html.Span(fmt_date(lo), className="tl-lo") if at >= 0.2 else None,
             html.Span(f"{t('bl.tl.today', lang)} {fmt_date(day)}", className=today_cls,
                       style={"left": pos(day)}),
             html.Span(fmt_date(hi), className="tl-hi") if at <= 0.8 else None]
    axis = html.Div([html.Div(className="tl-label"),
                     html.Div(ticks, className="tl-axis num"),
                     html.Div(className="tl-state"), html.Div(className="tl-dates")],
                    className="tl-row tl-axis-row")
    subs = detail["submissions"]

    def label(key: str) -> str:
        return t(key, lang) + t("bl.colon", lang)

    facts = [petitioner] if petitioner is not None else []
    facts += [
        html.Li([html.Strong(label("bl.col.place")), place(m), " · ",
                 html.Strong(label("bl.col.unit")), _text(m["responsible_unit"]), " · ",
                 html.Strong(label("bl.col.category")), i18n.category(m["category"], lang),
                 " · ", *flags(m, lang)]),
        html.Li(t("bl.tl.submissions", lang, n=fmt_int(len(subs)),
                  r=fmt_int(sum(1 for s in subs if s["is_repeat"])),
                  c=fmt_int(sum(1 for s in subs if s["is_cross_level"])))),
        html.Li([html.Strong(t("bl.tl.packages", lang) + t("bl.colon", lang)),
                 "；".join(_package_text(p, lang) for p in detail["packages"])
                 or t("bl.tl.none", lang)]),
        html.Li([html.Strong(t("bl.tl.assignments", lang) + t("bl.colon", lang)),
                 "；".join(f"{a['assignment_no']} {a['title'] or ''}"
                          f"（{t('bl.col.feedback_due', lang)} {fmt_date(a['feedback_due'])}）"
                          for a in detail["assignments"]) or t("bl.tl.none", lang)]),
    ]
    return section(title, html.Div([
        html.Div([axis, *rows], className="tl-grid", role="table",
                 **{"aria-label": title}),
        html.Ul(facts, className="tl-facts"),
    ]), caption=t("bl.tl.caption", lang, day=fmt_date(day)), tools=tools, sid="bl-timeline")


def _package_text(p: dict, lang: str) -> str:
    level = t("bl.level." + p["level"], lang) if p["level"] in ("county", "township") else ""
    until = t("bl.tl.until", lang, d=fmt_date(p["until"])) if p["until"] else ""
    return (f"{p['leader_name']}（{level}）"
            + t("bl.tl.since_until", lang, since=fmt_date(p["since"]), until=until))
