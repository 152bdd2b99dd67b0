"""The ``flask --app app <command>`` commands of DESIGN §9; each calls into its own package."""

from __future__ import annotations

from flask import Flask

from cli import (
    accountability,
    accounts,
    briefing,
    data,
    demo,
    geography,
    imports,
    reports,
    stability,
    summaries,
    weekly,
)


def register_commands(server: Flask) -> None:
    for module in (data, geography, imports, demo, accounts, reports, accountability,
                   stability, briefing, summaries, weekly):
        for command in module.COMMANDS:
            server.cli.add_command(command)
