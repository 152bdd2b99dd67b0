"""The wall screens' aggregate cache: one computation per interval, however many screens.

Every wall screen polls for its data (``dcc.Interval``); the data is a *snapshot* of
aggregates per scope (:mod:`dashboard.wall_data`). The cache keeps, per key:

- the value (JSON) for ``stale_ttl`` seconds (a day by default), and
- a *fresh* marker for ``ttl`` seconds (the refresh interval).

A read of a fresh value returns it. A read of a stale value returns it at once and, if it
wins the refresh lock, recomputes in a background thread (stale-while-revalidate), so no
screen waits for the database and exactly one computation runs per key and interval. Only a
cold key (nothing stored) makes the reader wait: the lock winner computes, the others poll for
the value (up to ``lock_seconds``).

Backends: Redis when ``settings.redis_url`` is set (shared by every gunicorn worker and
server: one computation per interval in total; the lock is ``SET NX PX``), else a
per-process dictionary (one computation per interval per process). ``WALL_CACHE=off``
disables caching (every read computes: the benchmark's baseline).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

log = logging.getLogger(__name__)

PREFIX = "atlas:wall:v1:"


@dataclass(frozen=True)
class WallSettings:
    """Wall-screen timing, from ``WALL_*`` environment variables (seconds)."""

    rotate: float = 20.0  # a panel stays this long
    refresh: float = 60.0  # a screen asks for new data this often
    ttl: float = 60.0  # a snapshot is fresh this long (one computation per key and ttl)
    stale_ttl: float = 24 * 3600.0  # a stale snapshot is still served this long
    lock_seconds: float = 120.0  # a refresh that takes longer loses its lock
    enabled: bool = True

    @classmethod
    def from_env(cls, environ=None) -> WallSettings:
        env = os.environ if environ is None else environ

        def num(name: str, default: float, lo: float, hi: float) -> float:
            raw = env.get(name)
            if raw is None or not raw.strip():
                return default
            value = float(raw)
            if not lo <= value <= hi:
                raise ValueError(f"{name} must lie between {lo} and {hi}, got {raw!r}")
            return value

        enabled = (env.get("WALL_CACHE") or "on").strip().lower() not in ("off", "0", "no")
        return cls(rotate=num("WALL_ROTATE_SECONDS", 20, 1, 3600),
                   refresh=num("WALL_REFRESH_SECONDS", 60, 1, 3600),
                   ttl=num("WALL_CACHE_TTL", 60, 0.5, 24 * 3600),
                   stale_ttl=num("WALL_CACHE_STALE_TTL", 24 * 3600, 60, 30 * 24 * 3600),
                   lock_seconds=num("WALL_CACHE_LOCK_SECONDS", 120, 1, 3600),
                   enabled=enabled)


def scope_key(scope, *parts) -> str:
    """A short cache key for a scope and more parts (never the scope's text itself)."""
    raw = repr((scope.units, scope.departments, scope.personal_data, *parts))
    return hashlib.sha1(raw.encode()).hexdigest()[:20]


class _LocalBackend:
    """Per-process storage with the same operations as the Redis backend."""

    def __init__(self):
        self._data: dict[str, tuple[float, str]] = {}
        self._mutex = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._mutex:
            hit = self._data.get(key)
            if hit is None:
                return None
            if hit[0] < time.monotonic():
                del self._data[key]
                return None
            return hit[1]

    def set(self, key: str, value: str, seconds: float) -> None:
        with self._mutex:
            self._data[key] = (time.monotonic() + seconds, value)
            if len(self._data) > 2000:  # bounded: drop expired entries
                now = time.monotonic()
                for k in [k for k, (exp, _v) in self._data.items() if exp < now]:
                    del self._data[k]

    def add(self, key: str, value: str, seconds: float) -> bool:
        """Set only if absent (a lock)."""
        with self._mutex:
            hit = self._data.get(key)
            if hit is not None and hit[0] >= time.monotonic():
                return False
            self._data[key] = (time.monotonic() + seconds, value)
            return True

    def release(self, key: str, token: str) -> None:
        with self._mutex:
            hit = self._data.get(key)
            if hit is not None and hit[1] == token:
                del self._data[key]


class _RedisBackend:
    _RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
                "return redis.call('del', KEYS[1]) else return 0 end")

    def __init__(self, url: str):
        import redis

        self._r = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def get(self, key: str) -> str | None:
        raw = self._r.get(key)
        return raw.decode() if raw is not None else None

    def set(self, key: str, value: str, seconds: float) -> None:
        self._r.set(key, value, px=max(1, int(seconds * 1000)))

    def add(self, key: str, value: str, seconds: float) -> bool:
        return bool(self._r.set(key, value, px=max(1, int(seconds * 1000)), nx=True))

    def release(self, key: str, token: str) -> None:
        self._r.eval(self._RELEASE, 1, key, token)


