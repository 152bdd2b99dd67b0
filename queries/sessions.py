"""Server-side web sessions in the database (``web_session``), used when no Redis is set.

Rows are keyed by a hash of the cookie's session id (the caller hashes), so reading the
table gives no one a usable cookie. Runs as the application role.
"""

from __future__ import annotations

from sqlalchemy import text

from queries.db import app_connection


def load(store_id: str) -> bytes | None:
    """The serialised session stored under ``store_id``, or None when absent or expired."""
    with app_connection() as conn:
        data = conn.execute(text("SELECT data FROM web_session WHERE id = :i"
                                 " AND expires_at > now()"), {"i": store_id}).scalar()
    return bytes(data) if data is not None else None


def save(store_id: str, data: bytes, ttl_seconds: int) -> None:
    """Store (or replace) a session that expires ``ttl_seconds`` from now."""
    with app_connection() as conn:
        conn.execute(text(
            "INSERT INTO web_session (id, data, expires_at)"
            " VALUES (:i, :d, now() + make_interval(secs => :t))"
            " ON CONFLICT (id) DO UPDATE SET data = excluded.data,"
            " expires_at = excluded.expires_at"), {"i": store_id, "d": data, "t": ttl_seconds})


def delete(store_id: str) -> None:
    """Forget one session (logout)."""
    with app_connection() as conn:
        conn.execute(text("DELETE FROM web_session WHERE id = :i"), {"i": store_id})


def delete_expired() -> int:
    """Remove expired sessions; returns how many."""
    with app_connection() as conn:
        return conn.execute(text("DELETE FROM web_session WHERE expires_at <= now()")).rowcount


def delete_all() -> int:
    """Forget every session (what a Redis restart does to the Redis store; tests)."""
    with app_connection() as conn:
        return conn.execute(text("DELETE FROM web_session")).rowcount
