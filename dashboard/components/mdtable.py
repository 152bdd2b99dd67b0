"""Tables as one ``dcc.Markdown`` component each.

The Dash 4 renderer costs a dispatch per component on every new render, each notifying every
mounted component: a page with a few thousand ``html.Td`` freezes the browser for tens of
seconds (measured on the Stability page: ~3,000 components, 30 s and more). A Markdown table is
one component whatever its size. Cell text is escaped (no HTML is ever allowed through);
:class:`Md` marks a cell the caller formatted as Markdown on purpose (a link, bold).
"""

from __future__ import annotations

import re

from dash import dcc

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


class Md(str):
    """A cell already written in Markdown (escape its parts yourself with :func:`esc`)."""


def esc(value) -> str:
    """Plain text made safe inside a Markdown table cell."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return _SPECIAL.sub(r"\\\1", text) or " "


def link(text, href: str) -> Md:
    """A link cell (``href`` must be a path the page built, not user text)."""
    return Md(f"[{esc(text)}]({href.replace(')', '%29').replace(' ', '%20')})")


def bold(text) -> Md:
    return Md(f"**{esc(text)}**")


def md_table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    """Markdown of a table; ``align`` has one letter per column: l (left) or r (right)."""
    align = align or "l" * len(headers)
    sep = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(esc(h) for h in headers) + " |", "| " + " | ".join(sep) + " |"]
    for row in rows:
        cells = [c if isinstance(c, Md) else esc(c) for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def table(headers: list[str], rows: list[list], align: str | None = None, *,
          class_name: str = "", table_id: str | None = None) -> dcc.Markdown:
    """The table as a ``dcc.Markdown`` (links open in the same tab; no HTML)."""
    kw = {"id": table_id} if table_id else {}
    return dcc.Markdown(md_table(headers, rows, align), className=f"md-table {class_name}".strip(),
                        link_target="_self", dangerously_allow_html=False, **kw)
