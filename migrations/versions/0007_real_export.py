"""real export: intake, unrecorded clocks, backlog as dated intervals, first-time and irregular
counts, import warnings, and the stored-rule fingerprint (issue 10, DESIGN §3–§5 revised).

- ``matter.intake`` (office / direct; inferred at import when blank), ``backlog_flagged_on``,
  ``backlog_resolved_on`` (the last imported resolution), ``unrecorded_mask`` / ``_n`` (clocks
  whose dates the export left blank: never open, never overdue), ``first_return_on`` (first
  submission after the answer, for 一次性化解). ``resubmitted_on`` goes: rule (b) now ends and
  restarts, so it is a set of spans.
- ``backlog_resolution``: every distinct resolution date ever imported for a matter (a
  re-import adds one, never erases one), so past months keep their answer.
- ``matter_backlog_span``: the (b) and (c) intervals of each matter, derived by
  ``atlas_derive_backlog(ids)`` from the matter, its submissions, its resolutions and its
  resolved leader packages. The importer calls it for the matters it touched; a trigger on
  ``package_assignment`` calls it when a package is resolved in the ledger.
- ``rule_state``: what the stored due dates and spans were computed with. Until
  ``refresh-summaries`` recomputes them under the current settings, pages say so instead of
  showing figures (the refresh contract of DESIGN §3). Empty after this migration: existing
  due dates predate the revised rules.
- ``import_warning``: one row per warning of an import (line, column, key, reason — never the
  value), for the data-quality view.
- Rollups gain the counts of the new KPIs: unrecorded clocks and first-time resolutions per
  matter, irregular submissions per received level.

Revision ID: 0007
Revises: 0006
"""
import re

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CUTS = ("area", "zone", "unit", "chan", "cat", "full", "zonefull")
NEW_MATTER_COUNTS = ("unrec", "fr_n", "fr_ok")
LEVELS = ("township", "county", "city", "province", "national")
NEW_SUBMISSION_COUNTS = tuple(f"irr_{lvl}" for lvl in LEVELS)


def _role() -> str:
    from settings import get_settings

    role = get_settings().app_db_role
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"unsafe application role name {role!r}")
    return role


