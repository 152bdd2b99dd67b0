"""Benchmark of the Overview/Map pages (issue 3) on whatever the database holds.

    DATABASE_URL=... ADMIN_DATABASE_URL=... .venv/bin/python -m bench.dashboard
        [--rounds 2] [--skip-browser] [--skip-sql] [--refresh] [--county 430626]

Prints, in one run:
- the machine's load, the store's size and the summary tables' build (``--refresh`` rebuilds
  them first and reports the time);
- bare SQL: each query function behind a filter change and a drill-down, timed directly (no
  cache) on the raw tables and on the summaries (migration 0006), cold (first call) and warm;
- naive baseline: the period's matters read with geopandas and joined to the township polygons
  per request (``geopandas.sjoin``), as a dashboard without a query layer would do;
- callbacks: the application served with a per-request timing log (server time, bytes) and a
  headless Chromium that logs in, renders the Overview, then *clicks* the filter controls
  (period, category, channel, measure) and the map (county → township) and resets. Round 1
  uses values not seen before (every callback cold: nothing cached), round 2 repeats round 1
  (warm: the cache answers). p50/p95 per callback and per round, bytes per interaction, time
  to first full render (cold server, empty cache; then a reload).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _ms(fn):
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def _pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (2 cores)"


# --- bare SQL -----------------------------------------------------------------------------------

def _query_set(county: str):
    """(label, [(name, fn, args)]) of the views the browser part drives."""
    from dashboard.state import today
    from dashboard.workspace import trend_period
    from queries import areas, charts, kpi
    from queries.filters import MatterFilter, Period
    from queries.scope import Scope
    from settings import get_settings

    scope, rules = Scope.region(), get_settings().clock_rules()
    day = today()
    period = Period.month(day.year, day.month)
    views = (("region", MatterFilter(), "county"),
             (f"county {county}", MatterFilter(unit=county), "township"),
             ("category filter", MatterFilter(categories=("land_expropriation",)), "county"),
             ("channel filter", MatterFilter(channels=("visit",)), "county"))
    out = []
    for label, flt, level in views:
        prev = period.previous()
        year = trend_period(period)
        out.append((label, [
            ("measures_by_area", areas.measures_by_area, (scope, level, period, day, flt,
                                                          rules)),
            ("measures_by_area (zones)", areas.measures_by_area, (scope, "zone", period, day,
                                                                  flt, rules)),
            ("compute_kpis", kpi.compute_kpis, (scope, period, day, flt, rules)),
            ("compute_kpis (previous)", kpi.compute_kpis, (scope, prev, prev.end, flt, rules)),
            ("by_category", charts.by_category, (scope, period, flt)),
            ("stage_funnel", charts.stage_funnel, (scope, period, day, flt)),
            ("monthly_by_channel (12 mo)", charts.monthly_by_channel, (scope, year, flt)),
            ("repeat_cross_trend (12 mo)", charts.repeat_cross_trend, (scope, year, flt)),
            ("backlog_ageing", charts.backlog_ageing, (scope, day, flt, rules)),
            ("top_units_by_overdue", charts.top_units_by_overdue, (scope, day, flt)),
        ]))
    return out


def bare_sql(county: str, raw: bool = True) -> dict:
    """Each query function timed on the summaries (cold, warm) and on the raw tables."""
    from queries import summaries

    rows = {}
    print(f"  {'view':18s} {'query':28s} {'summary cold':>13s} {'warm':>8s}"
          f" {'raw tables':>11s}  (ms)")
    for label, queries in _query_set(county):
        for name, fn, fargs in queries:
            cold, _ = _ms(lambda fn=fn, fargs=fargs: fn(*fargs))
            warm, _ = _ms(lambda fn=fn, fargs=fargs: fn(*fargs))
            raw_ms = float("nan")
            if raw:
                with summaries.raw_only():
                    raw_ms, _ = _ms(lambda fn=fn, fargs=fargs: fn(*fargs))
            rows[(label, name)] = (cold, warm, raw_ms)
            print(f"  {label:18s} {name:28s} {cold:13.1f} {warm:8.1f} {raw_ms:11.1f}",
                  flush=True)
    return rows


def naive_baseline(county: str, repeats: int = 3) -> list[float]:
    """Per request: read the period's matters and the polygons with geopandas, sjoin, count."""
    import geopandas as gpd

    from dashboard.state import today
    from queries.db import admin_engine

    day = today()
    start = day.replace(day=1)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        engine = admin_engine()
        polys = gpd.read_postgis(
            "SELECT code, name, geom FROM admin_unit WHERE level = 'township' "
            "AND code LIKE %(p)s", engine, geom_col="geom", params={"p": county + "%"})
        pts = gpd.read_postgis(
            "SELECT id, registered_on, answered_on, geom FROM matter "
            "WHERE registered_on BETWEEN %(s)s AND %(d)s AND geom IS NOT NULL",
            engine, geom_col="geom", params={"s": start, "d": day})
        joined = gpd.sjoin(pts, polys, predicate="within")
        joined.groupby("code").size()
        times.append((time.perf_counter() - t0) * 1000)
    return times


