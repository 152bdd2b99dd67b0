"""Commands that build and fill the store: db-upgrade, init-geo, load-boundaries, import-cases,
demo-data."""

from __future__ import annotations

from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent


@click.command("db-upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations to DATABASE_URL."""
    from alembic import command
    from alembic.config import Config

    command.upgrade(Config(str(ROOT / "alembic.ini")), revision)
    click.echo(f"database at {revision}")


COMMANDS = [db_upgrade]
