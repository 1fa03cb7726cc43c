"""Seasonal greetings (seed 002, issue 18): New Year for everyone, and Christmas and Easter on the
days the customer's country keeps them, from the `holidays` package — Polish and Czech Christmas
Eve, Romanian and Moldovan Orthodox Easter, Russian Christmas on 7 January, Czech Easter Monday.

Which holidays: only these three. A country's other public holidays (Labour Day, national days,
"observed" substitutes) get no greeting — a message on every day off would be the intrusion seed
002 warns against. A country the package does not know, or that keeps neither, gets New Year only.

Whose country: the file's own (ISO 3166 alpha-2), else its language's (customers.countries:
pl → PL, cs → CZ, ro → RO), else DEFAULT_COUNTRY, else none (New Year only).

When: on the holiday or up to HOLIDAY_GREETING_LEAD_DAYS days before it, in the customer's time
zone, at the first run inside their contact hours and preferred days — so a holiday on a Sunday is
greeted on Friday for someone who wants no weekend mail. Everything else (opt-outs, the monthly
cap, phone customers as a task for the account owner, one decision per customer, occasion and
year) is `customers.greetings.send_greetings`, which calls `holidays_due` in the same pass.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import holidays
import sqlalchemy as sa

from customers.contact_policy import customer_zone, not_for_campaigns
from customers.countries import greeting_country
from customers.models import Customer, Greeting
from extensions import db

HOLIDAY_OCCASIONS = ("new_year", "christmas", "easter")
# Matched on the package's English names (language="en_US"): the first holiday of the year whose
# name starts so. "Christmas Day (observed)" and Slovakia's "Epiphany (… Orthodox Christmas)" do not.
_NAME_STARTS = (("christmas", "Christmas"), ("easter", "Easter"))


@lru_cache(maxsize=2048)
def holiday_days(country: str | None, year: int) -> dict[str, date]:
    """occasion → its date in `year` for `country` (None: New Year only)."""
    days = {"new_year": date(year, 1, 1)}
    if not country:
        return days
    try:
        found = holidays.country_holidays(country, years=year, language="en_US")
    except NotImplementedError:  # a country the package does not cover
        return days
    for day, names in sorted(found.items()):
        for name in names.split("; "):
            if "observed" in name:
                continue
            for occasion, start in _NAME_STARTS:
                if occasion not in days and name.startswith(start):
                    days[occasion] = day
    return days


def due_holidays(country: str | None, local_today: date, lead_days: int) -> list[tuple[str, date]]:
    """The (occasion, holiday date) whose greeting window [date − lead_days, date] holds `local_today`."""
    out = []
    for year in (local_today.year, local_today.year + 1):  # New Year is greeted in the December before
        for occasion, day in holiday_days(country, year).items():
            if day - timedelta(days=lead_days) <= local_today <= day:
                out.append((occasion, day))
    return out


def _live():
    """Files we may greet: not erased, not dead or disqualified (contact_policy.not_for_campaigns),
    and reachable — an address for e-mail, or a channel a person uses (the account owner's task)."""
    reachable = sa.or_(Customer.preferred_channel != "email",
                       sa.and_(Customer.email.is_not(None), Customer.email != ""))
    return sa.and_(Customer.erased_at.is_(None), ~not_for_campaigns(), reachable)


def holidays_due(now: datetime, *, lead_days: int, default_country: str = "") -> list[tuple[Customer, str, date]]:
    """(customer, occasion, holiday date) for every file whose greeting window is open today in its own
    time zone and that has no decision for that occasion and year yet. One grouped query for the
    (country, language) pairs, then one query per holiday date that is near for some of them."""
    utc_days = [now.date() + timedelta(days=offset) for offset in (-1, 0, 1)]  # UTC−12 … UTC+14
    pairs = db.session.execute(sa.select(Customer.country, Customer.language).where(_live()).distinct()).all()
    near: dict[tuple[str, date], set[tuple[str | None, str]]] = {}
    for country, language in pairs:
        effective = greeting_country(country, language, default_country)
        for day in utc_days:
            for occasion, holiday in due_holidays(effective, day, lead_days):
                near.setdefault((occasion, holiday), set()).add((country, language))
    found: list[tuple[Customer, str, date]] = []
    for (occasion, holiday), keys in sorted(near.items()):
        of_pairs = sa.or_(*[sa.and_(Customer.country.is_(None) if country is None else Customer.country == country,
                                    Customer.language == language) for country, language in sorted(
                                        keys, key=lambda k: (k[0] or "", k[1]))])
        decided = sa.exists().where(Greeting.customer_id == Customer.id, Greeting.occasion == occasion,
                                    Greeting.year == holiday.year)
        query = sa.select(Customer).where(_live(), of_pairs, ~decided).order_by(Customer.id)
        for customer in db.session.scalars(query):
            local_today = now.replace(tzinfo=timezone.utc).astimezone(customer_zone(customer.timezone)).date()
            effective = greeting_country(customer.country, customer.language, default_country)
            if (occasion, holiday) in due_holidays(effective, local_today, lead_days):
                found.append((customer, occasion, holiday))
    return found
