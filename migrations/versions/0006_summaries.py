"""summaries: rollup tables of matter and submission events per area (and category, channel,
zone or responsible unit) by day and by month, per-matter backlog intervals, and a freshness
counter, so that the dashboard's aggregates read thousands of rows instead of a million.

Issue 3: at 1,000,000 matters one month's KPIs took 11 s and a 12-month trend 2–3 s on the raw
tables. The rollups are rebuilt by ``queries.summaries.refresh`` (run by the importer after
every import and by ``flask --app app refresh-summaries``); the queries read them only while
they are fresh:

- ``summary_source`` holds a counter that a statement-level trigger on ``matter`` and
  ``submission`` raises with every write (in the writer's transaction, so a write that has not
  committed yet is not counted by a refresh that cannot see it);
- ``summary_build`` records the counter a refresh saw, and the rules it used. The queries
  compare the two and fall back to the raw tables when they differ, so a write through any
  path (an import, a boundary reload, a hand-written UPDATE) never shows stale figures.

Rollup rows carry the county and township of their matters, so row-level security is a column
check as on ``submission`` (migration 0005); the cuts with a responsible unit check it too, so
a department scope sees its own matters exactly as on ``matter``. The web role only reads them.

Revision ID: 0006
Revises: 0005
"""
import re

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Keep in step with queries/summaries.py (CUTS, MATTER_COUNTS, SUBMISSION_COUNTS); a test
# checks that every table the code names exists with these columns.
DIM_TYPES = {
    "county_code": "varchar(6)", "township_code": "varchar(9)", "category": "varchar(32)",
    "route": "varchar(16)", "zone_code": "varchar(32)", "channel_mask": "smallint",
    "responsible_unit": "text",
}
CUTS = {
    "area": ("county_code", "township_code"),
    "zone": ("county_code", "township_code", "zone_code"),
    "unit": ("county_code", "township_code", "responsible_unit"),
    "chan": ("county_code", "township_code", "channel_mask"),
    "cat": ("county_code", "township_code", "category", "route"),
    "full": ("county_code", "township_code", "category", "route", "zone_code", "channel_mask",
             "responsible_unit"),
}
# Rows of the full cut whose matters lie in a project zone (a few per cent).
CUTS["zonefull"] = CUTS["full"]
MATTER_COUNTS = ("reg", "fwd_n", "fwd_ok", "acc_n", "acc_ok", "ans_n", "ans_ok", "answered",
                 "evaluated", "satisfied", "closed", "od_in", "od_out")
SUBMISSION_COUNTS = ("n", "repeats", "cross_n", "coll_n", "coll_persons")
PER_MATTER_DIMS = ("county_code", "township_code", "village_code", "category", "route",
                   "zone_code", "channel_mask", "responsible_unit")


def _role() -> str:
    from settings import get_settings

    role = get_settings().app_db_role
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"unsafe application role name {role!r}")
    return role


def _tables():
    """(name, dims, counts) of every rollup table."""
    for cut, dims in CUTS.items():
        for grain in ("day", "month"):
            yield f"summary_matter_{cut}_{grain}", dims, MATTER_COUNTS
            yield f"summary_submission_{cut}_{grain}", (*dims, "channel"), SUBMISSION_COUNTS
        # Open and overdue matters at the start of each month (where not zero): a state on a
        # day is the month's snapshot plus that month's events, not a sum over all history.
        yield f"summary_matter_{cut}_state", dims, ("open_n", "od_n")


def _policy(dims) -> str:
    """``atlas_in_scope(county_code, township_code, responsible_unit or NULL)`` written out
    with the scope lists as once-per-query sub-selects: the function form re-reads the
    settings for every row, a third of the time of a summary query."""
    units = "ANY ((SELECT atlas_scope_units())::text[])"
    terms = [f"county_code = {units}", f"township_code = {units}",
             f"(left(coalesce(county_code, township_code), 4) || '00') = {units}"]
    if "responsible_unit" in dims:
        terms.append("responsible_unit = ANY ((SELECT atlas_scope_departments())::text[])")
    return f"coalesce({' OR '.join(terms)}, false)"


def _secure(table: str, using: str, role: str) -> None:
    op.execute(f"GRANT SELECT ON {table} TO {role}")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY atlas_scope ON {table} USING ({using}) WITH CHECK ({using})")
    op.execute(f"""DO $$ BEGIN
        EXECUTE format('CREATE POLICY atlas_owner ON {table} TO %I USING (true)
                        WITH CHECK (true)', current_user);
    END $$""")


