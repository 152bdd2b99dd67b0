"""What every import command prints and how it exits (DESIGN §5), written once."""

from __future__ import annotations

import getpass

import click


def username() -> str | None:
    """The operating-system user running the command, for the import run and the audit log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return None


def finish_import(kind: str, summary) -> None:
    """Print warnings and the inserted/updated/unchanged/rejected line; exit 0 only when
    nothing was rejected, 1 otherwise."""
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    line = (f"{kind}: 新增 inserted {summary.inserted}, 更新 updated {summary.updated}, "
            f"未变 unchanged {summary.unchanged}, 拒绝 rejected {summary.rejected}")
    if hasattr(summary, "warned"):
        line += f", 警告 warned {summary.warned}"
    click.echo(line)
    if summary.rejects_path:
        click.echo(f"rejects: {summary.rejects_path}")
    if getattr(summary, "warnings_path", None):
        click.echo(f"warnings: {summary.warnings_path}")
    raise SystemExit(0 if summary.rejected == 0 else 1)
