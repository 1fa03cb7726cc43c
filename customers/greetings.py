"""Greetings on personal dates (seed 002): birthday, the organisation's founding day, the
anniversary of the first deal — and on the seasonal holidays of the customer's country (New Year,
Christmas, Easter: customers/holiday_greetings.py) — individually addressed, in the customer's
language, on the day in the customer's time zone, inside their contact window, honouring opt-outs,
the preferred channel and the monthly cap on automated messages. One decision per customer,
occasion and year (the unique row in customer_greetings), so a second run or a racing worker
never greets twice.

`send_greetings(now)` is the scheduled job; its e-mails go through `notifications.queue_email`
(customers sits above notifications in the layer order).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from customers.holiday_greetings import holidays_due
from customers.contact_policy import cap_decision, contact_histories, customer_zone, may_send_now, not_for_campaigns
from customers.models import Customer, CustomerScore, CustomerTask, Greeting, Organisation
from extensions import db
from notifications.services import queue_email
from platform_support.database import is_postgresql


@dataclass(frozen=True)
class Due:
    """A greeting whose moment has come: one decision per (customer, occasion, year)."""
    customer: Customer
    occasion: str   # birthday, founding_day, first_deal; new_year, christmas, easter
    year: int       # the occasion's year (New Year 2028 greeted on 31 December 2027 is 2028)
    due_on: date    # the customer's local day of the occasion (a phone task's due date)
    years: int = 0  # anniversaries: how many years


@dataclass
class GreetingRun:
    emailed: int = 0
    tasks: int = 0
    opted_out: int = 0
    capped: int = 0
    waiting: int = 0  # the day has come but not yet the customer's contact hours
    details: list = field(default_factory=list)


def addressed_as(customer: Customer) -> str:
    """The personal form of address: the salutation they gave, else first name + patronymic, else the name."""
    if customer.salutation:
        return customer.salutation
    if customer.patronymic:
        return f"{customer.name.split()[0]} {customer.patronymic}"
    return customer.name


def occasion_day(original: date, year: int) -> date:
    """This year's date of an occasion; 29 February falls on 28 February in other years."""
    if original.month == 2 and original.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return original.replace(year=year)


def _month_day(column):
    return sa.func.to_char(column, "MM-DD") if is_postgresql(db.engine) else sa.func.strftime("%m-%d", column)


def _candidate_month_days(now: datetime) -> list[str]:
    # Somewhere on earth it is yesterday, today or tomorrow (UTC−12 … UTC+14).
    days = [now.date() + timedelta(days=offset) for offset in (-1, 0, 1)]
    month_days = {d.strftime("%m-%d") for d in days}
    if any(d.month == 2 and d.day == 28 and not calendar.isleap(d.year) for d in days):
        month_days.add("02-29")
    return sorted(month_days)


def _candidates(now: datetime) -> list[tuple[Customer, str, date]]:
    """(customer, occasion, original date) for everyone whose occasion is near today — three grouped queries."""
    month_days = _candidate_month_days(now)
    # Disqualified and "dead" customers get no greetings (contact_policy.not_for_campaigns).
    live = sa.and_(Customer.erased_at.is_(None), ~not_for_campaigns())
    found: list[tuple[Customer, str, date]] = []
    for customer in db.session.scalars(sa.select(Customer).where(live, Customer.birthday.is_not(None),
                                                                  _month_day(Customer.birthday).in_(month_days))):
        found.append((customer, "birthday", customer.birthday))
    for customer, founded in db.session.execute(
            sa.select(Customer, Organisation.founded_on).join(Organisation, Organisation.id == Customer.organisation_id)
            .where(live, Organisation.founded_on.is_not(None), _month_day(Organisation.founded_on).in_(month_days))):
        found.append((customer, "founding_day", founded))
    for customer, first in db.session.execute(
            sa.select(Customer, CustomerScore.first_order_on).join(CustomerScore, CustomerScore.customer_id == Customer.id)
            .where(live, CustomerScore.first_order_on.is_not(None),
                   CustomerScore.first_order_on < now.date() - timedelta(days=300),
                   _month_day(CustomerScore.first_order_on).in_(month_days))):
        found.append((customer, "first_deal", first))
    return found


def _record(customer: Customer, occasion: str, year: int, outcome: str, now: datetime) -> bool:
    """Claim the (customer, occasion, year) decision; False when another run already made it."""
    try:
        with db.session.begin_nested():
            db.session.add(Greeting(customer_id=customer.id, occasion=occasion, year=year, outcome=outcome,
                                    created_at=now))
        return True
    except IntegrityError:
        return False


