"""Commands of the stability features (issue 6): imports of reporting units, daily reports and
duty rosters; sensitive periods; the stability demo data.

    flask --app app import-reporting-units FILE
    flask --app app import-daily-reports FILE
    flask --app app import-duty-roster FILE
    flask --app app sensitive-period-add --name 国庆节期间 --start 2026-09-28 --end 2026-10-08
                                         [--level national] [--name-en ...] [--scope CODE]
    flask --app app sensitive-period-list
    flask --app app demo-stability [--seed 42] [--end YYYY-MM-DD]

Imports exit 0 when every row landed and 1 when some row was rejected (rejects in
``FILE.rejects.csv``), like ``import-cases``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import click

from cli.summary import finish_import, username

ROOT = Path(__file__).resolve().parent.parent



def _run_import(file: str, kind: str) -> None:
    from ingest.stability import ImportFileError, import_stability_file

    try:
        s = import_stability_file(file, kind, username=username())
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    finish_import(kind, s)


@click.command("import-reporting-units")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_reporting_units(file: str) -> None:
    """Import the reporting units (townships and departments filing daily reports)."""
    _run_import(file, "reporting_units")


@click.command("import-daily-reports")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_daily_reports(file: str) -> None:
    """Import daily (zero) reports: unit_code, report_date, filed_at, incidents, note."""
    _run_import(file, "daily_reports")


@click.command("import-duty-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_duty_roster(file: str) -> None:
    """Import duty rosters: unit_code, duty_date, shift, officer_name, leader_name, phone."""
    _run_import(file, "duty_rosters")


def _cli_admin():
    return SimpleNamespace(username=f"cli:{username() or 'unknown'}", role="admin")


@click.command("sensitive-period-add")
@click.option("--name", required=True, help="Name (Chinese).")
@click.option("--name-en", default=None, help="English name.")
@click.option("--start", "start", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--end", "end", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--level", type=click.Choice(["national", "provincial", "city", "local"]),
              default="city", show_default=True)
@click.option("--scope", "scope_code", default=None,
              help="County or township code (default: the whole region).")
@click.option("--note", default=None)
def sensitive_period_add(name, name_en, start, end, level, scope_code, note) -> None:
    """Define a sensitive period (audited as the CLI user)."""
    from queries.db import admin_engine
    from queries.periods import PeriodError, PeriodInput, create_period

    try:
        inp = PeriodInput(name=name, name_en=name_en, starts_on=start.date(),
                          ends_on=end.date(), level=level, scope_code=scope_code, note=note)
        with admin_engine().begin() as conn:
            new_id = create_period(inp, user=_cli_admin(), conn=conn)
    except PeriodError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"sensitive period {new_id}: {inp.name} {inp.starts_on} .. {inp.ends_on}")


@click.command("sensitive-period-list")
def sensitive_period_list() -> None:
    """List the sensitive periods (newest first) with their status today."""
    from dashboard.state import today
    from queries.periods import list_periods
    from queries.scope import Scope

    frame = list_periods(Scope.region(), today())
    if frame.empty:
        click.echo("no sensitive periods / 暂无敏感期")
        return
    for r in frame.to_dict("records"):
        click.echo(f"{r['id']:>5}  {r['starts_on']} .. {r['ends_on']}  {r['level']:<10} "
                   f"{r['status']:<8} {r['scope_code'] or '-':<9}  {r['name']}")


@click.command("demo-stability")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--end", "end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Today of the demo (default: today in TIMEZONE).")
@click.option("--days", type=click.IntRange(7, 730), default=120, show_default=True,
              help="Days of daily reports.")
@click.option("--out", "out", type=click.Path(file_okay=False),
              default=str(ROOT / "var" / "demo"), show_default=True)
def demo_stability(seed: int, end, days: int, out: str) -> None:
    """Stability demo data: reporting units, daily reports, duty rosters (through the
    importers), sensitive periods and ledger disputes. Run after init-geo (and demo-data)."""
    from zoneinfo import ZoneInfo

    from demodata import stability as demo
    from ingest.stability import import_stability_file, load_ledger, load_periods
    from queries.db import admin_engine
    from queries.geography import units_frame
    from settings import get_settings

    settings = get_settings()
    tz = ZoneInfo(settings.timezone)
    now = dt.datetime.now(tz)
    end_day = end.date() if end else now.date()
    if end and end_day != now.date():
        now = dt.datetime.combine(end_day, dt.time(23, 59), tzinfo=tz)
    engine = admin_engine()
    towns = units_frame(engine, "township")
    counties = units_frame(engine, "county")
    if towns.empty:
        raise click.ClickException("no townships in the store: run init-geo first")
    data = demo.generate(towns, counties, settings.region_code, seed, end_day, now, days)
    paths = demo.write_csvs(data, Path(out))
    rejected = 0
    for kind in ("reporting_units", "daily_reports", "duty_rosters"):
        s = import_stability_file(paths[kind], kind, engine, username="demo-data", now=now)
        click.echo(f"{kind}: 新增 inserted {s.inserted}, 更新 updated {s.updated}, "
                   f"未变 unchanged {s.unchanged}, 拒绝 rejected {s.rejected}")
        rejected += s.rejected
    with engine.begin() as conn:
        p = load_periods(conn, data.periods)
        ledger = load_ledger(conn, data.ledger)
    click.echo(f"sensitive periods: inserted {p[0]}, updated {p[1]}, unchanged {p[2]}")
    click.echo(f"ledger: inserted {ledger[0]}, updated {ledger[1]}, unchanged {ledger[2]}")
    raise SystemExit(0 if rejected == 0 else 1)


COMMANDS = [import_reporting_units, import_daily_reports, import_duty_roster,
            sensitive_period_add, sensitive_period_list, demo_stability]
