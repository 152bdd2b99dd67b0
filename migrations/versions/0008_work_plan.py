"""work plan: leader roster and reception days, English place names (issue 16, items 5 and 7)

- ``leader``: the roster of leaders with a fixed weekly reception day (领导接访日): name,
  title, the county or township they lead (``unit_code``), level (county 县级 / township
  乡级), ISO weekday 1 (Monday) … 7 (Sunday). Key (name, unit_code). Row-level security by
  its unit, like ``leader_reception``; the web role reads it only (the roster is imported).
- ``leader_reception`` gains the roster link (``leader_id``, set at import by name within
  the reception's county), the leader's level (``leader_level``) and ``matter_id``: the
  matter this reception took into a leader package (包案), if any.
- ``admin_unit.name_en``: the unit's English name, computed at ``init-geo`` and
  ``load-boundaries`` (pinyin of the proper part, suffix translated; ``geo/names.py``) and
  stored, so pages and briefings read it instead of transliterating per request.

Self-contained: it depends only on the tables of 0001–0003.

Revision ID: 0008
Revises: 0007
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# A leader belongs to the county (6 digits) or township (9) they lead.
LEADER_POLICY = ("atlas_in_scope(left(unit_code, 6),"
                 " CASE WHEN length(unit_code) >= 9 THEN left(unit_code, 9) END, NULL)")


def _role() -> str:
    from settings import get_settings

    role = get_settings().app_db_role
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"unsafe application role name {role!r}")
    return role


def upgrade() -> None:
    role = _role()
    op.add_column("admin_unit", sa.Column("name_en", sa.Text(), nullable=True))

    op.create_table(
        "leader",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("unit_code", sa.String(12), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("import_run_id", sa.BigInteger()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.CheckConstraint("level IN ('county', 'township')", name="level"),
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        sa.CheckConstraint("length(unit_code) IN (6, 9)", name="unit"),
        sa.UniqueConstraint("name", "unit_code", name="uq_leader_name_unit_code"),
    )
    op.create_index("ix_leader_unit", "leader", ["unit_code"])

    op.add_column("leader_reception", sa.Column(
        "leader_id", sa.BigInteger(),
        sa.ForeignKey("leader.id", ondelete="SET NULL",
                      name="fk_leader_reception_leader_id_leader")))
    op.add_column("leader_reception", sa.Column("leader_level", sa.String(16)))
    op.add_column("leader_reception", sa.Column(
        "matter_id", sa.BigInteger(),
        sa.ForeignKey("matter.id", ondelete="SET NULL",
                      name="fk_leader_reception_matter_id_matter")))
    op.create_check_constraint("leader_level", "leader_reception",
                               "leader_level IS NULL OR leader_level IN ('county', 'township')")
    op.create_index("ix_leader_reception_leader_held", "leader_reception",
                    ["leader_id", "held_on"])

    op.execute("ALTER TABLE leader ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE leader FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY atlas_scope ON leader USING ({LEADER_POLICY})"
               f" WITH CHECK ({LEADER_POLICY})")
    op.execute("""DO $$ BEGIN
        EXECUTE format('CREATE POLICY atlas_owner ON leader TO %I USING (true)
                        WITH CHECK (true)', current_user);
    END $$""")
    # Read only: 0002's default privileges grant SELECT already; say it for a server where
    # they were changed.
    op.execute(f"REVOKE ALL ON leader FROM {role}")
    op.execute(f"GRANT SELECT ON leader TO {role}")


def downgrade() -> None:
    op.drop_index("ix_leader_reception_leader_held", table_name="leader_reception")
    op.drop_constraint("ck_leader_reception_leader_level", "leader_reception", type_="check")
    op.drop_column("leader_reception", "matter_id")
    op.drop_column("leader_reception", "leader_level")
    op.drop_column("leader_reception", "leader_id")
    op.drop_table("leader")
    op.drop_column("admin_unit", "name_en")
