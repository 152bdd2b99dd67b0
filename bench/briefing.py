"""Benchmark of the monthly briefing (issue 7) on whatever the database holds.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/petition_atlas_bench \\
        .venv/bin/python -m bench.briefing [--month 2026-10] [--as-of 2026-11-03] \\
        [--rounds 2] [--skip-all-units] [--all-units-county CODE]

Prints, each measured in a process of its own (peak RSS from ``wait4``):
- the city-wide PDF (``briefing.service.generate`` for the region), time, peak RSS and where
  the time goes (each query part and the rendering);
- ``flask --app app briefing --all-units DIR`` over every township (or those of one county),
  as the monthly cron runs it: total time, per-file mean and maximum, peak RSS.

Target (issue 7): city-wide PDF under 20 s with 1,000,000 matters. The load average before
and after each run is printed: on a shared 2-core machine the figures are upper bounds.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/petition_atlas_bench"


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _run(cmd: list[str], env: dict) -> tuple[float, str]:
    """(seconds, stdout) of a child process; children report their own peak RSS, so each
    measurement is a fresh interpreter."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])}… failed ({proc.returncode}):\n{err[-3000:]}")
    return seconds, out


def child_city(args) -> None:
    """In a fresh process: one city-wide briefing; prints JSON with timings and peak RSS."""
    import resource

    from briefing.service import generate
    from queries.scope import Scope

    t0 = time.perf_counter()
    b = generate(Scope.region(), None, args.month, args.format, as_of=args.as_of_date,
                 workers=args.workers)
    seconds = time.perf_counter() - t0
    Path(args.out).write_bytes(b.content)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "rss_mib": round(rss), "bytes":
                      len(b.content), "timings": b.timings}))


def _month_default(as_of: dt.date) -> str:
    first = as_of.replace(day=1)
    prev = first - dt.timedelta(days=1)
    return f"{prev.year}-{prev.month:02d}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--month", default=None, help="YYYY-MM (default: the previous month)")
    ap.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD (default: today)")
    ap.add_argument("--format", default="pdf", choices=("pdf", "docx", "xlsx"))
    ap.add_argument("--rounds", type=int, default=2, help="city-wide runs (first is cold)")
    ap.add_argument("--workers", type=int, default=None, help="query threads (default 3)")
    ap.add_argument("--skip-all-units", action="store_true")
    ap.add_argument("--all-units-county", default=None,
                    help="only the townships of this county (default: all townships)")
    ap.add_argument("--child", choices=("city",), help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.as_of_date = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    args.month = args.month or _month_default(args.as_of_date)
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if args.child == "city":
        child_city(args)
        return

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    from sqlalchemy import create_engine, text

    eng = create_engine(env["DATABASE_URL"])
    with eng.connect() as c:
        matters = c.execute(text("SELECT count(*) FROM matter")).scalar_one()
        subs = c.execute(text("SELECT count(*) FROM submission")).scalar_one()
        towns = c.execute(text("SELECT count(*) FROM admin_unit WHERE level = 'township'"
                               + (" AND code LIKE :p" if args.all_units_county else "")),
                          {"p": (args.all_units_county or "") + "%"}).scalar_one()
    eng.dispose()
    print(f"database: {matters:,} matters, {subs:,} submissions; month {args.month}, "
          f"as of {args.as_of_date}; {os.cpu_count()} CPUs")

    tmp = Path(tempfile.mkdtemp(prefix="bench-briefing-", dir=ROOT / "var"))
    print(f"\ncity-wide {args.format.upper()} (one process per run)")
    for i in range(args.rounds):
        before = _load()
        cmd = [sys.executable, "-m", "bench.briefing", "--child", "city", "--month",
               args.month, "--as-of", args.as_of_date.isoformat(), "--format", args.format,
               "--out", str(tmp / f"city.{args.format}")]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        wall, out = _run(cmd, env)
        res = json.loads(out.strip().splitlines()[-1])
        parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(
            res["timings"].items(), key=lambda kv: -kv[1]) if v >= 0.05)
        print(f"  run {i + 1}: {res['seconds']:.1f} s generate ({wall:.1f} s with interpreter "
              f"start), peak RSS {res['rss_mib']} MiB, {res['bytes']:,} bytes; load "
              f"{before} → {_load()}")
        print(f"    parts (s, reads overlap in {args.workers or 3} threads): {parts}")

    if args.skip_all_units:
        return
    folder = tmp / "all-units"
    cmd = [sys.executable, "-c",
           "import resource, sys; from flask.cli import main; sys.argv = sys.argv[1:];"
           " code = 0\ntry:\n    main()\nexcept SystemExit as e:\n    code = e.code or 0\n"
           "print('PEAK_RSS_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
           "sys.exit(code)",
           "flask", "--app", "app", "briefing", "--month", args.month, "--as-of",
           args.as_of_date.isoformat(), "--format", args.format, "--all-units", str(folder)]
    if args.all_units_county:
        cmd += ["--unit", args.all_units_county]
    print(f"\n--all-units over {towns} townships ({args.format.upper()}, one process)")
    before = _load()
    wall, out = _run(cmd, env)
    rss = next((int(line.split()[1]) / 1024 for line in out.splitlines()
                if line.startswith("PEAK_RSS_KIB")), float("nan"))
    with open(folder / "index.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    secs = [float(r["seconds"]) for r in rows if r["status"] == "ok"]
    ok = len(secs)
    print(f"  {ok} of {len(rows)} files in {wall:.1f} s; per file mean "
          f"{sum(secs) / max(ok, 1):.1f} s, max {max(secs, default=0):.1f} s; "
          f"peak RSS {rss:.0f} MiB; load {before} → {_load()}")
    print(f"\nfiles left in {tmp}")


if __name__ == "__main__":
    main()
