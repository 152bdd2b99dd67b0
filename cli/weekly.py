"""Command: ``warnings`` — the weekly early-warning report (每周预警信息; issue 16 item 4,
DESIGN §9).

``flask --app app warnings --week 2026-W45 [--unit CODE] --format pdf|docx|xlsx --out F``
writes the week's warnings by level, influx findings, ledger disputes due, collective and
irregular visits and missing daily reports, computed as of the week's Sunday at 23:59 office
time (the running week: as of now). ``--user NAME`` generates within that account's
jurisdiction. Every file written is an ``export`` row in the audit log.
"""

from __future__ import annotations

from pathlib import Path

import click

from briefing.model import FORMATS


@click.command("warnings")
@click.option("--week", required=True, metavar="YYYY-Www", help="ISO week, e.g. 2026-W45.")
@click.option("--unit", default=None, metavar="CODE",
              help="County (6 digits) or township (9); default the region.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="pdf", show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--user", "username", default=None, metavar="NAME",
              help="Generate within this account's jurisdiction (refused outside it).")
def warnings_cmd(week: str, unit: str | None, fmt: str, out: str, lang: str,
                 username: str | None) -> None:
    """Write the weekly early-warning report (PDF, DOCX or XLSX) of the region, a county or a
    township for an ISO week."""
    from briefing.service import BriefingError, BriefingRefused
    from briefing.weekly import generate
    from cli.briefing import _actor, _caller
    from domain.plan import office_now, parse_week
    from queries import audit
    from queries.db import admin_engine
    from queries.rule_state import rules_current
    from settings import get_settings

    try:
        parse_week(week)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    settings = get_settings()
    if not rules_current(settings.clock_rules()):
        # DESIGN §3 refresh contract: no figure from due dates computed under other rules.
        raise click.ClickException("数据正在按新规则重新计算，请先运行 refresh-summaries / the "
                                   "stored due dates follow other rules: run refresh-summaries")
    scope, user = _caller(username)
    try:
        report = generate(scope, unit, week, fmt, lang=lang, now=office_now(settings.timezone))
    except BriefingError as exc:
        raise click.BadParameter(str(exc), param_hint="--week/--unit") from None
    except BriefingRefused as exc:
        raise click.ClickException(str(exc)) from None
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(report.content)
    with admin_engine().begin() as conn:
        audit.record("export", f"warnings {report.week} {report.unit}",
                     {"kind": "weekly_warnings", "format": fmt, "week": report.week,
                      "unit": report.unit, "lang": lang, "bytes": len(report.content),
                      "seconds": report.seconds, "via": _actor()}, user=user, conn=conn)
    figs = report.figures
    click.echo(f"warnings {report.week} {report.unit} {report.unit_name}: {path} "
               f"({len(report.content):,} bytes, {report.seconds:.1f} s; "
               f"{figs['warnings_total']} warnings, {figs['warnings_red']} red, "
               f"{figs['irregular_national']} irregular in Beijing)")


COMMANDS = [warnings_cmd]
