"""The per-address counters behave the same in memory and in Redis."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from dashboard.auth.throttle import MemoryThrottle, RedisThrottle


def _exercise(throttle):
    for i in range(3):
        assert not throttle.blocked("10.9.9.9")
        assert throttle.fail("10.9.9.9") == i + 1
    assert throttle.blocked("10.9.9.9") and not throttle.blocked("10.9.9.8")
    throttle.reset("10.9.9.9")
    assert not throttle.blocked("10.9.9.9")


def test_memory_throttle_window_ends():
    t = MemoryThrottle(max_failures=3, window=60)
    _exercise(t)
    for _ in range(3):
        t.fail("a")
    t._state["a"] = (3, time.monotonic() - 1)  # the window has passed
    assert not t.blocked("a") and t.fail("a") == 1


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server not installed")
def test_redis_throttle():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--bind", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t = RedisThrottle(f"redis://127.0.0.1:{port}/0", max_failures=3, window=60)
        for _ in range(50):
            try:
                t._redis.ping()
                break
            except Exception:
                time.sleep(0.1)
        _exercise(t)
        t.fail("b")
        assert 0 < t._redis.ttl("atlas:login-fail:b") <= 60
    finally:
        proc.terminate()
        proc.wait(timeout=10)
