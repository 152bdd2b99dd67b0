"""A scripted SQL-injection attack (issue 11; a bench, not CI): sqlmap against the login form
and against Dash's ``/_dash-update-component`` with a logged-in session, and against a
positive control — an endpoint injectable on purpose, registered only in this run's app
(``bench/attack_app.py``) — which sqlmap must find, or the run proves nothing.

It proves it looked: login throttling is off for the run (limits raised through the
environment), the app logs every request's status code with the run label sqlmap sends, and
the histogram shows how many requests reached the handler (login: 200/401; Dash: 200/204)
rather than stopping at CSRF (400), the guard (401/403) or a throttle (429).

    python -m bench.attack [--level 2] [--risk 1] [--out var/bench/attack.json]

Needs ``pip install -r bench/requirements.txt`` (sqlmap) and a PostgreSQL server; it creates
and drops its own database (``ATTACK_DATABASE_URL``, default ``petition_atlas_bench_attack``
on 127.0.0.1:5432). Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/petition_atlas_bench_attack"
ROUTING_OUTPUT = ".._pages_content.children..._pages_store.data.."
HANDLED = {"login": {200, 302, 401}, "dash": {200, 204}, "control": {200}}
# The request that carries the payload (sqlmap also GETs /login for a fresh CSRF token).
PAYLOAD_METHOD = {"login": "POST", "dash": "POST", "control": "GET"}


def _prepare(url: str) -> tuple[str, str]:
    """A fresh migrated database with one admin account and a few units; returns the
    account's name and password."""
    os.environ["DATABASE_URL"] = url
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from queries.db import create_postgis_database, get_engine
    from queries.users import create_user
    from settings import get_settings

    get_settings.cache_clear()
    create_postgis_database(url, recreate=True)
    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")
    name, password = "bench_admin", secrets.token_urlsafe(16)
    with get_engine(url).begin() as conn:
        for code, uname, level, parent in (("430600", "岳阳市", "prefecture", None),
                                           ("430602", "岳阳楼区", "county", "430600"),
                                           ("430621", "岳阳县", "county", "430600")):
            conn.execute(text("INSERT INTO admin_unit (code, name, level, parent_code,"
                              " county_code) VALUES (:c, :n, :l, :p, :cc)"),
                         {"c": code, "n": uname, "l": level, "p": parent,
                          "cc": code if level == "county" else None})
        create_user(conn, name, password, "admin")
    return name, password


def _app_role_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url)._replace(username="atlas_app", password=None) \
        .render_as_string(hide_password=False)


def _start(url: str, log: Path) -> tuple[subprocess.Popen, str]:
    from tests.live_server import free_port

    port = free_port()
    env = {**os.environ, "DATABASE_URL": _app_role_url(url), "ADMIN_DATABASE_URL": url,
           "ATLAS_ENV": "development", "PYTHONUNBUFFERED": "1",
           # Throttling off for the attacker: every payload must reach the handler.
           "LOGIN_MAX_FAILURES": "100000000", "LOGIN_ADDRESS_MAX_FAILURES": "100000000"}
    env.pop("REDIS_URL", None)  # sessions and counters of this run stay in its own database
    proc = subprocess.Popen([sys.executable, "-m", "bench.attack_app", str(port), str(log)],
                            cwd=ROOT, env=env, stdout=open(log.with_suffix(".out"), "w"),
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    import urllib.request

    for _ in range(300):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return proc, base
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"the attack app did not start (see {log.with_suffix('.out')})")


def _login(base: str, name: str, password: str) -> dict[str, str]:
    import requests

    s = requests.Session()
    page = s.get(base + "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = s.post(base + "/login", data={"username": name, "password": password,
                                      "csrf_token": token}, allow_redirects=False)
    assert r.status_code == 302, r.text[:200]
    s.get(base + "/")  # the _csrf_token cookie Dash's renderer echoes
    return s.cookies.get_dict()


def _sqlmap(label: str, args: list[str], level: int, risk: int, outdir: Path) -> dict:
    cmd = [str(Path(sys.executable).parent / "sqlmap"), "--batch", "--flush-session",
           "--disable-coloring", f"--level={level}", f"--risk={risk}",
           f"--output-dir={outdir}", "--ignore-code=401,403", "--threads=1",
           "--timeout=30", "--retries=1", *args]
    t0 = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    out = run.stdout + run.stderr
    (outdir / f"{label.replace(':', '_')}.log").write_text(out)
    found = bool(re.search(r"sqlmap identified the following injection point|"
                           r"is vulnerable|appears to be .*injectable", out))
    clean = "do not appear to be injectable" in out or "does not seem to be injectable" in out
    return {"label": label, "found": found, "reported_clean": clean,
            "seconds": round(time.perf_counter() - t0, 1)}


