"""Calendars' use cases: validate and save a calendar, its public holidays (the `holidays` package)
and custom closed days, its open spans in `calendar_spans`, and the compiled BusinessClock a
process keeps per (calendar id, version). Nothing here commits: the caller's use case does
(complaints.sla_admin recomputes the open complaints' due dates in the same transaction)."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import delete, insert, select, update

from calendars.business_time import _  # a CalendarError with a translatable message
from calendars.business_time import (EPOCH, BusinessClock, CalendarError, WeeklyHours, check_holiday_country,
                                     check_timezone, compile_calendar, holiday_dates, normalise_hours, parse_hours)
from calendars.models import Calendar, CalendarSpan, ClosedDay
from extensions import db

# The years calendar_spans covers around "now": complaints filed up to YEARS_BACK years ago
# (older open ones count from the range's start), due dates up to YEARS_AHEAD years ahead.
YEARS_BACK = 2
YEARS_AHEAD = 4
DEFAULT_NAME = "Default"

_CLOCKS: dict[tuple[int, int], BusinessClock] = {}


def closed_dates(calendar: Calendar) -> set[date]:
    days = set(holiday_dates(calendar.holiday_country, calendar.holiday_region,
                             calendar.first_year - 1, calendar.last_year + 1))
    days.update(closed.day for closed in calendar.closed_days)
    return days


def weekly_hours(calendar: Calendar) -> WeeklyHours:
    return normalise_hours(calendar.hours or {})


def default_calendar() -> Calendar | None:
    return db.session.scalar(select(Calendar).where(Calendar.is_default.is_(True)))


def all_calendars() -> list[Calendar]:
    return list(db.session.scalars(select(Calendar).order_by(Calendar.is_default.desc(), Calendar.name)))


def save_calendar(*, name: str, timezone: str, hours: str | WeeklyHours, holiday_country: str | None = None,
                  holiday_region: str | None = None, is_default: bool = False, calendar_id: int | None = None,
                  now: datetime) -> Calendar:
    """Create or update a calendar and rewrite its spans. CalendarError (a message naming the
    problem) for a bad time zone, day, hour, country or region."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise _("a calendar needs a name of at most 100 characters")
    check_timezone(timezone)
    weekly = parse_hours(hours) if isinstance(hours, str) else normalise_hours(hours)
    if not weekly:
        raise _("a calendar needs opening hours on at least one day")
    country, region = check_holiday_country(holiday_country, holiday_region)
    clash = db.session.scalar(select(Calendar.id).where(Calendar.name == name, Calendar.id != (calendar_id or 0)))
    if clash is not None:
        raise _("another calendar is called '%(name)s'", name=name)
    calendar = db.session.get(Calendar, calendar_id) if calendar_id else None
    if calendar_id and calendar is None:
        raise _("no such calendar")
    if is_default:
        db.session.execute(update(Calendar).where(Calendar.is_default.is_(True), Calendar.id != (calendar_id or 0))
                           .values(is_default=False))
    if calendar is None:
        calendar = Calendar(version=0)
        db.session.add(calendar)
    calendar.name, calendar.timezone = name, timezone.strip()
    calendar.hours = {str(day): [list(i) for i in intervals] for day, intervals in weekly.items()}
    calendar.holiday_country, calendar.holiday_region = country, region
    calendar.is_default = bool(is_default) or bool(calendar.is_default)
    rebuild_spans(calendar, now=now)
    return calendar


def add_closed_day(calendar: Calendar, day: date, name: str, *, now: datetime) -> ClosedDay:
    if any(closed.day == day for closed in calendar.closed_days):
        raise _("%(date)s is already a closed day", date=day.isoformat())
    closed = ClosedDay(day=day, name=(name or "").strip()[:200])
    calendar.closed_days.append(closed)
    rebuild_spans(calendar, now=now)
    return closed


def remove_closed_day(calendar: Calendar, closed_day_id: int, *, now: datetime) -> None:
    calendar.closed_days = [c for c in calendar.closed_days if c.id != closed_day_id]
    rebuild_spans(calendar, now=now)


def rebuild_spans(calendar: Calendar, *, now: datetime, first_year: int | None = None) -> int:
    """Rewrite the calendar's open spans for YEARS_BACK before `now` to YEARS_AHEAD after (or
    from `first_year`), bump its version. Returns the number of spans."""
    calendar.first_year = min(first_year or now.year - YEARS_BACK, now.year - YEARS_BACK)
    calendar.last_year = now.year + YEARS_AHEAD
    # A random new version, not a counter: a process's cached clock must never be taken for the
    # spans of another calendar that reused an id (a database emptied and refilled).
    old, calendar.version = calendar.version, secrets.randbelow(2**31 - 2) + 1
    if calendar.version == old:
        calendar.version = old % (2**31 - 2) + 1
    calendar.updated_at = now
    db.session.flush()
    clock = compile_calendar(calendar.timezone, weekly_hours(calendar), closed_dates(calendar),
                             calendar.first_year, calendar.last_year)
    db.session.execute(delete(CalendarSpan).where(CalendarSpan.calendar_id == calendar.id))
    rows = [{"calendar_id": calendar.id, "starts_at": EPOCH + timedelta(seconds=a),
             "ends_at": EPOCH + timedelta(seconds=b), "before_seconds": before, "after_seconds": after}
            for a, b, before, after in zip(clock.starts, clock.ends, clock.before, clock.after)]
    if rows:
        db.session.execute(insert(CalendarSpan), rows)
    _CLOCKS[(calendar.id, calendar.version)] = clock
    return len(rows)


def clock(calendar_id: int, version: int, connection=None) -> BusinessClock:
    """The compiled calendar, from calendar_spans (what SQL counts with too), cached per version."""
    key = (calendar_id, version)
    found = _CLOCKS.get(key)
    if found is None:
        query = (select(CalendarSpan.starts_at, CalendarSpan.ends_at, CalendarSpan.before_seconds,
                        CalendarSpan.after_seconds)
                 .where(CalendarSpan.calendar_id == calendar_id).order_by(CalendarSpan.starts_at))
        rows = (connection or db.session).execute(query).all()
        found = BusinessClock([(r[0] - EPOCH).total_seconds() for r in rows],
                              [(r[1] - EPOCH).total_seconds() for r in rows],
                              [r[2] for r in rows], [r[3] for r in rows])
        if len(_CLOCKS) > 64:
            _CLOCKS.clear()
        _CLOCKS[key] = found
    return found


def clock_of(calendar: Calendar | None) -> BusinessClock | None:
    return clock(calendar.id, calendar.version) if calendar is not None else None


def extend_calendars(now: datetime) -> int:
    """Keep every calendar's spans YEARS_AHEAD - 1 years ahead of `now` (a scheduled job)."""
    count = 0
    for calendar in db.session.scalars(select(Calendar).where(Calendar.last_year < now.year + YEARS_AHEAD - 1)):
        rebuild_spans(calendar, now=now, first_year=calendar.first_year)
        count += 1
    return count
