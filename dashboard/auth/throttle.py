"""Per-address login throttling: in Redis when ``REDIS_URL`` is set, else in this process.

A failure counts against the remote address for ``window`` seconds from the first failure; at
``max_failures`` the address is refused (429) until that window ends. Per-account counting is
in the database (``app_user.failed_logins``/``locked_until``), see ``dashboard.auth.views``.
"""

from __future__ import annotations

import threading
import time


class MemoryThrottle:
    """Counters in a dict guarded by a lock (one gunicorn worker each: a weaker limit)."""

    def __init__(self, max_failures: int, window: int):
        self.max_failures, self.window = max_failures, window
        self._lock = threading.Lock()
        self._state: dict[str, tuple[int, float]] = {}  # addr -> (failures, window end)

    def _current(self, key: str, now: float) -> tuple[int, float]:
        count, until = self._state.get(key, (0, 0.0))
        return (0, 0.0) if until <= now else (count, until)

    def blocked(self, key: str) -> bool:
        with self._lock:
            return self._current(key, time.monotonic())[0] >= self.max_failures

    def fail(self, key: str) -> int:
        now = time.monotonic()
        with self._lock:
            count, until = self._current(key, now)
            count, until = count + 1, (until or now + self.window)
            self._state[key] = (count, until)
            if len(self._state) > 10_000:  # forget ended windows
                self._state = {k: v for k, v in self._state.items() if v[1] > now}
            return count

    def reset(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)


class RedisThrottle:
    """The same counters in Redis, shared by all workers and hosts."""

    def __init__(self, url: str, max_failures: int, window: int):
        import redis

        self.max_failures, self.window = max_failures, window
        self._redis = redis.Redis.from_url(url, socket_timeout=2)

    @staticmethod
    def _key(key: str) -> str:
        return f"atlas:login-fail:{key}"

    def blocked(self, key: str) -> bool:
        return int(self._redis.get(self._key(key)) or 0) >= self.max_failures

    def fail(self, key: str) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(self._key(key))
        pipe.expire(self._key(key), self.window, nx=True)
        return int(pipe.execute()[0])

    def reset(self, key: str) -> None:
        self._redis.delete(self._key(key))


def make_throttle(redis_url: str | None, max_failures: int, window_minutes: int):
    window = max(60, window_minutes * 60)
    if redis_url:
        return RedisThrottle(redis_url, max_failures, window)
    return MemoryThrottle(max_failures, window)
