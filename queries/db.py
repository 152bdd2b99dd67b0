"""Engine lifecycle: one SQLAlchemy engine per process and URL.

Created lazily so that a gunicorn fork never shares pooled connections between workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine

from settings import get_settings, normalise_db_url


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: the ``DATABASE_URL`` setting)."""
    engine = create_engine(normalise_db_url(url) or get_settings().database_url,
                           pool_pre_ping=True,
                           pool_size=5, max_overflow=5, future=True)

    @event.listens_for(engine, "connect")
    def _session_defaults(dbapi_conn, _record):
        # JIT makes the dashboard's short aggregates slower (stack notes §8: 93 ms vs 308 ms).
        with dbapi_conn.cursor() as cur:
            cur.execute("SET jit = off")

    return engine


def admin_engine() -> Engine:
    """The engine of the owner role (``ADMIN_DATABASE_URL``): migrations, imports, CLI writes.

    Never used by the web application's request path.
    """
    return get_engine(get_settings().admin_database_url)


@contextmanager
def app_connection(url: str | None = None) -> Iterator[Connection]:
    """A connection in a transaction acting as the application role (``settings.app_db_role``).

    ``SET LOCAL ROLE`` makes row-level security and the role's grants apply even when the
    connection was opened as a more privileged user (a development setup, the tests); when
    the application already connects as that role it changes nothing. No scope is set: the
    matter tables show no rows on it. Use :func:`scoped` for reads of jurisdictional data.
    """
    with get_engine(url).begin() as conn:
        conn.execute(text("SELECT set_config('role', :role, true)"),
                     {"role": get_settings().app_db_role})
        yield conn


@contextmanager
def auth_connection() -> Iterator[Connection]:
    """A connection in a transaction acting as the login role (``settings.auth_db_role``),
    on ``AUTH_DATABASE_URL``: the only role that may read password hashes.

    Kept apart from :func:`app_connection` so that no query of a page, running as the
    application role, can reach a hash (issue 11). In production the URL logs in as that
    role; in development and tests a superuser URL switches to it, like ``app_connection``.
    """
    settings = get_settings()
    with get_engine(settings.auth_database_url).begin() as conn:
        conn.execute(text("SELECT set_config('role', :role, true)"),
                     {"role": settings.auth_db_role})
        yield conn


@contextmanager
def scoped(scope, url: str | None = None) -> Iterator[Connection]:
    """A connection in a transaction on which PostgreSQL row-level security sees ``scope``.

    ``atlas.units`` and ``atlas.departments`` are set transaction-locally with bound
    parameters, so they vanish at commit/rollback and never leak to the next user of a pooled
    connection. Every read function in ``queries/`` does ``with scoped(scope) as conn:``.
    """
    from queries.scope import Scope

    if not isinstance(scope, Scope):
        raise TypeError("scoped() needs a queries.scope.Scope")
    with app_connection(url) as conn:
        conn.execute(text("SELECT set_config('atlas.units', :u, true),"
                          " set_config('atlas.departments', :d, true)"),
                     {"u": scope.sql_units(), "d": scope.sql_departments()})
        yield conn


def create_postgis_database(url: str, *, recreate: bool = False) -> None:
    """Create the database of ``url`` with PostGIS (tests, benchmarks, first start).

    ``recreate`` drops it first, ending its other sessions. Connects to the server's
    ``postgres`` database with the same credentials, which must be allowed to create databases.
    """
    from sqlalchemy.engine import make_url

    target = make_url(normalise_db_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if recreate:
                conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": target.database})
                conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"),
                                  {"d": target.database}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()
    eng = create_engine(target)
    try:
        with eng.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    finally:
        eng.dispose()
