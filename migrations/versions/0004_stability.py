"""stability: ledger, sensitive periods, daily reports and duty rosters for the UI (issue 6)

- ``unstable_factor`` (the dispute ledger) gains ``county_code`` (a dispute may concern a
  county without a township), who created and last changed it and when, and checks on its
  enumerations; its row-level policy now reads the county column, so a county-wide dispute is
  visible in that county (before, a row without a township was visible to nobody).
- ``sensitive_period`` gains a note and who/when; ``reporting_unit`` a check on its kind.
- ``daily_report``: ``filed_at`` defaults to the database clock (the web role cannot choose
  it, so a late report cannot be back-dated), ``filed_by``, ``updated_at``; ``duty_roster``
  a check on its shift. Both get row-level security through their reporting unit: a
  township's units belong to its township and county, a department to its county (or, for a
  city department, to the prefecture code) and to its name as a department scope.
- Grants: the web role (``atlas_app``) writes exactly what the pages write, column by column:
  ledger entries (create, edit, close), sensitive periods (create, edit; the pages allow only
  admins), daily reports (file; correct incidents and note) and duty rosters (set the person
  on duty). Never DELETE.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:00:00
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

LEDGER_POLICY_OLD = "atlas_in_scope(left(township_code, 6), township_code, responsible_unit)"
LEDGER_POLICY = ("atlas_in_scope(coalesce(county_code, left(township_code, 6)), township_code,"
                 " responsible_unit)")
UNIT_POLICY = ("EXISTS (SELECT 1 FROM reporting_unit r WHERE r.code = {t}.unit_code AND"
               " atlas_in_scope(coalesce(r.county_code, left(r.township_code, 6)),"
               " r.township_code, r.name))")

COLUMN_GRANTS = {
    "unstable_factor": (
        "INSERT (ledger_no, title, category, county_code, township_code, zone_code, geom,"
        " people_involved, risk_level, responsible_unit, responsible_leader, measures,"
        " opened_on, resolve_by, status, closed_on, created_by, updated_by)",
        "UPDATE (title, category, county_code, township_code, zone_code, geom,"
        " people_involved, risk_level, responsible_unit, responsible_leader, measures,"
        " resolve_by, status, closed_on, updated_at, updated_by)"),
    "sensitive_period": (
        "INSERT (name, name_en, starts_on, ends_on, level, scope_code, note, created_by)",
        "UPDATE (name, name_en, starts_on, ends_on, level, scope_code, note, updated_at,"
        " updated_by)"),
    "daily_report": (
        "INSERT (unit_code, report_date, incidents, note, filed_by)",
        "UPDATE (incidents, note, updated_at)"),
    "duty_roster": (
        "INSERT (unit_code, duty_date, shift, officer_name, leader_name, phone)",
        "UPDATE (officer_name, leader_name, phone)"),
}


def _role() -> str:
    from settings import get_settings

    role = get_settings().app_db_role
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"unsafe application role name {role!r}")
    return role


def _ts(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def upgrade() -> None:
    role = _role()
    # --- ledger ------------------------------------------------------------------------------
    op.add_column("unstable_factor", sa.Column("county_code", sa.String(6)))
    op.add_column("unstable_factor", _ts("created_at", nullable=False,
                                         server_default=sa.text("now()")))
    op.add_column("unstable_factor", _ts("updated_at", nullable=False,
                                         server_default=sa.text("now()")))
    op.add_column("unstable_factor", sa.Column("created_by", sa.Text))
    op.add_column("unstable_factor", sa.Column("updated_by", sa.Text))
    op.execute("UPDATE unstable_factor SET county_code = left(township_code, 6)"
               " WHERE county_code IS NULL AND township_code IS NOT NULL")
    op.create_check_constraint(op.f("ck_unstable_factor_risk"), "unstable_factor", "risk_level in ('high','medium','low')")
    op.create_check_constraint(op.f("ck_unstable_factor_status"), "unstable_factor",
                               "status in ('open','resolving','resolved')")
    op.create_check_constraint(op.f("ck_unstable_factor_people"), "unstable_factor", "people_involved >= 0")
    op.create_check_constraint(op.f("ck_unstable_factor_closed"), "unstable_factor",
                               "(status = 'resolved') = (closed_on IS NOT NULL)")
    op.create_index("ix_unstable_factor_status_resolve", "unstable_factor",
                    ["status", "resolve_by"])
    op.create_index("ix_unstable_factor_county", "unstable_factor", ["county_code"])
    op.execute("DROP POLICY atlas_scope ON unstable_factor")
    op.execute(f"CREATE POLICY atlas_scope ON unstable_factor USING ({LEDGER_POLICY})"
               f" WITH CHECK ({LEDGER_POLICY})")

    # --- sensitive periods -------------------------------------------------------------------
    op.add_column("sensitive_period", sa.Column("note", sa.Text))
    op.add_column("sensitive_period", sa.Column("created_by", sa.Text))
    op.add_column("sensitive_period", sa.Column("updated_by", sa.Text))
    op.add_column("sensitive_period", _ts("created_at", nullable=False,
                                          server_default=sa.text("now()")))
    op.add_column("sensitive_period", _ts("updated_at", nullable=False,
                                          server_default=sa.text("now()")))
    op.create_check_constraint(op.f("ck_sensitive_period_level"), "sensitive_period",
                               "level in ('national','provincial','city','local')")
    op.create_index("ix_sensitive_period_dates", "sensitive_period", ["starts_on", "ends_on"])

    # --- reporting units, daily reports, duty rosters ----------------------------------------
    op.create_check_constraint(op.f("ck_reporting_unit_kind"), "reporting_unit", "kind in ('township','department')")
    op.create_index("ix_reporting_unit_township", "reporting_unit", ["township_code"])
    op.create_index("ix_reporting_unit_county", "reporting_unit", ["county_code"])
    op.alter_column("daily_report", "filed_at", server_default=sa.text("now()"))
    op.add_column("daily_report", sa.Column("filed_by", sa.Text))
    op.add_column("daily_report", _ts("updated_at"))
    op.create_check_constraint(op.f("ck_daily_report_incidents"), "daily_report", "incidents >= 0")
    op.create_index("ix_daily_report_date", "daily_report", ["report_date"])
    op.create_check_constraint(op.f("ck_duty_roster_shift"), "duty_roster", "shift in ('day','night','full')")
    op.create_index("ix_duty_roster_date", "duty_roster", ["duty_date"])
    for table in ("daily_report", "duty_roster"):
        using = UNIT_POLICY.format(t=table)
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY atlas_scope ON {table} USING ({using}) WITH CHECK ({using})")
        op.execute(f"""DO $$ BEGIN
            EXECUTE format('CREATE POLICY atlas_owner ON {table} TO %I USING (true)
                            WITH CHECK (true)', current_user);
        END $$""")

    # --- grants: exactly the columns the pages write -----------------------------------------
    for table, (insert, update) in COLUMN_GRANTS.items():
        op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM {role}")
        op.execute(f"GRANT SELECT ON {table} TO {role}")
        op.execute(f"GRANT {insert} ON {table} TO {role}")
        op.execute(f"GRANT {update} ON {table} TO {role}")
        op.execute(f"GRANT USAGE ON SEQUENCE {table}_id_seq TO {role}")


def downgrade() -> None:
    role = _role()
    for table in COLUMN_GRANTS:
        op.execute(f"REVOKE INSERT, UPDATE ON {table} FROM {role}")
        op.execute(f"GRANT INSERT, UPDATE ON {table} TO {role}")
    for table in ("daily_report", "duty_roster"):
        op.execute(f"DROP POLICY IF EXISTS atlas_owner ON {table}")
        op.execute(f"DROP POLICY IF EXISTS atlas_scope ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_index("ix_duty_roster_date", table_name="duty_roster")
    op.drop_constraint("ck_duty_roster_shift", "duty_roster")
    op.drop_index("ix_daily_report_date", table_name="daily_report")
    op.drop_constraint("ck_daily_report_incidents", "daily_report")
    op.drop_column("daily_report", "updated_at")
    op.drop_column("daily_report", "filed_by")
    op.alter_column("daily_report", "filed_at", server_default=None)
    op.drop_index("ix_reporting_unit_county", table_name="reporting_unit")
    op.drop_index("ix_reporting_unit_township", table_name="reporting_unit")
    op.drop_constraint("ck_reporting_unit_kind", "reporting_unit")

    op.drop_index("ix_sensitive_period_dates", table_name="sensitive_period")
    op.drop_constraint("ck_sensitive_period_level", "sensitive_period")
    for col in ("updated_at", "created_at", "updated_by", "created_by", "note"):
        op.drop_column("sensitive_period", col)

    op.execute("DROP POLICY atlas_scope ON unstable_factor")
    op.execute(f"CREATE POLICY atlas_scope ON unstable_factor USING ({LEDGER_POLICY_OLD})"
               f" WITH CHECK ({LEDGER_POLICY_OLD})")
    op.drop_index("ix_unstable_factor_county", table_name="unstable_factor")
    op.drop_index("ix_unstable_factor_status_resolve", table_name="unstable_factor")
    for ck in ("closed", "people", "status", "risk"):
        op.drop_constraint(f"ck_unstable_factor_{ck}", "unstable_factor")
    for col in ("updated_by", "created_by", "updated_at", "created_at", "county_code"):
        op.drop_column("unstable_factor", col)
