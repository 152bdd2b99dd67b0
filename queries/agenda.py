"""The joint-conference agenda (联席会议) for a day and the Friday tracking list (每周五跟踪).

The agenda gathers what the conference should discuss on a day: backlog matters, package
gaps, large collective visits (persons ≥ N in the days before), and the matters overdue the
longest. The Friday list holds the assigned items due in the week of the day and the clocks
due soon, per unit. Both are read through ``queries.db.scoped`` from the lists of
``queries.backlog`` and ``queries.accountability``, so the numbers agree with the backlog
page; the XLSX export and the printable page render them. No personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import text

from domain.clocks import DUTY_CLOCKS, ClockRules
from domain.rules import AccountabilityRules, week_of
from queries import accountability, backlog
from queries.db import scoped
from queries.filters import MatterFilter, matter_conditions
from queries.scope import require_rows

#: Rows of each agenda list (the conference discusses a page, not a database).
AGENDA_LIMIT = 200


@dataclass(frozen=True)
class Agenda:
    day: dt.date
    window_start: dt.date  # first day of the collective-visit window
    large_persons: int
    counts: dict[str, int]  # totals, also when a list is cut at AGENDA_LIMIT
    backlog: pd.DataFrame
    gaps: pd.DataFrame
    visits: pd.DataFrame
    longest: pd.DataFrame


@dataclass(frozen=True)
class FridayList:
    day: dt.date
    week_start: dt.date
    week_end: dt.date
    assignments: pd.DataFrame  # feedback due in the week, with state
    clocks: pd.DataFrame  # one row per clock due soon: unit, matter, clock, due, days_left
    by_unit: pd.DataFrame  # unit, clocks due soon, assignments due, of them open


def large_visits(scope, start: dt.date, end: dt.date, persons: int,
                 flt: MatterFilter | None = None, limit: int = AGENDA_LIMIT
                 ) -> tuple[pd.DataFrame, int, int]:
    """Visit submissions with at least ``persons`` persons received from ``start`` to ``end``
    (largest first): submission_no, received_on, received_level, persons, is_cross_level,
    irregular, matter_no, category, township and county names, responsible unit. Returns
    the rows (at most ``limit``), how many there are and their persons in all."""
    require_rows(scope, "large_visits")
    flt = replace(flt or MatterFilter(), clock=None)
    where, params = matter_conditions(scope, flt, alias="m")
    params.update(ws=start, d=end, n=persons, limit=limit)
    sql = f"""
    SELECT s.submission_no, s.received_on, s.received_level, s.persons, s.is_cross_level,
           s.irregular, m.matter_no, m.category, m.township_code, tu.name AS township_name,
           cu.name AS county_name, m.responsible_unit, count(*) OVER () AS total,
           sum(s.persons) OVER () AS persons_all
    FROM submission s JOIN matter m ON m.id = s.matter_id
    LEFT JOIN admin_unit tu ON tu.code = m.township_code
    LEFT JOIN admin_unit cu ON cu.code = m.county_code
    WHERE {where} AND s.channel = 'visit' AND s.persons >= :n
      AND s.received_on BETWEEN :ws AND :d
    ORDER BY s.persons DESC, s.received_on DESC, s.submission_no
    LIMIT :limit"""
    with scoped(scope) as conn:
        df = pd.read_sql_query(text(sql), conn, params=params)
    total = int(df["total"].iloc[0]) if len(df) else 0
    persons_all = int(df["persons_all"].iloc[0]) if len(df) else 0
    return df.drop(columns=["total", "persons_all"]), total, persons_all


def agenda(scope, day: dt.date, flt: MatterFilter | None = None,
           arules: AccountabilityRules = AccountabilityRules(),
           rules: ClockRules = ClockRules(), limit: int = AGENDA_LIMIT) -> Agenda:
    """The joint-conference agenda of ``day`` for ``scope`` (narrowed by ``flt``)."""
    require_rows(scope, "agenda")
    flt = replace(flt or MatterFilter(), clock=None)
    frame = backlog.status_frame(scope, day, flt, rules)
    bl, n_bl = backlog.backlog_matters(scope, day, flt, rules, limit=limit, frame=frame)
    gaps, n_gaps = backlog.package_gaps(scope, day, flt, rules, limit=limit, frame=frame)
    start = day - dt.timedelta(days=arules.agenda_window_days - 1)
    visits, n_visits, persons = large_visits(scope, start, day, arules.large_visit_persons,
                                             flt, limit=limit)
    longest, n_over = backlog.overdue_matters(scope, day, flt, rules,
                                              limit=arules.agenda_longest, frame=frame)
    counts = {"backlog": n_bl, "package_gaps": n_gaps, "large_visits": n_visits,
              "overdue": n_over, "large_visit_persons": persons}
    return Agenda(day=day, window_start=start, large_persons=arules.large_visit_persons,
                  counts=counts, backlog=bl, gaps=gaps, visits=visits, longest=longest)


def friday_list(scope, day: dt.date, flt: MatterFilter | None = None,
                arules: AccountabilityRules = AccountabilityRules(),
                rules: ClockRules = ClockRules()) -> FridayList:
    """The Friday tracking list of the week holding ``day``: assignments whose feedback is due
    Monday–Sunday (any state), and every clock not completed by ``day`` and due within
    ``due_soon_days`` of it, with counts per responsible unit."""
    require_rows(scope, "friday_list")
    flt = replace(flt or MatterFilter(), clock=None)
    monday, sunday = week_of(day)
    ledger, _n = accountability.assignments(scope, day, unit=flt.unit, arules=arules,
                                            limit=10**9)
    due = ledger[(ledger["feedback_due"] >= monday) & (ledger["feedback_due"] <= sunday)]
    due = due.sort_values(["feedback_due", "assigned_unit", "assignment_no"]).reset_index(
        drop=True)

    frame = backlog.status_frame(scope, day, flt, rules)
    rows = []
    for r in frame.to_dict("records"):
        for c in DUTY_CLOCKS:
            if not r[f"soon_{c.key}"]:
                continue
            due_day = r[c.due_column]
            rows.append({"unit": r["responsible_unit"] or "", "matter_no": r["matter_no"],
                         "township_name": r["township_name"], "category": r["category"],
                         "clock": c.key, "due": due_day, "days_left": (due_day - day).days,
                         "leader": r["leader"]})
    clocks = pd.DataFrame(rows, columns=["unit", "matter_no", "township_name", "category",
                                         "clock", "due", "days_left", "leader"])
    clocks = clocks.sort_values(["unit", "due", "matter_no"]).reset_index(drop=True)
    open_states = ("overdue", "due_soon", "open")
    a_units = due.groupby("assigned_unit").agg(
        assignments=("assignment_no", "count"),
        open=("state", lambda s: int(s.isin(open_states).sum())))
    c_units = clocks.groupby("unit").agg(clocks=("matter_no", "count"))
    by_unit = c_units.join(a_units.rename_axis("unit"), how="outer").fillna(0).astype(int)
    by_unit = by_unit.reindex(columns=["clocks", "assignments", "open"], fill_value=0)
    by_unit = by_unit.reset_index().sort_values(["clocks", "open", "unit"],
                                                ascending=[False, False, True])
    return FridayList(day=day, week_start=monday, week_end=sunday, assignments=due,
                      clocks=clocks, by_unit=by_unit.reset_index(drop=True))
