"""Building the rollups (summary tables, migration 0006) that :mod:`queries.summaries` reads.

A refresh rebuilds every summary table from ``matter`` and ``submission`` in one
transaction; readers keep the previous consistent build until it commits, and the freshness
counter (``summary_source``) tells the readers whether a build saw every write. Before
building, due dates and spans computed under other rules are recomputed (the refresh contract
of DESIGN §3, ``queries.rule_state``).
"""

from __future__ import annotations

import json
import logging
import time

from sqlalchemy import text

from domain.clocks import DUTY_CLOCKS, ClockRules
from domain.enums import RECEIVED_LEVELS
from queries.clock_sql import package_params, package_visit_sql
from queries.summaries import (
    CHANNEL_BITS,
    CUTS,
    FUNNEL_DATES,
    MATTER_COUNTS,
    PER_MATTER_DIMS,
    SUBMISSION_COUNTS,
    SUBMISSION_CUTS,
    VACUUM_ROWS,
    is_fresh,
    rules_key,
)

log = logging.getLogger(__name__)


# --- refresh -------------------------------------------------------------------------------------

def _mask_case() -> str:
    return ("CASE channel " + " ".join(f"WHEN '{c}' THEN {b}" for c, b in CHANNEL_BITS.items())
            + " ELSE 0 END")


def _overdue_intervals_sql() -> str:
    """Per matter, the days it is overdue as disjoint intervals ``[s, e)`` (e NULL: open).

    A clock is overdue on D when due < D and not done by D: D in [due + 1, done). A matter's
    clocks overlap; merged, each day lies in at most one interval of the matter, so "overdue
    matters on D" is the number of intervals holding D."""
    parts = [f"SELECT id, {c.due_column} + 1 AS s, {c.done_column} AS e FROM matter"
             f" WHERE {c.due_column} IS NOT NULL AND ({c.done_column} IS NULL"
             f" OR {c.done_column} > {c.due_column} + 1)" for c in DUTY_CLOCKS]
    return f"""
    WITH iv AS ({' UNION ALL '.join(parts)}),
    o AS (SELECT id, s, e, max(coalesce(e, 'infinity'::date)) OVER (
            PARTITION BY id ORDER BY s, e NULLS LAST
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_end
          FROM iv),
    g AS (SELECT id, s, e, sum(CASE WHEN before_end IS NULL OR s > before_end THEN 1 ELSE 0
                                   END) OVER (PARTITION BY id ORDER BY s, e NULLS LAST) AS grp
          FROM o)
    SELECT id, min(s) AS s, nullif(max(coalesce(e, 'infinity'::date)), 'infinity'::date) AS e
    FROM g GROUP BY id, grp"""


def _backlog_rows_sql() -> str:
    """Every backlog interval of every matter (``queries.clock_sql.backlog_intervals_sql`` without
    the cut at the last day asked about, which the reader applies): clock rows and the (b)
    and (c) spans of ``matter_backlog_span``."""
    clock_parts = [
        f"SELECT id, {c.due_column} + :backlog_days + 1 AS s, {c.done_column} AS e,"
        f" true AS clock FROM matter WHERE {c.due_column} IS NOT NULL"
        f" AND ({c.done_column} IS NULL OR {c.done_column} > {c.due_column} + :backlog_days + 1)"
        f" AND ({c.done_column} IS NULL OR {c.done_column} > {c.due_column})"
        for c in DUTY_CLOCKS]
    return " UNION ALL ".join([
        *clock_parts, "SELECT matter_id, s, e, false FROM matter_backlog_span"])


