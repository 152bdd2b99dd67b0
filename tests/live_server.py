"""The application in its own process on 127.0.0.1 for browser tests (as gunicorn would run it).

One helper for every suite's ``live_server`` fixture: a free port, the server module started
with the suite's environment, ``/healthz`` polled until it answers, the log under ``var/``,
and the process stopped afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(name: str, env: dict[str, str], *, module: str = "tests.dashboard.serve",
                   timeout: float = 90) -> Iterator[str]:
    """Start ``python -m module PORT`` with ``env`` added to this process's environment;
    yield its base URL once ``/healthz`` answers 200. ``name`` names the log file."""
    port = free_port()
    # Test servers run with the development keys (never the production entry, app.py).
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "ATLAS_ENV": "development", **env}
    full_env = {k: v for k, v in full_env.items() if v is not None}
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / f"{name}-test-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", module, str(port)], cwd=ROOT, env=full_env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"the test server did not start (see {log.name})")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
