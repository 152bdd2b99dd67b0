"""Alembic environment: the URL comes from the application settings (or ``-x url=...``)."""

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine

from queries.schema import metadata
from settings import get_settings, normalise_db_url

url = context.get_x_argument(as_dictionary=True).get("url") or get_settings().admin_database_url


def run_migrations_online() -> None:
    engine = create_engine(normalise_db_url(url))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_object=alembic_helpers.include_object,
            process_revision_directives=alembic_helpers.writer,
            render_item=alembic_helpers.render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