# --- browser ------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _choose(d, dd_id: str, label: str, multi: bool) -> str:
    """Pick ``label`` in the dcc.Dropdown ``dd_id`` by clicking it and its option, as a user
    does; returns how (``click``, or ``set_props`` when the popover could not be used)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    from tests.dashboard.browser import By, WebDriverWait

    box = d.find_element(By.CSS_SELECTOR, f"#{dd_id}")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    for attempt in range(3):
        try:
            box.click()
            option = WebDriverWait(d, 5).until(lambda dd: next(
                (e for e in dd.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option")
                 if e.is_displayed() and e.text.strip() == label), None))
            d.execute_script("arguments[0].scrollIntoView({block: 'nearest'});", option)
            if attempt == 0:
                option.click()
            else:  # something lay over the option: a DOM click on it
                d.execute_script("arguments[0].click();", option)
            ActionChains(d).send_keys(Keys.ESCAPE).perform()
            return "click" if attempt == 0 else "click (DOM)"
        except Exception:  # a popover that closed or moved: open it again
            ActionChains(d).send_keys(Keys.ESCAPE).perform()
            time.sleep(0.3)
    return "failed"


def _click_unit(d, choro: str, code: str) -> None:
    """Click the unit ``code`` on the map and wait for the URL to hold it."""
    from tests.dashboard.browser import By, WebDriverWait

    css = f"{choro}[data-code='{code}']"
    WebDriverWait(d, 60).until(lambda dd: dd.find_elements(By.CSS_SELECTOR, css))
    d.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(d, 600).until(lambda dd: f"unit={code}" in dd.current_url)


BENCH_REDIS = "redis://127.0.0.1:6379/14"


def wsgi(timing_file: str):
    """The application with the per-request timing log, for gunicorn."""
    from tests.dashboard.serve import build

    return build(timing_file).server


def browser(rounds: int, user: str, password: str, county: str,
            server: str = "gunicorn") -> dict:
    from dashboard.i18n import category, channel, measure, t
    from tests.dashboard.browser import (
        By,
        WebDriverWait,
        login,
        make_driver,
        response_sizes,
        wait_for,
        wait_idle,
    )

    timing = Path(tempfile.mkdtemp()) / "timing.jsonl"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["PYTHONUNBUFFERED"] = "1"
    if server == "gunicorn":
        # As in production (README): gunicorn workers sharing a Redis cache. A database of
        # its own, emptied first, so the first round is cold.
        import redis

        redis.Redis.from_url(BENCH_REDIS).flushdb()
        env["REDIS_URL"] = BENCH_REDIS
        cmd = [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "--threads", "8",
               "-b", f"127.0.0.1:{port}", f"bench.dashboard:wsgi({str(timing)!r})"]
    else:  # one threaded development server with a per-process cache
        cmd = [sys.executable, "-m", "tests.dashboard.serve", str(port), str(timing)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    choro = ".leaflet-atlas-choropleth-pane path.leaflet-interactive"
    result: dict = {"interactions": [], "methods": {}}
    d = make_driver(1280, 900)

    def mark(label, t_start, phase):
        wait_idle(d, 600)
        sizes = response_sizes(d)
        result["interactions"].append({
            "label": label, "phase": phase, "start": t_start, "end": time.time(),
            "browser_bytes": sum(b for _u, b in sizes),
            "wall_s": time.time() - t_start})

    try:
        login(d, base, user, password, "/")
        response_sizes(d)
        t0 = time.perf_counter()
        t_start = time.time()
        d.get(base + "/")
        wait_for(d, choro, timeout=600)
        wait_for(d, "[data-kpi]", timeout=600)
        wait_idle(d, 600)
        result["first_render_s"] = time.perf_counter() - t0
        mark("first render", t_start, "cold")
        t0 = time.perf_counter()
        t_start = time.time()
        d.get(base + "/")
        wait_for(d, choro, timeout=600)
        wait_for(d, "[data-kpi]", timeout=600)
        wait_idle(d, 600)
        result["first_render_warm_s"] = time.perf_counter() - t0
        mark("reload", t_start, "warm")
        plans = [
            {"period": "last_month", "cat": "land_expropriation", "ch": "visit",
             "measure": "overdue", "county": county},
            {"period": "this_year", "cat": "demolition", "ch": "online",
             "measure": "open", "county": "430621"},
        ]
        for r in range(rounds):
            plan = plans[r % len(plans)]
            phase = "cold" if r < len(plans) else "warm"
            for key, dd_id, label, multi in (
                    ("period", "ov-period", t(f"period.{plan['period']}", "zh"), False),
                    ("category", "ov-category", category(plan["cat"], "zh"), True),
                    ("channel", "ov-channel", channel(plan["ch"], "zh"), True),
                    ("measure", "ov-measure", measure(plan["measure"], "zh"), False)):
                t_start = time.time()
                how = _choose(d, dd_id, label, multi)
                result["methods"].setdefault(key, set()).add(how)
                time.sleep(0.3)
                mark(f"{key} → {label}", t_start, phase)
            # Drill-down: the county on the map, then its first township.
            cty = plan["county"]
            t_start = time.time()
            _click_unit(d, choro, cty)
            mark(f"drill county {cty}", t_start, phase)
            town = WebDriverWait(d, 60).until(lambda dd, cty=cty: next(
                (e.get_attribute("data-code") for e in dd.find_elements(By.CSS_SELECTOR, choro)
                 if (e.get_attribute("data-code") or "").startswith(cty)
                 and len(e.get_attribute("data-code")) == 9), None))
            t_start = time.time()
            _click_unit(d, choro, town)
            mark(f"drill township {town}", t_start, phase)
            t_start = time.time()
            d.find_element(By.CSS_SELECTOR, "#ov-reset").click()
            mark("reset filters", t_start, phase)
            t_start = time.time()
            d.find_element(By.CSS_SELECTOR, ".crumbs button.crumb").click()
            WebDriverWait(d, 600).until(lambda dd: "unit=" not in dd.current_url)
            mark("back to the region", t_start, phase)
    finally:
        d.quit()
        proc.terminate()
        proc.wait(timeout=20)
    result["timings"] = [json.loads(line) for line in timing.read_text().splitlines()]
    return result


def _callback_name(outputs) -> str:
    if not outputs:
        return "?"
    text = str(outputs).strip(".")
    return text.split(".")[0] if not text.startswith(".") else text[:40]


def report_callbacks(result: dict) -> dict:
    """Print per-callback p50/p95 (cold round and warm round) and bytes per interaction."""
    rows = result["timings"]
    summary: dict = {}
    for phase in ("cold", "warm"):
        windows = [(it["start"], it["end"]) for it in result["interactions"]
                   if it["phase"] == phase and it["label"] not in ("first render", "reload")]
        by_name: dict[str, list[float]] = {}
        for row in rows:
            if row["path"] != "/_dash-update-component":
                continue
            if not any(a <= row["t"] <= b + 0.05 for a, b in windows):
                continue
            by_name.setdefault(_callback_name(row["outputs"]), []).append(row["ms"])
        allv = [v for vs in by_name.values() for v in vs]
        print(f"\nCallbacks, {phase} round (server time per request, ms):")
        print(f"  {'callback':28s} {'n':>4s} {'p50':>9s} {'p95':>9s} {'max':>9s}")
        for name, values in sorted(by_name.items()):
            print(f"  {name:28s} {len(values):4d} {_pct(values, 50):9.1f}"
                  f" {_pct(values, 95):9.1f} {max(values):9.1f}")
        if allv:
            print(f"  all callbacks ({phase}): n {len(allv)}, p50 {_pct(allv, 50):.1f} ms,"
                  f" p95 {_pct(allv, 95):.1f} ms, max {max(allv):.1f} ms")
            summary[phase] = (_pct(allv, 50), _pct(allv, 95), max(allv))
    print("\nBytes per interaction (server: callback responses + GeoJSON; browser: received"
          " incl. headers):")
    print(f"  {'interaction':36s} {'phase':5s} {'callbacks':>10s} {'geometry':>9s}"
          f" {'browser':>9s} {'wall s':>7s}")
    for it in result["interactions"]:
        win = [r for r in rows if it["start"] <= r["t"] <= it["end"] + 0.05]
        cb = sum(r["bytes"] or 0 for r in win if r["path"] == "/_dash-update-component")
        geo = sum(r["bytes"] or 0 for r in win if r["path"].startswith("/geo/"))
        it["server_bytes"] = cb + geo
        print(f"  {it['label']:36s} {it['phase']:5s} {cb:10,d} {geo:9,d}"
              f" {it['browser_bytes']:9,d} {it['wall_s']:7.2f}")
    print(f"\nFirst full render: cold {result['first_render_s']:.2f} s (new server, empty"
          f" cache), reload {result['first_render_warm_s']:.2f} s")
    print("Controls driven by:", ", ".join(f"{k} {'/'.join(sorted(v))}"
                                           for k, v in result["methods"].items()))
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3,
                    help="browser rounds: 2 with new values (cold), then repeats (warm)")
    ap.add_argument("--county", default="430626")
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--skip-sql", action="store_true")
    ap.add_argument("--skip-raw", action="store_true", help="bare SQL on summaries only")
    ap.add_argument("--refresh", action="store_true", help="rebuild the summaries first")
    ap.add_argument("--server", choices=["gunicorn", "dev"], default="gunicorn",
                    help="gunicorn: 2 workers × 8 threads with Redis (production setup);"
                         " dev: one threaded Flask server with a per-process cache")
    ap.add_argument("--user", default=None)
    ap.add_argument("--password", default="bench-password-123")
    args = ap.parse_args()

    from sqlalchemy import text

    from queries import summaries, summaries_build
    from queries.db import admin_engine

    with admin_engine().connect() as c:
        n = c.execute(text("SELECT count(*) FROM matter")).scalar()
        subs = c.execute(text("SELECT count(*) FROM submission")).scalar()
    print(f"Petition Atlas dashboard benchmark — {n:,} matters, {subs:,} submissions,"
          f" {dt.date.today()}; {_load()}")
    if args.refresh:
        res = summaries_build.refresh(admin_engine())
        print(f"\nSummaries rebuilt in {res['seconds']:.1f} s ({sum(res['rows'].values()):,}"
              f" rows); {_load()}")
    with admin_engine().connect() as c:
        st = summaries.status(c)
    if st.get("built"):
        print(f"Summaries: built {st['built_at']:%Y-%m-%d %H:%M} in {st['seconds']:.1f} s,"
              f" {'current' if st['current'] else 'STALE (queries read raw tables)'}")
    else:
        print("Summaries: never built (queries read raw tables)")
    if not args.skip_sql:
        print(f"\nBare SQL (query functions as atlas_app, region scope, no cache); {_load()}")
        bare_sql(args.county, raw=not args.skip_raw)
        naive = naive_baseline(args.county)
        print(f"\nNaive baseline (geopandas read + sjoin per request, {args.county} townships):"
              f" p50 {_pct(naive, 50):.0f} ms, max {max(naive):.0f} ms; {_load()}")
    if args.skip_browser:
        return
    user = args.user
    created = False
    if not user:
        from queries.users import create_user

        user = f"bench_{int(time.time())}"
        with admin_engine().begin() as c:
            create_user(c, user, args.password, "admin")
        created = True
    try:
        print(f"\nBrowser run; {_load()}")
        print(f"Server: {args.server}")
        result = browser(args.rounds, user, args.password, args.county, args.server)
        report_callbacks(result)
        out = ROOT / "var" / "bench_dashboard_last.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(result, default=str))
        print(f"Raw timings: {out}")
        print(f"After the browser run: {_load()}")
    finally:
        if created:
            with admin_engine().begin() as c:
                c.execute(text("DELETE FROM app_user WHERE username = :u"), {"u": user})


if __name__ == "__main__":
    main()
