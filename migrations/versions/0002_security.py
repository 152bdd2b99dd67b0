"""security: application role, row-level security by jurisdiction, append-only audit log

The web application connects as ``settings.app_db_role`` (default ``atlas_app``): a role that
owns nothing, reads the tables, writes only what the UI needs, may only INSERT into the audit
log, and sees matter rows only inside the scope set per transaction by ``queries.db.scoped``
(``atlas.units``, ``atlas.departments``). The owner (the role running migrations, imports and
the CLI) keeps full access through an explicit policy, so FORCE ROW LEVEL SECURITY does not get
in the importer's way even when the owner is not a superuser.

Creating the role needs CREATEROLE (a superuser runs the migrations in the default setup).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 14:00:00
"""
import re

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Tables whose rows belong to a jurisdiction.
RLS_TABLES = ("matter", "submission", "matter_event", "assignment", "package_assignment",
              "unstable_factor")
# The writes the UI needs (later issues): ledgers, duty, reports. Never matter or submission
# (the importer owns those) and never DELETE.
WRITE_TABLES = ("matter_event", "assignment", "package_assignment", "unstable_factor",
                "daily_report", "duty_roster", "leader_reception", "sensitive_period")

_MATTER_VISIBLE = ("EXISTS (SELECT 1 FROM matter m WHERE m.id = {t}.matter_id"
                   " AND atlas_in_scope(m.county_code, m.township_code, m.responsible_unit))")
POLICIES = {
    "matter": "atlas_in_scope(county_code, township_code, responsible_unit)",
    "submission": _MATTER_VISIBLE.format(t="submission"),
    "matter_event": _MATTER_VISIBLE.format(t="matter_event"),
    "package_assignment": _MATTER_VISIBLE.format(t="package_assignment"),
    "assignment": ("atlas_in_scope(left(township_code, 6), township_code, assigned_unit)"
                   " OR (matter_id IS NOT NULL AND " + _MATTER_VISIBLE.format(t="assignment")
                   + ")"),
    "unstable_factor": "atlas_in_scope(left(township_code, 6), township_code, responsible_unit)",
}


def _role() -> str:
    from settings import get_settings

    role = get_settings().app_db_role
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"unsafe application role name {role!r}")
    return role


def upgrade() -> None:
    role = _role()
    op.execute(f"""
    DO $$
    DECLARE r record;
    BEGIN
      SELECT rolsuper, rolbypassrls INTO r FROM pg_roles WHERE rolname = '{role}';
      IF NOT FOUND THEN
        CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
      ELSIF r.rolsuper OR r.rolbypassrls THEN
        RAISE EXCEPTION 'role {role} exists with SUPERUSER or BYPASSRLS; '
          'the application role must be subject to row-level security';
      END IF;
      -- The owner switches to the application role inside scoped() transactions.
      IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT %I TO %I', '{role}', current_user);
      END IF;
      EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), '{role}');
    END $$;
    """)

    # Scope read from the transaction-local settings. SQL, STABLE and free of sub-selects so
    # the planner inlines them into the policies. Unset or empty: NULL arrays, nothing visible.
    op.execute("""
    CREATE OR REPLACE FUNCTION atlas_scope_units() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE AS
    $$ SELECT string_to_array(nullif(current_setting('atlas.units', true), ''), ',') $$;

    CREATE OR REPLACE FUNCTION atlas_scope_departments() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE AS
    $$ SELECT string_to_array(nullif(current_setting('atlas.departments', true), ''), ',') $$;

    -- A row is in scope when its county or township is listed, when the list holds its
    -- prefecture (4 leading digits + '00'), or when its responsible unit is a listed department.
    CREATE OR REPLACE FUNCTION atlas_in_scope(p_county text, p_township text, p_unit text)
    RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS
    $$ SELECT coalesce(
            p_county = ANY (atlas_scope_units())
         OR p_township = ANY (atlas_scope_units())
         OR (left(coalesce(p_county, p_township), 4) || '00') = ANY (atlas_scope_units())
         OR p_unit = ANY (atlas_scope_departments()),
       false) $$;
    """)

    # Privileges: start from nothing, read everything, write only the ledgers.
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    op.execute(f"GRANT EXECUTE ON FUNCTION atlas_scope_units(), atlas_scope_departments(),"
               f" atlas_in_scope(text, text, text) TO {role}")
    for table in WRITE_TABLES:
        op.execute(f"GRANT INSERT, UPDATE ON {table} TO {role}")
        op.execute(f"GRANT USAGE ON SEQUENCE {table}_id_seq TO {role}")
    op.execute(f"GRANT UPDATE (failed_logins, locked_until, last_login_at, lang)"
               f" ON app_user TO {role}")
    op.execute(f"GRANT UPDATE (last_seen_at) ON wall_token TO {role}")
    op.execute(f"GRANT INSERT ON audit_log TO {role}")
    op.execute(f"GRANT USAGE ON SEQUENCE audit_log_id_seq TO {role}")
    # Tables of later migrations are readable by default (the query layer still scopes them);
    # a later jurisdictional table must add its own policy.
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}")

    # Row-level security: every role is scoped, the owner keeps everything explicitly.
    for table, using in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY atlas_scope ON {table} USING ({using}) WITH CHECK ({using})")
        op.execute(f"""DO $$ BEGIN
            EXECUTE format('CREATE POLICY atlas_owner ON {table} TO %I USING (true)
                            WITH CHECK (true)', current_user);
        END $$""")

    # Audit log: append-only for everyone, whatever the grants say. A retention purge by the
    # owner sets atlas.audit_maintenance = 'on' in its own transaction.
    op.execute("""
    CREATE OR REPLACE FUNCTION atlas_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF coalesce(current_setting('atlas.audit_maintenance', true), '') = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION atlas_audit_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION atlas_audit_append_only();
    """)
    op.create_index("ix_audit_log_username_at", "audit_log", ["username", "at"])
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])


def downgrade() -> None:
    role = _role()
    op.drop_index("ix_audit_log_action_at", table_name="audit_log")
    op.drop_index("ix_audit_log_username_at", table_name="audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS atlas_audit_append_only()")
    for table in POLICIES:
        op.execute(f"DROP POLICY IF EXISTS atlas_owner ON {table}")
        op.execute(f"DROP POLICY IF EXISTS atlas_scope ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM {role}")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}")
    op.execute("DROP FUNCTION IF EXISTS atlas_in_scope(text, text, text)")
    op.execute("DROP FUNCTION IF EXISTS atlas_scope_departments()")
    op.execute("DROP FUNCTION IF EXISTS atlas_scope_units()")
    # The role itself is cluster-wide and may serve other databases: it is left in place.
