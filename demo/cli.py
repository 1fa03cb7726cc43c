"""`flask --app wsgi demo seed [--now ISO] [--seed N] [--customers N]`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from platform_support.clock import cli_now
from platform_support.database import write_intent
from platform_support.errors import ServiceError

demo_cli = AppGroup("demo", help="Demo data for a first look.")


@demo_cli.command("seed")
@click.option("--now", "now_text", default=None, help="ISO-8601 moment the 18 months end at (default: now).")
@click.option("--seed", default=2027, show_default=True, help="Random seed: the same seed gives the same data.")
@click.option("--customers", default=600, show_default=True, type=click.IntRange(20, 100000))
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when the database already has data.")
def seed_command(now_text: str | None, seed: int, customers: int, if_empty: bool) -> None:
    """Fill an EMPTY database with 18 months of realistic demo data."""
    from demo.seed import database_is_empty, seed_demo

    if if_empty and not database_is_empty():
        click.echo("the database already has data: no demo data loaded")
        return

    now = cli_now(now_text)
    try:
        with write_intent():
            summary = seed_demo(now=now, seed=seed, customers=customers)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"demo data: {summary.organisations} organisations, {summary.customers} customers, "
               f"{summary.orders} orders, {summary.complaints} complaints ({summary.events} events), "
               f"{summary.survey_responses} survey responses, {summary.transitions} segment transitions, "
               f"{summary.alerts} trend alerts")
    for email, role, password in summary.staff:
        click.echo(f"  staff login ({role}): {email} / {password}")
