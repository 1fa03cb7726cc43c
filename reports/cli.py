"""`flask reports refresh [--full] [--now]` and `flask reports check-trends [--now]`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from platform_support.clock import cli_now as _now
from platform_support.database import write_intent
from reports.aggregation import refresh_report_aggregates
from reports.alerts import check_trends

reports_cli = AppGroup("reports", help="Dashboard aggregates and trend alerts.")


@reports_cli.command("refresh")
@click.option("--full", is_flag=True, help="Rebuild every day, not only the recent ones.")
@click.option("--now", "now_text", default=None, help="ISO-8601 moment (default: now).")
def refresh_command(full: bool, now_text: str | None) -> None:
    """Refresh the pre-aggregated tables the dashboard reads."""
    with write_intent():
        summary = refresh_report_aggregates(_now(now_text), full=full)
    click.echo(f"refreshed ({'full' if summary.full else 'recent'}): {summary.complaint_rows} complaint rows, "
               f"{summary.histogram_rows} histogram rows, {summary.customer_rows} customers, "
               f"{summary.survey_rows} survey rows")


@reports_cli.command("check-trends")
@click.option("--now", "now_text", default=None, help="ISO-8601 moment (default: now).")
def check_trends_command(now_text: str | None) -> None:
    """Look for negative trends now; raise and e-mail new alerts."""
    with write_intent():
        raised = check_trends(_now(now_text))
    for alert in raised:
        click.echo(f"{alert.kind}: {alert.body}")
    click.echo(f"{len(raised)} new alert(s)")
