"""Command: ``briefing`` — the monthly briefing (issue 7, DESIGN §9, §10 "the 3rd of each
month").

``flask --app app briefing --month 2026-10 [--unit CODE] --format pdf|docx|xlsx --out PATH``
writes one briefing (``--from 2026-07 --to 2026-12`` or ``--half 2026H2`` instead of
``--month``: a longer period, compared with the previous period of equal length and the same
period last year); ``--all-units DIR`` writes one file per township (inside ``--unit``
when given) plus ``index.csv``, for a monthly cron. ``--user NAME`` generates within that
account's jurisdiction, refusing units outside it exactly as the Briefing page does; without
it the command acts for the whole region, like the other commands. Every file written is an
``export`` row in the audit log.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sys
import time
from pathlib import Path

import click

from briefing.model import FORMATS
from cli.periods import period_options, resolve_period
from tabular import DictCsvWriter


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in a container
        return "cli"


def _caller(username: str | None):
    """(scope, audit user) of the command: an account's, or the whole region's."""
    from queries.scope import Scope, scope_for_user

    if not username:
        return Scope.region(), _actor()
    from queries.db import admin_engine
    from queries.users import get_account

    with admin_engine().connect() as conn:
        account = get_account(conn, username)
    if account is None or not account.active:
        raise click.BadParameter(f"no active account {username!r} / 没有该有效账户",
                                 param_hint="--user")
    return scope_for_user(account), account


def _audit(user, b, fmt: str) -> None:
    from briefing.service import audit_detail, audit_target
    from queries import audit
    from queries.db import admin_engine

    detail = {**audit_detail(b, fmt), "via": _actor()}
    with admin_engine().begin() as conn:
        audit.record_owner("export", audit_target(b), detail,
                           actor=getattr(user, "username", user),
                           role=getattr(user, "role", None), conn=conn)


def _progress(verbose: bool):
    if not verbose:
        return None

    def show(step: str, done: int, total: int) -> None:
        click.echo(f"  {step} {done}/{total}", err=True)
    return show


@click.command("briefing")
@period_options
@click.option("--unit", default=None, metavar="CODE",
              help="County (6 digits) or township (9); default the region. With --all-units:"
                   " the county whose townships to write.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="pdf", show_default=True)
@click.option("--out", default=None, type=click.Path(dir_okay=False),
              help="The file to write.")
@click.option("--all-units", "all_units", default=None, type=click.Path(file_okay=False),
              help="Write one file per township into this folder (created if needed).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Reference date; only clocks due by then count. Default: today.")
@click.option("--user", "username", default=None, metavar="NAME",
              help="Generate within this account's jurisdiction (refused outside it).")
@click.option("--verbose", is_flag=True, help="Print progress to stderr.")
def briefing_cmd(month: str | None, from_month: str | None, to_month: str | None,
                 half: str | None, unit: str | None, fmt: str, out: str | None,
                 all_units: str | None, lang: str, as_of: str | None, username: str | None,
                 verbose: bool) -> None:
    """Write the briefing (PDF, DOCX or XLSX) of the region, a county or a township for a
    month, a range of months (--from/--to) or a half year (--half 2026H2)."""
    from briefing.service import BriefingRefused, parse_month, resolve_unit

    if (out is None) == (all_units is None):
        raise click.UsageError("give exactly one of --out PATH or --all-units DIR / "
                               "须指定 --out 或 --all-units 之一")
    period = resolve_period(month, from_month, to_month, half, parse_month=parse_month)
    if not dt.date(2000, 1, 1) <= period.start <= dt.date(2100, 12, 1):
        raise click.BadParameter("period out of range / 统计期超出范围", param_hint="--half")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {as_of!r}",
                                 param_hint="--as-of") from None
    scope, user = _caller(username)
    from briefing.service import BriefingError

    try:
        code = resolve_unit(scope, unit)
    except BriefingError as exc:
        raise click.BadParameter(str(exc), param_hint="--unit") from None
    except BriefingRefused as exc:
        raise click.ClickException(str(exc)) from None
    try:
        if out is not None:
            _one(scope, user, code, period, fmt, lang, day, Path(out), verbose)
        else:
            _all(scope, user, None if unit is None else code, period, fmt, lang, day,
                 Path(all_units), verbose)
    except BriefingError as exc:
        raise click.ClickException(str(exc)) from None


def _one(scope, user, code, period, fmt, lang, day, out: Path, verbose: bool) -> None:
    from briefing.service import generate

    b = generate(scope, code, period, fmt, lang=lang, as_of=day, progress=_progress(verbose))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b.content)
    _audit(user, b, fmt)
    click.echo(f"briefing {b.request.month_key} {b.request.unit} {b.unit_name}: {out} "
               f"({len(b.content):,} bytes, {b.seconds:.1f} s)")


def _all(scope, user, code, period, fmt, lang, day, folder: Path, verbose: bool) -> None:
    from briefing.service import generate, townships

    units = townships(scope, code)
    if not units:
        raise click.ClickException("no township in the jurisdiction / 辖区内没有乡镇（街道）")
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rows, failed = [], []
    for i, (tcode, name) in enumerate(units, start=1):
        try:
            b = generate(scope, tcode, period, fmt, lang=lang, as_of=day,
                         progress=_progress(verbose))
        except Exception as exc:  # one township's failure must not stop the monthly run
            failed.append(tcode)
            click.echo(f"[{i}/{len(units)}] {tcode} {name}: FAILED {type(exc).__name__}: "
                       f"{str(exc)[:200]}", err=True)
            rows.append({"code": tcode, "name": name, "file": "", "bytes": 0, "seconds": 0,
                         "status": "failed"})
            continue
        path = folder / b.filename
        path.write_bytes(b.content)
        _audit(user, b, fmt)
        rows.append({"code": tcode, "name": name, "file": b.filename, "bytes": len(b.content),
                     "seconds": b.seconds, "status": "ok"})
        click.echo(f"[{i}/{len(units)}] {tcode} {name}: {path.name} ({b.seconds:.1f} s)")
    with open(folder / "index.csv", "w", newline="", encoding="utf-8-sig") as fh:
        writer = DictCsvWriter(fh, fieldnames=["code", "name", "file", "bytes", "seconds",
                                                "status"])
        writer.writeheader()
        writer.writerows(rows)
    total = time.perf_counter() - t0
    click.echo(f"{len(units) - len(failed)} of {len(units)} briefings written to {folder} "
               f"in {total:.1f} s")
    if failed:
        click.echo(f"failed: {', '.join(failed)}", err=True)
        sys.exit(1)


COMMANDS = [briefing_cmd]
