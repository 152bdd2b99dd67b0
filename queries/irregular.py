"""Irregular petitions (非正常上访, 非访; DESIGN §3, issue 16 items 2–3): irregular submissions
counted by the level that received them (national 非访进京, province, city, county, township),
per month, per township and per responsible unit, and the month's yellow cards for irregular
petitions (非访黄牌警告).

Counted, never tracked: the unit of record is the submission and its matter. Nothing here
reads a petitioner's name, ID or summary; a row names a submission number, a matter number,
a place and the responsible unit. Every read takes the user's scope (``submission_source``
applies it; row-level security is the second wall). A partial index on the irregular
submissions (migration 0009) keeps every question here a small read.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

from domain.enums import RECEIVED_LEVELS
from domain.plan import IrregularCardRules, irregular_card
from queries.db import scoped
from queries.filters import MatterFilter, Period, submission_source

#: Received levels, highest first (the order of every table here).
LEVELS = tuple(reversed(tuple(RECEIVED_LEVELS)))
GROUPS = ("township", "unit", "county")
LIST_LIMIT = 500

_LEVEL_COUNTS = ", ".join(
    f"count(*) FILTER (WHERE s.received_level = '{lvl}') AS {lvl}" for lvl in LEVELS)


def _source(scope, flt: MatterFilter | None, since: dt.date, until: dt.date
            ) -> tuple[str, str, dict]:
    src, where, params = submission_source(scope, flt or MatterFilter(), alias="s")
    params.update(since=since, until=until)
    return src, f"s.irregular AND s.received_on BETWEEN :since AND :until AND {where}", params


def _ints(frame: pd.DataFrame) -> pd.DataFrame:
    for lvl in LEVELS:
        frame[lvl] = frame[lvl].fillna(0).astype(int)
    frame["total"] = frame[list(LEVELS)].sum(axis=1).astype(int)
    return frame


def irregular_totals(scope, period: Period, as_of: dt.date,
                     flt: MatterFilter | None = None) -> dict:
    """Irregular submissions received in ``period`` (up to ``as_of``): ``{level: n}`` for
    every received level plus ``total`` — the ``irregular_by_level`` of ``compute_kpis``."""
    src, where, params = _source(scope, flt, period.start, min(period.end, as_of))
    with scoped(scope) as conn:
        row = conn.execute(text(f"SELECT {_LEVEL_COUNTS} FROM {src} WHERE {where}"),
                           params).mappings().one()
    out = {lvl: int(row[lvl]) for lvl in LEVELS}
    out["total"] = sum(out.values())
    return out


def irregular_by_month(scope, period: Period, as_of: dt.date,
                       flt: MatterFilter | None = None) -> pd.DataFrame:
    """Irregular submissions per calendar month of ``period`` (up to ``as_of``) and received
    level: columns month (its first day), one per level of :data:`LEVELS`, total. Every month
    of the period is listed, with zeros."""
    end = min(period.end, as_of)
    src, where, params = _source(scope, flt, period.start, end)
    sql = (f"SELECT date_trunc('month', s.received_on)::date AS month, {_LEVEL_COUNTS}"
           f" FROM {src} WHERE {where} GROUP BY 1")
    with scoped(scope) as conn:
        counts = pd.read_sql_query(text(sql), conn, params=params)
    months, day = [], period.start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    frame = pd.DataFrame({"month": months})
    if not counts.empty:
        counts["month"] = pd.to_datetime(counts["month"]).dt.date
        frame = frame.merge(counts, on="month", how="left")
    for lvl in LEVELS:
        if lvl not in frame:
            frame[lvl] = 0
    return _ints(frame)[["month", *LEVELS, "total"]]


def _group(by: str) -> tuple[str, str, str]:
    """(key, name, join) SQL of a grouping of submissions by their matter's area or unit."""
    if by == "township":  # names repeat across counties: the county goes with the name
        return ("coalesce(s.township_code, '')",
                "coalesce(au.name || coalesce('（' || acu.name || '）', ''), s.township_code, '')",
                "LEFT JOIN admin_unit au ON au.code = s.township_code"
                " LEFT JOIN admin_unit acu ON acu.code = s.county_code")
    if by == "county":
        return ("coalesce(s.county_code, '')", "coalesce(au.name, s.county_code, '')",
                "LEFT JOIN admin_unit au ON au.code = s.county_code")
    if by == "unit":
        return "coalesce(s.responsible_unit, '')", "coalesce(s.responsible_unit, '')", ""
    raise ValueError(f"group by one of {GROUPS}, not {by!r}")


