"""The throttles behave the same in memory and in Redis (``limits`` storages)."""

from __future__ import annotations

import os
import uuid

import pytest

from dashboard.auth.throttle import Throttles, audit_due

REDIS_URL = os.environ.get("ATLAS_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def _exercise(t: Throttles, tag: str):
    addr, other = f"10.9.9.9-{tag}", f"10.9.9.8-{tag}"
    for _ in range(3):
        assert t.login_blocked(addr, "Admin") is None
        t.login_failed(addr, "admin")
    # The pair is refused (the account name's case does not matter) ...
    assert t.login_blocked(addr, "ADMIN") == "account"
    # ... but neither the same account from another address nor another account.
    assert t.login_blocked(other, "admin") is None
    assert t.login_blocked(addr, "someone") is None
    for i in range(2):
        t.login_failed(addr, f"user{i}")
    assert t.login_blocked(addr, "someone") == "address"
    assert t.login_blocked(other, "someone") is None
    t.login_succeeded(other, "admin")

    for _ in range(2):
        assert not t.wall_blocked(addr)
        t.wall_refused(addr)
    assert t.wall_blocked(addr) and not t.wall_blocked(other)
    assert [t.refusal("wall", addr) for _ in range(12)] == list(range(1, 13))

    assert all(t.reveal_allowed(f"u1-{tag}") for _ in range(4))
    assert not t.reveal_allowed(f"u1-{tag}") and t.reveal_allowed(f"u2-{tag}")


def _throttles(uri: str) -> Throttles:
    return Throttles(uri, login_max=3, address_max=5, wall_max=2, window_minutes=15,
                     reveals_per_hour=4)


def test_memory_throttles():
    _exercise(_throttles("memory://"), "m")


def test_redis_throttles():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    _exercise(_throttles(REDIS_URL), uuid.uuid4().hex[:8])


def test_audit_rows_at_powers_of_ten():
    assert [n for n in range(1, 2001) if audit_due(n)] == [1, 10, 100, 1000]
