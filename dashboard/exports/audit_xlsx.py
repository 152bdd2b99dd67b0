"""The audit log as an XLSX workbook (through ``tabular``: text that could start a formula —
a target or detail an attacker typed — arrives as text). Times are office time, as dates the
spreadsheet can sort; the columns and words in the user's language."""

from __future__ import annotations

import io

from dashboard import audit_text
from dashboard.i18n import t
from tabular import xlsxwriter_workbook

COLUMNS = ("at", "user", "role", "addr", "action", "target", "detail")
WIDTHS = (20, 22, 12, 16, 20, 36, 60)


def audit_workbook(rows: list[dict], lang: str) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter_workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(t("au.sheet", lang))
    head = wb.add_format({"bold": True, "bg_color": "#DCE6F2", "border": 1})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for j, (col, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True)):
        ws.write_string(0, j, t(f"au.col.{col}", lang), head)
        ws.set_column(j, j, width)
    for i, r in enumerate(rows, start=1):
        local = audit_text.office_time(r["at"])
        if local is not None:
            ws.write_datetime(i, 0, local, when)
        ws.write(i, 1, audit_text.user(r, lang))
        ws.write(i, 2, audit_text.role(r["role"], lang))
        ws.write(i, 3, r["remote_addr"] or "")
        ws.write(i, 4, audit_text.action(r["action"], lang))
        ws.write(i, 5, r["target"] or "")
        ws.write(i, 6, audit_text.detail(r["detail"], lang))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    wb.close()
    return buf.getvalue()
