"""`flask sla calendar|target|show` — business hours from the command line (issue 17)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from calendars import services as calendar_services
from calendars.business_time import CalendarError, check_holiday_country, check_timezone, format_hours, parse_hours
from complaints import admin_services, sla_admin
from complaints.lifecycle import PRIORITIES
from extensions import db
from platform_support.clock import cli_now
from platform_support.database import write_intent
from platform_support.errors import ServiceError

sla_cli = AppGroup("sla", help="Business hours: the default calendar and the SLA targets.")


@sla_cli.command("calendar")
@click.option("--timezone", "zone", required=True, help="IANA time zone, e.g. Europe/Warsaw.")
@click.option("--hours", required=True, help='Opening hours, e.g. "mon-fri 09:00-17:00; sat 10:00-14:00".')
@click.option("--holidays", "country", default=None, help="ISO 3166 country code whose public holidays are closed.")
@click.option("--region", default=None, help="The country's region (subdivision) for regional holidays.")
@click.option("--now", "now_text", default=None, help="ISO-8601 moment (default: now).")
def set_calendar(zone: str, hours: str, country: str | None, region: str | None, now_text: str | None) -> None:
    """Set the default calendar; the open complaints' due dates are recomputed."""
    now = cli_now(now_text)
    for hint, check in (("--timezone", lambda: check_timezone(zone)), ("--hours", lambda: parse_hours(hours)),
                        ("--holidays", lambda: check_holiday_country(country, region))):
        try:
            check()
        except CalendarError as exc:
            raise click.BadParameter(str(exc), param_hint=hint) from None
    try:
        with write_intent():
            calendar, moved = sla_admin.save_default_calendar(timezone=zone, hours=hours, holiday_country=country,
                                                              holiday_region=region, now=now)
    except ServiceError as exc:
        raise click.UsageError(exc.message) from None
    holidays = f", holidays {calendar.holiday_country}" + (f"-{calendar.holiday_region}" if calendar.holiday_region else "")
    click.echo(f"default calendar: {calendar.timezone}, {format_hours(calendar_services.weekly_hours(calendar))}"
               f"{holidays if calendar.holiday_country else ''}; due dates recomputed for {moved} open complaints")


@sla_cli.command("target")
@click.argument("priority", type=click.Choice(PRIORITIES))
@click.option("--first-response", "first", required=True, type=click.IntRange(1, 8760),
              help="Business hours to the first response.")
@click.option("--resolution", required=True, type=click.IntRange(1, 8760), help="Business hours to the resolution.")
@click.option("--category", default=None, help="A category's code: its own targets for this priority.")
def set_target(priority: str, first: int, resolution: int, category: str | None) -> None:
    """Set a priority's targets, in business hours (with --category, that category's own); the open
    complaints of that priority get their due dates recomputed."""
    if first > resolution:
        raise click.BadParameter("the first response must not be due after the resolution",
                                 param_hint="--first-response")
    try:
        with write_intent():
            if category:
                moved = sla_admin.save_category_targets(category, priority, first, resolution)
            else:
                moved = admin_services.save_sla(priority, first, resolution)[1]
    except ServiceError as exc:
        if "category" in exc.fields:
            raise click.BadParameter(exc.message, param_hint="--category") from None
        raise click.UsageError(exc.message) from None
    scope = f" in category {category}" if category else ""
    click.echo(f"{priority}{scope}: first response {first} business hours, resolution {resolution} business hours; "
               f"due dates recomputed for {moved} open complaints")


@sla_cli.command("show")
def show() -> None:
    """The calendars and targets in force."""
    for calendar in calendar_services.all_calendars():
        mark = " (default)" if calendar.is_default and calendar.name.strip().lower() != "default" else ""
        click.echo(f"calendar {calendar.name}{mark}: {calendar.timezone}, "
                   f"{format_hours(calendar_services.weekly_hours(calendar))}, holidays {calendar.holiday_country or '-'}")
    for priority, first, resolution in admin_services.sla_table():
        click.echo(f"target {priority}: first response {first} business hours, resolution {resolution} business hours")
    db.session.rollback()
