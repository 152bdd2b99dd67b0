"""The briefing as an Excel workbook (XlsxWriter): a summary sheet, one sheet per table, the
series behind each chart, and the map and charts as pictures.

Numbers stay numbers: rates are fractions shown with a % format, changes of rates are
percentage points, counts are integers, dates are dates — so a reader can recompute any
figure. The KPI sheet carries each indicator's JSON key (as in ``flask --app app kpi
--json``) and its numerator and denominator.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from PIL import Image as PILImage

from briefing.document import Document, Image, cell_kind, plain, sheet_tables
from briefing.strings import t
from tabular import xlsxwriter_workbook

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
PX_PER_ROW = 20
TARGET_WIDTH_PX = 900


def _formats(wb, lang: str) -> dict:
    pp = '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"' if lang == "zh" else \
        '+0.0" pp";-0.0" pp";0.0" pp"'
    base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "top"}
    spec = {
        "text": {"text_wrap": True}, "int": {"num_format": "#,##0"},
        "rate": {"num_format": "0.0%"}, "pp": {"num_format": pp},
        "delta": {"num_format": "+#,##0;-#,##0;0"}, "num": {"num_format": "#,##0.00"},
        "date": {"num_format": "yyyy-mm-dd"}, "z": {"num_format": "0.00"},
        "p": {"num_format": "0.0000"}, "ratio": {"num_format": '0.00"×"'},
        "bool": {}, "head": {"bold": True, "bg_color": "#DCE6F2", "border": 1,
                             "text_wrap": True, "valign": "vcenter"},
        "title": {"bold": True, "font_size": 14, "font_color": "#C53030"},
        "sub": {"bold": True, "font_size": 11}, "note": {"font_color": "#4A5568",
                                                         "text_wrap": True},
    }
    return {k: wb.add_format({**base, **v}) for k, v in spec.items()}


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", name)[:31] or "Sheet"
    out, n = base, 2
    while out.lower() in used:
        suffix = f" ({n})"
        out, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(out.lower())
    return out


def _write(ws, row: int, col: int, value, kind: str, fmt: dict, lang: str) -> None:
    v = plain(value)
    if v is None or v == "":
        ws.write_blank(row, col, None, fmt["text"])
    elif kind == "date":
        d = v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])
        ws.write_datetime(row, col, dt.datetime.combine(d, dt.time()), fmt["date"])
    elif kind == "pp":
        ws.write_number(row, col, float(v) * 100, fmt["pp"])
    elif kind == "bool":
        ws.write_string(row, col, t("br.yes", lang) if v else t("br.no", lang), fmt["text"])
    elif kind in ("int", "delta") and isinstance(v, int | float):
        ws.write_number(row, col, int(v) if float(v).is_integer() else float(v), fmt[kind])
    elif isinstance(v, bool):
        ws.write_boolean(row, col, v)
    elif isinstance(v, int | float) and kind != "text":
        ws.write_number(row, col, float(v), fmt.get(kind, fmt["num"]))
    else:
        ws.write_string(row, col, str(v), fmt["text"])


def _table_sheet(wb, tb, name: str, fmt: dict, lang: str) -> None:
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, tb.title, fmt["sub"])
    r0 = 1
    if tb.caption:
        ws.write_string(1, 0, tb.caption, fmt["note"])
        r0 = 2
    idx = tb.sheet_columns()
    head_row = r0 + 1
    for j, i in enumerate(idx):
        ws.write_string(head_row, j, tb.columns[i].label, fmt["head"])
    for k, row in enumerate(tb.rows):
        for j, i in enumerate(idx):
            _write(ws, head_row + 1 + k, j, row[i], cell_kind(tb.columns[i], row[i]), fmt,
                   lang)
    last = head_row + len(tb.rows)
    if tb.rows:
        ws.autofilter(head_row, 0, last, len(idx) - 1)
    else:
        ws.write_string(head_row + 1, 0, tb.empty or t("table.empty", lang), fmt["note"])
    if tb.note:
        ws.write_string(last + 2, 0, tb.note, fmt["note"])
    ws.freeze_panes(head_row + 1, 0)
    for j, i in enumerate(idx):
        c = tb.columns[i]
        sample = [len(str(plain(r[i]) or "")) for r in tb.rows[:200]]
        width = max([len(c.label) * 1.8, *(s * 1.3 for s in sample)]) + 2
        ws.set_column(j, j, min(max(width, 9), 50))


def _summary(wb, doc: Document, name: str, fmt: dict, facts: list[tuple[str, str]]) -> None:
    ws = wb.add_worksheet(name)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 90)
    ws.write_string(0, 0, doc.title, fmt["title"])
    ws.write_string(1, 0, doc.subtitle, fmt["sub"])
    row = 3
    for line in doc.meta:
        ws.write_string(row, 0, line, fmt["text"])
        row += 1
    row += 1
    ws.write_string(row, 0, t("br.col.item", doc.lang), fmt["head"])
    ws.write_string(row, 1, t("br.col.value", doc.lang), fmt["head"])
    for key, value in facts:
        row += 1
        ws.write_string(row, 0, key, fmt["text"])
        ws.write_string(row, 1, value, fmt["text"])
    row += 2
    ws.write_string(row, 0, t("br.sec.method", doc.lang), fmt["sub"])
    for note in doc.notes:
        row += 1
        ws.merge_range(row, 0, row, 1, note, fmt["note"])
        ws.set_row(row, 30)


def _pictures(wb, images: list[Image], name: str, fmt: dict) -> None:
    ws = wb.add_worksheet(name)
    row = 0
    for im in images:
        if im.title:
            ws.write_string(row, 0, im.title, fmt["sub"])
            row += 1
        with PILImage.open(io.BytesIO(im.png)) as pic:
            w, h = pic.size
        scale = min(1.0, TARGET_WIDTH_PX / w)
        ws.insert_image(row, 0, f"{im.key}.png", {"image_data": io.BytesIO(im.png),
                                                  "x_scale": scale, "y_scale": scale,
                                                  "object_position": 3})
        row += int(h * scale / PX_PER_ROW) + 2
        if im.caption:
            ws.write_string(row, 0, im.caption, fmt["note"])
            row += 2


def to_xlsx(doc: Document, facts: list[tuple[str, str]] = ()) -> bytes:
    """The briefing as XLSX bytes. ``facts``: machine-readable key/value pairs for the summary
    sheet (month, unit code, as-of)."""
    buf = io.BytesIO()
    wb = xlsxwriter_workbook(buf, {"in_memory": True})
    wb.set_properties({"title": f"{doc.title} {doc.subtitle}",
                       "author": t("app.title", doc.lang),
                       "created": dt.datetime.combine(dt.date.fromisoformat(doc.generated),
                                                      dt.time())})
    fmt = _formats(wb, doc.lang)
    used: set[str] = set()
    _summary(wb, doc, _sheet_name(t("br.sheet.summary", doc.lang), used), fmt, list(facts))
    for tb in sheet_tables(doc):
        _table_sheet(wb, tb, _sheet_name(tb.sheet or tb.title, used), fmt, doc.lang)
    images = doc.images()
    if images:
        _pictures(wb, images, _sheet_name(t("br.sheet.charts", doc.lang), used), fmt)
    wb.close()
    return buf.getvalue()