def upgrade() -> None:
    role = _role()
    op.execute("""
    ALTER TABLE matter
      ADD COLUMN intake varchar(8) NOT NULL DEFAULT 'office'
        CONSTRAINT ck_matter_intake CHECK (intake IN ('office', 'direct')),
      ADD COLUMN backlog_flagged_on date,
      ADD COLUMN backlog_resolved_on date,
      ADD COLUMN unrecorded_mask smallint NOT NULL DEFAULT 0,
      ADD COLUMN unrecorded_n smallint NOT NULL DEFAULT 0,
      ADD COLUMN first_return_on date;
    UPDATE matter SET intake = 'direct' WHERE forwarded_on IS NULL AND accepted_on IS NOT NULL;
    DROP INDEX IF EXISTS ix_matter_resubmitted;
    ALTER TABLE matter DROP COLUMN resubmitted_on;

    CREATE TABLE backlog_resolution (
      matter_id bigint NOT NULL REFERENCES matter(id) ON DELETE CASCADE,
      resolved_on date NOT NULL,
      import_run_id bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (matter_id, resolved_on));

    CREATE TABLE matter_backlog_span (
      matter_id bigint NOT NULL REFERENCES matter(id) ON DELETE CASCADE,
      reason varchar(24) NOT NULL
        CONSTRAINT ck_matter_backlog_span_reason
        CHECK (reason IN ('repeat_after_answer', 'flagged')),
      s date NOT NULL,
      e date,
      PRIMARY KEY (matter_id, reason, s));

    CREATE TABLE rule_state (
      id smallint PRIMARY KEY CHECK (id = 1),
      fingerprint text NOT NULL,
      rules jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now());

    CREATE TABLE import_warning (
      id bigserial PRIMARY KEY,
      import_run_id bigint NOT NULL REFERENCES import_run(id) ON DELETE CASCADE,
      line bigint NOT NULL,
      column_name text NOT NULL,
      record_key text,
      matter_no text,
      code varchar(32) NOT NULL,
      reason_zh text NOT NULL,
      reason_en text NOT NULL);
    CREATE INDEX ix_import_warning_run ON import_warning (import_run_id);
    CREATE INDEX ix_import_warning_matter_no ON import_warning (matter_no);
    ALTER TABLE import_run ADD COLUMN warned integer NOT NULL DEFAULT 0;
    """)

    # The (b) and (c) spans of DESIGN §3 for the given matters (NULL: all). Writes only the
    # differences, so the rollups' freshness counter moves only when a span changed.
    op.execute("""
    CREATE FUNCTION atlas_derive_backlog(ids bigint[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      n integer := coalesce((SELECT (rules->>'backlog_subs')::int FROM rule_state
                             WHERE id = 1), 3);
    BEGIN
      CREATE TEMP TABLE IF NOT EXISTS atlas_span_target (id bigint PRIMARY KEY,
        answered_on date, flag boolean, flagged date) ON COMMIT DROP;
      CREATE TEMP TABLE IF NOT EXISTS atlas_span_new (matter_id bigint, reason varchar(24),
        s date, e date) ON COMMIT DROP;
      CREATE TEMP TABLE IF NOT EXISTS atlas_span_res (matter_id bigint, d date)
        ON COMMIT DROP;
      TRUNCATE atlas_span_target, atlas_span_new, atlas_span_res;
      INSERT INTO atlas_span_target
        SELECT m.id, m.answered_on, m.backlog_flag,
               coalesce(m.backlog_flagged_on, m.registered_on)
        FROM matter m WHERE ids IS NULL OR m.id = ANY(ids);
      INSERT INTO atlas_span_res
        SELECT r.matter_id, r.resolved_on FROM backlog_resolution r
        JOIN atlas_span_target t ON t.id = r.matter_id
        UNION
        SELECT p.matter_id, p.resolved_on FROM package_assignment p
        JOIN atlas_span_target t ON t.id = p.matter_id WHERE p.resolved_on IS NOT NULL;
      CREATE INDEX IF NOT EXISTS atlas_span_res_ix ON atlas_span_res (matter_id, d);
      ANALYZE atlas_span_target; ANALYZE atlas_span_res;

      -- (b): submissions after the answer, counted from the latest of the answer and the
      -- resolutions on or before each one; the n-th of a count starts a span that the next
      -- resolution ends.
      INSERT INTO atlas_span_new
      WITH x AS (
        SELECT s.matter_id, s.received_on,
               greatest(t.answered_on, (SELECT max(r.d) FROM atlas_span_res r
                                        WHERE r.matter_id = s.matter_id
                                          AND r.d <= s.received_on)) AS anchor
        FROM submission s JOIN atlas_span_target t ON t.id = s.matter_id
        WHERE t.answered_on IS NOT NULL AND s.received_on > t.answered_on),
      y AS (
        SELECT matter_id, received_on,
               row_number() OVER (PARTITION BY matter_id, anchor ORDER BY received_on) AS rn
        FROM x WHERE received_on > anchor)
      SELECT y.matter_id, 'repeat_after_answer', y.received_on,
             (SELECT min(r.d) FROM atlas_span_res r
              WHERE r.matter_id = y.matter_id AND r.d >= y.received_on)
      FROM y WHERE y.rn = n;

      -- (c): flagged by a higher level, from the flag date until the first resolution.
      INSERT INTO atlas_span_new
      SELECT f.id, 'flagged', f.flagged, f.e FROM (
        SELECT t.id, t.flagged,
               (SELECT min(r.d) FROM atlas_span_res r
                WHERE r.matter_id = t.id AND r.d >= t.flagged) AS e
        FROM atlas_span_target t WHERE t.flag) f
      WHERE f.e IS NULL OR f.e > f.flagged;

      DELETE FROM matter_backlog_span b
      USING atlas_span_target t
      WHERE b.matter_id = t.id AND NOT EXISTS (
        SELECT 1 FROM atlas_span_new x WHERE x.matter_id = b.matter_id
          AND x.reason = b.reason AND x.s = b.s AND x.e IS NOT DISTINCT FROM b.e);
      INSERT INTO matter_backlog_span (matter_id, reason, s, e)
      SELECT x.matter_id, x.reason, x.s, x.e FROM atlas_span_new x
      WHERE NOT EXISTS (
        SELECT 1 FROM matter_backlog_span b WHERE b.matter_id = x.matter_id
          AND b.reason = x.reason AND b.s = x.s AND b.e IS NOT DISTINCT FROM x.e);

      -- 一次性化解 needs the first submission after the answer.
      UPDATE matter m SET first_return_on = f.d
      FROM (SELECT t.id, (SELECT min(s.received_on) FROM submission s
                          WHERE s.matter_id = t.id AND s.received_on > t.answered_on) AS d
            FROM atlas_span_target t) f
      WHERE m.id = f.id AND m.first_return_on IS DISTINCT FROM f.d;
    END $$;

    -- Statement-level, with transition tables: an import of thousands of package rows
    -- derives the spans of their matters once, not once per row.
    CREATE FUNCTION atlas_package_derive() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
      ids bigint[];
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT matter_id) INTO ids FROM new_rows
        WHERE matter_id IS NOT NULL AND resolved_on IS NOT NULL;
      ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT matter_id) INTO ids FROM old_rows
        WHERE matter_id IS NOT NULL AND resolved_on IS NOT NULL;
      ELSE
        SELECT array_agg(DISTINCT x.matter_id) INTO ids FROM (
          SELECT o.matter_id FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE o.resolved_on IS DISTINCT FROM n.resolved_on
             OR o.matter_id IS DISTINCT FROM n.matter_id
          UNION
          SELECT n.matter_id FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE o.resolved_on IS DISTINCT FROM n.resolved_on
             OR o.matter_id IS DISTINCT FROM n.matter_id) x
        WHERE x.matter_id IS NOT NULL;
      END IF;
      IF ids IS NOT NULL THEN
        PERFORM atlas_derive_backlog(ids);
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER package_assignment_backlog_insert AFTER INSERT ON package_assignment
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION atlas_package_derive();
    CREATE TRIGGER package_assignment_backlog_update AFTER UPDATE ON package_assignment
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION atlas_package_derive();
    CREATE TRIGGER package_assignment_backlog_delete AFTER DELETE ON package_assignment
      REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION atlas_package_derive();
    REVOKE EXECUTE ON FUNCTION atlas_derive_backlog(bigint[]), atlas_package_derive()
      FROM PUBLIC;
    """)
    # A changed span, resolution or rule set is a write the rollups must see.
    for table in ("matter_backlog_span", "backlog_resolution"):
        for event, rows in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
            op.execute(f"CREATE TRIGGER {table}_summary_{event} AFTER {event.upper()} ON {table}"
                       f" REFERENCING {rows} TABLE AS changed FOR EACH STATEMENT"
                       " EXECUTE FUNCTION atlas_summary_touch()")

    for cut in CUTS:
        for grain in ("day", "month"):
            op.execute(f"ALTER TABLE summary_matter_{cut}_{grain} "
                       + ", ".join(f"ADD COLUMN {c} integer NOT NULL DEFAULT 0"
                                   for c in NEW_MATTER_COUNTS))
            op.execute(f"ALTER TABLE summary_submission_{cut}_{grain} "
                       + ", ".join(f"ADD COLUMN {c} integer NOT NULL DEFAULT 0"
                                   for c in NEW_SUBMISSION_COUNTS))
    # Rollups built before this migration lack the new counts: mark them stale.
    op.execute("DELETE FROM summary_build")

    op.execute(f"GRANT SELECT ON backlog_resolution, matter_backlog_span, rule_state,"
               f" import_warning TO {role}")
    # Row-level security as the second wall behind queries/: a row is visible when its
    # matter is (the matter's own policy applies inside the sub-select). Warnings of rows
    # that never landed (no matter) are the owner's to read.
    for table, using in (
            ("backlog_resolution", "EXISTS (SELECT 1 FROM matter m WHERE m.id = matter_id)"),
            ("matter_backlog_span", "EXISTS (SELECT 1 FROM matter m WHERE m.id = matter_id)"),
            ("import_warning", "EXISTS (SELECT 1 FROM matter m WHERE m.matter_no ="
                               " import_warning.matter_no)")):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY atlas_scope ON {table} USING ({using})")
        op.execute(f"""DO $$ BEGIN
            EXECUTE format('CREATE POLICY atlas_owner ON {table} TO %I USING (true)
                            WITH CHECK (true)', current_user);
        END $$""")


