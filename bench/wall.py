"""Wall screens and leaders at once: latency and database load, with the wall cache on and off.

    .venv/bin/python -m bench.wall [--prepare] [--duration 300] [--scale-seconds 60]
                                   [--walls 20] [--leaders 50] [--wall-refresh 10]

A gunicorn instance (2 workers × 8 threads, 127.0.0.1 only) serves the application on the
benchmark database (``BENCH_DATABASE_URL``, default ``atlas_wall_bench`` on the local server;
``--prepare`` builds it: migrations, reference geography, 50,000 demo matters, the stability
demo data, three leader accounts and the wall devices). Clients are threads with real
sessions: a **wall screen** exchanges its device token, loads ``/wall`` like the browser does
(page, layout, dependencies, the routing callback) and then posts the refresh callback every
``--wall-refresh`` seconds (the product default is 60 s; 10 s here makes the test harder);
a **leader** (three accounts: the city, 平江县, 岳阳县) logs in through the form and keeps
opening pages — Overview, Map, Stability — replaying the requests a real Chromium session of
that account made for each page (recorded at the start), with 2–5 s of reading between
pages.

Phases (the server is restarted between them with ``WALL_CACHE=on`` or ``off``; shared
caches live in Redis DB 3):

1. walls only, 5 then 20 screens, ``--scale-seconds`` each, cache on and off: database work
   caused by wall screens as the number of screens grows;
2. 20 walls + 50 leaders for ``--duration`` seconds, cache on, then off.

Each phase starts after a warm-up pass that is not measured. Reported per phase: requests,
errors (HTTP ≥ 400, time-outs at 30 s), p50/p95/p99 latency (all, walls, leaders) and, from
PostgreSQL's statistics for the benchmark database, transactions per minute
(``pg_stat_database`` ``xact_commit + xact_rollback``) and data-table scans per minute
(``pg_stat_user_tables`` ``seq_scan + idx_scan`` on everything but the session tables
``app_user``, ``user_scope``, ``wall_token`` and ``audit_log``: the aggregate queries).
Loopback only; every thread, request and phase is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH_URL = os.environ.get("BENCH_DATABASE_URL",
                           "postgresql+psycopg2://postgres@127.0.0.1:5432/atlas_wall_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
STATE = ROOT / "var" / "bench-wall"
PASSWORD = "bench-wall-password-2026"
LEADERS = (("bench_leader_city", "430600"), ("bench_leader_pj", "430626"),
           ("bench_leader_yy", "430621"))
PAGES = ("/", "/map", "/stability")
SESSION_TABLES = ("app_user", "user_scope", "wall_token", "audit_log")
TIMEOUT = 30


def wsgi_app():
    """The WSGI application for gunicorn (``bench.wall:wsgi_app()``)."""
    from dashboard.factory import create_dash

    return create_dash().server


# --- preparation -------------------------------------------------------------------------------

def _flask(args: list[str], env: dict, stdin: str | None = None) -> str:
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", *args],
                         cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
                         timeout=3600)
    if out.returncode not in (0,):
        raise RuntimeError(f"flask {' '.join(args)}: {out.stderr[-2000:]}")
    return out.stdout


def prepare(cases: int, walls: int) -> None:
    from queries.db import create_postgis_database

    create_postgis_database(BENCH_URL)
    env = {**os.environ, "DATABASE_URL": BENCH_URL, "ADMIN_DATABASE_URL": BENCH_URL}
    print("migrations, geography, demo data …", flush=True)
    _flask(["db-upgrade"], env)
    _flask(["init-geo"], env)
    _flask(["demo-data", "--cases", str(cases), "--seed", "42", "--months", "24",
            "--out", str(STATE / "demo")], env)
    _flask(["demo-stability", "--seed", "42", "--out", str(STATE / "demo")], env)
    for name, unit in LEADERS:
        try:
            _flask(["create-user", name, "--role", "leader", "--unit", unit,
                    "--password-stdin"], env, stdin=PASSWORD + "\n")
        except RuntimeError as exc:
            if "exists" not in str(exc):
                raise
    tokens = []
    for i in range(walls):
        out = _flask(["wall-token", "--name", f"bench-wall-{i:02d}"], env)
        tokens.append(out.strip().splitlines()[-1].split("token=", 1)[1])
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "tokens.json").write_text(json.dumps(tokens))
    print(f"prepared {make_url(BENCH_URL).database}: {walls} wall tokens, "
          f"{len(LEADERS)} leaders", flush=True)


# --- the server --------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(cache: bool) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    app_url = make_url(BENCH_URL).set(username="atlas_app", password=None)
    env = {**os.environ, "DATABASE_URL": app_url.render_as_string(hide_password=False),
           "ADMIN_DATABASE_URL": BENCH_URL, "REDIS_URL": REDIS_URL,
           "WALL_CACHE": "on" if cache else "off", "SECRET_KEY": "bench-wall-secret-key",
           "LOG_DIR": str(STATE / "log")}
    (STATE / "log").mkdir(parents=True, exist_ok=True)
    log = open(STATE / f"gunicorn-{'on' if cache else 'off'}.log", "w")
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "bench.wall:wsgi_app()", "-w", "2",
         "--threads", "8", "-b", f"127.0.0.1:{port}", "--timeout", "120", "--keep-alive", "75",
         "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError("gunicorn did not start; see " + log.name)


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def flush_cache() -> None:
    import redis

    r = redis.Redis.from_url(REDIS_URL)
    keys = list(r.scan_iter("atlas:*", count=1000))
    if keys:
        r.delete(*keys)


# --- recording what a browser asks for ---------------------------------------------------------

def record_scripts(base: str, username: str) -> dict[str, list[dict]]:
    """The requests a headless Chromium makes to open each page (after the HTML): method,
    path and body, in order. Assets and component bundles are left out (browsers cache them)."""
    sys.path.insert(0, str(ROOT))
    from tests.dashboard.browser import login, make_driver, wait_idle

    driver = make_driver(1366, 900)
    scripts: dict[str, list[dict]] = {}
    try:
        login(driver, base, username, PASSWORD, "/")
        for page in PAGES:
            driver.get_log("performance")
            driver.get(base + page)
            time.sleep(2)
            wait_idle(driver, timeout=120)
            time.sleep(1)
            reqs = []
            for entry in driver.get_log("performance"):
                msg = json.loads(entry["message"])["message"]
                if msg.get("method") != "Network.requestWillBeSent":
                    continue
                r = msg["params"]["request"]
                parts = urlsplit(r["url"])
                if parts.netloc != urlsplit(base).netloc:
                    continue
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                if parts.path.startswith(("/assets/", "/_dash-component-suites/", "/_favicon",
                                          "/login", "/_reload-hash")):
                    continue
                reqs.append({"method": r["method"], "path": path,
                             "body": r.get("postData")})
            scripts[page] = reqs
    finally:
        driver.quit()
    return scripts


# --- clients -----------------------------------------------------------------------------------

@dataclass
class Stats:
    samples: list = field(default_factory=list)  # (kind, ms, ok)
    failures: dict = field(default_factory=dict)  # "status path" -> count
    by_label: dict = field(default_factory=dict)  # request label -> [ms]
    lock: threading.Lock = field(default_factory=threading.Lock)
    measuring: bool = False

    def add(self, kind: str, ms: float, ok: bool, what: str = "", label: str = "") -> None:
        if self.measuring:
            with self.lock:
                self.samples.append((kind, ms, ok))
                self.by_label.setdefault(label or kind, []).append(ms)
                if not ok:
                    self.failures[what] = self.failures.get(what, 0) + 1


def _label(url: str, body) -> str:
    path = urlsplit(url).path
    if path == "/_dash-update-component" and body:
        try:
            out = json.loads(body)["output"] if not isinstance(body, dict) else body["output"]
        except (ValueError, KeyError, TypeError):
            out = "?"
        return "cb " + out.strip(".").split(".")[0][:40]
    return path


def _timed(stats: Stats, kind: str, fn, *args, **kw):
    label = _label(args[0], kw.get("json") or kw.get("data"))
    t0 = time.perf_counter()
    ok = False
    resp = None
    what = "timeout"
    try:
        resp = fn(*args, timeout=TIMEOUT, **kw)
        ok = resp.status_code < 400
        what = f"{resp.status_code} {urlsplit(args[0]).path}"
    except requests.RequestException as exc:
        what = type(exc).__name__
    stats.add(kind, (time.perf_counter() - t0) * 1000, ok, what, label)
    return resp


def _csrf(session: requests.Session) -> dict:
    return {"X-CSRFToken": session.cookies.get("_csrf_token", "")}


def _routing(deps: list, pathname: str) -> dict:
    out = next(d["output"] for d in deps if "_pages_content.children" in d["output"])
    return {"output": out, "outputs": [{"id": "_pages_content", "property": "children"},
                                       {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def _refresh_body(deps: list, n: int) -> dict:
    out = next(d["output"] for d in deps if "wall-asof.children" in d["output"])
    return {"output": out,
            "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]}
                        for o in out.strip(".").split("...")],
            "inputs": [{"id": "wall-refresh", "property": "n_intervals", "value": n}],
            "state": [{"id": "wall-config", "property": "data", "value": {"lang": "zh"}}],
            "changedPropIds": ["wall-refresh.n_intervals"]}


class Wall(threading.Thread):
    def __init__(self, base, token, refresh, stats, stop):
        super().__init__(daemon=True)
        self.base, self.token, self.refresh = base, token, refresh
        self.stats, self.stop = stats, stop

    def run(self):
        s = requests.Session()
        time.sleep(random.uniform(0, self.refresh))
        _timed(self.stats, "wall", s.get, f"{self.base}/wall?token={self.token}")
        _timed(self.stats, "wall", s.get, f"{self.base}/_dash-layout")
        r = _timed(self.stats, "wall", s.get, f"{self.base}/_dash-dependencies")
        if r is None or r.status_code != 200:
            return
        deps = r.json()
        _timed(self.stats, "wall", s.post, f"{self.base}/_dash-update-component",
               json=_routing(deps, "/wall"), headers=_csrf(s))
        n = 0
        while not self.stop.wait(self.refresh):
            n += 1
            _timed(self.stats, "wall", s.post, f"{self.base}/_dash-update-component",
                   json=_refresh_body(deps, n), headers=_csrf(s))


class Leader(threading.Thread):
    def __init__(self, base, account, scripts, stats, stop, think=(2.0, 5.0)):
        super().__init__(daemon=True)
        self.base, self.account, self.scripts, self.think = base, account, scripts, think
        self.stats, self.stop = stats, stop

    def login(self, s: requests.Session) -> bool:
        page = s.get(f"{self.base}/login", timeout=TIMEOUT).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = s.post(f"{self.base}/login", data={"username": self.account,
                                               "password": PASSWORD, "csrf_token": token},
                   timeout=TIMEOUT, allow_redirects=False)
        return r.status_code in (302, 303)

    def run(self):
        s = requests.Session()
        time.sleep(random.uniform(0, 5))
        if not self.login(s):
            self.stats.add("leader", TIMEOUT * 1000, False)
            return
        while not self.stop.is_set():
            page = random.choice(PAGES)
            _timed(self.stats, "leader", s.get, f"{self.base}{page}")
            for req in self.scripts[self.account][page]:
                if self.stop.is_set():
                    return
                url = f"{self.base}{req['path']}"
                if req["method"] == "POST":
                    _timed(self.stats, "leader", s.post, url,
                           data=(req["body"] or "").encode("utf-8"),
                           headers={**_csrf(s), "Content-Type": "application/json"})
                else:
                    _timed(self.stats, "leader", s.get, url)
            if self.stop.wait(random.uniform(*self.think)):
                return


# --- database statistics -----------------------------------------------------------------------

def db_counters(engine) -> tuple[int, int]:
    with engine.connect() as c:
        xacts = c.execute(text("SELECT xact_commit + xact_rollback FROM pg_stat_database"
                               " WHERE datname = current_database()")).scalar_one()
        scans = c.execute(text(
            "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)"
            " FROM pg_stat_user_tables WHERE relname <> ALL(:skip)"),
            {"skip": list(SESSION_TABLES)}).scalar_one()
    return int(xacts), int(scans)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q * (len(values) - 1)))))
    return values[k]


def run_phase(name: str, *, cache: bool, walls: int, leaders: int, seconds: float,
              refresh: float, tokens: list[str], scripts: dict, engine,
              think: tuple[float, float] = (2.0, 5.0)) -> dict:
    flush_cache()
    proc, base = start_server(cache)
    try:
        stats = Stats()
        stop = threading.Event()
        threads = [Wall(base, tokens[i % len(tokens)], refresh, stats, stop)
                   for i in range(walls)]
        accounts = [LEADERS[i % len(LEADERS)][0] for i in range(leaders)]
        threads += [Leader(base, a, scripts, stats, stop, think) for a in accounts]
        for t in threads:
            t.start()
        time.sleep(min(30.0, refresh + 10))  # warm-up: logins, first pages, cold caches
        x0, s0 = db_counters(engine)
        stats.measuring = True
        t0 = time.time()
        time.sleep(seconds)
        stats.measuring = False
        minutes = (time.time() - t0) / 60
        x1, s1 = db_counters(engine)
        stop.set()
        for t in threads:
            t.join(timeout=TIMEOUT + 5)
    finally:
        stop_server(proc)
    samples = list(stats.samples)

    def lat(kind=None):
        return [ms for k, ms, _ok in samples if kind is None or k == kind]
    row = {"phase": name, "cache": "on" if cache else "off", "walls": walls,
           "leaders": leaders, "seconds": round(seconds), "requests": len(samples),
           "errors": sum(1 for _k, _ms, ok in samples if not ok),
           "rps": round(len(samples) / (minutes * 60), 1),
           "xact_per_min": round((x1 - x0) / minutes), "scans_per_min": round((s1 - s0) / minutes)}
    for kind, label in ((None, "all"), ("wall", "wall"), ("leader", "leader")):
        values = lat(kind)
        row[f"p50_{label}"] = round(_pct(values, 0.50)) if values else None
        row[f"p95_{label}"] = round(_pct(values, 0.95)) if values else None
        row[f"p99_{label}"] = round(_pct(values, 0.99)) if values else None
        row[f"n_{label}"] = len(values)
    row["mean_all"] = round(statistics.fmean(lat())) if samples else None
    row["failures"] = dict(sorted(stats.failures.items(), key=lambda kv: -kv[1])[:5])
    heavy = sorted(stats.by_label.items(), key=lambda kv: -sum(kv[1]))[:8]
    row["heaviest"] = {k: {"n": len(v), "p95": round(_pct(v, 0.95)),
                           "share": round(sum(v) / max(1.0, sum(ms for _k, ms, _o in samples)),
                                          3)} for k, v in heavy}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def print_table(rows: list[dict]) -> None:
    cols = ("phase", "cache", "walls", "leaders", "requests", "errors", "rps", "p50_all",
            "p95_all", "p95_wall", "p95_leader", "p99_all", "xact_per_min", "scans_per_min")
    print("\n" + " | ".join(cols))
    print(" | ".join("---" for _ in cols))
    for r in rows:
        print(" | ".join(str(r.get(c, "")) for c in cols))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prepare", action="store_true", help="build the benchmark database")
    ap.add_argument("--cases", type=int, default=50_000)
    ap.add_argument("--duration", type=float, default=300, help="seconds of each mixed phase")
    ap.add_argument("--scale-seconds", type=float, default=60,
                    help="seconds of each walls-only phase (0: skip them)")
    ap.add_argument("--walls", type=int, default=20)
    ap.add_argument("--leaders", type=int, default=50)
    ap.add_argument("--wall-refresh", type=float, default=10)
    ap.add_argument("--think", default="2,5",
                    help="a leader's reading time between pages, MIN,MAX seconds")
    ap.add_argument("--only", choices=("on", "off"), default=None,
                    help="run the cache-on or the cache-off phases only")
    args = ap.parse_args(argv)
    if not (1 <= args.walls <= 100 and 0 <= args.leaders <= 200 and args.duration <= 3600):
        ap.error("keep it bounded: walls 1–100, leaders 0–200, duration ≤ 3600 s")
    think = tuple(float(x) for x in args.think.split(","))
    if len(think) != 2 or not 0 <= think[0] <= think[1] <= 600:
        ap.error("--think MIN,MAX with 0 <= MIN <= MAX <= 600")
    if args.prepare or not (STATE / "tokens.json").exists():
        prepare(args.cases, max(args.walls, 20))
    else:  # an earlier run's database: bring it to this code's migrations and summaries
        env = {**os.environ, "DATABASE_URL": BENCH_URL, "ADMIN_DATABASE_URL": BENCH_URL}
        _flask(["db-upgrade"], env)
        _flask(["refresh-summaries"], env)
    tokens = json.loads((STATE / "tokens.json").read_text())
    engine = create_engine(BENCH_URL)
    print("recording the browser's requests per page and account …", flush=True)
    proc, base = start_server(True)
    try:
        scripts = {account: record_scripts(base, account) for account, _unit in LEADERS}
    finally:
        stop_server(proc)
    for account, pages in scripts.items():
        print(f"  {account}: " + ", ".join(f"{p} {len(r)} requests" for p, r in pages.items()),
              flush=True)
    rows = []
    modes = [m for m in (True, False) if args.only is None or args.only == ("on" if m else "off")]
    for cache in modes:
        if args.scale_seconds > 0:
            for n in (5, args.walls):
                rows.append(run_phase(f"walls-only-{n}", cache=cache, walls=n, leaders=0,
                                      seconds=args.scale_seconds, refresh=args.wall_refresh,
                                      tokens=tokens, scripts=scripts, engine=engine))
    for cache in modes:
        rows.append(run_phase("mixed", cache=cache, walls=args.walls, leaders=args.leaders,
                              seconds=args.duration, refresh=args.wall_refresh, tokens=tokens,
                              scripts=scripts, engine=engine, think=think))
    print_table(rows)
    engine.dispose()


if __name__ == "__main__":
    main()
