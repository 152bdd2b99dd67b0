"""security, round two (issue 11): narrower grants, a login role, audited writes through a
function, revocable server-side sessions

- ``atlas_app`` (the role that serves pages) loses what it never uses or must not have: the
  columns ``app_user.password_hash`` and ``wall_token.token_hash`` (column grants instead of
  table ones), the login counters, direct INSERT on ``audit_log``, and every write on
  ``matter_event`` (only the importer, as owner, writes it).
- ``atlas_auth`` (new, ``settings.auth_db_role``) is the login path's role: it reads the
  password hash and keeps the failure counters of ``app_user``, nothing else. The web process
  opens it on a connection of its own (``AUTH_DATABASE_URL``), so an SQL injection on a page
  query, running as ``atlas_app``, cannot read a hash. Argon2 verification stays in Python.
- ``atlas_audit(action, username, target, detail, remote_addr)``, SECURITY DEFINER, is the
  only way ``atlas_app`` appends to the audit log. The database stamps the time (``now()``)
  and takes the actor's role from the account tables: the name must be an existing user or
  wall device (``wall:<name>``), or NULL for the three events that happen before anyone is
  known (a failed or throttled login, a refused wall token).
- ``atlas_wall_device(token_hash)``, SECURITY DEFINER, answers a wall token with its device
  (id, name, scope) and notes when it was seen; it never returns a hash.
- ``app_user.session_epoch``: raised by a password, role, unit or activity change; a session
  carries the epoch it was opened under and dies when it differs.
- ``web_session``: server-side sessions when no Redis is configured (ids stored hashed).

Creating the role needs CREATEROLE (a superuser runs the migrations in the default setup).

Revision ID: 0009
Revises: 0008
"""
import re

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APP_USER_COLUMNS = ("id, username, role, display_name, lang, active, last_login_at,"
                    " created_at, session_epoch")
WALL_TOKEN_COLUMNS = "id, name, scope_code, created_at, last_seen_at, revoked_at"
# Events recorded before anyone is known; every other row names an existing account.
ANONYMOUS_ACTIONS = ("login_failure", "login_throttled", "wall_refused")


def _roles() -> tuple[str, str]:
    from settings import get_settings

    s = get_settings()
    for role in (s.app_db_role, s.auth_db_role):
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
            raise ValueError(f"unsafe role name {role!r}")
    return s.app_db_role, s.auth_db_role


