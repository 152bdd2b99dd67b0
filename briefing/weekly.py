"""The weekly early-warning report (每周预警信息; issue 16 item 4) as a briefing document:
the facts of ``queries.weekly`` laid out in the format-neutral :class:`~briefing.document.
Document`, rendered by the briefing's own PDF, DOCX and XLSX renderers.

The ``warnings --week`` command and the Stability page's download both call
:func:`generate`, which checks the caller's rights exactly as the monthly briefing does
(``briefing.service.resolve_unit``) and computes with the scope of the unit alone.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from briefing.document import Column, Document, Paragraph, Section, Table
from briefing.exports import write_xlsx
from briefing.plan_strings import s
from briefing.warning_text import label as wlabel
from briefing.warning_text import warning_text
from domain.enums import CATEGORIES
from domain.warnings import WARNING_KINDS
from queries import weekly
from queries.geography import localise_place
from queries.irregular import LEVELS

_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class WeeklyReport:
    content: bytes
    filename: str  # ASCII
    display_name: str  # in the document's language
    media_type: str
    week: str
    unit: str
    unit_name: str
    figures: dict
    seconds: float


def _heading(i: int, key: str, lang: str) -> str:
    number = f"{i}. " if lang == "en" else f"{_NUMERALS[i - 1]}、"
    return number + s(key, lang)


def _place(r: dict, lang: str) -> str:
    name = r.get("township_name") or r.get("county_name") or r.get("township_code") or "—"
    return localise_place(name, lang)


def _category(code, lang: str) -> str:
    pair = CATEGORIES.get(code)
    return (pair[1] if lang == "en" else pair[0]) if pair else str(code or "")


def figure_rows(figs: dict, lang: str) -> list[list]:
    """``[label, key, value]`` per headline figure (``queries.weekly.FIGURE_KEYS``)."""
    return [[s(f"wk.fig.{k}", lang), k, figs[k]] for k in weekly.FIGURE_KEYS]


def _summary(figs: dict, lang: str) -> Table:
    return Table("summary", s("wk.sec.summary", lang),
                 [Column(s("wk.col.figure", lang), width=3.0),
                  Column(s("wk.col.key", lang), xlsx_only=True),
                  Column(s("wk.col.value", lang), "int")],
                 figure_rows(figs, lang), sheet=s("wk.sec.summary", lang))


def _warnings(facts: dict, lang: str) -> list:
    items = facts["warnings"]
    by = {k: {"red": 0, "amber": 0} for k in WARNING_KINDS}
    for w in items:
        by.setdefault(w["kind"], {"red": 0, "amber": 0})[w["severity"]] += 1
    level_rows = [[wlabel(f"warn.kind.{k}", lang), v["red"], v["amber"], v["red"] + v["amber"]]
                  for k, v in by.items()]
    rows = []
    for w in items:
        at = w["at"].replace("T", " ")[:16]
        rows.append([at[:10] if at.endswith(" 00:00") else at, wlabel(f"sev.{w['severity']}",
                                                                      lang),
                     wlabel(f"warn.kind.{w['kind']}", lang), warning_text(w, lang)])
    return [
        Table("warn-levels", s("wk.warn.by_level", lang),
              [Column(s("wk.col.kind", lang), width=2.0), Column(s("wk.col.red", lang), "int"),
               Column(s("wk.col.amber", lang), "int"), Column(s("wk.col.total", lang), "int")],
              level_rows, sheet=s("wk.warn.by_level", lang)),
        Table("warnings", s("wk.warn.list", lang),
              [Column(s("wk.col.time", lang), width=1.3), Column(s("wk.col.level", lang)),
               Column(s("wk.col.kind", lang), width=1.2),
               Column(s("wk.col.what", lang), width=5.0)],
              rows, empty=s("wk.warn.empty", lang), sheet=s("wk.warn.list", lang)),
    ]


def _influx(facts: dict, lang: str) -> list:
    tot = facts["influx_totals"]
    rows = [[s(f"wk.m.{m}", lang), tot[m]["cur"], tot[m]["base"], tot[m]["ratio"],
             tot[m].get("rise")]
            for m in ("submissions", "collective", "collective_persons", "cross_level",
                      "upper_level")]
    areas = [[localise_place(r["name"], lang) if r["level"] == "township"
              else f"{s('wk.area.zone', lang)} {localise_place(r['name'], lang)}",
              r["cur"], r["base"], r["ratio"], r["p"]] for r in facts["influx"]]
    return [
        Table("influx", s("wk.influx.totals", lang),
              [Column(s("wk.col.measure", lang), width=2.4), Column(s("wk.col.cur", lang), "int"),
               Column(s("wk.col.base", lang), "int"), Column(s("wk.col.ratio", lang), "ratio"),
               Column(s("wk.col.rise", lang), "bool")], rows, sheet=s("wk.sec.influx", lang)),
        Table("influx-areas", s("wk.influx.areas", lang),
              [Column(s("wk.col.area", lang), width=2.4), Column(s("wk.col.cur", lang), "int"),
               Column(s("wk.col.base", lang), "int"), Column(s("wk.col.ratio", lang), "ratio"),
               Column(s("wk.col.p", lang), "p")], areas, empty=s("wk.influx.empty", lang),
              sheet=s("wk.influx.areas", lang)),
    ]


def _visits(facts: dict, lang: str, persons: int) -> list:
    visits = [[v["received_on"], _place(v, lang), v["persons"], _category(v["category"], lang),
               v["matter_no"]] for v in facts["visits"]]
    irr = facts["irregular"]
    levels = [[s(f"irr.level.{lvl}", lang), irr[lvl]] for lvl in LEVELS]
    levels.append([s("irr.total", lang), irr["total"]])
    listing = [[r["received_on"], s(f"irr.level.{r['received_level']}", lang), _place(r, lang),
                r["responsible_unit"] or "", r["matter_no"], r["submission_no"]]
               for r in facts["irregular_list"]]
    towns = [[localise_place(r["name"] or r["key"] or "—", lang),
              *[r[lvl] for lvl in LEVELS], r["total"]]
             for r in facts["irregular_by_township"].to_dict("records")]
    return [
        Table("visits", s("wk.visits.title", lang, n=persons),
              [Column(s("wk.col.day", lang), "date"), Column(s("irr.col.place", lang), width=2.0),
               Column(s("wk.col.persons", lang), "int"),
               Column(s("ft.col.category", lang), width=1.4),
               Column(s("irr.col.matter", lang), width=1.4)],
              visits, empty=s("wk.visits.empty", lang), sheet=s("wk.visits.title", lang, n="")),
        Table("irregular", s("wk.irr.by_level", lang),
              [Column(s("irr.col.level", lang), width=2.0), Column(s("wk.col.n", lang), "int")],
              levels, caption=s("irr.privacy", lang), sheet=s("wk.irr.by_level", lang)),
        Table("irregular-towns", s("wk.irr.by_township", lang),
              [Column(s("irr.col.township", lang), width=2.4),
               *[Column(s(f"irr.level.{lvl}", lang), "int") for lvl in LEVELS],
               Column(s("irr.total", lang), "int")],
              towns, empty=s("wk.irr.empty", lang), sheet=s("wk.irr.by_township", lang)),
        Table("irregular-list", s("wk.irr.list", lang),
              [Column(s("irr.col.day", lang), "date"), Column(s("irr.col.level", lang)),
               Column(s("irr.col.place", lang), width=1.8),
               Column(s("irr.col.unit", lang), width=1.6),
               Column(s("irr.col.matter", lang), width=1.4),
               Column(s("irr.col.no", lang), width=1.4)],
              listing, empty=s("wk.irr.empty", lang), sheet=s("wk.irr.list", lang)),
    ]


def _disputes(facts: dict, lang: str) -> Table:
    rows = [[r["ledger_no"], r["title"], _place(r, lang), r["people_involved"],
             s(f"wk.risk.{r['risk_level']}", lang), r["responsible_unit"] or "",
             r["resolve_by"], r["days_left"]] for r in facts["disputes"].to_dict("records")]
    return Table("disputes", s("wk.disputes.title", lang),
                 [Column(s("wk.col.ledger_no", lang)), Column(s("wk.col.title", lang), width=3),
                  Column(s("irr.col.place", lang), width=1.4),
                  Column(s("wk.col.people", lang), "int"), Column(s("wk.col.risk", lang)),
                  Column(s("wk.col.unit", lang), width=1.4),
                  Column(s("wk.col.due", lang), "date"),
                  Column(s("wk.col.days_left", lang), "delta")],
                 rows, empty=s("wk.disputes.empty", lang), sheet=s("wk.sec.disputes", lang))


def _reports(facts: dict, lang: str) -> list:
    tot = facts["reports_total"]
    rows = [[r["name"], r["days"], r["on_time"], r["late"], r["missing"]]
            for r in facts["reports"].to_dict("records")]
    return [Paragraph(s("wk.reports.lead", lang, **tot), "lead"),
            Table("reports", s("wk.reports.title", lang),
                  [Column(s("irr.col.unit", lang), width=2.6),
                   Column(s("wk.col.days", lang), "int"), Column(s("wk.col.on_time", lang), "int"),
                   Column(s("wk.col.late", lang), "int"), Column(s("wk.col.missing", lang), "int")],
                  rows, empty=s("wk.reports.empty", lang), sheet=s("wk.sec.reports", lang))]


def build(facts: dict, unit: str, unit_name: str, lang: str, generated: dt.date) -> Document:
    """The report of ``facts`` (``queries.weekly.gather``) in ``lang``."""
    lang = "en" if lang == "en" else "zh"
    name = localise_place(unit_name, lang)
    mon, sun, moment = facts["monday"], facts["sunday"], facts["as_of"]
    year, week_no, _ = mon.isocalendar()
    figs = weekly.figures(facts)
    th = facts["thresholds"]
    meta = [s("wk.meta.unit", lang, name=name, code=unit),
            s("wk.meta.week", lang, start=mon, end=sun),
            s("wk.meta.asof", lang, moment=moment.strftime("%Y-%m-%d %H:%M"))]
    if moment.date() < sun or moment.time() < dt.time(23, 59):
        meta.append(s("wk.meta.running", lang))
    if facts["sensitive"] and facts["period"]:
        p = facts["period"]
        meta.append(s("wk.meta.sensitive", lang, name=(p.get("name_en") or p["name"])
                      if lang == "en" else p["name"]))
    meta += [s("wk.meta.generated", lang, date=generated.isoformat()),
             s("wk.meta.privacy", lang)]
    notes = [s("wk.note.moment", lang),
             s("wk.note.warnings", lang, persons=th.collective_persons, ratio=th.influx_ratio,
               alpha=th.alpha),
             s("irr.privacy", lang), s("wk.note.ledger", lang)]
    parts = [("wk.sec.summary", [_summary(figs, lang)]),
             ("wk.sec.warnings", _warnings(facts, lang)),
             ("wk.sec.influx", _influx(facts, lang)),
             ("wk.sec.visits", _visits(facts, lang, _collective_persons())),
             ("wk.sec.disputes", [_disputes(facts, lang)]),
             ("wk.sec.reports", _reports(facts, lang)),
             ("wk.sec.method", [Paragraph(n, "note") for n in notes])]
    sections = [Section(key.split(".")[-1], _heading(i, key, lang), blocks)
                for i, (key, blocks) in enumerate(parts, start=1)]
    return Document(lang=lang, title=s("wk.title", lang, name=name),
                    subtitle=s("wk.subtitle", lang, year=year, week=week_no, start=mon, end=sun),
                    meta=meta, header=s("wk.header", lang, name=name, week=facts["week"]),
                    generated=generated.isoformat(), sections=sections, notes=notes)


def _collective_persons() -> int:
    from settings import get_settings

    return get_settings().collective_persons


def render(doc: Document, fmt: str, facts_kv: list[tuple[str, str]]) -> bytes:
    """``doc`` as PDF, DOCX or XLSX bytes (the briefing's renderers)."""
    if fmt == "pdf":
        from briefing.pdf import to_pdf

        return to_pdf(doc)
    if fmt == "docx":
        from briefing.docx import to_docx

        return to_docx(doc)
    return write_xlsx(doc, facts_kv)


def generate(caller, unit: str | None, week: str, fmt: str, *, lang: str = "zh",
             now: dt.datetime | None = None) -> WeeklyReport:
    """Check the caller's rights, gather and render one weekly report (see the module text).
    Raises ``briefing.service.BriefingError`` / ``BriefingRefused`` as the briefing does."""
    from briefing.collect import jurisdiction
    from briefing.model import MEDIA_TYPES
    from briefing.service import BriefingError, briefing_scope, check_format, resolve_unit

    t0 = time.perf_counter()
    fmt = check_format(fmt)
    lang = "en" if lang == "en" else "zh"
    code = resolve_unit(caller, unit)
    scope = briefing_scope(code)
    try:
        facts = weekly.gather(scope, week, now=now)
    except ValueError as exc:
        raise BriefingError(str(exc)) from None
    where = jurisdiction(scope, code)
    generated = (now or facts["as_of"]).date()
    doc = build(facts, code, where.name, lang, generated)
    figs = weekly.figures(facts)
    kv = [("week", facts["week"]), ("unit", code), ("monday", facts["monday"].isoformat()),
          ("sunday", facts["sunday"].isoformat()),
          ("as_of", facts["as_of"].isoformat(timespec="minutes")), ("lang", lang),
          *[(k, str(v)) for k, v in figs.items()]]
    content = render(doc, fmt, kv)
    key = facts["week"]
    ascii_name = f"warnings-{key}-{code}{'-en' if lang == 'en' else ''}.{fmt}"
    display = (f"weekly-warnings-{key}-{code}.{fmt}" if lang == "en"
               else f"{where.name}每周预警信息-{key}.{fmt}")
    return WeeklyReport(content=content, filename=ascii_name, display_name=display,
                        media_type=MEDIA_TYPES[fmt], week=key, unit=code, unit_name=where.name,
                        figures=figs, seconds=round(time.perf_counter() - t0, 2))
