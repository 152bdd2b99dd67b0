"""Server-side sessions (Flask-Session): in Redis when ``REDIS_URL`` is set, in the database
table ``web_session`` otherwise (``queries.sessions``; Flask-Session's own SQLAlchemy backend
would bring Flask-SQLAlchemy and a table outside the migrations).

The browser holds only a random id (``atlas_session``). Ending a session deletes it from the
store, so a cookie captured earlier is worth nothing afterwards. The store keys are a SHA-256
of that id: whoever reads Redis or the table gets no usable cookie.

Writes: only when the session changes (``SESSION_REFRESH_EACH_REQUEST`` off); the guard
touches ``last_seen`` at most once a minute, so a busy page costs one write a minute.
"""

from __future__ import annotations

import hashlib

from flask import Flask
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from flask_session.redis import RedisSessionInterface

from queries import sessions as db_sessions

KEY_PREFIX = "atlas:session:"
SID_BYTES = 32


def _hashed(prefix: str, sid: str) -> str:
    return prefix + hashlib.sha256(sid.encode("utf-8")).hexdigest()


class DatabaseSessionInterface(ServerSideSessionInterface):
    """Sessions in ``web_session`` through ``queries.sessions``."""

    session_class = ServerSideSession
    ttl = False

    def __init__(self, app: Flask):
        super().__init__(app, key_prefix=KEY_PREFIX, use_signer=False, permanent=True,
                         sid_length=SID_BYTES, serialization_format="msgpack",
                         cleanup_n_requests=500)

    def _get_store_id(self, sid: str) -> str:
        return _hashed(self.key_prefix, sid)

    def _retrieve_session_data(self, store_id: str):
        data = db_sessions.load(store_id)
        return self.serializer.decode(data) if data is not None else None

    def _delete_session(self, store_id: str) -> None:
        db_sessions.delete(store_id)

    def _upsert_session(self, session_lifetime, session, store_id: str) -> None:
        db_sessions.save(store_id, self.serializer.encode(session),
                         max(60, int(session_lifetime.total_seconds())))

    def _delete_expired_sessions(self) -> None:
        db_sessions.delete_expired()


class HashedRedisSessionInterface(RedisSessionInterface):
    """Flask-Session's Redis store with hashed keys."""

    def _get_store_id(self, sid: str) -> str:
        return _hashed(self.key_prefix, sid)


def session_interface(app: Flask, redis_url: str | None):
    """The session store of this deployment."""
    if redis_url:
        import redis

        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        return HashedRedisSessionInterface(app, client=client, key_prefix=KEY_PREFIX,
                                           use_signer=False, permanent=True,
                                           sid_length=SID_BYTES,
                                           serialization_format="msgpack")
    return DatabaseSessionInterface(app)


def forget_all_sessions(app: Flask) -> None:
    """Drop every stored session (what a Redis restart does; tests and operators)."""
    iface = app.session_interface
    if isinstance(iface, RedisSessionInterface):
        for key in iface.client.scan_iter(match=KEY_PREFIX + "*"):
            iface.client.delete(key)
    else:
        db_sessions.delete_all()