def _event_rows_sql() -> str:
    """One row per matter event: dims, day and the counts it adds (see MATTER_COUNTS)."""
    dims = ", ".join(f"m.{d}" for d in CUTS["full"])
    z = ["0"] * len(MATTER_COUNTS)

    def row(day: str, **vals) -> str:
        v = list(z)
        for k, expr in vals.items():
            v[MATTER_COUNTS.index(k)] = expr
        return f"({day}, {', '.join(v)})"

    def ok(done, due):
        return f"coalesce({done} <= {due}, false)::int"

    ev = "ARRAY['satisfied','basically_satisfied','dissatisfied']"
    values = ", ".join([
        row("m.registered_on", reg="1", unrec="m.unrecorded_n"),
        # 一次性化解: counted on the day the 90-day window after the answer closes.
        row("m.answered_on + :fr_days", fr_n="1",
            fr_ok="coalesce(m.first_return_on > m.answered_on + :fr_days, true)::int"),
        row("m.forward_due", fwd_n="1", fwd_ok=ok("m.forwarded_on", "m.forward_due")),
        row("m.accept_due", acc_n="1", acc_ok=ok("m.accepted_on", "m.accept_due")),
        # The on-time answer rate counts the ordinary route only (诉访分离).
        row("CASE WHEN m.route = 'ordinary' THEN m.answer_due END", ans_n="1",
            ans_ok=ok("m.answered_on", "m.answer_due")),
        row("m.answered_on", answered="1",
            evaluated=f"coalesce(m.satisfaction = ANY({ev}), false)::int",
            satisfied="coalesce(m.satisfaction IN ('satisfied', 'basically_satisfied'),"
                      " false)::int",
            # open on D = registered by D − (answered and registered) by D
            closed="1"),
    ])
    counts = ", ".join(MATTER_COUNTS)
    od = ", ".join(["o.s"] + ["1" if c == "od_in" else "0" for c in MATTER_COUNTS])
    od_end = ", ".join(["o.e"] + ["1" if c == "od_out" else "0" for c in MATTER_COUNTS])
    return f"""
    SELECT {dims}, e.day, {counts} FROM sx_m m CROSS JOIN LATERAL (VALUES {values})
      AS e(day, {counts})
    UNION ALL
    SELECT {dims}, e.day, {counts} FROM sx_od o JOIN sx_m m ON m.id = o.id
      CROSS JOIN LATERAL (VALUES ({od}), ({od_end})) AS e(day, {counts})"""


