"""`flask root-causes list|add`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from complaints import admin_services
from platform_support.database import write_intent
from platform_support.errors import ServiceError

root_causes_cli = AppGroup("root-causes", help="The admin-managed root-cause list.")


@root_causes_cli.command("list")
def list_root_causes() -> None:
    for root_cause in admin_services.all_root_causes():
        click.echo(f"{root_cause.code}\t{root_cause.name}\t{'active' if root_cause.active else 'inactive'}")


@root_causes_cli.command("add")
@click.argument("code")
@click.argument("name")
def add_root_cause(code: str, name: str) -> None:
    try:
        with write_intent():
            admin_services.save_root_cause(code=code, name=name)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"saved {code}")
