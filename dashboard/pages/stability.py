"""维稳态势 Stability (``/stability``): sensitive periods and the stability picture (issue 6).

- **Influx** during a chosen period (a sensitive period, the last 7 or 30 days, or custom
  dates) against a baseline of the same length just before it: submissions, collective visits
  (batches and persons), cross-level submissions, submissions at province and national level,
  by township, project zone or county, with significant rises flagged (the exact test of
  :mod:`domain.warnings`); the daily series; the collective visits of the period.
- **Unstable-factor ledger** (disputes, never people) on the map and as a list, with create,
  edit and close (audited; row-level security keeps each user inside their jurisdiction).
- **Duty roster**: who is on duty today per unit, and filing it.
- **Daily reports**: which units have not filed today, the on-time rate per unit over the
  period, and filing today's report.
- **Early warnings** with time and link.

The URL holds the view: ``?window=last7|last30|sp<ID>|custom&from=…&to=…&level=township|zone|
county&unit=CODE&ledger=NO``. The jurisdiction always comes from the session, never from the
browser.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from urllib.parse import urlencode

import dash
import dash_leaflet as dl
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash_extensions.javascript import Namespace

from dashboard import (
    i18n,
    strings_stability,  # noqa: F401  (registers the strings)
)
from dashboard.components import irregular_view, weekly_view
from dashboard.components import mdtable as mdt
from dashboard.components.map import atlas_map
from dashboard.components.shell import header
from dashboard.components.warnings import warning_text
from dashboard.context import current_account, current_lang, current_scope, toggle_lang
from dashboard.i18n import t
from dashboard.state import today
from dashboard.wall_data import office_now
from domain.enums import CATEGORIES, RECEIVED_LEVELS
from domain.warnings import LEDGER_STATUSES, RISK_LEVELS, SHIFTS, rules_from_env
from queries import duty, ledger, periods, stability
from queries import warnings as qwarn
from queries.scope import InvalidCode, validate_unit_code
from settings import get_settings

log = logging.getLogger(__name__)

P = "st"
SJS = Namespace("dashExtensions", "stability")
WINDOWS = ("last7", "last30", "custom")
LEVELS = ("township", "zone", "county")
INFLUX_ROWS = 30
LEDGER_ROWS = 120
WARNING_ROWS = 60

dash.register_page(__name__, path="/stability", name="维稳态势 Stability", order=3,
                   title="维稳态势 · 信访态势图")


# --- view state ----------------------------------------------------------------------------

def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def resolve_window(scope, window: str | None, start, end, day: dt.date) -> tuple[str, dt.date,
                                                                                  dt.date]:
    """``(window, start, end)`` of the view: a sensitive period ``sp<ID>`` visible to the
    scope, the last 7 / 30 days, or custom dates (at most 366 days). Unknown: the active
    sensitive period, else the last 7 days."""
    if window and window.startswith("sp") and window[2:].isdigit():
        p = periods.get_period(scope, int(window[2:]))
        if p:
            return window, p["starts_on"], p["ends_on"]
    if window == "last30":
        return window, day - dt.timedelta(days=29), day
    if window == "custom":
        s, e = _date(start), _date(end)
        if s and e and s <= e and (e - s).days <= 366:
            return window, s, e
    if window in (None, ""):
        active = periods.active_period(scope, day)
        if active:
            return f"sp{active['id']}", active["starts_on"], active["ends_on"]
    return "last7", day - dt.timedelta(days=6), day


def _unit(scope, raw) -> str | None:
    if not raw:
        return None
    try:
        code = validate_unit_code(str(raw), levels=(6, 9))
    except InvalidCode:
        return None
    return code if scope.allows(code) else None


def _window_options(scope, day: dt.date, lang: str) -> list[dict]:
    opts = [{"label": t(f"stab.window.{w}", lang), "value": w} for w in WINDOWS]
    frame = periods.list_periods(scope, day, limit=30)
    for r in frame.to_dict("records"):
        name = (r["name_en"] or r["name"]) if lang == "en" else r["name"]
        opts.insert(len(opts) - 1, {
            "label": t("stab.window.sensitive", lang, name=f"{name} {r['starts_on']}"),
            "value": f"sp{r['id']}"})
    return opts


# --- influx section ------------------------------------------------------------------------

def _fmt_p(p) -> str:
    if p is None:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _ratio(r, lang) -> str:
    return t("stab.flag.new", lang) if r is None else f"{r:.2f}×"


def influx_cards(totals: dict, lang: str) -> list:
    cards = []
    for key in ("submissions", "collective", "cross_level", "upper_level"):
        it = totals[key]
        rise = it.get("rise")
        up = it["cur"] > it["base"]
        arrow = "▲" if up else ("▼" if it["cur"] < it["base"] else "▬")
        extra = ""
        if key == "collective":
            extra = f" · {i18n.fmt_int(totals['collective_persons']['cur'])} " \
                    f"{t('m.unit.persons', lang)}"
        cards.append(html.Div([
            html.H3(t(f"m.{key}", lang), className="kpi-label"),
            html.P(i18n.fmt_int(it["cur"]) + extra, className="kpi-value num",
                   **{"data-measure": key, "data-raw": str(it["cur"])}),
            html.P([html.Span(arrow + " ", **{"aria-hidden": "true"}),
                    f"{t('stab.col.base', lang)} {i18n.fmt_int(it['base'])} · "
                    f"{_ratio(it['ratio'], lang)} · p={_fmt_p(it.get('p'))}"],
                   className="kpi-delta " + ("bad" if rise else "neutral")),
            html.P(t("stab.flag.rise", lang) if rise else "\u00a0",
                   className="kpi-foot flag" if rise else "kpi-foot"),
        ], className="kpi-card" + (" flagged" if rise else "")))
    return cards


def influx_figure(series, lang: str) -> dict:
    from dashboard.components.charts import FONT, GRID, INK, MUTED

    title = t("stab.chart.title", lang)
    layout = {"template": "none", "height": 300, "font": {"family": FONT, "size": 12,
                                                            "color": INK},
              "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 14}},
              "margin": {"l": 48, "r": 12, "t": 40, "b": 60}, "showlegend": True,
              "legend": {"orientation": "h", "y": -0.3, "x": 0},
              "xaxis": {"title": {"text": t("stab.chart.x", lang), "font": {"color": MUTED}},
                        "gridcolor": GRID, "dtick": 1 if len(series) <= 62 else None},
              "yaxis": {"title": {"text": t("stab.chart.y", lang), "font": {"color": MUTED}},
                        "gridcolor": GRID, "rangemode": "tozero", "tickformat": ",d"},
              "paper_bgcolor": "white", "plot_bgcolor": "white"}
    if series is None or series.empty or int(series["submissions"].sum()) == 0:
        layout["annotations"] = [{"text": t("stab.chart.empty", lang), "showarrow": False,
                                  "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper"}]
        return {"data": [], "layout": layout}
    data = []
    for window, color, dash_ in (("baseline", "#9aa5b1", "dot"), ("current", "#c0392b",
                                                                    "solid")):
        part = series[series["window"] == window]
        data.append({"type": "scatter", "mode": "lines+markers",
                     "x": [int(o) + 1 for o in part["offset"]],
                     "y": [int(v) for v in part["submissions"]],
                     "customdata": [d.isoformat() for d in part["day"]],
                     "name": t(f"stab.chart.{window}", lang),
                     "line": {"color": color, "dash": dash_, "width": 2.5},
                     "hovertemplate": "%{customdata}: %{y:,}<extra></extra>"})
    return {"data": data, "layout": layout}


def influx_table(frame, level: str, lang: str, only_flagged: bool) -> html.Div:
    title = t("stab.influx.table", lang, level=t(f"stab.level.{level}", lang))
    if frame is None or frame.empty or int(frame["submissions_cur"].sum() +
                                           frame["submissions_base"].sum()) == 0:
        return html.Div([html.H3(title), html.P(t("stab.table.empty", lang), className="empty")])
    f = frame[frame["flagged"]] if only_flagged else frame
    f = f.sort_values(["flagged", "submissions_cur"], ascending=False).head(INFLUX_ROWS)
    cols = [("submissions", True), ("collective", True), ("collective_persons", False),
            ("cross_level", True), ("upper_level", True)]
    headers = [t("stab.col.area", lang)]
    align = "l"
    for m, tested in cols:
        name = t(f"m.{m}", lang)
        headers += [f"{name} {t('stab.col.cur', lang)}", t("stab.col.base", lang)]
        align += "rr"
        if tested:
            headers.append(t("stab.col.p", lang))
            align += "r"
    headers.append(t("stab.col.flag", lang))
    align += "l"
    rows = []
    for _code, r in f.iterrows():
        row = [r["name"]]
        for m, tested in cols:
            cur = i18n.fmt_int(r[f"{m}_cur"])
            row.append(mdt.bold("▲ " + cur) if tested and r.get(f"{m}_rise") else cur)
            row.append(i18n.fmt_int(r[f"{m}_base"]))
            if tested:
                row.append(_fmt_p(r[f"{m}_p"]))
        row.append(mdt.bold("▲ " + t("stab.flag.rise", lang)) if r["flagged"]
                   else t("stab.flag.none", lang))
        rows.append(row)
    return html.Div([html.H3(title), html.Div(mdt.table(headers, rows, align,
                                                        class_name="influx"),
                                              className="table-scroll")])


def visits_table(visits: list[dict], lang: str) -> html.Div:
    title = t("stab.visits.title", lang, n=5)
    if not visits:
        return html.Div([html.H3(title), html.P(t("stab.visits.empty", lang), className="empty")])
    headers = [t(f"stab.col.{c}", lang) for c in ("day", "township", "persons", "category",
                                                  "level", "matter")]
    rows = [[i18n.fmt_date(v["received_on"]), i18n.place(v["township_name"], lang) or "—",
             i18n.fmt_int(v["persons"]), i18n.category(v["category"], lang),
             i18n.enum_label(RECEIVED_LEVELS, v["received_level"], lang), v["matter_no"]]
            for v in visits[:50]]
    return html.Div([html.H3(title), html.Div(mdt.table(headers, rows, "llrlll"),
                                              className="table-scroll")])


# --- ledger section ------------------------------------------------------------------------

def _due_text(days, lang) -> str:
    if days is None or (isinstance(days, float) and days != days):
        return ""
    days = int(days)
    if days < 0:
        return t("ledger.days_late", lang, n=-days)
    if days == 0:
        return t("ledger.due_today", lang)
    return t("ledger.days_left", lang, n=days)


def ledger_table(frame, lang: str, *, limit: int = LEDGER_ROWS) -> html.Div:
    if frame is None or frame.empty:
        return html.P(t("ledger.empty", lang), className="empty")
    cols = ["no", "title", "place", "people", "risk", "unit", "leader", "due", "status"]
    headers = [t(f"ledger.col.{c}", lang) for c in cols]
    rows = []
    for r in frame.head(limit).to_dict("records"):
        days = r.get("days_left")
        late = days is not None and days == days and days < 0 and r["status"] != "resolved"
        place = i18n.place(r.get("township_name") or r.get("county_name"), lang) or "—"
        if r.get("zone_name"):
            place += f" · {i18n.place(r['zone_name'], lang)}"
        due = (i18n.fmt_date(r["resolve_by"]) if r["resolve_by"] is not None else "—")
        note = _due_text(days, lang) if r["status"] != "resolved" else ""
        due_cell = mdt.bold(f"{due} {note}") if late else f"{due} {note}".strip()
        risk = t(f"risk.{r['risk_level']}", lang)
        rows.append([
            mdt.link(r["ledger_no"], f"/stability?ledger={r['ledger_no']}#ledger"),
            r["title"], place, i18n.fmt_int(r["people_involved"]),
            mdt.bold("▲ " + risk) if r["risk_level"] == "high" else risk,
            r.get("responsible_unit") or "—", r.get("responsible_leader") or "—", due_cell,
            t(f"status.{r['status']}", lang)])
    more = len(frame) - min(len(frame), limit)
    return html.Div([
        html.Div(mdt.table(headers, rows, "lllrlllll", class_name="ledger"),
                 className="table-scroll"),
        html.P(t("warn.more", lang, n=more), className="caption") if more > 0 else None])


def _ledger_hideout(frame, lang: str) -> dict:
    counts: dict[str, int] = {}
    if frame is not None and not frame.empty:
        open_ = frame[frame["status"] != "resolved"]
        counts = {k: int(v) for k, v in open_["township_code"].dropna().value_counts().items()}
    values = {k: float(v) for k, v in counts.items()}
    breaks = sorted(set(values.values()))[:5] if values else []
    palette = ("#fde8c8", "#f8c383", "#f29b4c", "#e0682a", "#b43b12")
    colors = [palette[round(i * (len(palette) - 1) / max(len(breaks) - 1, 1))]
              for i in range(len(breaks))]
    text = {k: t("ledger.open_n", lang, n=v) for k, v in counts.items()}
    return {"values": values, "text": text, "breaks": breaks, "colors": colors,
            "nodata": "#f1f4f8", "selected": "", "label": t("ledger.col.status", lang),
            "selectedColor": "#0b3d91"}


def ledger_map(scope, lang: str, geo: dict, points: dict) -> dl.Map:
    settings = get_settings()
    the_map = atlas_map(f"{P}l", lang=lang, measure_label=t("ledger.map", lang),
                        bounds=geo.get("bounds"), tile_url=settings.tile_url,
                        tile_attribution=settings.tile_attribution,
                        zones_url=geo.get("zones_url"), height="420px")
    for layer in _walk(the_map):  # outlines by URL: the browser keeps them (ETag, version)
        if getattr(layer, "id", None) == f"{P}l-choro":
            layer.url = geo.get("towns_url")
    the_map.children = [*the_map.children, dl.GeoJSON(
        id=f"{P}-ledger-points", data=points, pane="atlas-points",
        pointToLayer=SJS("ledgerPoint"), onEachFeature=SJS("ledgerEach"),
        hideout={"labels": {"people": t("ledger.col.people", lang),
                            "due": t("ledger.col.due", lang),
                            "risk": {k: t(f"risk.{k}", lang) for k in RISK_LEVELS}}})]
    if geo.get("bounds"):
        the_map.viewport = {"bounds": geo["bounds"]}
    return the_map


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def _field(label: str, control, cid: str, cls: str = "") -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid), control], className=f"field {cls}".strip())


def _options(enum: dict, lang: str, prefix: str | None = None) -> list[dict]:
    return [{"label": t(f"{prefix}.{k}", lang) if prefix else i18n.pick(v, lang), "value": k}
            for k, v in enum.items()]


def ledger_summary_text(scope, day: dt.date, lang: str) -> str:
    s = ledger.summary(scope, day)
    return t("ledger.summary", lang, open=s["open"], high=s["high"], overdue=s["overdue"],
             people=i18n.fmt_int(s["people"]))


def pick_options(frame, extra: dict | None = None) -> list[dict]:
    """The disputes the form can open: ``no · title`` (open ones, plus one asked for)."""
    opts = [{"label": f"{r['ledger_no']} · {r['title']}", "value": r["ledger_no"]}
            for r in frame.head(500).to_dict("records")] if frame is not None else []
    if extra and extra["ledger_no"] not in {o["value"] for o in opts}:
        opts.insert(0, {"label": f"{extra['ledger_no']} · {extra['title']}",
                        "value": extra["ledger_no"]})
    return opts


def ledger_form(scope, lang: str, towns: list[dict], options: list[dict],
                picked: str | None) -> html.Div:
    def inp(key, **kw):
        return dcc.Input(id=f"{P}-lf-{key}", debounce=False, **kw)

    counties = sorted({c["code"][:6] for c in towns})
    return html.Div([
        html.H3(t("ledger.form.title", lang)),
        html.P(t("ledger.form.hint", lang), className="hint warn-hint"),
        _field(t("ledger.form.pick", lang), dcc.Dropdown(
            id=f"{P}-lf-pick", options=options, value=picked, clearable=True, searchable=True,
            placeholder=t("ledger.form.pick.none", lang)), f"{P}-lf-pick", "w-full"),
        html.P(id=f"{P}-lf-editing", className="caption"),
        html.Div([
            _field(t("ledger.form.name", lang), inp("title", type="text", maxLength=200),
                   f"{P}-lf-title", "w-wide"),
            _field(t("ledger.form.category", lang), dcc.Dropdown(
                id=f"{P}-lf-category", options=_options(CATEGORIES, lang), clearable=True),
                f"{P}-lf-category"),
            _field(t("ledger.form.town", lang), dcc.Dropdown(
                id=f"{P}-lf-town", options=[{"label": c["name"], "value": c["code"]}
                                            for c in towns], clearable=True, searchable=True),
                f"{P}-lf-town"),
            _field(t("ledger.form.county", lang), dcc.Dropdown(
                id=f"{P}-lf-county", options=[{"label": c, "value": c} for c in counties],
                clearable=True), f"{P}-lf-county", "w-narrow"),
            _field(t("ledger.form.lon", lang), inp("lon", type="number", step="any"),
                   f"{P}-lf-lon", "w-narrow"),
            _field(t("ledger.form.lat", lang), inp("lat", type="number", step="any"),
                   f"{P}-lf-lat", "w-narrow"),
            _field(t("ledger.form.people", lang), inp("people", type="number", min=0,
                                                       max=100000, step=1, value=0),
                   f"{P}-lf-people", "w-narrow"),
            _field(t("ledger.form.risk", lang), dcc.Dropdown(
                id=f"{P}-lf-risk", options=_options(RISK_LEVELS, lang, "risk"),
                value="medium", clearable=False), f"{P}-lf-risk", "w-narrow"),
            _field(t("ledger.form.unit", lang), inp("unit", type="text", maxLength=100),
                   f"{P}-lf-unit"),
            _field(t("ledger.form.leader", lang), inp("leader", type="text", maxLength=50),
                   f"{P}-lf-leader"),
            _field(t("ledger.form.opened", lang), inp("opened", type="date",
                                                       value=today().isoformat()),
                   f"{P}-lf-opened", "w-date"),
            _field(t("ledger.form.due", lang), inp("due", type="date"), f"{P}-lf-due",
                   "w-date"),
            _field(t("ledger.form.status", lang), dcc.Dropdown(
                id=f"{P}-lf-status", options=_options(LEDGER_STATUSES, lang, "status"),
                value="open", clearable=False), f"{P}-lf-status", "w-narrow"),
            _field(t("ledger.form.measures", lang), dcc.Textarea(
                id=f"{P}-lf-measures", maxLength=2000, rows=2), f"{P}-lf-measures", "w-full"),
        ], className="form-grid"),
        html.Div([
            html.Button(t("ledger.form.save", lang), id=f"{P}-lf-save", n_clicks=0,
                        className="button"),
            html.Button(t("ledger.form.close", lang), id=f"{P}-lf-close", n_clicks=0,
                        className="button secondary"),
            html.Button(t("ledger.form.clear", lang), id=f"{P}-lf-clear", n_clicks=0,
                        className="button secondary"),
            html.Span(id=f"{P}-lf-msg", className="form-msg", role="status"),
        ], className="form-actions"),
    ], className="panel form-panel")


# --- duty and reports ----------------------------------------------------------------------

def duty_table(frame, lang: str) -> html.Div:
    if frame is None or frame.empty:
        return html.P(t("report.none_units", lang), className="empty")
    headers = [t(f"duty.col.{c}", lang) for c in ("unit", "shift", "officer", "leader", "phone")]
    rows = []
    for r in frame.to_dict("records"):
        missing = r.get("shift") is None or r.get("shift") != r.get("shift")
        if missing:
            rows.append([r["unit_name"], mdt.bold("▲ " + t("duty.none", lang)), "", "", ""])
        else:
            rows.append([r["unit_name"], t(f"shift.{r['shift']}", lang),
                         r.get("officer_name") or "", r.get("leader_name") or "",
                         r.get("phone") or ""])
    return html.Div(mdt.table(headers, rows, "llllr", class_name="duty"),
                    className="table-scroll short")


def compliance_table(frame, lang: str) -> html.Div:
    if frame is None or frame.empty:
        return html.P(t("report.none_units", lang), className="empty")
    headers = [t(f"report.col.{c}", lang) for c in ("unit", "status", "filed", "incidents")]
    tz = duty.office_tz()
    rows = []
    for r in frame.to_dict("records"):
        filed = r.get("filed_at")
        filed_text = filed.astimezone(tz).strftime("%H:%M") if filed is not None and \
            filed == filed else "—"
        incidents = r.get("incidents")
        status = t(f"report.{r['status']}", lang)
        rows.append([r["name"], mdt.bold("▲ " + status) if r["status"] == "missing" else
                     status, filed_text,
                     "—" if incidents is None or incidents != incidents else
                     i18n.fmt_int(incidents)])
    return html.Div(mdt.table(headers, rows, "llrr", class_name="compliance"),
                    className="table-scroll short")


def rates_table(frame, lang: str) -> html.Div:
    if frame is None or frame.empty:
        return html.P(t("report.none_units", lang), className="empty")
    overall = duty.overall_rate(frame)
    headers = [t("report.col.unit", lang)] + [t(f"report.col.{c}", lang) for c in
                                              ("days", "on_time", "late", "missing", "rate")]
    rows = []
    for r in frame.to_dict("records"):
        rate = i18n.fmt_rate(r["rate"])
        rows.append([r["name"], i18n.fmt_int(r["days"]), i18n.fmt_int(r["on_time"]),
                     i18n.fmt_int(r["late"]), i18n.fmt_int(r["missing"]),
                     mdt.bold("▼ " + rate) if r["rate"] is not None and r["rate"] < 0.9
                     else rate])
    return html.Div([
        html.P(t("report.rates.overall", lang, rate=i18n.fmt_rate(overall),
                 days=i18n.fmt_int(int(frame["days"].sum()))), className="caption"),
        html.Div(mdt.table(headers, rows, "lrrrrr", class_name="rates"),
                 className="table-scroll short")])


def report_summary(frame, lang: str, cutoff: dt.time) -> list:
    counts = frame["status"].value_counts().to_dict() if frame is not None else {}
    return [html.H3(t("report.title", lang, cutoff=cutoff.strftime("%H:%M"))),
            html.P(t("report.summary", lang, **{s: counts.get(s, 0) for s in duty.STATUSES}),
                   className="caption")]


def warnings_list(items: list, lang: str) -> html.Div:
    if not items:
        return html.P(t("warn.empty", lang), className="empty")
    headers = [t(f"warn.col.{c}", lang) for c in ("time", "level", "what", "link")]
    rows = []
    for w in items[:WARNING_ROWS]:
        d = w.as_dict() if hasattr(w, "as_dict") else w
        at = d["at"].replace("T", " ")[:16]
        if at.endswith(" 00:00"):
            at = at[:10]
        sev = t(f"sev.{d['severity']}", lang)
        rows.append([at, mdt.bold("▲ " + sev) if d["severity"] == "red" else "● " + sev,
                     warning_text(d, lang), mdt.link(t("warn.col.link", lang), d["link"])])
    more = len(items) - len(rows)
    return html.Div([html.Div(mdt.table(headers, rows, "llll", class_name="warnings"),
                              className="table-scroll"),
                     html.P(t("warn.more", lang, n=more), className="caption") if more > 0
                     else None])


def cached_warnings(scope, now: dt.datetime) -> list[dict]:
    """The scope's warnings through the wall's aggregate cache (fresh for
    ``WALL_CACHE_TTL`` seconds, one computation per scope however many users look)."""
    from dashboard.wall_cache import get_cache, scope_key
    from dashboard.wall_data import wall_scope
    from queries.summaries import write_version

    # The write counter is in the key: a national irregular submission just imported is
    # listed (first) at once.
    key = scope_key(wall_scope(scope), "warnings", now.date().isoformat(),
                    get_settings().database_url, write_version())
    return get_cache().get(key, lambda: {"items": [
        w.as_dict() for w in qwarn.current_warnings(scope, now)]})["items"]


def rules_text(lang: str, sensitive: bool) -> str:
    th = rules_from_env().for_period(sensitive)
    cutoff = duty.cutoff_time().strftime("%H:%M")
    return t("warn.rules", lang, persons=th.collective_persons, ratio=th.influx_ratio,
             lead=t("warn.rules.lead", lang, n=th.ledger_lead_days) if th.ledger_lead_days
             else "", cutoff=cutoff,
             grace=t("warn.rules.grace", lang, n=th.report_grace_minutes)
             if th.report_grace_minutes else "")


# --- layout --------------------------------------------------------------------------------

def layout(window=None, level=None, unit=None, ledger_no=None, **query):
    lang = current_lang()
    scope = current_scope()
    account = current_account()
    user_name = getattr(account, "display_name", None) or getattr(account, "username", "")
    if scope.is_empty:
        return html.Div([header(P, lang, "stability", user_name=user_name),
                         html.Main(html.P(t("error.no_scope", lang), className="alert"),
                                   className="page")])
    day = today()
    ledger_no = ledger_no or query.get("ledger")
    win, start, end = resolve_window(scope, window, query.get("from"), query.get("to"), day)
    level = level if level in LEVELS else ("zone" if query.get("zone") else "township")
    unit = _unit(scope, unit)
    from dashboard import data

    version = urlencode({"v": data.geometry_version()})
    geo = {"towns_url": f"/geo/units.json?level=township&{version}",
           "zones_url": f"/geo/zones.json?{version}", "bounds": data.region_bounds(scope)}
    towns = [{"code": r["code"], "name": r["name"]} for r in
             data.child_units(scope, None, "township").to_dict("records")]
    frame = ledger.list_entries(scope, day, status="open", unit=unit)
    points = json.loads(ledger.ledger_geojson(scope, day, status="open"))
    the_map = ledger_map(scope, lang, geo, points)
    for layer in _walk(the_map):
        if getattr(layer, "id", None) == f"{P}l-choro":
            layer.hideout = _ledger_hideout(frame, lang)
    units = duty.units(scope)
    unit_opts = [{"label": r["name"], "value": r["code"]} for r in units.to_dict("records")]
    now = office_now()
    cutoff = duty.cutoff_time()
    compliance = duty.compliance_day(scope, now, cutoff=cutoff)
    try:
        warns = cached_warnings(scope, now)
    except Exception:  # the page must come up
        log.exception("warnings")
        warns = []
    active = periods.active_period(scope, day)
    asked = ledger.get_entry(scope, str(ledger_no)) if ledger_no else None
    edit_panel = ledger_form(scope, lang, towns, pick_options(frame, asked),
                             asked["ledger_no"] if asked else None)
    return html.Div([
        dcc.Location(id=f"{P}-url", refresh=False),
        dcc.Location(id=f"{P}-reload", refresh=True),
        dcc.Store(id=f"{P}-ledger-rev", data=0),
        dcc.Store(id=f"{P}-ledger-editing", data=None),
        header(P, lang, "stability", user_name=user_name),
        html.Main([
            html.H1(t("page.stability", lang), className="page-title"),
            html.Section([
                _field(t("stab.filter.window", lang), dcc.Dropdown(
                    id=f"{P}-window", options=_window_options(scope, day, lang), value=win,
                    clearable=False, searchable=False), f"{P}-window", "w-wide"),
                html.Div([
                    _field(t("filter.from", lang), dcc.Input(
                        id=f"{P}-from", type="date", value=start.isoformat(), debounce=True),
                        f"{P}-from", "w-date"),
                    _field(t("filter.to", lang), dcc.Input(
                        id=f"{P}-to", type="date", value=end.isoformat(), debounce=True),
                        f"{P}-to", "w-date"),
                ], className="date-range"),
                _field(t("stab.filter.level", lang), dcc.Dropdown(
                    id=f"{P}-level", options=[{"label": t(f"stab.level.{lv}", lang),
                                               "value": lv} for lv in LEVELS],
                    value=level, clearable=False, searchable=False), f"{P}-level"),
                dcc.Checklist(id=f"{P}-flagged", options=[
                    {"label": t("stab.only_flagged", lang), "value": "y"}], value=[],
                    className="check"),
                dcc.Store(id=f"{P}-unit", data=unit),
            ], className="filter-bar no-print", **{"aria-label": t("filters.label", lang)}),
            html.Section([
                html.Div([html.H2(t("stab.influx.title", lang)),
                          html.Span(id=f"{P}-compare", className="period-label num")],
                         className="section-head"),
                html.Div(id=f"{P}-cards", className="kpi-grid stab-cards"),
                html.Div([
                    html.Div(dcc.Graph(id=f"{P}-chart", config={"displaylogo": False,
                                                                 "displayModeBar": False}),
                             className="chart-box"),
                    html.Div(id=f"{P}-visits", className="panel"),
                ], className="grid-two"),
                html.Div(id=f"{P}-influx", className="panel"),
                html.P(id=f"{P}-method", className="caption"),
            ], className="stab-section"),
            irregular_view.stability_section(scope, day, unit, lang),
            html.Section([
                html.H2(t("ledger.title", lang)),
                html.Div([
                    html.Div([the_map, html.P(t("map.schematic", lang), className="caption")],
                             className="panel"),
                    html.Div([
                        dcc.RadioItems(id=f"{P}-ledger-status", options=[
                            {"label": t("ledger.filter.open", lang), "value": "open"},
                            {"label": t("ledger.filter.all", lang), "value": "all"}],
                            value="open", inline=True, className="radio"),
                        html.P(ledger_summary_text(scope, day, lang), id=f"{P}-ledger-summary",
                               className="caption"),
                        html.Div(ledger_table(frame, lang),
                                 id=f"{P}-ledger-list"),
                    ], className="panel"),
                ], className="grid-two ledger-grid"),
                edit_panel,
            ], className="stab-section", id="ledger"),
            html.Section([
                html.Div([
                    html.H2(t("duty.title", lang, day=day.isoformat())),
                    html.P(id=f"{P}-duty-coverage", className="caption"),
                    html.Div(id=f"{P}-duty"),  # drawn by duty_actions on load
                    html.Div([
                        html.H3(t("duty.form.title", lang)),
                        html.Div([
                            _field(t("duty.form.unit", lang), dcc.Dropdown(
                                id=f"{P}-df-unit", options=unit_opts, clearable=False),
                                f"{P}-df-unit", "w-wide"),
                            _field(t("duty.form.date", lang), dcc.Input(
                                id=f"{P}-df-date", type="date", value=day.isoformat()),
                                f"{P}-df-date", "w-date"),
                            _field(t("duty.form.shift", lang), dcc.Dropdown(
                                id=f"{P}-df-shift", options=_options(SHIFTS, lang, "shift"),
                                value="full", clearable=False), f"{P}-df-shift", "w-narrow"),
                            _field(t("duty.form.officer", lang), dcc.Input(
                                id=f"{P}-df-officer", type="text", maxLength=50),
                                f"{P}-df-officer"),
                            _field(t("duty.form.leader", lang), dcc.Input(
                                id=f"{P}-df-leader", type="text", maxLength=50),
                                f"{P}-df-leader"),
                            _field(t("duty.form.phone", lang), dcc.Input(
                                id=f"{P}-df-phone", type="text", maxLength=20),
                                f"{P}-df-phone", "w-narrow"),
                        ], className="form-grid"),
                        html.Div([html.Button(t("duty.form.save", lang), id=f"{P}-df-save",
                                              n_clicks=0, className="button"),
                                  html.Span(id=f"{P}-df-msg", className="form-msg",
                                            role="status")], className="form-actions"),
                    ], className="form-panel"),
                ], className="panel"),
                html.Div([
                    html.Div(report_summary(compliance, lang, cutoff), id=f"{P}-rep-summary"),
                    html.Div(compliance_table(compliance, lang), id=f"{P}-rep-today"),
                    html.Div([
                        html.H3(t("report.form.title", lang)),
                        html.Div([
                            _field(t("report.form.unit", lang), dcc.Dropdown(
                                id=f"{P}-rf-unit", options=unit_opts, clearable=False),
                                f"{P}-rf-unit", "w-wide"),
                            _field(t("report.form.incidents", lang), dcc.Input(
                                id=f"{P}-rf-incidents", type="number", min=0, step=1,
                                value=0), f"{P}-rf-incidents", "w-narrow"),
                            _field(t("report.form.note", lang), dcc.Input(
                                id=f"{P}-rf-note", type="text", maxLength=500),
                                f"{P}-rf-note", "w-wide"),
                        ], className="form-grid"),
                        html.Div([html.Button(t("report.form.save", lang), id=f"{P}-rf-save",
                                              n_clicks=0, className="button"),
                                  html.Span(id=f"{P}-rf-msg", className="form-msg",
                                            role="status")], className="form-actions"),
                    ], className="form-panel"),
                ], className="panel", id="compliance"),
            ], className="grid-two stab-section"),
            html.Section([
                html.H3(t("report.rates.title", lang)),
                html.Div(id=f"{P}-rates"),
            ], className="panel stab-section"),
            html.Section([
                html.H2(t("warn.title", lang)),
                html.P(rules_text(lang, bool(active)), className="caption"),
                warnings_list(warns, lang),
            ], className="panel stab-section", id="warnings"),
            weekly_view.section(scope, unit, now, lang),
            html.P(t("source.line", lang, region=i18n.place(get_settings().region_name, lang),
                     asof=day.isoformat()), className="source-line"),
        ], className="page", lang="en" if lang == "en" else "zh-CN"),
    ], className="atlas atlas-stability")


# --- callbacks -----------------------------------------------------------------------------

@dash.callback(
    Output(f"{P}-compare", "children"), Output(f"{P}-cards", "children"),
    Output(f"{P}-chart", "figure"), Output(f"{P}-influx", "children"),
    Output(f"{P}-visits", "children"), Output(f"{P}-rates", "children"),
    Output(f"{P}-method", "children"), Output(f"{P}-url", "search"),
    Output(f"{P}-from", "value"), Output(f"{P}-to", "value"),
    Input(f"{P}-window", "value"), Input(f"{P}-from", "value"), Input(f"{P}-to", "value"),
    Input(f"{P}-level", "value"), Input(f"{P}-flagged", "value"),
    State(f"{P}-unit", "data"),
)
def draw_influx(window, start, end, level, flagged, unit):
    from dashboard import data

    lang = current_lang()
    scope = current_scope()
    if scope.is_empty:
        return (no_update,) * 10
    day = today()
    if ctx.triggered_id in (f"{P}-from", f"{P}-to"):
        window = "custom"
    win, s, e = resolve_window(scope, window, start, end, day)
    level = level if level in LEVELS else "township"
    unit = _unit(scope, unit)
    active = periods.active_period(scope, day)
    th = rules_from_env().for_period(bool(active))
    from queries.filters import MatterFilter

    flt = MatterFilter(unit=unit)
    w = stability.windows(s, e, day)
    compare = t("stab.compare", lang, cs=w["cs"], ce=w["ce"], days=w["days"], bs=w["bs"],
                be=w["be"]) if w["days"] else t("stab.compare.empty", lang)
    totals = data.memo("stab_totals", stability.influx_totals, scope, s, e, day, flt=flt,
                       alpha=th.alpha, min_count=th.influx_min_count)
    frame = data.memo("stab_influx", stability.influx_by_area, scope, s, e, day, level=level,
                      flt=flt, alpha=th.alpha, min_count=th.influx_min_count)
    series = data.memo("stab_series", stability.daily_series, scope, s, e, day, flt=flt)
    visits = stability.collective_visits(scope, w["cs"], w["ce"], flt=flt) if w["days"] \
        else []
    rates = duty.on_time_rates(scope, s, e, office_now())
    params = {"window": win, "level": level}
    if win == "custom":
        params.update({"from": s.isoformat(), "to": e.isoformat()})
    if unit:
        params["unit"] = unit
    method = t("stab.influx.method", lang, alpha=th.alpha, n=th.influx_min_count)
    return (compare, influx_cards(totals, lang), influx_figure(series, lang),
            influx_table(frame, level, lang, bool(flagged)), visits_table(visits, lang),
            rates_table(rates, lang), method, "?" + urlencode(params), s.isoformat(),
            e.isoformat())


def _ledger_input(title, category, town, county, lon, lat, people, risk, unit, leader,
                  opened, due, status, measures, **changes):
    return ledger.LedgerInput(
        title=title or "", category=category or None, township_code=town or None,
        county_code=county or None, lon=lon if lon not in ("", None) else None,
        lat=lat if lat not in ("", None) else None, people_involved=people or 0,
        risk_level=risk or "medium", responsible_unit=unit, responsible_leader=leader,
        opened_on=_date(opened) or today(), resolve_by=_date(due), status=status or "open",
        measures=measures, **changes)


_FORM = ("title", "category", "town", "county", "lon", "lat", "people", "risk", "unit",
         "leader", "opened", "due", "status", "measures")


@dash.callback(
    output={"fields": [Output(f"{P}-lf-{k}", "value") for k in _FORM],
            "editing": Output(f"{P}-ledger-editing", "data"),
            "editing_text": Output(f"{P}-lf-editing", "children"),
            "msg": Output(f"{P}-lf-msg", "children"),
            "rev": Output(f"{P}-ledger-rev", "data")},
    inputs={"pick": Input(f"{P}-lf-pick", "value"),
            "save": Input(f"{P}-lf-save", "n_clicks"),
            "close": Input(f"{P}-lf-close", "n_clicks"),
            "clear": Input(f"{P}-lf-clear", "n_clicks"),
            "values": [State(f"{P}-lf-{k}", "value") for k in _FORM],
            "editing": State(f"{P}-ledger-editing", "data"),
            "rev": State(f"{P}-ledger-rev", "data")},
    prevent_initial_call=False,
)
def ledger_form_actions(pick, save, close, clear, values, editing, rev):
    """Open a dispute in the form (picked, or asked for by ``?ledger=``), save (create or
    update), close, clear."""
    from dashboard.auth.session import remote_addr

    lang = current_lang()
    scope = current_scope()
    skip = {"fields": [no_update] * len(_FORM), "editing": no_update, "editing_text": no_update,
            "msg": no_update, "rev": no_update}
    trig = ctx.triggered_id
    if trig in (None, f"{P}-lf-pick"):
        if not pick:
            return skip
        row = ledger.get_entry(scope, str(pick))
        if row is None:
            return {**skip, "msg": t("ledger.empty", lang)}
        fields = [row["title"], row["category"], row["township_code"], row["county_code"],
                  row.get("lon"), row.get("lat"), row["people_involved"], row["risk_level"],
                  row["responsible_unit"], row["responsible_leader"],
                  row["opened_on"].isoformat(),
                  row["resolve_by"].isoformat() if row["resolve_by"] else None,
                  row["status"], row["measures"]]
        return {"fields": fields, "editing": row["ledger_no"],
                "editing_text": t("ledger.form.editing", lang, no=row["ledger_no"]),
                "msg": "", "rev": no_update}
    if trig == f"{P}-lf-clear":
        return {"fields": [None, None, None, None, None, None, 0, "medium", None, None,
                           today().isoformat(), None, "open", None],
                "editing": None, "editing_text": "", "msg": "", "rev": no_update}
    account = current_account()
    vals = dict(zip(_FORM, values, strict=True))
    try:
        if trig == f"{P}-lf-save":
            inp = _ledger_input(**vals)
            if editing:
                ledger.update_entry(scope, editing, inp, user=account,
                                    remote_addr=remote_addr())
                no = editing
            else:
                no = ledger.create_entry(scope, inp, user=account, remote_addr=remote_addr())
            return {**skip, "editing": no, "editing_text": t("ledger.form.editing", lang, no=no),
                    "msg": t("ledger.saved", lang, no=no), "rev": (rev or 0) + 1}
        if trig == f"{P}-lf-close":
            if not editing:
                return {**skip, "msg": t("ledger.form.editing", lang, no="—")}
            ledger.close_entry(scope, editing, today(), user=account, remote_addr=remote_addr())
            return {**skip, "fields": [no_update] * 12 + ["resolved", no_update],
                    "msg": t("ledger.closed", lang, no=editing), "rev": (rev or 0) + 1}
    except (ledger.LedgerError, PermissionError, LookupError) as exc:
        return {**skip, "msg": str(exc)}
    return skip


@dash.callback(
    Output(f"{P}-ledger-list", "children"), Output(f"{P}-ledger-summary", "children"),
    Output(f"{P}-ledger-points", "data"), Output(f"{P}l-choro", "hideout"),
    Input(f"{P}-ledger-status", "value"), Input(f"{P}-ledger-rev", "data"),
    State(f"{P}-unit", "data"),
    prevent_initial_call=True,  # the layout draws the first list and map
)
def draw_ledger(status, _rev, unit):
    lang = current_lang()
    scope = current_scope()
    if scope.is_empty:
        return no_update, no_update, no_update, no_update
    day = today()
    status = status if status in ("open", "all") else "open"
    frame = ledger.list_entries(scope, day, status=status, unit=_unit(scope, unit))
    points = json.loads(ledger.ledger_geojson(scope, day, status=status))
    summary = ledger_summary_text(scope, day, lang)
    return (ledger_table(frame, lang), summary, points,
            _ledger_hideout(frame, lang))


@dash.callback(
    Output(f"{P}-duty", "children"), Output(f"{P}-duty-coverage", "children"),
    Output(f"{P}-df-msg", "children"),
    Input(f"{P}-df-save", "n_clicks"),
    State(f"{P}-df-unit", "value"), State(f"{P}-df-date", "value"),
    State(f"{P}-df-shift", "value"), State(f"{P}-df-officer", "value"),
    State(f"{P}-df-leader", "value"), State(f"{P}-df-phone", "value"),
)
def duty_actions(n, unit, day, shift, officer, leader, phone):
    from dashboard.auth.session import remote_addr

    lang = current_lang()
    scope = current_scope()
    if scope.is_empty:
        return no_update, no_update, no_update
    msg = ""
    if n and ctx.triggered_id == f"{P}-df-save":
        try:
            entry = duty.RosterInput(unit_code=unit or "", duty_date=_date(day) or today(),
                                     shift=shift or "full", officer_name=officer or "",
                                     leader_name=leader, phone=phone)
            duty.set_roster(scope, entry, user=current_account(), remote_addr=remote_addr())
            msg = t("duty.saved", lang, unit=unit, day=entry.duty_date.isoformat())
        except (duty.DutyError, PermissionError) as exc:
            msg = str(exc)
    d = today()
    cov = duty.roster_coverage(scope, d)
    return duty_table(duty.roster(scope, d), lang), \
        t("duty.coverage", lang, covered=cov["covered"], units=cov["units"]), msg


@dash.callback(
    Output(f"{P}-rep-today", "children"), Output(f"{P}-rep-summary", "children"),
    Output(f"{P}-rf-msg", "children"),
    Input(f"{P}-rf-save", "n_clicks"),
    State(f"{P}-rf-unit", "value"), State(f"{P}-rf-incidents", "value"),
    State(f"{P}-rf-note", "value"),
    prevent_initial_call=True,
)
def report_actions(n, unit, incidents, note):
    from dashboard.auth.session import remote_addr

    lang = current_lang()
    scope = current_scope()
    if scope.is_empty or not n:
        return no_update, no_update, no_update
    now = office_now()
    try:
        res = duty.file_report(scope, unit or "", now.date(), incidents or 0, note,
                               user=current_account(), remote_addr=remote_addr())
        when = res["filed_at"].astimezone(duty.office_tz()).strftime("%H:%M")
        msg = t("report.corrected" if res["corrected"] else "report.saved", lang,
                unit=unit, time=when)
    except (duty.DutyError, PermissionError) as exc:
        msg = str(exc)
    cutoff = duty.cutoff_time()
    frame = duty.compliance_day(scope, now, cutoff=cutoff)
    return compliance_table(frame, lang), report_summary(frame, lang, cutoff), msg


@dash.callback(Output(f"{P}-reload", "href"), Input(f"{P}-lang", "n_clicks"),
               State(f"{P}-url", "search"), prevent_initial_call=True)
def switch_language(n, search):
    if not n:
        return no_update
    toggle_lang()
    return "/stability" + (search or "")

