"""Frame pieces of the Backlog and Agenda pages: the header (with their navigation links),
status badges that never rely on colour alone, section tabs and the summary tiles.

The header uses the shared classes of ``assets/atlas.css`` so the pages look like the
Overview and Map pages; until the shared header lists these pages (see the report), it is
built here with the same markup.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html

from dashboard import strings_backlog  # noqa: F401  (merges the strings)
from dashboard.components import shell
from dashboard.i18n import fmt_int, t

#: status -> (css tone, icon). Tones: ok (green), soon (amber), bad (red), done (grey),
#: late (brown), info (blue). The icon and the label carry the meaning too.
STATUS = {
    "on_time": ("ok", "✓"), "closed_on_time": ("ok", "✓"),
    "due_soon": ("soon", "◷"), "window": ("info", "◷"),
    "overdue": ("bad", "✕"), "backlog": ("bad", "▲"), "gap": ("bad", "!"),
    "late": ("late", "↻"), "closed_late": ("late", "↻"),
    "terminated": ("done", "■"), "window_closed": ("done", "–"), "not_started": ("done", "·"),
    "unrecorded": ("done", "?"),
    "running": ("info", "…"), "open": ("info", "…"), "awaiting_closeout": ("info", "↗"),
    "yellow": ("yellow", "▮"),
    "irr_card": ("yellow", "▮"),
}


def badge(status: str, lang: str, text: str | None = None, *, title: str | None = None
          ) -> html.Span:
    """A status label: icon + words, coloured by the fixed status colours (DESIGN §11)."""
    tone, icon = STATUS.get(status, ("info", "·"))
    label = text if text is not None else t(f"bl.status.{status}", lang)
    return html.Span([html.Span(icon, className="bl-icon", **{"aria-hidden": "true"}), label],
                     className=f"bl-badge tone-{tone}", title=title or label,
                     **{"data-status": status})


def header(prefix: str, lang: str, active: str, *, query: str = "",
           user_name: str | None = None) -> html.Div:
    """The shared page header; filters travel to the pages that read them, and it is left
    out of printouts."""
    return shell.header(prefix, lang, active, query=query, user_name=user_name,
                        query_keys=("overview", "map", "backlog"), printable=False)


def href(path: str, params: dict) -> str:
    """``path`` with the non-empty ``params`` as its query string."""
    clean = {k: v for k, v in params.items() if v not in (None, "", ())}
    return path + ("?" + urlencode(clean, safe=",") if clean else "")


def tabs(prefix: str, lang: str, active: str, keys: tuple[str, ...], params: dict,
         counts: dict[str, int | None]) -> html.Nav:
    """Section tabs as links (the URL holds the section)."""
    items = []
    for key in keys:
        n = counts.get(key)
        label = [t(f"bl.tab.{key}", lang)]
        if n:
            label.append(html.Span(fmt_int(n), className="bl-tab-count num"))
        items.append(dcc.Link(label, href=href("/backlog", {**params, "tab": key}),
                              id=f"{prefix}-tab-{key}",
                              className="bl-tab" + (" active" if key == active else ""),
                              title=t(f"bl.tab.{key}", lang)))
    return html.Nav(items, className="bl-tabs no-print", **{"aria-label": t("bl.tabs", lang)})


def tile(key: str, value: int, lang: str, *, status: str, hint: str, link: str | None = None
         ) -> html.Div:
    """A summary figure: icon, number, label and a one-line definition."""
    tone, icon = STATUS[status]
    body = [
        html.Div([html.Span(icon, className="bl-icon", **{"aria-hidden": "true"}),
                  html.Span(t(f"bl.tile.{key}", lang), className="bl-tile-label")],
                 className="bl-tile-head"),
        html.P(fmt_int(value), className="bl-tile-value num", **{"data-tile": key}),
        html.P(hint, className="bl-tile-hint"),
    ]
    cls = f"bl-tile tone-{tone}" + (" is-zero" if not value else "")
    if link:
        return dcc.Link(body, href=link, className=cls, id=f"bl-tile-{key}")
    return html.Div(body, className=cls, id=f"bl-tile-{key}")