def _personal_due(now: datetime) -> list[Due]:
    due: list[Due] = []
    for customer, occasion, original in _candidates(now):
        local_today = now.replace(tzinfo=timezone.utc).astimezone(customer_zone(customer.timezone)).date()
        if occasion_day(original, local_today.year) != local_today:
            continue
        years = local_today.year - original.year
        if occasion != "birthday" and years < 1:
            continue
        due.append(Due(customer, occasion, local_today.year, local_today, years))
    return due


def send_greetings(now: datetime) -> GreetingRun:
    """The scheduled job: personal dates, then the seasonal holidays (customers/holiday_greetings.py)
    — one pass, so the monthly cap counts both (a birthday on Christmas Eve is one message, not two
    when the cap allows one)."""
    config = current_app.config
    run = GreetingRun()
    due = _personal_due(now) + [
        Due(customer, occasion, day.year, day) for customer, occasion, day in holidays_due(
            now, lead_days=config["HOLIDAY_GREETING_LEAD_DAYS"], default_country=config["DEFAULT_COUNTRY"])]
    if not due:
        return run
    ids = {d.customer.id for d in due}
    done = set(db.session.execute(sa.select(Greeting.customer_id, Greeting.occasion, Greeting.year).where(
        Greeting.customer_id.in_(ids))).tuples())
    histories = contact_histories(db.session, ids, now=now, survey_cap_days=config["SURVEY_CAP_DAYS"])
    sent_now: dict[int, int] = {}
    for item in due:
        customer, occasion = item.customer, item.occasion
        if (customer.id, occasion, item.year) in done:
            continue
        by_email = customer.preferred_channel == "email" and bool(customer.email)
        if customer.greetings_opted_out_at is not None:
            outcome = "opted_out"
        elif by_email and not may_send_now(customer, now):
            run.waiting += 1  # a later run, inside the customer's hours, sends it
            continue
        elif by_email:
            history = histories[customer.id]
            history = type(history)(history.last_survey_invitation_at,
                                    history.automated_in_month + sent_now.get(customer.id, 0),
                                    history.oldest_automated_in_month or (now if sent_now.get(customer.id) else None))
            decision = cap_decision(history, now=now, survey_cap_days=config["SURVEY_CAP_DAYS"],
                                    monthly_cap=config["AUTOMATED_MESSAGES_PER_MONTH"], is_survey_invitation=False)
            outcome = "emailed" if decision.allowed else "capped"
        else:
            outcome = "task"
        if not _record(customer, occasion, item.year, outcome, now):
            continue
        done.add((customer.id, occasion, item.year))
        if outcome == "emailed":
            queue_email(kind=f"greeting_{occasion}", to_address=customer.email, to_name=customer.name,
                        template=f"greeting_{occasion}", language=customer.language, timezone=customer.timezone,
                        dedupe_key=f"greeting:{customer.id}:{occasion}:{item.year}",
                        context={"addressed_as": addressed_as(customer), "years": item.years, "year": item.year,
                                 "organisation": customer.organisation.name if customer.organisation else ""},
                        customer_id=customer.id, now=now)
            sent_now[customer.id] = sent_now.get(customer.id, 0) + 1
            run.emailed += 1
        elif outcome == "task":
            with force_locale(customer.language):
                title = _task_title(occasion, addressed_as(customer), item.years)
            db.session.add(CustomerTask(customer_id=customer.id, owner_id=customer.account_owner_id, title=title[:300],
                                        due_on=item.due_on, created_at=now))
            run.tasks += 1
        elif outcome == "capped":
            run.capped += 1
        else:
            run.opted_out += 1
        run.details.append((customer.id, occasion, outcome))
    db.session.commit()
    return run


def _task_title(occasion: str, name: str, years: int) -> str:
    if occasion == "new_year":
        return _("Greet %(name)s personally: New Year", name=name)
    if occasion == "christmas":
        return _("Greet %(name)s personally: Christmas", name=name)
    if occasion == "easter":
        return _("Greet %(name)s personally: Easter", name=name)
    if occasion == "birthday":
        return _("Greet %(name)s personally: birthday today", name=name)
    if occasion == "founding_day":
        return _("Greet %(name)s personally: their organisation's founding day (%(years)d years)", name=name, years=years)
    return _("Greet %(name)s personally: %(years)d years since our first deal", name=name, years=years)
