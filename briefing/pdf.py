"""The briefing as HTML (Jinja) and PDF (WeasyPrint).

WeasyPrint embeds the Noto CJK fonts as subsets, so the PDF reads the same on a machine
without Chinese fonts (ReportLab's built-in CID fonts are not embedded: stack notes §5.2).
Page numbers, the header and the date are CSS ``@page`` margin boxes; table headers repeat
on each page and rows never split (``briefing.css``). Nothing is fetched while rendering:
images travel as data URIs and any other URL is refused.
"""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from briefing.document import Document, Image, Paragraph, Table, cell_kind, cell_text
from briefing.strings import t

TEMPLATES = Path(__file__).resolve().parent / "templates"
NUMERIC = {"int", "rate", "pp", "delta", "num", "z", "p", "ratio"}

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                   autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                   lstrip_blocks=True)
# The stylesheet is a template too (header text, page-number words); it is not HTML, so it
# gets its own environment without HTML escaping — the values go through css_string.
_css_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=False)


def css_string(text: str) -> str:
    """``text`` safe inside a double-quoted CSS string."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
            .replace("<", "\\3c ").replace(">", "\\3e "))


def _table_view(tb: Table, lang: str) -> dict:
    idx = tb.printed_columns()
    cols = [tb.columns[i] for i in idx]
    total = sum(c.width for c in cols) or 1
    rows = getattr(tb, "print_rows", tb.rows)
    body = []
    for row in rows:
        cells = []
        for i, c in zip(idx, cols, strict=True):
            kind = cell_kind(c, row[i])
            cells.append({"text": cell_text(row[i], kind, lang),
                          "cls": "num" if kind in NUMERIC else ""})
        body.append(cells)
    return {"type": "table", "key": tb.key, "title": tb.title, "caption": tb.caption,
            "note": tb.note, "empty": tb.empty or t("table.empty", lang),
            "widths": [round(c.width / total * 100, 2) for c in cols],
            "head": [{"text": c.label, "cls": "num" if c.kind in NUMERIC else ""}
                     for c in cols],
            "rows": body}


def _block_view(block, lang: str) -> dict:
    if isinstance(block, Table):
        return _table_view(block, lang)
    if isinstance(block, Image):
        src = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
        return {"type": "image", "key": block.key, "src": src, "title": block.title,
                "caption": block.caption, "width_cm": block.width_cm,
                "alt": block.title or block.caption or block.key}
    if isinstance(block, Paragraph):
        return {"type": "p", "kind": block.kind, "text": block.text}
    raise TypeError(f"unknown block {type(block).__name__}")


def _css(doc: Document) -> str:
    page = t("br.footer.page", doc.lang, page="\x00", pages="\x01")
    before, rest = page.split("\x00")
    between, after = rest.split("\x01")
    return _css_env.get_template("briefing.css").render(
        header=css_string(doc.header),
        date_label=css_string(t("br.meta.generated", doc.lang, date=doc.generated)),
        page_before=css_string(before), page_between=css_string(between),
        page_after=css_string(after))


def to_html(doc: Document) -> str:
    """The briefing as one self-contained HTML page (images inline)."""
    sections = [{"key": s.key, "heading": s.heading,
                 "blocks": [_block_view(b, doc.lang) for b in s.blocks]} for s in doc.sections]
    return _env.get_template("briefing.html.j2").render(
        doc=doc, sections=sections, css=_css(doc),
        html_lang="zh-CN" if doc.lang == "zh" else "en", author=t("app.title", doc.lang))


def to_pdf(doc: Document) -> bytes:
    """The briefing as PDF bytes."""
    from weasyprint import HTML  # imported late: it loads Pango
    from weasyprint.urls import URLFetcher

    # data: URIs only (the inline images): a briefing never reaches another host.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=to_html(doc), url_fetcher=fetcher, base_url=str(TEMPLATES)).write_pdf()
