"""Reading the briefing files back as a person's tools would: poppler for the PDF
(``pdftotext``, ``pdftoppm``, ``pdffonts``), python-docx for Word, openpyxl for Excel."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
from docx import Document


def pdf_text(path: Path, layout: bool = True) -> str:
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_fonts(path: Path) -> list[dict]:
    """Rows of ``pdffonts``: name, type, emb (bool)."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    rows = []
    for line in out[2:]:
        parts = line.split()
        if len(parts) < 7:
            continue
        # name, type words…, encoding, emb, sub, uni, object id, generation
        rows.append({"name": parts[0], "emb": parts[-5] == "yes", "line": line})
    return rows


def pdf_pages_to_png(path: Path, folder: Path, dpi: int = 50) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(folder / "page")],
                   check=True, capture_output=True)
    return sorted(folder.glob("page-*.png"))


def docx_text(path: Path) -> str:
    d = Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    for section in d.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def docx_table(path: Path, first_header: str) -> list[list[str]]:
    """Rows (texts) of the first table whose first header cell is ``first_header``."""
    d = Document(str(path))
    for table in d.tables:
        rows = [[c.text for c in r.cells] for r in table.rows]
        if rows and rows[0][0] == first_header:
            return rows
    raise AssertionError(f"no table headed {first_header!r}")


def xlsx_values(path: Path) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def xlsx_text(path: Path) -> str:
    return "\n".join(str(v) for rows in xlsx_values(path).values() for r in rows for v in r
                     if v is not None)


def squeeze(text: str) -> str:
    """Text without whitespace: a name the PDF wrapped over two lines is found whole."""
    return re.sub(r"\s+", "", text)
