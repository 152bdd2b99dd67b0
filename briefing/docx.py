"""The briefing as a Word document (python-docx).

Word does not embed fonts here: the styles name the standard Chinese fonts every office PC
has (宋体 for text, 黑体 for headings). python-docx sets only the Latin font from
``font.name``; the East Asian font must be set on ``w:rFonts`` of every style used, or Word
falls back to the theme font for Chinese (stack notes §5.3). Table header rows repeat on each
page and rows do not split across pages; page numbers are PAGE / NUMPAGES fields.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from briefing.document import Document, Image, Paragraph, Table, cell_kind, cell_text
from briefing.pdf import NUMERIC
from briefing.strings import t

BODY_EAST_ASIA, HEADING_EAST_ASIA = "宋体", "黑体"
LATIN = "Arial"
RED = RGBColor(0xC5, 0x30, 0x30)


def _fonts(style, east_asia: str, size: float | None = None, bold: bool | None = None,
           colour: RGBColor | None = None) -> None:
    style.font.name = LATIN
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    # Theme font attributes would override the explicit names in Word.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if colour is not None:
        style.font.color.rgb = colour


def _setup(d) -> None:
    styles = d.styles
    _fonts(styles["Normal"], BODY_EAST_ASIA, 10.5)
    _fonts(styles["Title"], HEADING_EAST_ASIA, 20, True, RED)
    _fonts(styles["Subtitle"], BODY_EAST_ASIA, 12, False, RGBColor(0x2D, 0x37, 0x48))
    _fonts(styles["Heading 1"], HEADING_EAST_ASIA, 14, True, RGBColor(0x1A, 0x20, 0x2C))
    _fonts(styles["Heading 2"], HEADING_EAST_ASIA, 11, True, RGBColor(0x1A, 0x20, 0x2C))
    _fonts(styles["Caption"], BODY_EAST_ASIA, 8, False, RGBColor(0x4A, 0x55, 0x68))
    _fonts(styles["Table Grid"], BODY_EAST_ASIA, 8)
    styles["Caption"].font.italic = False
    section = d.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.different_first_page_header_footer = False


def _field(paragraph, instr: str) -> None:
    """A Word field (PAGE, NUMPAGES) in ``paragraph``."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instr), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)


def _header_footer(d, doc: Document) -> None:
    section = d.sections[0]
    head = section.header.paragraphs[0]
    head.text = f"{doc.header}\t\t{t('br.meta.generated', doc.lang, date=doc.generated)}"
    head.style = d.styles["Caption"]
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page = t("br.footer.page", doc.lang, page="\x00", pages="\x01")
    before, rest = page.split("\x00")
    between, after = rest.split("\x01")
    foot.add_run(before)
    _field(foot, "PAGE")
    foot.add_run(between)
    _field(foot, "NUMPAGES")
    foot.add_run(after)


def _row_props(row, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)
    if header:
        rep = OxmlElement("w:tblHeader")
        tr_pr.append(rep)


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _write_cell(cell, text: str, numeric: bool, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
    run = p.add_run(text)
    run.font.size = Pt(8)
    run.bold = bold


def _table(d, tb: Table, lang: str) -> None:
    d.add_heading(tb.title, level=2)
    if tb.caption:
        d.add_paragraph(tb.caption, style="Caption")
    if not tb.rows:
        d.add_paragraph(tb.empty or t("table.empty", lang))
        return
    idx = tb.printed_columns()
    cols = [tb.columns[i] for i in idx]
    table = d.add_table(rows=1, cols=len(cols))
    table.style = d.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(c.width for c in cols) or 1
    widths = [Cm(17.4 * c.width / total) for c in cols]
    head = table.rows[0]
    _row_props(head, header=True)
    for j, c in enumerate(cols):
        _write_cell(head.cells[j], c.label, c.kind in NUMERIC, bold=True)
        _shade(head.cells[j], "EDF2F7")
        head.cells[j].width = widths[j]
    for row in getattr(tb, "print_rows", tb.rows):
        cells = table.add_row()
        _row_props(cells, header=False)
        for j, (i, c) in enumerate(zip(idx, cols, strict=True)):
            kind = cell_kind(c, row[i])
            _write_cell(cells.cells[j], cell_text(row[i], kind, lang), kind in NUMERIC)
            cells.cells[j].width = widths[j]
    if tb.note:
        d.add_paragraph(tb.note, style="Caption")


def to_docx(doc: Document) -> bytes:
    """The briefing as DOCX bytes."""
    d = new_docx()
    _setup(d)
    _header_footer(d, doc)
    props = d.core_properties
    props.title = f"{doc.title} {doc.subtitle}"
    props.author = t("app.title", doc.lang)
    props.language = "zh-CN" if doc.lang == "zh" else "en"
    props.created = dt.datetime.combine(dt.date.fromisoformat(doc.generated), dt.time())
    title = d.add_paragraph(doc.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = d.add_paragraph(doc.subtitle, style="Subtitle")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in doc.meta:
        p = d.add_paragraph(line)
        p.paragraph_format.space_after = Pt(0)
    for section in doc.sections:
        d.add_heading(section.heading, level=1)
        for block in section.blocks:
            if isinstance(block, Table):
                _table(d, block, doc.lang)
            elif isinstance(block, Image):
                if block.title:
                    d.add_heading(block.title, level=2)
                d.add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, 17.0)))
                d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                d.paragraphs[-1].paragraph_format.keep_with_next = True
                if block.caption:
                    d.add_paragraph(block.caption, style="Caption")
            elif isinstance(block, Paragraph):
                p = d.add_paragraph(block.text, style="Caption" if block.kind == "note"
                                    else None)
                if block.kind == "lead":
                    for run in p.runs:
                        run.bold = True
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
