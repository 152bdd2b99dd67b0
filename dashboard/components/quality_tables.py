"""The data-quality tab of the Backlog page (issue 10): unrecorded clocks and warned rows per
unit and per import, so an office sees where its source data has gaps."""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd
from dash import html

from dashboard import i18n
from dashboard.components.backlog_tables import _num, _table, _th, empty, section
from dashboard.i18n import fmt_int, t
from domain.clocks import DUTY_CLOCKS


def by_unit_table(df: pd.DataFrame, lang: str, by: str) -> html.Div:
    """Groups with unrecorded clocks or warned rows, worst first."""
    if df.empty:
        return empty(t("bl.dq.unit.empty", lang))
    head = [_th(t(f"bl.dq.col.{by}", lang)), _th(t("bl.dq.col.matters", lang), True),
            _th(t("bl.dq.col.unrecorded", lang), True),
            *[_th(t(f"bl.clock.{c.key}", lang), True) for c in DUTY_CLOCKS],
            _th(t("bl.dq.col.warned", lang), True)]
    rows = [html.Tr([html.Td((i18n.place(r["name"], lang) if by != "unit" else r["name"]) or "—"),
                     _num(r["matters"]),
                     _num(r["unrecorded"], "bl-bad" if r["unrecorded"] else ""),
                     *[_num(r[f"unrec_{c.key}"], "" if r[f"unrec_{c.key}"] else "muted")
                       for c in DUTY_CLOCKS],
                     _num(r["warned"])], **{"data-key": r["key"]})
            for r in df.to_dict("records")]
    return _table(head, rows, "dq-units", caption=t("bl.dq.unit.title", lang),
                  table_id="dq-units")


def by_import_table(df: pd.DataFrame, lang: str) -> html.Div:
    """The latest imports with their counts and warnings by kind of flaw."""
    if df.empty:
        return empty(t("bl.dq.import.empty", lang))
    head = [_th(t("bl.dq.col.file", lang)), _th(t("bl.dq.col.kind", lang)),
            _th(t("bl.dq.col.finished", lang), True), _th(t("bl.dq.col.inserted", lang), True),
            _th(t("bl.dq.col.updated", lang), True), _th(t("bl.dq.col.rejected", lang), True),
            _th(t("bl.dq.col.warned", lang), True), _th(t("bl.dq.col.flaws", lang))]

    def flaws(text: str) -> str:
        if not text:
            return "—"
        parts = []
        for item in text.split(", "):
            code, _, n = item.partition(": ")
            parts.append(f"{t(f'bl.dq.code.{code}', lang)} {fmt_int(int(n))}")
        return "；".join(parts) if lang == "zh" else "; ".join(parts)

    # The file's own name, not the server's path to it.
    rows = [html.Tr([html.Td(PurePath(r["file_name"]).name, className="mono",
                             title=PurePath(r["file_name"]).name),
                     html.Td(t(f"bl.dq.kind.{r['kind']}", lang)),
                     html.Td("—" if pd.isna(r["finished_at"]) else
                             pd.Timestamp(r["finished_at"]).tz_convert("Asia/Shanghai")
                             .strftime("%Y-%m-%d %H:%M"), className="num"),
                     _num(r["inserted"]), _num(r["updated"]),
                     _num(r["rejected"], "bl-bad" if r["rejected"] else ""),
                     _num(r["warned"]), html.Td(flaws(r["by_code"]))],
                    **{"data-run": str(r["run_id"])})
            for r in df.to_dict("records")]
    return _table(head, rows, "dq-imports", caption=t("bl.dq.import.title", lang),
                  table_id="dq-imports")


def quality_sections(units: pd.DataFrame, imports: pd.DataFrame, lang: str, by: str,
                     tools=None) -> list:
    total = int(units["unrecorded"].sum()) if len(units) else 0
    return [
        section(t("bl.dq.unit.title", lang), by_unit_table(units, lang, by),
                caption=t("bl.dq.unit.caption", lang), tools=tools, sid="dq-unit-section",
                count=fmt_int(total)),
        section(t("bl.dq.import.title", lang), by_import_table(imports, lang),
                caption=t("bl.dq.import.caption", lang), sid="dq-import-section"),
    ]
