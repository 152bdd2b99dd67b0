"""The migrations build the schema the design names, with spatial and filter indexes."""

from sqlalchemy import inspect, text

EXPECTED_TABLES = {
    "admin_unit", "project_zone", "matter", "submission", "matter_event", "assignment",
    "package_assignment", "leader_reception", "unstable_factor", "sensitive_period",
    "daily_report", "duty_roster", "reporting_unit", "app_user", "user_scope", "wall_token",
    "audit_log", "import_run",
}


def test_all_tables_exist(engine):
    assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())


def test_geometry_columns_are_4326_with_gist(engine):
    with engine.connect() as conn:
        cols = conn.execute(text(
            "SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns")).all()
        gist = {r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_indexes WHERE indexdef ILIKE '%USING gist%'"))}
    assert {(t, s) for t, _c, s, _ty in cols} >= {("admin_unit", 4326), ("matter", 4326),
                                                 ("project_zone", 4326)}
    assert {"admin_unit", "matter", "project_zone", "unstable_factor"} <= gist


def test_due_dates_are_stored_columns(engine):
    names = {c["name"] for c in inspect(engine).get_columns("matter")}
    assert {"forward_due", "accept_due", "objection_due", "answer_due", "review_due",
            "recheck_due"} <= names


def test_filter_indexes(engine):
    idx = {i["name"] for i in inspect(engine).get_indexes("matter")}
    assert {"ix_matter_township_registered", "ix_matter_village", "ix_matter_category",
            "ix_matter_registered"} <= idx
