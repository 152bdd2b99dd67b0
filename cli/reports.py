"""Commands: reports — ``kpi`` (DESIGN §4, §9).

``flask --app app kpi --month 2026-10 [--unit 430626] [--as-of 2026-11-03] --json`` prints the
KPIs of DESIGN §4 for the month, computed by ``queries.kpi.compute_kpis`` — the function the
dashboard's KPI cards call — over the whole region (or the unit), as of the date.
"""

from __future__ import annotations

import datetime as dt
import json

import click


def _today() -> dt.date:
    from dashboard.state import today

    return today()


@click.command("kpi")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month P.")
@click.option("--unit", default=None, metavar="CODE",
              help="County (6), township (9) or village (12 digits) code; default the region.")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="Reference date; only clocks due by then count. Default: today.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (keys as in DESIGN §4).")
def kpi(month: str, unit: str | None, as_of: str | None, as_json: bool) -> None:
    """KPIs of DESIGN §4 for a month, a unit and an as-of date."""
    from domain.codes import is_region_code
    from queries.db import app_connection
    from queries.filters import MatterFilter, Period
    from queries.kpi import KPI_KEYS, compute_kpis
    from queries.scope import InvalidCode, Scope, unknown_units, validate_unit_code
    from settings import get_settings

    try:
        period = Period.parse_month(month)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    try:
        day = dt.date.fromisoformat(as_of) if as_of else _today()
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {as_of!r}",
                                 param_hint="--as-of") from None
    flt = MatterFilter()
    if unit:
        try:
            unit = validate_unit_code(unit.strip())
        except InvalidCode as exc:
            raise click.BadParameter(str(exc), param_hint="--unit") from None
        if not is_region_code(unit):
            with app_connection() as conn:
                if unknown_units(conn, [unit]):
                    raise click.BadParameter(f"unknown unit code {unit} / 未知区划代码",
                                             param_hint="--unit")
            flt = MatterFilter(unit=unit)
    scope = Scope.region()
    rules = get_settings().clock_rules()
    from queries.rule_state import rules_current

    if not rules_current(rules):
        raise click.ClickException(
            "数据正在按新规则重新计算：请先运行 refresh-summaries / the stored due dates follow "
            "other rules: run refresh-summaries first (DESIGN §3)")
    result = compute_kpis(scope, period, day, flt, rules)
    out = {"month": month, "unit": unit or get_settings().region_code,
           "as_of": day.isoformat(), **{k: result[k] for k in KPI_KEYS},
           "irregular_by_level": result["irregular_by_level"], "counts": result["counts"]}
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    from domain.measures import KPIS

    click.echo(f"{month}  {out['unit']}  as of {out['as_of']}")
    for k in KPIS:
        value = result[k.key]
        shown = "—" if value is None else (f"{value * 100:.1f} %" if k.kind == "rate"
                                           else f"{value:,}")
        click.echo(f"  {k.zh} / {k.en}: {shown}")


COMMANDS = [kpi]
