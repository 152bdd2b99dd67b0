"""The edit forms of the Backlog page: set or change a package leader, record a package's
progress, close out an assigned item, record a leader reception. Each submits to a callback in
``dashboard/pages/backlog.py`` that calls ``queries.edits`` (scoped, audited)."""

from __future__ import annotations

import datetime as dt

from dash import dcc, html

from dashboard.components.backlog_shell import badge  # noqa: F401  (strings merged)
from dashboard.i18n import t
from domain.rules import RECEPTION_KINDS


def _field(label: str, control, cid: str, cls: str = "") -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid), control], className=f"field {cls}".strip())


def _input(cid: str, value=None, *, kind: str = "text", maxlen: int = 64, **kw):
    if kind == "date":
        return dcc.Input(id=cid, type="date", value=value, min="2000-01-01",
                         max="2100-12-31", className="bl-input", **kw)
    if kind == "number":
        return dcc.Input(id=cid, type="number", value=value, min=0, step=1,
                         className="bl-input", **kw)
    return dcc.Input(id=cid, type="text", value=value, maxLength=maxlen, className="bl-input",
                     **kw)


def _form(title: str, hint: str | None, fields: list, save_id: str, msg_id: str,
          lang: str, form_id: str) -> html.Form:
    return html.Div([
        html.H3(title, className="bl-form-title"),
        html.P(hint, className="caption") if hint else None,
        html.Div(fields, className="bl-form-grid"),
        html.Div([html.Button(t("bl.form.save", lang), id=save_id, n_clicks=0,
                              className="button", type="button"),
                  html.Div(id=msg_id, className="bl-form-msg", role="status",
                           **{"aria-live": "polite"})],
                 className="bl-form-actions"),
    ], className="bl-form no-print", id=form_id)


def package_form(lang: str, day: dt.date, matter_no: str | None = None) -> html.Div:
    levels = [{"label": t("bl.level.county", lang), "value": "county"},
              {"label": t("bl.level.township", lang), "value": "township"}]
    fields = [
        _field(t("bl.form.matter_no", lang), _input("bl-pk-matter", matter_no),
               "bl-pk-matter"),
        _field(t("bl.form.leader", lang), _input("bl-pk-leader"), "bl-pk-leader"),
        _field(t("bl.form.title", lang), _input("bl-pk-title"), "bl-pk-title"),
        _field(t("bl.form.level", lang), dcc.Dropdown(
            id="bl-pk-level", options=levels, value="county", clearable=False,
            searchable=False), "bl-pk-level"),
        _field(t("bl.form.since", lang), _input("bl-pk-since", day.isoformat(), kind="date"),
               "bl-pk-since"),
        _field(t("bl.form.progress_text", lang), _input("bl-pk-progress", maxlen=500),
               "bl-pk-progress", "w-wide"),
    ]
    return _form(t("bl.form.package", lang), t("bl.form.package.hint", lang), fields,
                 "bl-pk-save", "bl-pk-msg", lang, "bl-form-package")


def progress_form(lang: str, matter_no: str | None = None) -> html.Div:
    fields = [
        _field(t("bl.form.matter_no", lang), _input("bl-pg-matter", matter_no),
               "bl-pg-matter"),
        _field(t("bl.form.progress_text", lang), _input("bl-pg-text", maxlen=500),
               "bl-pg-text", "w-wide"),
        _field(t("bl.form.resolved_on", lang), _input("bl-pg-resolved", kind="date"),
               "bl-pg-resolved"),
    ]
    return _form(t("bl.form.progress", lang), None, fields, "bl-pg-save", "bl-pg-msg", lang,
                 "bl-form-progress")


def close_form(lang: str, day: dt.date, assignment_no: str | None = None) -> html.Div:
    fields = [
        _field(t("bl.form.assignment_no", lang), _input("bl-cl-no", assignment_no),
               "bl-cl-no"),
        _field(t("bl.form.feedback_on", lang), _input("bl-cl-feedback", kind="date"),
               "bl-cl-feedback"),
        _field(t("bl.form.closed_on", lang), _input("bl-cl-closed", day.isoformat(),
                                                    kind="date"), "bl-cl-closed"),
        _field(t("bl.form.note", lang), _input("bl-cl-note", maxlen=500), "bl-cl-note",
               "w-wide"),
    ]
    return _form(t("bl.form.close", lang), t("bl.form.close.hint", lang), fields,
                 "bl-cl-save", "bl-cl-msg", lang, "bl-form-close")


def reception_form(lang: str, day: dt.date, units: list[dict]) -> html.Div:
    kinds = [{"label": t(f"bl.kind.{k}", lang), "value": k} for k in RECEPTION_KINDS]
    fields = [
        _field(t("bl.form.leader", lang), _input("bl-rc-leader"), "bl-rc-leader"),
        _field(t("bl.form.title", lang), _input("bl-rc-title"), "bl-rc-title"),
        _field(t("bl.form.kind", lang), dcc.Dropdown(
            id="bl-rc-kind", options=kinds, value="fixed_point", clearable=False,
            searchable=False), "bl-rc-kind"),
        _field(t("bl.form.held_on", lang), _input("bl-rc-date", day.isoformat(), kind="date"),
               "bl-rc-date"),
        _field(t("bl.form.unit_code", lang), dcc.Dropdown(
            id="bl-rc-unit", options=units, value=units[0]["value"] if len(units) == 1 else None,
            clearable=False, searchable=True), "bl-rc-unit", "w-wide"),
        _field(t("bl.form.received", lang), _input("bl-rc-received", 0, kind="number"),
               "bl-rc-received"),
        _field(t("bl.form.resolved", lang), _input("bl-rc-resolved", 0, kind="number"),
               "bl-rc-resolved"),
        _field(t("bl.form.note", lang), _input("bl-rc-note", maxlen=500), "bl-rc-note",
               "w-wide"),
    ]
    return _form(t("bl.form.reception", lang), None, fields, "bl-rc-save", "bl-rc-msg", lang,
                 "bl-form-reception")


def readonly(lang: str) -> html.P:
    return html.P(t("bl.form.readonly", lang), className="caption no-print")
