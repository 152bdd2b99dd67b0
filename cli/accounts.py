"""Commands: accounts and wall-screen devices (DESIGN §9, issue 4).

They run as the owner role (``ADMIN_DATABASE_URL``) and write an audit row in the same
transaction as the change, attributed to ``cli:<OS user>``.
"""

from __future__ import annotations

import getpass
import sys

import click

from queries import audit
from queries.db import admin_engine
from queries.scope import ROLES
from queries.users import (
    AccountError,
    create_wall_token,
    list_wall_tokens,
    revoke_wall_tokens,
    unlock_user,
    update_user,
)
from queries.users import create_user as _create_user
from settings import get_settings


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in a container
        return "cli"


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    return click.prompt("Password / 密码", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--unit", "units", multiple=True,
              help="Admin unit code (county, township, 430600 = city) or department code; "
                   "repeat for several.")
@click.option("--display-name", default=None)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(name, role, units, display_name, lang, password_stdin):
    """Create a user whose password is stored as an argon2id hash."""
    password = _read_password(password_stdin)
    try:
        with admin_engine().begin() as conn:
            account = _create_user(conn, name, password, role, units, display_name, lang)
            audit.record_owner("user_create", account.username,
                               {"role": role, "units": list(units)}, actor=_actor(), conn=conn)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {account.username} ({account.role}"
               f"{': ' + ', '.join(units) if units else ''})")


@click.command("update-user")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default=None)
@click.option("--unit", "units", multiple=True, help="Replace the user's units.")
@click.option("--disable/--enable", "disable", default=None)
@click.option("--password-stdin", is_flag=True, help="Set a new password read from stdin.")
def update_user_cmd(name, role, units, disable, password_stdin):
    """Change a user's role, units, password or whether they may log in."""
    password = _read_password(True) if password_stdin else None
    try:
        with admin_engine().begin() as conn:
            account, changes = update_user(
                conn, name, role=role, units=list(units) if units else None,
                active=None if disable is None else not disable, password=password)
            if changes:
                audit.record_owner("role_change" if "role" in changes or "units" in changes
                                   else "user_update", account.username, changes,
                                   actor=_actor(), conn=conn)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"updated {account.username}: {', '.join(changes) or 'nothing changed'}")


@click.command("unlock-user")
@click.argument("name")
def unlock_user_cmd(name):
    """End a login lock-out now (the per-address limit is not touched)."""
    with admin_engine().begin() as conn:
        if not unlock_user(conn, name):
            raise click.ClickException(f"no user {name!r}")
        audit.record_owner("user_unlock", name, None, actor=_actor(), conn=conn)
    click.echo(f"unlocked {name}")


@click.command("wall-token")
@click.option("--name", required=True, help="Device name, e.g. 'conference-room-1'.")
@click.option("--unit", default=None, help="Unit code the wall shows (default: the region).")
def wall_token(name, unit):
    """Print a wall-screen URL carrying a new revocable device token (shown once)."""
    try:
        with admin_engine().begin() as conn:
            token_id, token = create_wall_token(conn, name, unit)
            audit.record_owner("wall_token_create", f"wall:{name}",
                               {"device_id": token_id, "unit": unit}, actor=_actor(),
                               conn=conn)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{get_settings().public_url.rstrip('/')}/wall?token={token}")


@click.command("revoke-wall-token")
@click.option("--name", default=None, help="Revoke every token of this device.")
@click.option("--id", "token_id", type=int, default=None, help="Revoke one token by id.")
def revoke_wall_token(name, token_id):
    """Revoke wall-screen tokens: the devices are logged out at their next request."""
    try:
        with admin_engine().begin() as conn:
            count = revoke_wall_tokens(conn, name=name, token_id=token_id)
            audit.record_owner("wall_token_revoke",
                               f"wall:{name}" if name else f"device:{token_id}",
                               {"revoked": count}, actor=_actor(), conn=conn)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    if not count:
        raise click.ClickException("no active token matched")
    click.echo(f"revoked {count} token(s)")


@click.command("list-wall-tokens")
def list_wall_tokens_cmd():
    """List wall-screen devices (never the tokens themselves)."""
    with admin_engine().connect() as conn:
        for row in list_wall_tokens(conn):
            state = "revoked" if row["revoked_at"] else "active"
            click.echo(f"{row['id']}\t{row['name']}\t{row['scope_code'] or '-'}\t{state}\t"
                       f"last seen {row['last_seen_at'] or '-'}")


COMMANDS = [create_user, update_user_cmd, unlock_user_cmd, wall_token, revoke_wall_token,
            list_wall_tokens_cmd]
