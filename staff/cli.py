"""`flask staff create …`, `flask staff token EMAIL`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from platform_support.database import write_intent
from platform_support.errors import ServiceError
from staff import services
from staff.models import ROLES

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
@click.option("--label", default="cli")
def token(email: str, label: str) -> None:
    """Print a new API token for that account (shown once; stored hashed)."""
    with write_intent():
        user = services.staff_by_email(email)
        if user is None or not user.active:
            raise click.ClickException(f"no active staff account {email}")
        click.echo(services.issue_api_token(user, label=label))
