"""Benchmark of the Overview/Map pages (issue 3) on whatever the database holds.

    DATABASE_URL=... .venv/bin/python -m bench.dashboard [--rounds 5] [--skip-browser]
        [--user NAME --password PW]

Prints, in one run:
- bare SQL: each query function behind a filter change and a drill-down (region, a county),
  timed directly (no cache);
- naive baseline: matters of the period read with geopandas and joined to the polygons per
  request (``geopandas.sjoin``), as a dashboard without a query layer would do;
- callbacks: p50/p95 server time of every callback a filter change and a drill-down fire, cold
  (first time) and warm (cached), from the application served with a timing log and driven by
  headless Chromium; bytes the browser received per interaction; time to first full render.

Needs matters and the geography loaded (``init-geo`` + ``demo-data --cases 1000000``, or
``python -m tests.dashboard.world URL N``) and, for the browser part, a user (created here
when missing, deleted afterwards).
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


def bare_sql(county: str) -> list[tuple[str, float]]:
    from dashboard.state import today
    from dashboard.workspace import trend_period
    from queries import areas, charts, kpi
    from queries.filters import MatterFilter, Period
    from queries.scope import Scope
    from settings import get_settings

    scope, rules = Scope.region(), get_settings().clock_rules()
    day = today()
    period = Period.month(day.year, day.month)
    rows = []
    for label, unit, level in (("region", None, "county"), (county, county, "township")):
        flt = MatterFilter(unit=unit)
        prev = period.previous()
        year = trend_period(period)
        for name, fn, fargs in (
            ("measures_by_area", areas.measures_by_area, (scope, level, period, day, flt,
                                                          rules)),
            ("compute_kpis", kpi.compute_kpis, (scope, period, day, flt, rules)),
            ("compute_kpis (previous)", kpi.compute_kpis, (scope, prev, prev.end, flt, rules)),
            ("by_category", charts.by_category, (scope, period, flt)),
            ("stage_funnel", charts.stage_funnel, (scope, period, day, flt)),
            ("monthly_by_channel (12 mo)", charts.monthly_by_channel, (scope, year, flt)),
            ("repeat_cross_trend (12 mo)", charts.repeat_cross_trend, (scope, year, flt)),
            ("backlog_ageing", charts.backlog_ageing, (scope, day, flt, rules)),
            ("top_units_by_overdue", charts.top_units_by_overdue, (scope, day, flt)),
        ):
            ms, _ = _ms(lambda fn=fn, fargs=fargs: fn(*fargs))
            rows.append((f"{label}: {name}", ms))
            print(f"  {label:8s} {name:30s} {ms:10.1f} ms", flush=True)
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser(rounds: int, user: str, password: str, county: str) -> dict:
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
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "tests.dashboard.serve", str(port),
                             str(timing)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    choro = ".leaflet-atlas-choropleth-pane path.leaflet-interactive"
    result: dict = {"interactions": []}
    d = make_driver(1280, 800)
    try:
        def mark(label):
            wait_idle(d, 600)
            sizes = response_sizes(d)
            result["interactions"].append({
                "label": label, "t": time.time(),
                "bytes": sum(b for _u, b in sizes),
                "bytes_callbacks": sum(b for u, b in sizes if "_dash-update" in u),
                "bytes_geometry": sum(b for u, b in sizes if "/geo/" in u)})

        login(d, base, user, password, "/")
        t0 = time.perf_counter()
        d.get(base + "/")
        wait_for(d, choro, timeout=600)
        wait_for(d, "[data-kpi]", timeout=600)
        wait_idle(d, 600)
        result["first_render_s"] = time.perf_counter() - t0
        mark("first render (cold)")
        t0 = time.perf_counter()
        d.get(base + "/")
        wait_for(d, "[data-kpi]", timeout=600)
        wait_idle(d, 600)
        result["first_render_warm_s"] = time.perf_counter() - t0
        mark("first render (warm)")
        cats = ["land_expropriation", "demolition", "labour_wages", "social_security",
                "law_related", "urban_construction", "agriculture", "other"]
        for r in range(rounds):
            for cat in cats[:3]:
                t_start = time.time()
                d.get(f"{base}/?cat={cat}")  # a filter change as a shared URL
                wait_for(d, "[data-kpi]", timeout=600)
                mark(f"filter cat={cat} round {r}")
                result.setdefault("filter_windows", []).append((t_start, time.time()))
            d.get(base + "/")
            wait_for(d, choro, count=2, timeout=600)
            wait_idle(d, 600)
            response_sizes(d)
            t_start = time.time()
            d.find_element(By.CSS_SELECTOR, f"{choro}[data-code='{county}']").click()
            WebDriverWait(d, 600).until(lambda dd: f"unit={county}" in dd.current_url)
            mark(f"drill {county} round {r}")
            result.setdefault("drill_windows", []).append((t_start, time.time()))
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


def report_callbacks(result: dict) -> None:
    by_name: dict[str, list[float]] = {}
    for row in result["timings"]:
        if row["path"] != "/_dash-update-component":
            continue
        by_name.setdefault(_callback_name(row["outputs"]), []).append(row["ms"])
    print("\nCallbacks (server time, ms; all interactions, cold and warm):")
    print(f"  {'callback':28s} {'n':>4s} {'p50':>9s} {'p95':>9s} {'max':>9s}")
    for name, values in sorted(by_name.items()):
        print(f"  {name:28s} {len(values):4d} {_pct(values, 50):9.1f} {_pct(values, 95):9.1f}"
              f" {max(values):9.1f}")
    warm = [r["ms"] for r in result["timings"] if r["path"] == "/_dash-update-component"]
    print(f"  all callbacks: p50 {_pct(warm, 50):.1f} ms, p95 {_pct(warm, 95):.1f} ms")
    print("\nBytes received by the browser per interaction:")
    for it in result["interactions"]:
        print(f"  {it['label']:32s} {it['bytes']:>10,d} B (callbacks {it['bytes_callbacks']:,},"
              f" geometry {it['bytes_geometry']:,})")
    print(f"\nFirst full render: cold {result['first_render_s']:.2f} s,"
          f" warm {result['first_render_warm_s']:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--county", default="430626")
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--skip-sql", action="store_true")
    ap.add_argument("--user", default=None)
    ap.add_argument("--password", default="bench-password-123")
    args = ap.parse_args()

    from sqlalchemy import text

    from queries.db import admin_engine

    with admin_engine().connect() as c:
        n = c.execute(text("SELECT count(*) FROM matter")).scalar()
        subs = c.execute(text("SELECT count(*) FROM submission")).scalar()
    print(f"Petition Atlas dashboard benchmark — {n:,} matters, {subs:,} submissions,"
          f" {dt.date.today()}")
    sql_rows = []
    if not args.skip_sql:
        print("\nBare SQL (query functions, no cache):")
        sql_rows = bare_sql(args.county)
        naive = naive_baseline(args.county)
        print(f"\nNaive baseline (geopandas read + sjoin per request, {args.county} townships):"
              f" p50 {_pct(naive, 50):.0f} ms, max {max(naive):.0f} ms")
        area = [ms for name, ms in sql_rows if "measures_by_area" in name and args.county in name]
        if area:
            print(f"  vs measures_by_area for the same county: {area[0]:.0f} ms"
                  f" ({_pct(naive, 50) / max(area[0], 1e-9):.1f}× faster)")
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
        result = browser(args.rounds, user, args.password, args.county)
        report_callbacks(result)
    finally:
        if created:
            with admin_engine().begin() as c:
                c.execute(text("DELETE FROM app_user WHERE username = :u"), {"u": user})


if __name__ == "__main__":
    main()