def upgrade() -> None:
    role = _role()
    for table, dims, counts in _tables():
        cols = [f"{d} {DIM_TYPES.get(d, 'varchar(16)')}" for d in dims]
        cols += ["day date NOT NULL"]
        cols += [f"{c} {'bigint' if c == 'coll_persons' else 'integer'} NOT NULL DEFAULT 0"
                 for c in counts]
        op.execute(f"CREATE TABLE {table} ({', '.join(cols)})")
        op.execute(f"CREATE INDEX ix_{table}_day ON {table} (day)")
        if "category" in dims:
            # Category filters (a chart click, the filter bar) read one category's rows.
            op.execute(f"CREATE INDEX ix_{table}_category ON {table} (category, day)")
        _secure(table, _policy(dims), role)

    pm = ", ".join(f"{d} {DIM_TYPES.get(d, 'varchar(12)')}" for d in PER_MATTER_DIMS)
    # Backlog intervals of DESIGN §3 per matter (queries.kpi.backlog_intervals_sql without the
    # last-day cut): ``clock`` rows start when a clock is ``backlog_days`` past due.
    # ``leader``: the matter row names a county-level package leader (DESIGN §3).
    op.execute(f"""
    CREATE TABLE summary_backlog_interval (
      matter_id bigint NOT NULL, {pm}, s date, e date, clock boolean NOT NULL,
      leader boolean NOT NULL)""")
    op.execute("CREATE INDEX ix_summary_backlog_interval_s ON summary_backlog_interval (s)")
    # Matters that received more than the package threshold of submissions at city level or
    # above (ever): the only ones that can need a package leader for that reason on a day;
    # with the days of those submissions, for the 365-day window of a given day.
    op.execute(f"CREATE TABLE summary_package_candidate (matter_id bigint NOT NULL, {pm},"
               " upper_days date[] NOT NULL, leader boolean NOT NULL)")
    # The stage funnel's columns of every matter, narrow and in registration order: a
    # month's cohort is a few thousand adjacent rows, its channels a mask (no EXISTS).
    op.execute(f"""
    CREATE TABLE summary_funnel (
      matter_id bigint NOT NULL, {pm}, registered_on date NOT NULL, forwarded_on date,
      forward_due date, accepted_on date, accept_due date, answered_on date, answer_due date,
      satisfaction varchar(24))""")
    op.execute("CREATE INDEX ix_summary_funnel_registered ON summary_funnel (registered_on)")
    for table in ("summary_backlog_interval", "summary_package_candidate", "summary_funnel"):
        _secure(table, _policy(PER_MATTER_DIMS), role)

    op.execute("""
    CREATE TABLE summary_source (id smallint PRIMARY KEY CHECK (id = 1),
                                 version bigint NOT NULL DEFAULT 0);
    INSERT INTO summary_source VALUES (1, 0);
    CREATE TABLE summary_build (id smallint PRIMARY KEY CHECK (id = 1),
                                built_from bigint NOT NULL, built_at timestamptz NOT NULL,
                                rules jsonb NOT NULL, seconds real NOT NULL,
                                row_counts jsonb NOT NULL, state_until date NOT NULL);

    -- SECURITY DEFINER: whoever writes matters (only the owner can) raises the counter even
    -- without rights on summary_source. Statements that change no row (a re-import of an
    -- unchanged file) leave it alone, so they need no refresh.
    CREATE FUNCTION atlas_summary_touch() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' OR EXISTS (SELECT 1 FROM changed) THEN
        UPDATE summary_source SET version = version + 1 WHERE id = 1;
      END IF;
      RETURN NULL;
    END $$;
    CREATE FUNCTION atlas_summary_touch_all() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
      UPDATE summary_source SET version = version + 1 WHERE id = 1;
      RETURN NULL;
    END $$;
    """)
    # A trigger with a transition table serves one event only.
    for table in ("matter", "submission"):
        for event, rows in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
            op.execute(f"CREATE TRIGGER {table}_summary_{event} AFTER {event.upper()} ON {table}"
                       f" REFERENCING {rows} TABLE AS changed FOR EACH STATEMENT"
                       " EXECUTE FUNCTION atlas_summary_touch()")
        op.execute(f"CREATE TRIGGER {table}_summary_truncate AFTER TRUNCATE ON {table}"
                   " FOR EACH STATEMENT EXECUTE FUNCTION atlas_summary_touch_all()")
    op.execute(f"GRANT SELECT ON summary_source, summary_build TO {role}")
    op.execute("REVOKE EXECUTE ON FUNCTION atlas_summary_touch(), atlas_summary_touch_all()"
               " FROM PUBLIC")


def downgrade() -> None:
    for table in ("matter", "submission"):
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER {table}_summary_{event} ON {table}")
    op.execute("""
    DROP FUNCTION atlas_summary_touch(), atlas_summary_touch_all();
    DROP TABLE summary_build, summary_source, summary_package_candidate,
               summary_backlog_interval, summary_funnel;
    """)
    for table, _dims, _counts in _tables():
        op.execute(f"DROP TABLE {table}")