def irregular_by_group(scope, period: Period, as_of: dt.date, flt: MatterFilter | None = None,
                       by: str = "township") -> pd.DataFrame:
    """Irregular submissions of ``period`` (up to ``as_of``) per township, responsible unit or
    county of their matters: columns key, name, one per level, total; the most national
    first, then the most in all."""
    key, name, join = _group(by)
    src, where, params = _source(scope, flt, period.start, min(period.end, as_of))
    sql = (f"SELECT {key} AS key, min({name}) AS name, {_LEVEL_COUNTS}"
           f" FROM {src} {join} WHERE {where} GROUP BY 1")
    with scoped(scope) as conn:
        frame = pd.read_sql_query(text(sql), conn, params=params)
    frame = _ints(frame)
    return frame.sort_values(["national", "total", "key"], ascending=[False, False, True]
                             ).reset_index(drop=True)


def irregular_list(scope, since: dt.date, until: dt.date, flt: MatterFilter | None = None,
                   levels: tuple[str, ...] = (), limit: int = LIST_LIMIT) -> list[dict]:
    """Irregular submissions received in ``[since, until]`` (optionally at ``levels``),
    highest level and newest first: submission_no, matter_no, received_on, received_level,
    channel, persons, category, township_code, township_name, county_name,
    responsible_unit. No personal data."""
    src, where, params = _source(scope, flt, since, until)
    if levels:
        where += " AND s.received_level = ANY(:levels)"
        params["levels"] = list(levels)
    order = "CASE s.received_level " + " ".join(
        f"WHEN '{lvl}' THEN {i}" for i, lvl in enumerate(LEVELS)) + " END"
    params["limit"] = int(limit)
    sql = f"""
        SELECT s.submission_no, mm.matter_no, s.received_on, s.received_level, s.channel,
               s.persons, mm.category, s.township_code, tu.name AS township_name,
               cu.name AS county_name, s.responsible_unit
        FROM {src}
        JOIN matter mm ON mm.id = s.matter_id
        LEFT JOIN admin_unit tu ON tu.code = s.township_code
        LEFT JOIN admin_unit cu ON cu.code = s.county_code
        WHERE {where}
        ORDER BY {order}, s.received_on DESC, s.submission_no LIMIT :limit"""
    with scoped(scope) as conn:
        return [dict(r) for r in conn.execute(text(sql), params).mappings()]


CARD_COLUMNS = ["kind", "key", "name", *LEVELS, "total", "reasons"]


def irregular_cards(scope, month: Period, as_of: dt.date, flt: MatterFilter | None = None,
                    rules: IrregularCardRules = IrregularCardRules()) -> pd.DataFrame:
    """The month's yellow cards for irregular petitions (非访黄牌警告, DESIGN §3): every
    responsible unit (``kind`` unit) and township (``kind`` township) whose matters had, among
    the irregular submissions received in ``month`` up to ``as_of``, at least
    ``rules.national`` at national level or at least ``rules.any_level`` at any level.
    Columns :data:`CARD_COLUMNS`; ``reasons`` is ``domain.plan.irregular_card``'s tuple.
    Units first, then townships; the most national, then the most in all, first."""
    frames = []
    for kind, by in (("unit", "unit"), ("township", "township")):
        f = irregular_by_group(scope, month, as_of, flt, by=by)
        f = f[f["key"] != ""]  # a matter without a responsible unit names no unit
        f = f.assign(kind=kind, reasons=[irregular_card(r, rules)
                                         for r in f[list(LEVELS)].to_dict("records")])
        frames.append(f[f["reasons"].map(bool)])
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if out.empty:
        return pd.DataFrame(columns=CARD_COLUMNS)
    return out[CARD_COLUMNS].reset_index(drop=True)
