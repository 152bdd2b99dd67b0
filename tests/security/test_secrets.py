"""Finding 4: the production entry refuses the published development keys.

``gunicorn app:server`` is started for real: with a default key it must not serve; with keys
set (or ``ATLAS_ENV=development``) it serves. The ``flask`` command line only warns.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from settings import DefaultKeyError, Settings, check_keys
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
KEYS = {"SECRET_KEY": "s" * 64, "DATA_KEY": "d" * 64}


def _env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DATA_KEY", "ATLAS_ENV")}
    env.update(extra)
    return env


def test_check_keys_refuses_for_a_server_and_warns_otherwise():
    s = Settings(secret_key="dev-only-change-me", data_key="x" * 40)
    with pytest.raises(DefaultKeyError, match="SECRET_KEY"):
        check_keys(s, server=True)
    assert "SECRET_KEY" in check_keys(s, server=False)[0]
    dev = Settings(atlas_env="development")
    assert "SECRET_KEY, DATA_KEY" in check_keys(dev, server=True)[0]
    assert check_keys(Settings(**{k.lower(): v for k, v in KEYS.items()}), server=True) == []


def _gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "gunicorn"), "app:server", "--bind", f"127.0.0.1:{port}",
                             "--workers", "1", "--timeout", "60"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATA_KEY"])
def test_gunicorn_refuses_to_start_with_a_default_key(db_url, missing):
    env = _env(**{k: v for k, v in KEYS.items() if k != missing}, DATABASE_URL=db_url)
    proc = _gunicorn(env, free_port())
    try:
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    assert "refusing to start" in out and missing in out and "ATLAS_ENV=development" in out


@pytest.mark.parametrize("env_extra", [KEYS, {"ATLAS_ENV": "development"}],
                         ids=["keys-set", "development"])
def test_gunicorn_serves_with_keys_or_in_development(db_url, env_extra):
    port = free_port()
    proc = _gunicorn(_env(**env_extra, DATABASE_URL=db_url), port)
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.time() < deadline
                time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_flask_command_line_only_warns(db_url):
    r = subprocess.run([str(BIN / "flask"), "--app", "app", "routes"], cwd=ROOT,
                       env=_env(DATABASE_URL=db_url), capture_output=True, text=True,
                       timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "/login" in r.stdout
    assert "warning: SECRET_KEY, DATA_KEY at the development default" in r.stderr
