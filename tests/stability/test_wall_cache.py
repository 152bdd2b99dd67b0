"""The wall's aggregate cache: one computation per key and interval however many readers, in
one process (threads) and across processes (Redis); stale values served while one reader
refreshes; off means off."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.wall_cache import SnapshotCache, WallSettings, _LocalBackend, _RedisBackend

REDIS_URL = "redis://127.0.0.1:6379/0"


def _counting(delay: float = 0.3):
    calls = {"n": 0}
    lock = threading.Lock()

    def compute():
        with lock:
            calls["n"] += 1
            n = calls["n"]
        time.sleep(delay)
        return {"n": n, "t": time.time()}
    return compute, calls


def _burst(cache: SnapshotCache, key: str, compute, readers: int = 20) -> list[dict]:
    with ThreadPoolExecutor(max_workers=readers) as pool:
        return list(pool.map(lambda _i: cache.get(key, compute), range(readers)))


def test_cold_key_computed_once_for_twenty_readers():
    cache = SnapshotCache(_LocalBackend(), WallSettings(ttl=5))
    compute, calls = _counting()
    values = _burst(cache, "k", compute)
    assert calls["n"] == 1 and cache.computations == 1
    assert {v["n"] for v in values} == {1}


def test_stale_value_served_while_one_reader_refreshes():
    cache = SnapshotCache(_LocalBackend(), WallSettings(ttl=0.5))
    compute, calls = _counting(delay=0.4)
    first = cache.get("k", compute)
    time.sleep(0.6)  # now stale
    t0 = time.perf_counter()
    values = _burst(cache, "k", compute)
    assert time.perf_counter() - t0 < 0.35  # nobody waited for the computation
    assert {v["n"] for v in values} == {first["n"]}
    time.sleep(0.6)
    assert calls["n"] == 2  # exactly one background refresh
    assert cache.get("k", compute)["n"] == 2


def test_failed_refresh_keeps_the_stale_value():
    cache = SnapshotCache(_LocalBackend(), WallSettings(ttl=0.2))
    assert cache.get("k", lambda: {"v": 1}) == {"v": 1}
    time.sleep(0.3)

    def broken():
        raise RuntimeError("database down")
    assert cache.get("k", broken) == {"v": 1}
    time.sleep(0.2)
    assert cache.get("k", lambda: {"v": 2}) in ({"v": 1}, {"v": 2})  # lock released


def test_cache_off_computes_every_time():
    cache = SnapshotCache(_LocalBackend(), WallSettings(enabled=False))
    compute, calls = _counting(delay=0)
    for _ in range(5):
        cache.get("k", compute)
    assert calls["n"] == 5


def test_settings_from_env():
    s = WallSettings.from_env({"WALL_ROTATE_SECONDS": "2", "WALL_CACHE_TTL": "1",
                               "WALL_CACHE": "off"})
    assert (s.rotate, s.ttl, s.enabled, s.refresh) == (2.0, 1.0, False, 60.0)
    with pytest.raises(ValueError):
        WallSettings.from_env({"WALL_ROTATE_SECONDS": "0"})


def _redis_or_skip():
    try:
        backend = _RedisBackend(REDIS_URL)
        backend.get("atlas:ping")
        return backend
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")


def test_redis_shared_by_processes_computes_once():
    prefix = f"atlas:test:{uuid.uuid4().hex}:"
    # Two caches on one Redis stand for two gunicorn workers.
    caches = [SnapshotCache(_redis_or_skip(), WallSettings(ttl=5), prefix=prefix)
              for _ in range(2)]
    compute, calls = _counting()
    with ThreadPoolExecutor(max_workers=20) as pool:
        values = list(pool.map(lambda i: caches[i % 2].get("k", compute), range(20)))
    assert calls["n"] == 1 and {v["n"] for v in values} == {1}
    caches[0].backend.set(prefix + "k:fresh", "", 0.001)
    time.sleep(0.01)
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda i: caches[i % 2].get("k", compute), range(20)))
    time.sleep(0.6)
    assert calls["n"] == 2
