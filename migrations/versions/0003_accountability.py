"""accountability: package leaders, assignments (交办/销号) and leader receptions (四访一包)

What the backlog and accountability tools (issue 5) need of the store:

- columns: ``assignment.title`` (what was assigned), ``assignment.county_code`` (a county
  department's assignment has no township), ``assignment.closed_by``,
  ``package_assignment.set_by``, ``leader_reception.recorded_by``;
- natural keys, so the accountability loader (``ingest.accountability``) can re-import a file
  without duplicating rows: one package row per (matter, leader, since), one reception per
  (leader, kind, day, unit);
- checks on the enumerations and date orders;
- row-level security on ``leader_reception`` (by its unit), and the assignment policy widened
  to the county column;
- the application role's writes narrowed to exactly what the three edits of the backlog page
  do: insert a package row and end / update the previous one, close out an assignment, record
  a reception. 0002 had granted INSERT and UPDATE on whole tables;
- indexes for the backlog page and the joint-conference agenda.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:00:00
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

RECEPTION_KINDS = ("fixed_point", "appointment", "thematic", "down_with_cases", "package")

_MATTER_VISIBLE = ("EXISTS (SELECT 1 FROM matter m WHERE m.id = {t}.matter_id"
                   " AND atlas_in_scope(m.county_code, m.township_code, m.responsible_unit))")
ASSIGNMENT_POLICY = (
    "atlas_in_scope(coalesce(county_code, left(township_code, 6)), township_code, assigned_unit)"
    " OR (matter_id IS NOT NULL AND " + _MATTER_VISIBLE.format(t="assignment") + ")")
ASSIGNMENT_POLICY_0002 = (
    "atlas_in_scope(left(township_code, 6), township_code, assigned_unit)"
    " OR (matter_id IS NOT NULL AND " + _MATTER_VISIBLE.format(t="assignment") + ")")
# A reception belongs to the unit it was held for: a county (6 digits), a township (9) or a
# village (12, seen by its township). The prefecture code is the whole region.
RECEPTION_POLICY = ("atlas_in_scope(left(unit_code, 6),"
                    " CASE WHEN length(unit_code) >= 9 THEN left(unit_code, 9) END, NULL)")

# Exactly the columns the edits of queries/edits.py write.
GRANTS = (
    ("INSERT", "package_assignment",
     "matter_id, leader_name, leader_title, level, since, progress, set_by"),
    ("UPDATE", "package_assignment", "until, progress, resolved_on"),
    ("UPDATE", "assignment", "feedback_on, closed_on, close_note, closed_by"),
    ("INSERT", "leader_reception",
     "leader_name, leader_title, kind, held_on, unit_code, matters_received, matters_resolved,"
     " note, recorded_by"),
)


def _role() -> str:
    from settings import get_settings

    role = get_settings().app_db_role
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"unsafe application role name {role!r}")
    return role


def upgrade() -> None:
    role = _role()

    op.add_column("assignment", sa.Column("title", sa.Text(), nullable=True))
    op.add_column("assignment", sa.Column("county_code", sa.String(6), nullable=True))
    op.add_column("assignment", sa.Column("closed_by", sa.Text(), nullable=True))
    op.add_column("package_assignment", sa.Column("set_by", sa.Text(), nullable=True))
    op.add_column("leader_reception", sa.Column("recorded_by", sa.Text(), nullable=True))

    op.create_check_constraint("dates", "assignment",  # named ck_<table>_<name>
                               "feedback_due >= assigned_on AND (closed_on IS NULL OR"
                               " closed_on >= assigned_on) AND (feedback_on IS NULL OR"
                               " feedback_on >= assigned_on)")
    op.create_check_constraint("level", "package_assignment",
                               "level IN ('county', 'township')")
    op.create_check_constraint("dates", "package_assignment",
                               "until IS NULL OR until >= since")
    op.create_check_constraint(
        "kind", "leader_reception",
        "kind IN (" + ", ".join(f"'{k}'" for k in RECEPTION_KINDS) + ")")
    op.create_check_constraint("counts", "leader_reception",
                               "matters_received >= 0 AND matters_resolved >= 0")

    # Natural keys (idempotent loading, no duplicate edits).
    op.create_index("uq_package_assignment_matter_leader_since", "package_assignment",
                    ["matter_id", "leader_name", "since"], unique=True)
    op.execute("CREATE UNIQUE INDEX uq_leader_reception_key ON leader_reception"
               " (leader_name, kind, held_on, (coalesce(unit_code, '')))")

    # The backlog page and the agenda.
    op.execute("CREATE INDEX ix_package_assignment_active ON package_assignment (matter_id)"
               " WHERE until IS NULL")
    op.create_index("ix_assignment_unit_due", "assignment", ["assigned_unit", "feedback_due"])
    op.create_index("ix_assignment_matter", "assignment", ["matter_id"])
    op.create_index("ix_leader_reception_unit_held", "leader_reception", ["unit_code", "held_on"])
    op.execute("CREATE INDEX ix_matter_backlog_flag ON matter (id) WHERE backlog_flag")
    # Upper-level submissions (package rule) and collective visits (agenda, KPI).
    op.execute("CREATE INDEX ix_submission_upper_received ON submission (received_on, matter_id)"
               " WHERE received_level IN ('city', 'province', 'national')")
    op.execute("CREATE INDEX ix_submission_collective_received ON submission (received_on)"
               " WHERE channel = 'visit' AND persons >= 5")

    # Row-level security: receptions by unit; assignments also by their county.
    op.execute("ALTER TABLE leader_reception ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE leader_reception FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY atlas_scope ON leader_reception USING ({RECEPTION_POLICY})"
               f" WITH CHECK ({RECEPTION_POLICY})")
    op.execute("""DO $$ BEGIN
        EXECUTE format('CREATE POLICY atlas_owner ON leader_reception TO %I USING (true)
                        WITH CHECK (true)', current_user);
    END $$""")
    op.execute("DROP POLICY IF EXISTS atlas_scope ON assignment")
    op.execute(f"CREATE POLICY atlas_scope ON assignment USING ({ASSIGNMENT_POLICY})"
               f" WITH CHECK ({ASSIGNMENT_POLICY})")

    # The application role: exactly the columns the edits write, nothing on whole tables.
    op.execute(f"REVOKE INSERT, UPDATE ON assignment, package_assignment, leader_reception"
               f" FROM {role}")
    op.execute(f"REVOKE USAGE ON SEQUENCE assignment_id_seq FROM {role}")
    for privilege, table, columns in GRANTS:
        op.execute(f"GRANT {privilege} ({columns}) ON {table} TO {role}")
    op.execute(f"GRANT SELECT ON assignment, package_assignment, leader_reception TO {role}")


def downgrade() -> None:
    role = _role()
    for privilege, table, columns in GRANTS:
        op.execute(f"REVOKE {privilege} ({columns}) ON {table} FROM {role}")
    op.execute(f"GRANT INSERT, UPDATE ON assignment, package_assignment, leader_reception"
               f" TO {role}")
    op.execute(f"GRANT USAGE ON SEQUENCE assignment_id_seq TO {role}")

    op.execute("DROP POLICY IF EXISTS atlas_scope ON assignment")
    op.execute(f"CREATE POLICY atlas_scope ON assignment USING ({ASSIGNMENT_POLICY_0002})"
               f" WITH CHECK ({ASSIGNMENT_POLICY_0002})")
    op.execute("DROP POLICY IF EXISTS atlas_owner ON leader_reception")
    op.execute("DROP POLICY IF EXISTS atlas_scope ON leader_reception")
    op.execute("ALTER TABLE leader_reception NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE leader_reception DISABLE ROW LEVEL SECURITY")

    op.execute("DROP INDEX IF EXISTS ix_submission_collective_received")
    op.execute("DROP INDEX IF EXISTS ix_submission_upper_received")
    op.execute("DROP INDEX IF EXISTS ix_matter_backlog_flag")
    op.drop_index("ix_leader_reception_unit_held", table_name="leader_reception")
    op.drop_index("ix_assignment_matter", table_name="assignment")
    op.drop_index("ix_assignment_unit_due", table_name="assignment")
    op.execute("DROP INDEX IF EXISTS ix_package_assignment_active")
    op.execute("DROP INDEX IF EXISTS uq_leader_reception_key")
    op.drop_index("uq_package_assignment_matter_leader_since", table_name="package_assignment")

    for name, table in (("ck_leader_reception_counts", "leader_reception"),
                        ("ck_leader_reception_kind", "leader_reception"),
                        ("ck_package_assignment_dates", "package_assignment"),
                        ("ck_package_assignment_level", "package_assignment"),
                        ("ck_assignment_dates", "assignment")):
        op.drop_constraint(op.f(name), table, type_="check")

    op.drop_column("leader_reception", "recorded_by")
    op.drop_column("package_assignment", "set_by")
    op.drop_column("assignment", "closed_by")
    op.drop_column("assignment", "county_code")
    op.drop_column("assignment", "title")
