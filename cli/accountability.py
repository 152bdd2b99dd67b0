"""Commands: accountability (issue 5) — ``import-accountability``, ``agenda``, ``ranking``.

``flask --app app import-accountability FILE --kind packages|assignments|receptions`` loads
package leaders, assigned items or leader receptions (formats in ``ingest/accountability.py``).
``flask --app app agenda --date 2026-11-20 [--unit CODE] --out agenda.xlsx`` writes the
joint-conference agenda and the Friday tracking list as XLSX (audited as an export).
``flask --app app ranking --month 2026-10 [--by unit|township|county] [--line 0.9] [--json]``
prints units ranked by their on-time rates with yellow cards; ``--from 2026-07 --to 2026-12``
or ``--half 2026H2`` instead of ``--month`` rank a longer period (半年评议).
``flask --app app import-leaders FILE`` loads the leader roster with reception days and
``flask --app app reception-days --month 2026-10 [--unit CODE] [--out F.xlsx]`` prints (or
writes) county leaders' receptions against their day.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json

import click

from cli.periods import period_options, resolve_period
from cli.summary import finish_import


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in a container
        return "cli"


def _date(value: str | None, name: str) -> dt.date:
    if not value:
        from dashboard.state import today

        return today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}",
                                 param_hint=name) from None


def _unit(unit: str | None) -> str | None:
    if not unit:
        return None
    from domain.codes import is_region_code
    from queries.db import app_connection
    from queries.scope import InvalidCode, unknown_units, validate_unit_code

    try:
        unit = validate_unit_code(unit.strip())
    except InvalidCode as exc:
        raise click.BadParameter(str(exc), param_hint="--unit") from None
    if is_region_code(unit):
        return None
    with app_connection() as conn:
        if unknown_units(conn, [unit]):
            raise click.BadParameter(f"unknown unit code {unit} / 未知区划代码",
                                     param_hint="--unit")
    return unit


@click.command("import-accountability")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(["packages", "assignments", "receptions"]),
              required=True, help="What the file holds.")
def import_accountability_cmd(file: str, kind: str) -> None:
    """Import package leaders, assigned items or leader receptions (CSV/XLSX).

    Rejected rows go to FILE.rejects.csv; exits 0 when every row landed, 1 otherwise.
    """
    from ingest.accountability import AccountabilityFileError, import_accountability

    try:
        s = import_accountability(file, kind, username=_actor())
    except AccountabilityFileError as exc:
        raise click.ClickException(str(exc)) from None
    finish_import(kind, s)


@click.command("agenda")
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD",
              help="The conference day (default: today).")
@click.option("--unit", default=None, metavar="CODE", help="County or township; default all.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The XLSX file to write.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def agenda_cmd(day: str | None, unit: str | None, out: str, lang: str) -> None:
    """Write the joint-conference agenda and the Friday tracking list as XLSX."""
    from dashboard.exports.agenda_xlsx import agenda_workbook
    from queries import audit
    from queries.db import admin_engine
    from queries.scope import Scope

    when = _date(day, "--date")
    unit = _unit(unit)
    data = agenda_workbook(Scope.region(), when, unit, lang)
    with open(out, "wb") as fh:
        fh.write(data)
    with admin_engine().begin() as conn:
        audit.record_owner("export", f"agenda {when.isoformat()} {unit or 'region'}",
                           {"format": "xlsx", "date": when.isoformat(), "unit": unit},
                           actor=_actor(), conn=conn)
    click.echo(f"agenda {when.isoformat()} ({unit or 'region'}): {out}")


@click.command("ranking")
@period_options
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD")
@click.option("--unit", default=None, metavar="CODE", help="Narrow to a county or township.")
@click.option("--by", type=click.Choice(["unit", "township", "county"]), default="unit",
              show_default=True, help="Responsible units, townships or counties.")
@click.option("--line", type=click.FloatRange(0, 1), default=None,
              help="Yellow-card line as a fraction (default 0.90).")
@click.option("--json", "as_json", is_flag=True)
def ranking_cmd(month: str | None, from_month: str | None, to_month: str | None,
                half: str | None, as_of: str | None, unit: str | None, by: str,
                line: float | None, as_json: bool) -> None:
    """Units ranked by their on-time rates, with yellow cards below the line, for a month,
    a range of months or a half year (半年评议)."""
    from dataclasses import replace

    from queries.accountability import accountability_rules, unit_ranking
    from queries.filters import MatterFilter
    from queries.scope import Scope
    from settings import get_settings

    period = resolve_period(month, from_month, to_month, half)
    when = _date(as_of, "--as-of")
    arules = accountability_rules()
    if line is not None:
        arules = replace(arules, yellow_card_line=line)
    df = unit_ranking(Scope.region(), period, when, MatterFilter(unit=_unit(unit)), by=by,
                      arules=arules, rules=get_settings().clock_rules())
    cols = ["rank", "key", "name", "acc_n", "acc_ok", "ans_n", "ans_ok", "handling_rate",
            "overdue", "yellow"]
    rows = [{c: (None if r[c] is None or r[c] != r[c] else r[c]) for c in cols}
            for r in df.to_dict("records")]
    for r in rows:
        r["rank"] = None if r["rank"] is None else int(r["rank"])
        r["yellow"] = bool(r["yellow"])
    if as_json:
        head = {"month": month} if month is not None else {
            "period": period.key, "start": period.start.isoformat(),
            "end": period.end.isoformat()}
        click.echo(json.dumps({**head, "as_of": when.isoformat(), "by": by,
                               "line": arules.yellow_card_line, "units": rows},
                              ensure_ascii=False, indent=2, default=int))
        return
    for r in rows:
        rate = "—" if r["handling_rate"] is None else f"{r['handling_rate'] * 100:.1f}%"
        flag = "  办理时效黄牌 handling-time yellow card" if r["yellow"] else ""
        click.echo(f"{r['rank'] or '—':>4}  {r['name'] or r['key'] or '—'}  {rate}"
                   f"  ({r['acc_ok'] + r['ans_ok']}/{r['acc_n'] + r['ans_n']}){flag}")


@click.command("import-leaders")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_leaders_cmd(file: str) -> None:
    """Import the leader roster with reception days (CSV/XLSX): name, title, unit_code,
    level (county/township), weekday (1–7, 周一…). Rejected rows go to FILE.rejects.csv;
    exits 0 when every row landed, 1 otherwise."""
    from ingest.leaders import ImportFileError, import_leaders

    try:
        s = import_leaders(file, username=_actor())
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    finish_import("leaders", s)


@click.command("reception-days")
@click.option("--month", required=True, metavar="YYYY-MM")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD")
@click.option("--unit", default=None, metavar="CODE", help="Narrow to a county.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--out", default=None, type=click.Path(dir_okay=False),
              help="Write the XLSX file here (audited); without it, print a table.")
def reception_days_cmd(month: str, as_of: str | None, unit: str | None, lang: str,
                       out: str | None) -> None:
    """County leaders' receptions against their reception day (领导接访日) for a month."""
    from briefing.reception_days import table_rows, workbook
    from queries import audit
    from queries.accountability import reception_day_totals, reception_days
    from queries.db import admin_engine
    from queries.filters import Period
    from queries.scope import Scope
    from settings import get_settings

    try:
        period = Period.parse_month(month)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    when = _date(as_of, "--as-of")
    unit = _unit(unit)
    frame = reception_days(Scope.region(), period, when, unit)
    totals = reception_day_totals(frame)
    if out is None:
        for row in table_rows(frame, lang):
            click.echo("  ".join(str(v) for v in row[:12]))
        click.echo(json.dumps(totals, ensure_ascii=False))
        return
    data = workbook(frame, totals, period, when, lang, unit or get_settings().region_name)
    with open(out, "wb") as fh:
        fh.write(data)
    with admin_engine().begin() as conn:
        audit.record("export", f"reception-days {month} {unit or 'region'}",
                     {"format": "xlsx", "month": month, "unit": unit, "bytes": len(data)},
                     user=_actor(), conn=conn)
    click.echo(f"reception days {month} ({unit or 'region'}): {out}")


COMMANDS = [import_accountability_cmd, agenda_cmd, ranking_cmd, import_leaders_cmd,
            reception_days_cmd]
