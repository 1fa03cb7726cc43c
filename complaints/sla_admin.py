"""Business-hours administration (issue 17): calendars, closed days, escalation levels. Every
calendar change recomputes the due dates of the open complaints it counts for, in the same
transaction (complaints.sla.recompute_open_due_dates), and commits once."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from calendars import services as calendar_services
from calendars.business_time import CalendarError
from calendars.models import Calendar
from complaints.models import ESCALATION_RECIPIENTS, SlaEscalationLevel
from complaints.sla import recompute_open_due_dates
from extensions import db
from platform_support.errors import NotFound, ServiceError

DEFAULT_LEVELS = ((1, "owner", 0), (2, "team_lead", 4 * 60), (3, "managers", 8 * 60))


def translated(exc: CalendarError) -> str:
    """The calendar module's message in the reader's language."""
    return _(exc.template, **exc.params)


def _refused(exc: CalendarError, field: str) -> ServiceError:
    message = translated(exc)
    return ServiceError(message, {field: [message]})


def save_calendar(*, name: str, timezone: str, hours: str, holiday_country: str | None = None,
                  holiday_region: str | None = None, is_default: bool = False, calendar_id: int | None = None,
                  now: datetime) -> tuple[Calendar, int]:
    """Create or update a calendar; returns it and how many open complaints' due dates moved.
    ServiceError (per-field message) for a bad time zone, day, hour, country or region."""
    from calendars.business_time import check_holiday_country, check_timezone, parse_hours

    for field, check in (("timezone", lambda: check_timezone(timezone)), ("hours", lambda: parse_hours(hours)),
                         ("holiday_country", lambda: check_holiday_country(holiday_country, holiday_region))):
        try:
            check()
        except CalendarError as exc:
            db.session.rollback()
            raise _refused(exc, field) from None
    try:
        calendar = calendar_services.save_calendar(
            name=name, timezone=timezone, hours=hours, holiday_country=holiday_country,
            holiday_region=holiday_region, is_default=is_default, calendar_id=calendar_id, now=now)
    except CalendarError as exc:
        db.session.rollback()
        raise _refused(exc, "name") from None
    moved = recompute_open_due_dates(None if is_default else [calendar.id])
    db.session.commit()
    return calendar, moved


def save_default_calendar(*, timezone: str, hours: str, holiday_country: str | None = None,
                          holiday_region: str | None = None, now: datetime) -> tuple[Calendar, int]:
    """`flask sla calendar`: the default calendar, created or changed."""
    current = calendar_services.default_calendar()
    return save_calendar(name=current.name if current else calendar_services.DEFAULT_NAME, timezone=timezone,
                         hours=hours, holiday_country=holiday_country, holiday_region=holiday_region,
                         is_default=True, calendar_id=current.id if current else None, now=now)


def get_calendar(calendar_id: int) -> Calendar:
    calendar = db.session.get(Calendar, calendar_id)
    if calendar is None:
        raise NotFound(_("No such calendar."))
    return calendar


def add_closed_day(calendar_id: int, day: date | None, name: str, *, now: datetime) -> int:
    if day is None:
        raise ServiceError(_("Enter a date."), {"day": [_("Enter a date.")]})
    calendar = get_calendar(calendar_id)
    try:
        calendar_services.add_closed_day(calendar, day, name, now=now)
    except CalendarError:
        db.session.rollback()
        raise ServiceError(_("This day is already closed."), {"day": [_("This day is already closed.")]}) from None
    moved = recompute_open_due_dates([calendar.id])
    db.session.commit()
    return moved


def remove_closed_day(calendar_id: int, closed_day_id: int, *, now: datetime) -> int:
    calendar = get_calendar(calendar_id)
    calendar_services.remove_closed_day(calendar, closed_day_id, now=now)
    moved = recompute_open_due_dates([calendar.id])
    db.session.commit()
    return moved



def escalation_levels() -> list[tuple[int, str, int]]:
    rows = list(db.session.scalars(select(SlaEscalationLevel).order_by(SlaEscalationLevel.level)))
    if not rows:
        return list(DEFAULT_LEVELS)
    return [(row.level, row.recipient, row.delay_minutes) for row in rows]


def save_escalation_levels(levels: list[tuple[str, int]]) -> None:
    """[(recipient, delay in business minutes after the due date), …] for levels 1, 2, 3…; delays
    must not decrease."""
    if not levels:
        raise ServiceError(_("Keep at least one escalation level."))
    previous = 0
    for recipient, delay in levels:
        if recipient not in ESCALATION_RECIPIENTS:
            raise ServiceError(_("Choose who is told."), {"recipient": [_("Choose who is told.")]})
        if delay is None or delay < previous or delay > 60 * 24 * 30:
            raise ServiceError(_("Each level's delay must be at least the previous one's (and at most 30 days)."),
                               {"delay": [_("Each level's delay must be at least the previous one's (and at most 30 days).")]})
        previous = delay
    for row in db.session.scalars(select(SlaEscalationLevel)):
        db.session.delete(row)
    db.session.flush()
    for level, (recipient, delay) in enumerate(levels, start=1):
        db.session.add(SlaEscalationLevel(level=level, recipient=recipient, delay_minutes=delay))
    db.session.commit()


def save_category_targets(category_code: str, priority: str, first_response_hours: int | None,
                          resolution_hours: int | None) -> int:
    """A category's own targets for a priority (None, None: back to the priority's). Recomputes the
    open complaints' due dates; returns how many moved."""
    from complaints.classification import category_by_code
    from complaints.lifecycle import PRIORITIES
    from complaints.models import SlaCategoryTarget

    category = category_by_code((category_code or "").strip())
    if category is None:
        raise ServiceError(_("No such category."), {"category": [_("No such category.")]})
    if priority not in PRIORITIES:
        raise ServiceError(_("Unknown priority."), {"priority": [_("Choose a priority from the list.")]})
    row = db.session.get(SlaCategoryTarget, (category.id, priority))
    if first_response_hours is None and resolution_hours is None:
        if row is not None:
            db.session.delete(row)
    else:
        if not (first_response_hours and resolution_hours and 0 < first_response_hours <= resolution_hours <= 8760):
            raise ServiceError(_("The first response must be due before the resolution."),
                               {"first_response_hours": [_("Must be at least 1 and not more than the resolution time.")]})
        row = row or SlaCategoryTarget(category_id=category.id, priority=priority)
        row.first_response_hours, row.resolution_hours = first_response_hours, resolution_hours
        db.session.add(row)
    moved = recompute_open_due_dates(None, priorities=[priority])
    db.session.commit()
    return moved
