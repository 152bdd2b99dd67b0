"""Command: demo-data (DESIGN §7, §9)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "var" / "demo"


def _today() -> dt.date:
    from zoneinfo import ZoneInfo

    from settings import get_settings

    return dt.datetime.now(ZoneInfo(get_settings().timezone)).date()


@click.command("demo-data")
@click.option("--cases", type=click.IntRange(min=1), default=50_000, show_default=True,
              help="Number of matters (信访事项) to generate.")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed: the same seed and arguments give byte-identical files.")
@click.option("--months", type=click.IntRange(min=1, max=240), default=24, show_default=True,
              help="Length of the registration window, ending on --end.")
@click.option("--end", "end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day of the window (YYYY-MM-DD); default: today in TIMEZONE.")
@click.option("--out", "out", type=click.Path(file_okay=False), default=str(DEFAULT_OUT),
              show_default=True, help="Directory for matters.csv and submissions.csv.")
@click.option("--no-import", is_flag=True, help="Only write the CSV files.")
def demo_data(cases: int, seed: int, months: int, end: dt.datetime | None, out: str,
              no_import: bool) -> None:
    """Generate synthetic matters and submissions and load them through the importer.

    Reads the geography of the store (run init-geo first), writes OUT/matters.csv and
    OUT/submissions.csv in the import format of DESIGN §5, then imports matters and
    submissions, then the accountability files (packages.csv, assignments.csv,
    receptions.csv) through ``ingest.accountability``. Every person, leader and ID number is
    synthetic (演示…, birth year 1900). Ends with what the demo holds of a real office export
    (direct intake, unrecorded clocks, bad IDs, flagged and resolved backlog, irregular visits,
    times with an offset) as landed in the store: flaws that are warnings, never rejects.
    Exits 1 when the importer rejected a row.
    """
    from demodata import generate, write_demo
    from demodata.places import load_geography

    end_day = end.date() if end else _today()
    t0 = time.perf_counter()
    try:
        geo = load_geography()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    demo = generate(geo, cases, seed, months, end_day)
    tally: dict[str, int] = {}
    matters_csv, submissions_csv = write_demo(demo, Path(out), tally=tally)
    click.echo(f"demo data {demo.start} .. {demo.end}, seed {seed}: {cases} matters "
               f"written in {time.perf_counter() - t0:.1f} s")
    click.echo(f"  {matters_csv}\n  {submissions_csv}")
    if no_import:
        return

    from ingest.matters import import_file

    rejected = 0
    summaries = {}
    for path, kind in ((matters_csv, "matters"), (submissions_csv, "submissions")):
        t1 = time.perf_counter()
        s = import_file(path, kind=kind, crs="wgs84", username="demo-data")
        summaries[kind] = s
        for warning in s.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"{kind}: 新增 inserted {s.inserted}, 更新 updated {s.updated}, "
                   f"未变 unchanged {s.unchanged}, 拒绝 rejected {s.rejected}, "
                   f"警告 warned {s.warned} ({time.perf_counter() - t1:.1f} s)")
        if s.rejected and s.rejects_path:
            click.echo(f"rejects: {s.rejects_path}")
        rejected += s.rejected
    rejected += _load_accountability(demo, Path(out))
    click.echo(real_export_summary(demo, summaries["matters"], tally))
    raise SystemExit(0 if rejected == 0 else 1)


def real_export_summary(demo, matters, tally: dict[str, int]) -> str:
    """What the demo holds of a real office export (issue 10), counted in the store after the
    import, so a newcomer sees the warnings and gaps are there on purpose and landed."""
    from queries.quality import demo_export_counts

    m, v, w = demo_export_counts(demo.start, demo.end, matters.run_id)

    def pct(a, b):
        return f"{100 * a / b:.1f} %" if b else "–"

    cells, stamped = tally.get("date_cells", 0), tally.get("offset_times", 0)
    ids = w["bad_ids"] + m["ids"]
    return "\n".join([
        "as in a real office export (DESIGN §3, §5):",
        f"  受理方式 direct intake {m['direct']} ({pct(m['direct'], m['n'])}) · 积案 flagged "
        f"backlog {m['flagged']} ({m['flagged_resolved']} resolved) · back after a resolution "
        f"{m['came_back']} of {m['resolved']}",
        f"  未记录时限 blank stage dates in {m['gaps']} matters ({pct(m['gaps'], m['n'])}), "
        f"{m['clocks']} clocks unrecorded · 身份证号 bad check digits {w['bad_ids']} "
        f"({pct(w['bad_ids'], ids)} of IDs; dropped)",
        f"  非访 irregular visits {v['irregular']} ({pct(v['irregular'], v['visits'])} of "
        f"visits at city level and above) · times with an offset {stamped} "
        f"({pct(stamped, cells)} of dates)",
        f"  {matters.warned} matters landed with a warning (line, column, reason; never the "
        "value)" + (f": {matters.warnings_path}" if matters.warnings_path else ""),
    ])


def _load_accountability(demo, out: Path) -> int:
    """The leader roster, package rows, assignments and leader receptions for the demo
    matters (issues 5, 16): written beside the matters and loaded through
    ``ingest.leaders`` and ``ingest.accountability``."""
    from demodata.accountability import write_accountability
    from ingest.accountability import import_accountability
    from ingest.leaders import import_leaders

    rejected = 0
    for kind, path in write_accountability(demo, out).items():
        t1 = time.perf_counter()
        if kind == "leaders":
            s = import_leaders(path, username="demo-data")
        else:
            s = import_accountability(path, kind, username="demo-data")
        click.echo(f"{kind}: 新增 inserted {s.inserted}, 更新 updated {s.updated}, "
                   f"未变 unchanged {s.unchanged}, 拒绝 rejected {s.rejected} "
                   f"({time.perf_counter() - t1:.1f} s)")
        if s.rejected and s.rejects_path:
            click.echo(f"rejects: {s.rejects_path}")
        rejected += s.rejected
    return rejected


COMMANDS = [demo_data]