class SnapshotCache:
    """``get(key, compute)``: the cached JSON value of ``compute()`` (see the module text)."""

    def __init__(self, backend, settings: WallSettings, *, prefix: str = PREFIX):
        self.backend = backend
        self.settings = settings
        self.prefix = prefix
        self.computations = 0  # how many times compute() ran in this process (tests, bench)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wall-refresh")
        self._counter = threading.Lock()

    def _run(self, key: str, compute: Callable[[], dict], token: str) -> dict:
        try:
            with self._counter:
                self.computations += 1
            value = compute()
            body = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
            self.backend.set(self.prefix + key, body, self.settings.stale_ttl)
            self.backend.set(self.prefix + key + ":fresh", "1", self.settings.ttl)
            return json.loads(body)
        finally:
            self.backend.release(self.prefix + key + ":lock", token)

    def _lock(self, key: str) -> str | None:
        token = uuid.uuid4().hex
        if self.backend.add(self.prefix + key + ":lock", token, self.settings.lock_seconds):
            return token
        return None

    def get(self, key: str, compute: Callable[[], dict]) -> dict:
        if not self.settings.enabled:
            with self._counter:
                self.computations += 1
            return json.loads(json.dumps(compute(), ensure_ascii=False, default=str))
        try:
            raw = self.backend.get(self.prefix + key)
            fresh = raw is not None and self.backend.get(self.prefix + key + ":fresh")
        except Exception:  # a cache outage must not take the wall down
            log.warning("wall cache unavailable; computing directly", exc_info=True)
            return json.loads(json.dumps(compute(), ensure_ascii=False, default=str))
        if raw is not None:
            if not fresh:
                token = self._lock(key)
                if token:  # this reader refreshes, in the background; everyone gets stale
                    self._pool.submit(self._refresh_quietly, key, compute, token)
            return json.loads(raw)
        # Cold: one computes, the others wait for its value.
        deadline = time.monotonic() + self.settings.lock_seconds
        while True:
            token = self._lock(key)
            if token:
                raw = self.backend.get(self.prefix + key)  # stored while we asked?
                if raw is not None:
                    self.backend.release(self.prefix + key + ":lock", token)
                    return json.loads(raw)
                return self._run(key, compute, token)
            time.sleep(0.05)
            raw = self.backend.get(self.prefix + key)
            if raw is not None:
                return json.loads(raw)
            if time.monotonic() > deadline:
                log.warning("wall cache: gave up waiting for %s; computing", key)
                return json.loads(json.dumps(compute(), ensure_ascii=False, default=str))

    def _refresh_quietly(self, key: str, compute, token: str) -> None:
        try:
            self._run(key, compute, token)
        except Exception:
            log.exception("wall snapshot refresh failed (the stale value stays)")

    def forget(self, key: str) -> None:
        """Drop a key's freshness (the next read refreshes it)."""
        self.backend.set(self.prefix + key + ":fresh", "", 0.001)


_caches: dict[tuple, SnapshotCache] = {}
_caches_lock = threading.Lock()


def get_cache(settings: WallSettings | None = None) -> SnapshotCache:
    """The process's cache for the current settings (Redis when ``REDIS_URL`` is set)."""
    from settings import get_settings

    settings = settings or WallSettings.from_env()
    url = get_settings().redis_url
    ident = (url, settings)
    with _caches_lock:
        cache = _caches.get(ident)
        if cache is None:
            backend = _RedisBackend(url) if url else _LocalBackend()
            cache = SnapshotCache(backend, settings)
            _caches[ident] = cache
        return cache
