"""Configuration: the usual ``postgresql://`` URL works (issue 10, item 8)."""

from sqlalchemy import text

from settings import Settings, normalise_db_url


def test_a_plain_postgresql_url_uses_psycopg2():
    assert normalise_db_url("postgresql://u@h:5432/db") == "postgresql+psycopg2://u@h:5432/db"
    assert normalise_db_url("postgres://u@h/db") == "postgresql+psycopg2://u@h/db"
    kept = "postgresql+psycopg2://u@h/db"
    assert normalise_db_url(kept) == kept
    s = Settings(database_url="postgresql://atlas_app@127.0.0.1:5432/x")
    assert s.database_url.startswith("postgresql+psycopg2://")
    assert s.admin_database_url.startswith("postgresql+psycopg2://postgres@")


def test_the_engine_connects_with_a_plain_url(db_url):
    from queries.db import get_engine

    plain = db_url.replace("postgresql+psycopg2://", "postgresql://")
    engine = get_engine(plain)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert engine.dialect.driver == "psycopg2"