def downgrade() -> None:
    for cut in CUTS:
        for grain in ("day", "month"):
            op.execute(f"ALTER TABLE summary_matter_{cut}_{grain} "
                       + ", ".join(f"DROP COLUMN {c}" for c in NEW_MATTER_COUNTS))
            op.execute(f"ALTER TABLE summary_submission_{cut}_{grain} "
                       + ", ".join(f"DROP COLUMN {c}" for c in NEW_SUBMISSION_COUNTS))
    op.execute("""
    DROP TRIGGER package_assignment_backlog_insert ON package_assignment;
    DROP TRIGGER package_assignment_backlog_update ON package_assignment;
    DROP TRIGGER package_assignment_backlog_delete ON package_assignment;
    DROP FUNCTION atlas_package_derive();
    DROP FUNCTION atlas_derive_backlog(bigint[]);
    DROP TABLE import_warning, rule_state, matter_backlog_span, backlog_resolution;
    ALTER TABLE import_run DROP COLUMN warned;
    ALTER TABLE matter ADD COLUMN resubmitted_on date;
    ALTER TABLE matter DROP COLUMN intake, DROP COLUMN backlog_flagged_on,
      DROP COLUMN backlog_resolved_on, DROP COLUMN unrecorded_mask, DROP COLUMN unrecorded_n,
      DROP COLUMN first_return_on;
    """)
