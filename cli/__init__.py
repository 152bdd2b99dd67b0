"""The ``flask --app app <command>`` commands of DESIGN §9; each calls into its own package."""

from __future__ import annotations

from flask import Flask

from cli import data


def register_commands(server: Flask) -> None:
    for command in data.COMMANDS:
        server.cli.add_command(command)
