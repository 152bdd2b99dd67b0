"""Import throughput: the streamed importer at 100,000 and 1,000,000 matters against a naive
row-by-row ORM insert of the same 100,000, in one run.

    .venv/bin/python -m bench.ingest [--sizes 100000 1000000] [--naive 100000]

Uses its own database (``petition_atlas_bench`` on the local server, or BENCH_DATABASE_URL),
created afresh with the migrations and the reference geography. Each import runs in a child
process so its peak resident memory can be read from the kernel (``ru_maxrss``).
Prints one line per run: rows, seconds, rows/s, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
END = "2026-11-26"  # fixed, so that every run generates the same files
BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/petition_atlas_bench")


def _env() -> dict:
    return {**os.environ, "DATABASE_URL": BENCH_URL, "ADMIN_DATABASE_URL": BENCH_URL,
            "PYTHONPATH": str(ROOT)}


_PEAK = """
import resource as _r
print("PEAK", _r.getrusage(_r.RUSAGE_SELF).ru_maxrss)
"""


def _child(code: str) -> tuple[dict, float, int]:
    """Run ``code`` in a fresh interpreter; returns its JSON output, wall seconds and the
    child's own peak resident memory in bytes (``ru_maxrss`` read at its end)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code + _PEAK], env=_env(), cwd=ROOT,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    lines = out.stdout.splitlines()
    peak = int([ln for ln in lines if ln.startswith("PEAK ")][-1].split()[1]) * 1024
    return json.loads([ln for ln in lines if ln.startswith("{")][-1]), seconds, peak


def prepare_database() -> None:
    """Fresh database, migrations, reference geography."""
    code = f"""
import json
from queries.db import create_postgis_database
create_postgis_database({BENCH_URL!r}, recreate=True)
from alembic import command
from alembic.config import Config
command.upgrade(Config("alembic.ini"), "head")
from ingest.geography import init_geography
init_geography()
print(json.dumps({{"ok": True}}))
"""
    _child(code)


def generate(n: int, out_dir: Path, seed: int = 7) -> tuple[Path, float]:
    """Demo CSVs with ``n`` matters (the generator, not the importer)."""
    code = f"""
import json
import datetime as dt
from pathlib import Path
from demodata import generate, write_demo
from demodata.places import load_geography
demo = generate(load_geography(), {n}, {seed}, 24, dt.date.fromisoformat({END!r}))
paths = write_demo(demo, Path({str(out_dir)!r}))
print(json.dumps({{"matters": str(paths[0]), "submissions": str(paths[1])}}))
"""
    res, seconds, _ = _child(code)
    return Path(res["matters"]), seconds


def run_import(path: Path, kind: str = "matters") -> tuple[dict, float, int]:
    code = f"""
import json, dataclasses
from ingest.matters import import_file
s = import_file({str(path)!r}, kind={kind!r})
print(json.dumps({{k: v for k, v in dataclasses.asdict(s).items() if k != "rejects_path"}}))
"""
    return _child(code)


def run_naive(path: Path, limit: int) -> tuple[dict, float, int]:
    code = f"""
import json
from bench.naive_import import naive_import
print(json.dumps(naive_import({str(path)!r}, limit={limit})))
"""
    return _child(code)


def truncate_matters() -> None:
    _child("""
from sqlalchemy import text
from queries.db import get_engine
with get_engine().begin() as c:
    c.execute(text("TRUNCATE matter CASCADE"))
print("{}")
""")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--naive", type=int, default=100_000,
                    help="rows for the naive baseline (0: skip it)")
    ap.add_argument("--with-submissions", action="store_true",
                    help="also import the largest size's submissions, leaving a full database "
                         "for bench/dashboard.py and bench/wall.py")
    ap.add_argument("--work", default=str(ROOT / "var" / "bench"))
    args = ap.parse_args()
    work = Path(args.work)
    print(f"database {BENCH_URL}; {os.cpu_count()} cores")
    prepare_database()
    rates = {}
    for n in sorted(args.sizes):
        path, gen_s = generate(n, work / f"m{n}")
        print(f"generated {n:,} matters in {gen_s:.1f} s")
        truncate_matters()
        summary, seconds, peak = run_import(path)
        landed = summary["inserted"] + summary["updated"]
        rates[n] = landed / seconds
        print(f"importer  {n:>9,} rows  {seconds:8.1f} s  {rates[n]:9,.0f} rows/s  "
              f"peak RSS {peak / 2**20:7.0f} MiB  (rejected {summary['rejected']})")
        again, seconds2, peak2 = run_import(path)
        print(f"re-import {n:>9,} rows  {seconds2:8.1f} s  inserted {again['inserted']} "
              f"updated {again['updated']} unchanged {again['unchanged']:,}  "
              f"peak RSS {peak2 / 2**20:7.0f} MiB")
        if args.naive and n == min(args.sizes):
            truncate_matters()
            res, nseconds, npeak = run_naive(path, args.naive)
            naive_rate = res["rows"] / nseconds
            print(f"naive ORM {res['rows']:>9,} rows  {nseconds:8.1f} s  {naive_rate:9,.0f} rows/s"
                  f"  peak RSS {npeak / 2**20:7.0f} MiB")
            print(f"importer / naive at {n:,} rows: {rates[n] / naive_rate:.1f}x")
    if args.with_submissions:
        n = max(args.sizes)
        sub, seconds, peak = run_import(work / f"m{n}" / "submissions.csv", "submissions")
        print(f"submissions of {n:,} matters: {sub['inserted']:,} rows in {seconds:.1f} s, "
              f"peak RSS {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
