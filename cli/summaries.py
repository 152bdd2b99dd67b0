"""Command: refresh-summaries — rebuild the dashboard's rollup tables (migration 0006)."""

from __future__ import annotations

import click


@click.command("refresh-summaries")
@click.option("--status", "show_status", is_flag=True,
              help="Only print when the summaries were built and whether they are current.")
@click.option("--full", is_flag=True,
              help="Rebuild everything (today every refresh is a full rebuild; when the rules "
                   "changed, due dates and backlog spans are recomputed first either way).")
def refresh_summaries(show_status: bool, full: bool) -> None:
    """Rebuild the summary tables from the matters and submissions.

    The importer runs this after every import; run it after changing matters any other way
    (until then the dashboard reads the raw tables, which is correct but slower), and after
    changing a rule of DESIGN §3 (a limit, the day rule): it recomputes the stored due dates
    and backlog spans, and until it has, pages say the figures are being recomputed.
    """
    from queries.db import admin_engine
    from queries.summaries import status
    from queries.summaries_build import refresh

    if not show_status:
        result = refresh(admin_engine())
        click.echo(f"summaries refreshed in {result['seconds']:.1f} s "
                   f"({sum(result['rows'].values()):,} rows)")
        click.echo("  " + ", ".join(f"{k} {v:.1f} s" for k, v in result["steps"].items()))
    with admin_engine().connect() as conn:
        st = status(conn)
    if not st["built"]:
        click.echo("summaries never built / 汇总表尚未生成")
        raise SystemExit(1)
    state = "current / 最新" if st["current"] else "stale: run refresh-summaries / 已过期"
    click.echo(f"built {st['built_at']:%Y-%m-%d %H:%M:%S} in {st['seconds']:.1f} s; {state}")
    if not st["current"]:
        raise SystemExit(1)


COMMANDS = [refresh_summaries]