def upgrade() -> None:
    app, auth = _roles()
    op.execute("ALTER TABLE app_user ADD COLUMN session_epoch integer NOT NULL DEFAULT 0")
    op.execute("""
    CREATE TABLE web_session (
      id varchar(128) PRIMARY KEY,
      data bytea NOT NULL,
      expires_at timestamptz NOT NULL
    )""")
    op.execute("CREATE INDEX ix_web_session_expires ON web_session (expires_at)")

    op.execute(f"""
    DO $$
    DECLARE r record;
    BEGIN
      SELECT rolsuper, rolbypassrls INTO r FROM pg_roles WHERE rolname = '{auth}';
      IF NOT FOUND THEN
        CREATE ROLE {auth} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
      ELSIF r.rolsuper OR r.rolbypassrls THEN
        RAISE EXCEPTION 'role {auth} exists with SUPERUSER or BYPASSRLS';
      END IF;
      IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT %I TO %I', '{auth}', current_user);
      END IF;
      EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), '{auth}');
    END $$;
    """)

    # The page-serving role: no credential columns, no counters, no direct audit writes.
    op.execute(f"REVOKE SELECT ON app_user FROM {app}")
    op.execute(f"GRANT SELECT ({APP_USER_COLUMNS}) ON app_user TO {app}")
    op.execute(f"REVOKE UPDATE (failed_logins, locked_until, last_login_at) ON app_user"
               f" FROM {app}")
    op.execute(f"REVOKE SELECT ON wall_token FROM {app}")
    op.execute(f"GRANT SELECT ({WALL_TOKEN_COLUMNS}) ON wall_token TO {app}")
    op.execute(f"REVOKE UPDATE (last_seen_at) ON wall_token FROM {app}")
    op.execute(f"REVOKE INSERT ON audit_log FROM {app}")
    op.execute(f"REVOKE USAGE ON SEQUENCE audit_log_id_seq FROM {app}")
    op.execute(f"REVOKE INSERT, UPDATE ON matter_event FROM {app}")
    op.execute(f"REVOKE USAGE ON SEQUENCE matter_event_id_seq FROM {app}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON web_session TO {app}")

    # The login role: the hash and the counters, nothing else.
    op.execute(f"GRANT USAGE ON SCHEMA public TO {auth}")
    op.execute(f"GRANT SELECT (id, username, password_hash, active, failed_logins,"
               f" locked_until) ON app_user TO {auth}")
    op.execute(f"GRANT UPDATE (failed_logins, locked_until, last_login_at) ON app_user"
               f" TO {auth}")

    anonymous = ", ".join(f"'{a}'" for a in ANONYMOUS_ACTIONS)
    op.execute(f"""
    CREATE FUNCTION atlas_audit(p_action text, p_username text, p_target text,
                                p_detail jsonb, p_remote_addr text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public AS $$
    DECLARE
      v_role text;
      v_id bigint;
    BEGIN
      IF p_action IS NULL OR p_action !~ '^[a-z_]{{1,32}}$' THEN
        RAISE EXCEPTION 'invalid audit action' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF p_username IS NULL THEN
        IF p_action NOT IN ({anonymous}) THEN
          RAISE EXCEPTION 'audit action % needs an actor', p_action
            USING ERRCODE = 'insufficient_privilege';
        END IF;
      ELSIF p_username LIKE 'wall:%' THEN
        PERFORM 1 FROM wall_token WHERE name = substr(p_username, 6);
        IF NOT FOUND THEN
          RAISE EXCEPTION 'unknown wall device' USING ERRCODE = 'insufficient_privilege';
        END IF;
        v_role := 'wall';
      ELSE
        SELECT role INTO v_role FROM app_user WHERE username = p_username;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'unknown audit actor' USING ERRCODE = 'insufficient_privilege';
        END IF;
      END IF;
      IF length(coalesce(p_remote_addr, '')) > 64
         OR octet_length(coalesce(p_detail::text, '')) > 8000 THEN
        RAISE EXCEPTION 'audit row too large' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      INSERT INTO audit_log (at, username, role, remote_addr, action, target, detail)
      VALUES (now(), p_username, v_role, p_remote_addr, p_action, left(p_target, 500),
              p_detail)
      RETURNING id INTO v_id;
      RETURN v_id;
    END $$;

    CREATE FUNCTION atlas_wall_device(p_token_hash text)
    RETURNS TABLE (id bigint, name text, scope_code varchar)
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      UPDATE wall_token w SET last_seen_at = now()
      WHERE w.token_hash = p_token_hash AND w.revoked_at IS NULL
      RETURNING w.id, w.name, w.scope_code
    $$;
    """)
    for fn in ("atlas_audit(text, text, text, jsonb, text)", "atlas_wall_device(text)"):
        op.execute(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {fn} TO {app}")


def downgrade() -> None:
    app, auth = _roles()
    op.execute("DROP FUNCTION IF EXISTS atlas_wall_device(text)")
    op.execute("DROP FUNCTION IF EXISTS atlas_audit(text, text, text, jsonb, text)")
    op.execute(f"REVOKE ALL ON app_user FROM {auth}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {auth}")
    op.execute(f"""DO $$ BEGIN
      EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM %I', current_database(), '{auth}');
    END $$""")
    op.execute(f"GRANT USAGE ON SEQUENCE matter_event_id_seq TO {app}")
    op.execute(f"GRANT INSERT, UPDATE ON matter_event TO {app}")
    op.execute(f"GRANT USAGE ON SEQUENCE audit_log_id_seq TO {app}")
    op.execute(f"GRANT INSERT ON audit_log TO {app}")
    op.execute(f"GRANT UPDATE (last_seen_at) ON wall_token TO {app}")
    op.execute(f"GRANT SELECT ON wall_token TO {app}")
    op.execute(f"GRANT UPDATE (failed_logins, locked_until, last_login_at) ON app_user TO {app}")
    op.execute(f"GRANT SELECT ON app_user TO {app}")
    op.execute("DROP TABLE IF EXISTS web_session")
    op.execute("ALTER TABLE app_user DROP COLUMN IF EXISTS session_epoch")
    # The role itself is cluster-wide and may serve other databases: it is left in place.