def refresh(engine=None, rules: ClockRules | None = None) -> dict:
    """Rebuild every summary table from ``matter`` and ``submission`` in one transaction.

    Readers keep seeing the previous build until it commits (rows are deleted and inserted,
    not truncated, so no lock stops the dashboard). A session advisory lock lets one refresh
    run at a time. Returns the build's seconds and row counts.
    """
    from queries.db import admin_engine
    from queries.rule_state import ensure_current
    from settings import get_settings

    engine = engine or admin_engine()
    rules = rules or get_settings().clock_rules()
    started = time.perf_counter()
    steps: dict[str, float] = {}
    last = [started]
    # The refresh contract (DESIGN §3): due dates and spans computed under other rules are
    # recomputed first, so the rollups are never built from a mix.
    recomputed = ensure_current(engine, rules)
    if recomputed is not None:
        steps["due dates and spans recomputed"] = recomputed["seconds"]
        last[0] = time.perf_counter()

    def step(name: str) -> None:
        now = time.perf_counter()
        steps[name] = round(now - last[0], 2)
        last[0] = now

    counts_sql = ", ".join(MATTER_COUNTS)
    full = CUTS["full"]
    with engine.connect() as lock_conn:
        lock_conn.execute(text("SELECT pg_advisory_lock(hashtext('atlas_summary_refresh'))"))
        try:
            with engine.connect().execution_options(
                    isolation_level="REPEATABLE READ") as conn, conn.begin():
                conn.execute(text("SET LOCAL work_mem = '256MB'"))
                # The snapshot starts here: the version read is the one the data below has.
                version = conn.execute(text(
                    "SELECT version FROM summary_source WHERE id = 1")).scalar_one()
                conn.execute(text(f"""
                    CREATE TEMP TABLE sx_mask ON COMMIT DROP AS
                    SELECT matter_id, bit_or({_mask_case()})::smallint AS mask
                    FROM submission GROUP BY matter_id"""))
                conn.execute(text("""
                    CREATE TEMP TABLE sx_m ON COMMIT DROP AS
                    SELECT m.id, m.county_code, m.township_code, m.village_code, m.category,
                           m.route, m.zone_code, coalesce(k.mask, 0)::smallint AS channel_mask,
                           m.responsible_unit, m.registered_on, m.forward_due, m.forwarded_on,
                           m.accept_due, m.accepted_on, m.answer_due, m.answered_on,
                           m.satisfaction, m.unrecorded_n, m.first_return_on,
                           coalesce(m.package_level = 'county'
                             AND m.package_leader IS NOT NULL, false) AS leader
                    FROM matter m LEFT JOIN sx_mask k ON k.matter_id = m.id"""))
                conn.execute(text("ALTER TABLE sx_m ADD PRIMARY KEY (id)"))
                step("matters and channel masks")
                conn.execute(text(
                    f"CREATE TEMP TABLE sx_od ON COMMIT DROP AS {_overdue_intervals_sql()}"))
                for table in _all_tables():
                    conn.execute(text(f"DELETE FROM {table}"))
                step("overdue intervals, clearing")
                dims = ", ".join(full)
                sums = ", ".join(f"sum({c})" for c in MATTER_COUNTS)
                conn.execute(text(f"""
                    INSERT INTO summary_matter_full_day ({dims}, day, {counts_sql})
                    SELECT {dims}, day, {sums} FROM ({_event_rows_sql()}) x
                    WHERE day IS NOT NULL GROUP BY {dims}, day ORDER BY day"""),
                    {"fr_days": rules.first_resolved_days})
                irregular = ", ".join(
                    f"count(*) FILTER (WHERE s.irregular AND s.received_level = '{lvl}')"
                    for lvl in RECEIVED_LEVELS)
                sdims = ", ".join(f"s.{d}" if d in ("county_code", "township_code",
                                                    "responsible_unit") else f"m.{d}"
                                  for d in full)
                conn.execute(text(f"""
                    INSERT INTO summary_submission_full_day ({dims}, channel, day,
                                                            {', '.join(SUBMISSION_COUNTS)})
                    SELECT {sdims}, s.channel, s.received_on, count(*),
                           count(*) FILTER (WHERE s.is_repeat),
                           count(*) FILTER (WHERE s.is_cross_level),
                           count(*) FILTER (WHERE s.persons >= :collective),
                           coalesce(sum(s.persons) FILTER (WHERE s.persons >= :collective), 0),
                           {irregular}
                    FROM submission s JOIN sx_m m ON m.id = s.matter_id
                    GROUP BY {sdims}, s.channel, s.received_on ORDER BY s.received_on"""),
                    {"collective": rules.collective_persons})
                step("finest cut (day)")
                for kind, cnts, extra in (("matter", MATTER_COUNTS, ()),
                                          ("submission", SUBMISSION_COUNTS, ("channel",))):
                    csum = ", ".join(f"sum({c})" for c in cnts)
                    clist = ", ".join(cnts)
                    for cut, cdims in CUTS.items():
                        if kind == "submission" and cut not in SUBMISSION_CUTS:
                            continue
                        keys = ", ".join((*cdims, *extra))
                        if cut == "zonefull":
                            conn.execute(text(f"""
                                INSERT INTO summary_{kind}_{cut}_day ({keys}, day, {clist})
                                SELECT {keys}, day, {clist} FROM summary_{kind}_full_day
                                WHERE zone_code IS NOT NULL ORDER BY day"""))
                        elif cut != "full":
                            conn.execute(text(f"""
                                INSERT INTO summary_{kind}_{cut}_day ({keys}, day, {clist})
                                SELECT {keys}, day, {csum} FROM summary_{kind}_full_day
                                GROUP BY {keys}, day ORDER BY day"""))
                        conn.execute(text(f"""
                            INSERT INTO summary_{kind}_{cut}_month ({keys}, day, {clist})
                            SELECT {keys}, date_trunc('month', day)::date, {csum}
                            FROM summary_{kind}_{cut}_day
                            GROUP BY {keys}, date_trunc('month', day)
                            ORDER BY date_trunc('month', day)"""))
                step("other cuts, months")
                until = conn.execute(text(
                    "SELECT coalesce(max(day), current_date) + interval '1 month'"
                    " FROM summary_matter_area_month")).scalar_one().date()
                for cut, cdims in CUTS.items():
                    keys = ", ".join(cdims)
                    conn.execute(text(f"""
                        INSERT INTO summary_matter_{cut}_state ({keys}, day, open_n, od_n)
                        SELECT {keys}, g.m::date, c.open_c, c.od_c FROM (
                          SELECT {keys}, day, sum(reg - closed) OVER w AS open_c,
                                 sum(od_in - od_out) OVER w AS od_c,
                                 lead(day) OVER w AS next_day
                          FROM summary_matter_{cut}_month
                          WINDOW w AS (PARTITION BY {keys} ORDER BY day)) c
                        CROSS JOIN LATERAL generate_series(
                          c.day + interval '1 month', coalesce(c.next_day, :until),
                          interval '1 month') g(m)
                        WHERE c.open_c <> 0 OR c.od_c <> 0 ORDER BY g.m"""), {"until": until})
                step("month snapshots")
                pm = ", ".join(PER_MATTER_DIMS)
                pmm = ", ".join(f"m.{d}" for d in PER_MATTER_DIMS)
                conn.execute(text(f"""
                    INSERT INTO summary_backlog_interval (matter_id, {pm}, s, e, clock, leader)
                    SELECT m.id, {pmm}, iv.s, iv.e, iv.clock, m.leader
                    FROM ({_backlog_rows_sql()}) iv JOIN sx_m m ON m.id = iv.id"""),
                    {"backlog_days": rules.backlog_days_past_due})
                conn.execute(text(f"""
                    INSERT INTO summary_package_candidate (matter_id, {pm}, upper_days,
                                                           leader)
                    SELECT m.id, {pmm}, c.days, m.leader FROM sx_m m JOIN (
                      SELECT matter_id, array_agg(received_on) AS days FROM submission sub
                      WHERE {package_visit_sql('sub')}
                      GROUP BY matter_id HAVING count(*) > :package_n) c
                    ON c.matter_id = m.id"""), package_params(rules))
                step("backlog intervals, package candidates")
                conn.execute(text(f"""
                    INSERT INTO summary_funnel (matter_id, {pm}, {', '.join(FUNNEL_DATES)})
                    SELECT m.id, {pmm}, {', '.join(f'm.{c}' for c in FUNNEL_DATES)}
                    FROM sx_m m ORDER BY m.registered_on"""))
                step("funnel copy")
                rows = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                        for t in _all_tables()}
                seconds = round(time.perf_counter() - started, 2)
                conn.execute(text("""
                    INSERT INTO summary_build AS b
                      (id, built_from, built_at, rules, seconds, row_counts, state_until)
                    VALUES (1, :v, now(), CAST(:rules AS jsonb), :sec, CAST(:rows AS jsonb),
                            :until)
                    ON CONFLICT (id) DO UPDATE SET built_from = EXCLUDED.built_from,
                      built_at = EXCLUDED.built_at, rules = EXCLUDED.rules,
                      seconds = EXCLUDED.seconds, row_counts = EXCLUDED.row_counts,
                      state_until = EXCLUDED.state_until"""),
                    {"v": version, "rules": json.dumps(rules_key(rules)), "sec": seconds,
                     "rows": json.dumps(rows), "until": until})
        finally:
            lock_conn.execute(text(
                "SELECT pg_advisory_unlock(hashtext('atlas_summary_refresh'))"))
            lock_conn.commit()
    # Outside the transaction: clear the previous build's rows at once (left to autovacuum,
    # every index scan visits them and the first queries after a refresh take 10× longer)
    # and give the planner statistics of the new contents. A small store (tests, a new
    # office) is not worth the seconds.
    if sum(rows.values()) > VACUUM_ROWS:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in _all_tables():
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    step("vacuum and analyse")
    total = round(time.perf_counter() - started, 2)
    log.info("summaries refreshed in %.1f s (%s rows): %s", total, sum(rows.values()), steps)
    return {"seconds": total, "build_seconds": seconds, "rows": rows, "version": version,
            "steps": steps}


def _all_tables() -> list[str]:
    tables = [f"summary_{kind}_{cut}_{grain}" for kind in ("matter", "submission")
              for cut in CUTS for grain in ("day", "month")]
    tables += [f"summary_matter_{cut}_state" for cut in CUTS]
    return [*tables, "summary_backlog_interval", "summary_package_candidate", "summary_funnel"]


def refresh_quietly(engine=None) -> dict | None:
    """:func:`refresh` when the summaries are not current (an import that changed nothing
    needs none), logging instead of raising: an import has landed either way, and stale
    summaries are never read (the queries fall back to the raw tables)."""
    from queries.db import admin_engine
    from queries.rule_state import is_current
    from settings import get_settings

    try:
        engine = engine or admin_engine()
        rules = get_settings().clock_rules()
        with engine.connect() as conn:
            if is_fresh(conn, rules) and is_current(conn, rules):
                return None
        return refresh(engine)
    except Exception:
        log.exception("summary refresh failed; queries read the raw tables until the next one")
        return None
