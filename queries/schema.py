"""Table definitions of the PostGIS store (SQLAlchemy Core).

Alembic migrations under ``migrations/`` create these tables; the code reads them from here.
Geometry is EPSG:4326. Codes are NBS statistical codes (6-digit county, 9-digit township,
12-digit village). Personal data columns are the protected forms only (DESIGN §1.2).
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

NOW = func.now()

# --- geography ---------------------------------------------------------------------------------

admin_unit = Table(
    "admin_unit", metadata,
    Column("code", String(12), primary_key=True),
    Column("name", Text, nullable=False),
    # 0008: English name (geo/names.py), computed at init-geo / load-boundaries and stored.
    Column("name_en", Text),
    Column("level", String(10), nullable=False),  # prefecture | county | township | village
    Column("parent_code", String(12), ForeignKey("admin_unit.code", ondelete="CASCADE")),
    Column("county_code", String(6)),
    Column("population", Integer),
    Column("population_estimated", Boolean, nullable=False, server_default="true"),
    Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
    # A lighter copy for the browser; the full geometry is for point-in-polygon work.
    Column("geom_simple", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
    Column("is_synthetic", Boolean, nullable=False, server_default="false"),
    Column("source", Text),
    CheckConstraint("level in ('prefecture','county','township','village')", name="level"),
    Index("ix_admin_unit_geom", "geom", postgresql_using="gist"),
    Index("ix_admin_unit_parent", "parent_code"),
    Index("ix_admin_unit_level", "level"),
)

project_zone = Table(
    "project_zone", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_en", Text),
    Column("zone_type", String(16), nullable=False),  # scenic | road | renewal
    Column("phase", Text),
    Column("county_code", String(6)),
    Column("expropriation_start", Date),
    Column("expropriation_end", Date),
    Column("influence_m", Integer, nullable=False, server_default="1000"),
    Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    Column("is_synthetic", Boolean, nullable=False, server_default="true"),
    Column("source", Text),
    Index("ix_project_zone_geom", "geom", postgresql_using="gist"),
)

# --- matters and submissions -------------------------------------------------------------------

matter = Table(
    "matter", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("matter_no", String(64), nullable=False, unique=True),
    Column("registered_on", Date, nullable=False),
    Column("category", String(32), nullable=False),
    Column("nature", String(16), nullable=False, server_default="claim"),
    Column("route", String(16), nullable=False, server_default="ordinary"),
    Column("county_code", String(6)),
    Column("township_code", String(9)),
    Column("village_code", String(12)),
    Column("zone_code", String(32)),
    Column("geom", Geometry("POINT", srid=4326, spatial_index=False)),
    Column("responsible_unit", Text),
    Column("forwarded_on", Date),
    Column("accepted_on", Date),
    Column("extension_days", SmallInteger, nullable=False, server_default="0"),
    Column("answered_on", Date),
    Column("satisfaction", String(24)),
    Column("review_requested_on", Date),
    Column("review_decided_on", Date),
    Column("recheck_requested_on", Date),
    Column("recheck_decided_on", Date),
    Column("hearing_days", SmallInteger, nullable=False, server_default="0"),
    Column("package_leader", Text),
    Column("package_level", String(16)),
    Column("backlog_flag", Boolean, nullable=False, server_default="false"),
    # Migration 0007 (DESIGN §3 revised): intake, the flag and resolution dates as imported,
    # the clocks the export left unrecorded (mask of domain.clocks.Clock.bit, and their
    # number), and the first submission after the answer (derived, for 一次性化解).
    Column("intake", String(8), nullable=False, server_default="office"),
    Column("backlog_flagged_on", Date),
    Column("backlog_resolved_on", Date),
    Column("unrecorded_mask", SmallInteger, nullable=False, server_default="0"),
    Column("unrecorded_n", SmallInteger, nullable=False, server_default="0"),
    Column("first_return_on", Date),
    # Due dates: computed by domain.clocks at import, stored (DESIGN §3).
    Column("forward_due", Date),
    Column("accept_due", Date),
    Column("objection_due", Date),
    Column("answer_due", Date),
    Column("review_due", Date),
    Column("recheck_due", Date),
    # Protected personal data (DESIGN §1.2): encrypted text, masked display form, salted hash.
    Column("summary_enc", Text),
    Column("petitioner_name_enc", Text),
    Column("petitioner_name_masked", Text),
    Column("petitioner_id_hash", String(64)),
    Column("petitioner_id_last4", String(4)),
    # Content hash: re-importing an unchanged row is a no-op.
    Column("row_hash", String(32), nullable=False),
    Column("import_run_id", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("extension_days between 0 and 30", name="extension"),
    Index("ix_matter_geom", "geom", postgresql_using="gist"),
    Index("ix_matter_township_registered", "township_code", "registered_on"),
    Index("ix_matter_village", "village_code"),
    Index("ix_matter_county_registered", "county_code", "registered_on"),
    Index("ix_matter_zone", "zone_code"),
    Index("ix_matter_registered", "registered_on"),
    Index("ix_matter_category", "category"),
    Index("ix_matter_answer_due", "answer_due"),
    Index("ix_matter_responsible_unit", "responsible_unit"),
)

submission = Table(
    "submission", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("submission_no", String(64), nullable=False, unique=True),
    Column("matter_id", BigInteger, ForeignKey("matter.id", ondelete="CASCADE"), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("received_level", String(10), nullable=False, server_default="county"),
    Column("persons", Integer, nullable=False, server_default="1"),
    Column("irregular", Boolean, nullable=False, server_default="false"),
    # Derived (DESIGN §3) from the matter's other submissions and its competent level.
    Column("is_repeat", Boolean, nullable=False, server_default="false"),
    Column("is_cross_level", Boolean, nullable=False, server_default="false"),
    # Copies of the matter's area and unit (migration 0005): row-level security and period
    # aggregates read them without a join.
    Column("county_code", String(6)),
    Column("township_code", String(9)),
    Column("responsible_unit", Text),
    Column("row_hash", String(32), nullable=False),
    Column("import_run_id", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("persons >= 1", name="persons"),
    Index("ix_submission_matter_received", "matter_id", "received_on"),
    Index("ix_submission_received", "received_on"),
    # Migration 0010: the irregular submissions (非访) by receipt day.
    Index("ix_submission_irregular", "received_on", postgresql_where=text("irregular")),
)

matter_event = Table(
    "matter_event", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("matter_id", BigInteger, ForeignKey("matter.id", ondelete="CASCADE"), nullable=False),
    Column("event_on", Date, nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("detail", JSONB),
    Column("actor", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Index("ix_matter_event_matter", "matter_id", "event_on"),
)

# --- accountability ----------------------------------------------------------------------------

assignment = Table(  # 交办 / 销号
    "assignment", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("assignment_no", String(64), nullable=False, unique=True),
    Column("matter_id", BigInteger, ForeignKey("matter.id", ondelete="SET NULL")),
    Column("township_code", String(9)),
    Column("assigned_unit", Text, nullable=False),
    Column("assigned_by", Text),
    Column("assigned_on", Date, nullable=False),
    Column("feedback_due", Date, nullable=False),
    Column("feedback_on", Date),
    Column("closed_on", Date),
    Column("close_note", Text),
    # 0003 (issue 5): what was assigned, a county department's county, who closed it out.
    Column("title", Text),
    Column("county_code", String(6)),
    Column("closed_by", Text),
    Index("ix_assignment_due", "feedback_due"),
    Index("ix_assignment_township", "township_code"),
)

package_assignment = Table(  # 包案: leader owning a matter
    "package_assignment", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("matter_id", BigInteger, ForeignKey("matter.id", ondelete="CASCADE"), nullable=False),
    Column("leader_name", Text, nullable=False),
    Column("leader_title", Text),
    Column("level", String(16), nullable=False),
    Column("since", Date, nullable=False),
    Column("until", Date),
    Column("progress", Text),
    Column("resolved_on", Date),
    Column("set_by", Text),  # 0003: the user who set the leader (edits are also audited)
    Index("ix_package_assignment_matter", "matter_id"),
)

leader_reception = Table(  # 四访一包
    "leader_reception", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("leader_name", Text, nullable=False),
    Column("leader_title", Text),
    # fixed_point, appointment, thematic, down_with_cases, package (四访一包)
    Column("kind", String(24), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("unit_code", String(12)),
    Column("matters_received", Integer, nullable=False, server_default="0"),
    Column("matters_resolved", Integer, nullable=False, server_default="0"),
    Column("note", Text),
    Column("recorded_by", Text),  # 0003
    # 0008 (issue 16): the roster leader, their level, the matter taken into a package.
    Column("leader_id", BigInteger, ForeignKey("leader.id", ondelete="SET NULL")),
    Column("leader_level", String(16)),
    Column("matter_id", BigInteger, ForeignKey("matter.id", ondelete="SET NULL")),
    CheckConstraint("leader_level IS NULL OR leader_level IN ('county', 'township')",
                    name="leader_level"),
    Index("ix_leader_reception_held", "held_on"),
    Index("ix_leader_reception_leader_held", "leader_id", "held_on"),
)

leader = Table(  # 0008: 领导接访日 roster — officials, with their weekly reception day
    "leader", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("title", Text),
    Column("unit_code", String(12), nullable=False),  # the county (6) or township (9) led
    Column("level", String(16), nullable=False),  # county | township
    Column("weekday", SmallInteger, nullable=False),  # ISO: 1 Monday … 7 Sunday
    Column("import_run_id", BigInteger),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("level IN ('county', 'township')", name="level"),
    CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
    CheckConstraint("length(unit_code) IN (6, 9)", name="unit"),
    UniqueConstraint("name", "unit_code"),
    Index("ix_leader_unit", "unit_code"),
)

# --- stability ---------------------------------------------------------------------------------

unstable_factor = Table(  # 不稳定因素台账: disputes, never people
    "unstable_factor", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("ledger_no", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("category", String(32)),
    Column("township_code", String(9)),
    Column("zone_code", String(32)),
    Column("geom", Geometry("POINT", srid=4326, spatial_index=False)),
    Column("people_involved", Integer, nullable=False, server_default="0"),
    Column("risk_level", String(8), nullable=False),  # high | medium | low
    Column("responsible_unit", Text),
    Column("responsible_leader", Text),
    Column("measures", Text),
    Column("opened_on", Date, nullable=False),
    Column("resolve_by", Date),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("closed_on", Date),
    # 0004 (issue 6): a county-wide dispute has no township; who created / changed it, when.
    Column("county_code", String(6)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("created_by", Text),
    Column("updated_by", Text),
    CheckConstraint("risk_level in ('high','medium','low')", name="risk"),
    CheckConstraint("status in ('open','resolving','resolved')", name="status"),
    CheckConstraint("people_involved >= 0", name="people"),
    CheckConstraint("(status = 'resolved') = (closed_on IS NOT NULL)", name="closed"),
    Index("ix_unstable_factor_geom", "geom", postgresql_using="gist"),
    Index("ix_unstable_factor_township", "township_code"),
    Index("ix_unstable_factor_status_resolve", "status", "resolve_by"),
    Index("ix_unstable_factor_county", "county_code"),
)

sensitive_period = Table(
    "sensitive_period", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("name_en", Text),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("level", String(16), nullable=False),  # national | provincial | city | local
    Column("scope_code", String(12)),  # null: the whole region
    Column("note", Text),  # 0004
    Column("created_by", Text),
    Column("updated_by", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    CheckConstraint("ends_on >= starts_on", name="dates"),
    CheckConstraint("level in ('national','provincial','city','local')", name="level"),
    Index("ix_sensitive_period_dates", "starts_on", "ends_on"),
)

reporting_unit = Table(  # units that file daily reports and keep duty rosters
    "reporting_unit", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # township | department
    Column("county_code", String(6)),  # the prefecture code for a city department
    Column("township_code", String(9)),
    CheckConstraint("kind in ('township','department')", name="kind"),  # 0004
    Index("ix_reporting_unit_township", "township_code"),
    Index("ix_reporting_unit_county", "county_code"),
)

daily_report = Table(  # 零报告
    "daily_report", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("unit_code", String(32), ForeignKey("reporting_unit.code"), nullable=False),
    Column("report_date", Date, nullable=False),
    # 0004: the database clock at the first filing (the web role cannot set it)
    Column("filed_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("incidents", Integer, nullable=False, server_default="0"),
    Column("note", Text),
    Column("filed_by", Text),
    Column("updated_at", DateTime(timezone=True)),
    UniqueConstraint("unit_code", "report_date"),
    CheckConstraint("incidents >= 0", name="incidents"),
    Index("ix_daily_report_date", "report_date"),
)

duty_roster = Table(
    "duty_roster", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("unit_code", String(32), ForeignKey("reporting_unit.code"), nullable=False),
    Column("duty_date", Date, nullable=False),
    Column("shift", String(16), nullable=False, server_default="day"),
    Column("officer_name", Text, nullable=False),  # staff on duty, not petitioners
    Column("leader_name", Text),
    Column("phone", Text),
    UniqueConstraint("unit_code", "duty_date", "shift"),
    CheckConstraint("shift in ('day','night','full')", name="shift"),  # 0004
    Index("ix_duty_roster_date", "duty_date"),
)

# --- users, access, audit ----------------------------------------------------------------------

app_user = Table(
    "app_user", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),  # admin | leader | officer | auditor
    Column("display_name", Text),
    Column("lang", String(2), nullable=False, server_default="zh"),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
    Column("last_login_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    # Raised by a password, role, unit or activity change: older sessions end (migration 0009).
    Column("session_epoch", Integer, nullable=False, server_default="0"),
    CheckConstraint("role in ('admin','leader','officer','auditor')", name="role"),
)

user_scope = Table(
    "user_scope", metadata,
    Column("user_id", BigInteger, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_code", String(32), primary_key=True),  # admin unit code or reporting unit code
)

wall_token = Table(
    "wall_token", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scope_code", String(12)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_seen_at", DateTime(timezone=True)),
)

# Server-side sessions when no Redis is configured; ``id`` is a hash of the cookie's id.
web_session = Table(
    "web_session", metadata,
    Column("id", String(128), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_session_expires", "expires_at"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("username", Text),
    Column("role", String(16)),
    Column("remote_addr", Text),
    Column("action", String(32), nullable=False),
    Column("target", Text),
    Column("detail", JSONB),
    Index("ix_audit_log_at", "at"),
)

import_run = Table(
    "import_run", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("file_name", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("finished_at", DateTime(timezone=True)),
    Column("inserted", Integer, nullable=False, server_default="0"),
    Column("updated", Integer, nullable=False, server_default="0"),
    Column("unchanged", Integer, nullable=False, server_default="0"),
    Column("rejected", Integer, nullable=False, server_default="0"),
    Column("username", Text),
    Column("warned", Integer, nullable=False, server_default="0"),
)

# --- migration 0007: backlog resolutions and spans, stored rules, import warnings -------------

backlog_resolution = Table(
    "backlog_resolution", metadata,
    Column("matter_id", BigInteger, ForeignKey("matter.id", ondelete="CASCADE"),
           primary_key=True),
    Column("resolved_on", Date, primary_key=True),
    Column("import_run_id", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

matter_backlog_span = Table(
    "matter_backlog_span", metadata,
    Column("matter_id", BigInteger, ForeignKey("matter.id", ondelete="CASCADE"),
           primary_key=True),
    Column("reason", String(24), primary_key=True),
    Column("s", Date, primary_key=True),
    Column("e", Date),
)

rule_state = Table(
    "rule_state", metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("rules", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

import_warning = Table(
    "import_warning", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("import_run_id", BigInteger, ForeignKey("import_run.id", ondelete="CASCADE"),
           nullable=False),
    Column("line", BigInteger, nullable=False),
    Column("column_name", Text, nullable=False),
    Column("record_key", Text),
    Column("matter_no", Text),
    Column("code", String(32), nullable=False),
    Column("reason_zh", Text, nullable=False),
    Column("reason_en", Text, nullable=False),
    Index("ix_import_warning_run", "import_run_id"),
    Index("ix_import_warning_matter_no", "matter_no"),
)
