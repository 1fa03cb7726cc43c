"""`flask staff create …`, `flask staff token EMAIL`, `flask staff revoke-tokens EMAIL`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from platform_support.clock import utcnow
from platform_support.database import write_intent
from platform_support.errors import ServiceError
from staff import services, tokens
from staff.models import ROLES, TOKEN_SCOPES

staff_cli = AppGroup("staff", help="Staff accounts.")


@staff_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="agent", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create(email: str, name: str, role: str, password: str) -> None:
    """Add a staff account."""
    try:
        with write_intent():  # SQLite: take the write lock at BEGIN (CLI runs beside the server)
            user = services.create_staff(email=email, name=name, role=role, password=password)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"created {user.role} {user.email}")


@staff_cli.command("token")
@click.argument("email")
@click.option("--name", "--label", "name", default="cli", show_default=True, help="What the token is for.")
@click.option("--scope", type=click.Choice(TOKEN_SCOPES), default="write", show_default=True,
              help="read: GET only; write: everything the account may do.")
@click.option("--expires-days", type=click.IntRange(1, tokens.MAX_EXPIRY_DAYS), default=None,
              help="Stops working after this many days (default: never).")
def token(email: str, name: str, scope: str, expires_days: int | None) -> None:
    """Print a new API token for that account (shown once; stored hashed)."""
    now = utcnow()
    try:
        with write_intent():
            user = services.staff_by_email(email)
            if user is None or not user.active:
                raise click.ClickException(f"no active staff account {email}")
            click.echo(tokens.issue_api_token(user, name=name, scope=scope, now=now,
                                              expires_at=tokens.expiry_after(expires_days, now=now)))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None


@staff_cli.command("revoke-tokens")
@click.argument("email")
def revoke_tokens(email: str) -> None:
    """End every API token of that account at once (the next request with any of them gets 401)."""
    with write_intent():
        user = services.staff_by_email(email)
        if user is None:
            raise click.ClickException(f"no staff account {email}")
        address = user.email  # read before the commit: no new read transaction after it
        count = tokens.revoke_all_tokens(user, now=utcnow())
    click.echo(f"revoked {count} token{'s' if count != 1 else ''} of {address}")
