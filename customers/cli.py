"""`flask --app wsgi segments recompute [--now]` and `flask --app wsgi import customers|orders FILE.csv`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from platform_support.clock import cli_now as _now
from platform_support.database import write_intent

segments_cli = AppGroup("segments", help="Scores and segments of the customer base.")
import_cli = AppGroup("import", help="Bulk import from CSV files.")


@segments_cli.command("recompute")
@click.option("--now", "now_text", default=None, help="ISO-8601 moment to compute at (default: now).")
def recompute_command(now_text: str | None) -> None:
    """Recompute scores and segments for all customers (set-based; a few statements in total)."""
    from customers.jobs import announce
    from customers.recompute import STEPS, recompute_all
    from extensions import db
    from platform_support.database import is_postgresql

    now = _now(now_text)
    steps = STEPS["postgresql" if is_postgresql(db.engine) else "portable"]
    with write_intent(), click.progressbar(length=len(steps), label="recomputing", show_pos=True) as bar:
        result = recompute_all(now, current_app.config, progress=lambda name: bar.update(1))
        announce(result, now)
    click.echo(f"{result.customers} customers scored, {result.transitions} segment changes recorded at {now.isoformat()}")
    click.echo("seconds per step: " + ", ".join(f"{k} {v}" for k, v in result.seconds_by_step.items()))


def _import(kind: str, file: str, rejected: str | None, now_text: str | None) -> None:
    from customers.imports import count_rows, import_file

    path = Path(file)
    now = _now(now_text)
    total = count_rows(path)
    with write_intent(), click.progressbar(length=total, label=f"importing {kind}", show_pos=True) as bar:
        try:
            summary = import_file(kind, path, now=now, rejected_path=Path(rejected) if rejected else None,
                                  on_progress=bar.update)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"file read as {summary.encoding}, separated by {summary.separator}")
    click.echo(f"read {summary.read}, inserted {summary.inserted}, updated {summary.updated}, "
               f"rejected {summary.rejected}")
    if summary.rejected_path:
        click.echo(f"rejected rows with reasons: {summary.rejected_path}")


@import_cli.command("customers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--rejected", default=None, help="Where to write refused rows (default: FILE.rejected.csv).")
@click.option("--now", "now_text", default=None)
def import_customers(file: str, rejected: str | None, now_text: str | None) -> None:
    """Customers: external_id,name,email,organisation,language,timezone,birthday,phone,preferred_channel,…"""
    _import("customers", file, rejected, now_text)


@import_cli.command("orders")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--rejected", default=None, help="Where to write refused rows (default: FILE.rejected.csv).")
@click.option("--now", "now_text", default=None)
def import_orders(file: str, rejected: str | None, now_text: str | None) -> None:
    """Orders: customer,ordered_on,amount,currency,due_on,paid_on,reference (customer = external id)."""
    _import("orders", file, rejected, now_text)