def _dash_body(pathname: str, search: str) -> str:
    return json.dumps({"output": ROUTING_OUTPUT,
                       "outputs": [{"id": "_pages_content", "property": "children"},
                                   {"id": "_pages_store", "property": "data"}],
                       "inputs": [{"id": "_pages_location", "property": "pathname",
                                   "value": pathname},
                                  {"id": "_pages_location", "property": "search",
                                   "value": search}],
                       "changedPropIds": ["_pages_location.pathname"], "state": []},
                      ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--level", type=int, default=2)
    ap.add_argument("--risk", type=int, default=1)
    ap.add_argument("--out", default=str(ROOT / "var" / "bench" / "attack.json"))
    args = ap.parse_args(argv)
    url = os.environ.get("ATTACK_DATABASE_URL", DEFAULT_URL)
    outdir = ROOT / "var" / "bench" / "sqlmap"
    outdir.mkdir(parents=True, exist_ok=True)
    log = outdir / "requests.jsonl"
    log.unlink(missing_ok=True)

    name, password = _prepare(url)
    proc, base = _start(url, log)
    results = []
    try:
        cookies = _login(base, name, password)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        csrf = cookies["_csrf_token"]
        for param in ("username", "password"):
            label = f"login:{param}"
            results.append(_sqlmap(label, [
                "-u", base + "/login", "--data",
                "username=bench_nobody&password=not-the-password&csrf_token=x",
                "-p", param, "--csrf-token=csrf_token", f"--csrf-url={base}/login",
                f"--headers=X-Bench-Run: {label}"], args.level, args.risk, outdir))
        for label, pathname, search in (("dash:matter", "/backlog", "?matter=BENCH-1*"),
                                        ("dash:unit", "/backlog", "?unit=430602*"),
                                        ("dash:audit-user", "/audit", "?user=bench_admin*"),
                                        ("dash:audit-action", "/audit", "?action=export*")):
            results.append(_sqlmap(label, [
                "-u", base + "/_dash-update-component", "--data", _dash_body(pathname, search),
                "--cookie", cookie, f"--headers=X-CSRFToken: {csrf}\nX-Bench-Run: {label}\n"
                "Content-Type: application/json"], args.level, args.risk, outdir))
        label = "control:code"
        results.append(_sqlmap(label, [
            "-u", base + "/bench/injectable?code=430602", "-p", "code", "--cookie", cookie,
            f"--headers=X-Bench-Run: {label}"], args.level, args.risk, outdir))
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    hist: dict[str, Counter] = {}
    for line in log.read_text().splitlines():
        rec = json.loads(line)
        kind = rec["run"].split(":")[0]
        if rec["run"] and rec["method"] == PAYLOAD_METHOD.get(kind):
            hist.setdefault(rec["run"], Counter())[rec["status"]] += 1
    print(f"{'run':<20}{'found':>7}{'requests':>10}{'handled':>9}  status codes  (seconds)")
    for r in results:
        codes = hist.get(r["label"], Counter())
        total = sum(codes.values())
        handled = sum(n for c, n in codes.items() if c in HANDLED[r["label"].split(":")[0]])
        r.update(requests=total, handled=handled, codes=dict(sorted(codes.items())))
        share = f"{handled / total:.0%}" if total else "—"
        print(f"{r['label']:<20}{'YES' if r['found'] else 'no':>7}{total:>10}{share:>9}  "
              f"{dict(sorted(codes.items()))}  ({r['seconds']} s)")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    control = next(r for r in results if r["label"].startswith("control"))
    leaks = [r["label"] for r in results if r["found"] and not r["label"].startswith("control")]
    if not control["found"]:
        print("the positive control was not found: the run proves nothing", file=sys.stderr)
        return 2
    if leaks:
        print(f"INJECTABLE: {', '.join(leaks)}", file=sys.stderr)
        return 1
    print("sqlmap found the control and nothing in the product")
    return 0


if __name__ == "__main__":
    sys.exit(main())
