"""When we may contact a customer automatically (seed 002: "do not be intrusive").

Shared by surveys (invitations, reminders) and customer greetings (birthdays, anniversaries).
Two questions, kept apart so each is easy to test:

1. *When* — `next_allowed_send(customer, now)`: the first moment at or after `now` inside the
   customer's preferred days and hours, in their own time zone. Without a preference the window
   is 09:00–18:00 local on any day. Whatever the preference, nothing is sent outside civil hours
   (07:00–22:00 local), so never at 3 a.m.; a preference entirely outside civil hours (or an
   inverted one) falls back to the default window.
2. *How often* — `cap_decision(...)`: (a) at most one survey invitation per `SURVEY_CAP_DAYS`
   and (b) at most `AUTOMATED_MESSAGES_PER_MONTH` automated messages in the last 30 days.

What counts as *automated*: every outbox message whose kind starts with one of
`AUTOMATED_KIND_PREFIXES` ("survey_" — invitations and reminders — and "greeting_"). Replies
about a complaint the customer filed are not automated and are never capped.
What counts as a *survey invitation* for cap (a): outbox kind `survey_invitation` (a reminder
belongs to the invitation it reminds of, so it does not start a new cap period).

3. *Whether at all* — `not_for_campaigns()`: disqualified customers and "dead" ones (category
   `dead`, seed 001: "stop serving") get no surveys and no greetings.

The counting queries are set-based (one GROUP BY for any number of customers) over the outbox
(`notifications.models.OutboxMessage`: customers sits above notifications in the layer order).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from notifications.models import OutboxMessage

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WINDOW = (9, 18)
CIVIL_HOURS = (7, 22)
AUTOMATED_KIND_PREFIXES = ("survey_", "greeting_")
SURVEY_INVITATION_KIND = "survey_invitation"
MONTH_DAYS = 30



# --- when -------------------------------------------------------------------------------------

def customer_zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def preferred_weekdays(preferred_days: str | None) -> set[int]:
    """"mon,wed" → {0, 2}; empty or unreadable → every day."""
    days = {WEEKDAYS.index(part) for part in (p.strip().lower()[:3] for p in (preferred_days or "").split(","))
            if part in WEEKDAYS}
    return days or set(range(7))


def contact_window(hour_start: int | None, hour_end: int | None) -> tuple[int, int]:
    """The local [start, end) hours we may send in: the preference clipped to civil hours."""
    if hour_start is None and hour_end is None:
        return DEFAULT_WINDOW
    start = DEFAULT_WINDOW[0] if hour_start is None else hour_start
    end = DEFAULT_WINDOW[1] if hour_end is None else hour_end
    start, end = max(start, CIVIL_HOURS[0]), min(end, CIVIL_HOURS[1])
    if start >= end:
        return DEFAULT_WINDOW
    return start, end


def _local_moment(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)


def _to_naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def next_allowed_send(customer, now: datetime) -> datetime:
    """First moment ≥ `now` (naive UTC) inside the customer's contact window, as naive UTC.

    `customer` is anything with `timezone`, `preferred_days`, `preferred_hour_start/end`.
    """
    zone = customer_zone(getattr(customer, "timezone", None))
    days = preferred_weekdays(getattr(customer, "preferred_days", ""))
    start_hour, end_hour = contact_window(getattr(customer, "preferred_hour_start", None),
                                          getattr(customer, "preferred_hour_end", None))
    local_now = now.replace(tzinfo=timezone.utc).astimezone(zone)
    for offset in range(8):
        day = local_now.date() + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        opens = _local_moment(day, start_hour, zone)
        closes = _local_moment(day, end_hour, zone)
        if local_now < opens:
            return _to_naive_utc(opens)
        if local_now < closes:
            return now
    raise AssertionError("a week always contains an allowed day")  # pragma: no cover


def may_send_now(customer, now: datetime) -> bool:
    return next_allowed_send(customer, now) == now


# --- how often --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ContactHistory:
    """What the cap needs to know about one customer (see `contact_histories`)."""
    last_survey_invitation_at: datetime | None = None
    automated_in_month: int = 0
    oldest_automated_in_month: datetime | None = None


@dataclass(frozen=True)
class CapDecision:
    allowed: bool
    reason: str = ""            # "survey_cap" | "monthly_cap" | ""
    retry_at: datetime | None = None  # earliest moment the cap lets this message through


def cap_decision(history: ContactHistory, *, now: datetime, survey_cap_days: int, monthly_cap: int,
                 is_survey_invitation: bool = True) -> CapDecision:
    """May one more automated message go to this customer at `now`?"""
    if is_survey_invitation and history.last_survey_invitation_at is not None:
        free_at = history.last_survey_invitation_at + timedelta(days=survey_cap_days)
        if free_at > now:
            return CapDecision(False, "survey_cap", free_at)
    if history.automated_in_month >= monthly_cap:
        oldest = history.oldest_automated_in_month or now
        return CapDecision(False, "monthly_cap", max(oldest + timedelta(days=MONTH_DAYS), now))
    return CapDecision(True)


def _automated_kind():
    return sa.or_(*[OutboxMessage.kind.like(prefix + "%") for prefix in AUTOMATED_KIND_PREFIXES])


def contact_histories(session, customer_ids: Iterable[int], *, now: datetime,
                      survey_cap_days: int) -> dict[int, ContactHistory]:
    """ContactHistory for many customers with two grouped queries (never one per customer)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    month_start = now - timedelta(days=MONTH_DAYS)
    survey_start = now - timedelta(days=survey_cap_days)
    last_survey: dict[int, datetime] = {}
    monthly: dict[int, tuple[int, datetime]] = {}
    for chunk_start in range(0, len(ids), 500):  # keeps the IN list within every driver's limits
        chunk = ids[chunk_start:chunk_start + 500]
        last_survey.update(session.execute(
            sa.select(OutboxMessage.customer_id, sa.func.max(OutboxMessage.created_at))
            .where(OutboxMessage.customer_id.in_(chunk), OutboxMessage.kind == SURVEY_INVITATION_KIND,
                   OutboxMessage.created_at > survey_start, OutboxMessage.created_at <= now)
            .group_by(OutboxMessage.customer_id)).all())
        for customer_id, count, oldest in session.execute(
                sa.select(OutboxMessage.customer_id, sa.func.count(), sa.func.min(OutboxMessage.created_at))
                .where(OutboxMessage.customer_id.in_(chunk), _automated_kind(),
                       OutboxMessage.created_at > month_start, OutboxMessage.created_at <= now)
                .group_by(OutboxMessage.customer_id)):
            monthly[customer_id] = (count, oldest)
    return {
        customer_id: ContactHistory(last_survey.get(customer_id), *monthly.get(customer_id, (0, None)))
        for customer_id in ids
    }


def contact_history(session, customer_id: int, *, now: datetime, survey_cap_days: int) -> ContactHistory:
    return contact_histories(session, [customer_id], now=now, survey_cap_days=survey_cap_days)[customer_id]


def may_contact(session, customer, *, now: datetime, config, is_survey_invitation: bool = False) -> CapDecision:
    """One-customer convenience for greetings: the cap decision with the app's settings."""
    history = contact_history(session, customer.id, now=now, survey_cap_days=config["SURVEY_CAP_DAYS"])
    return cap_decision(history, now=now, survey_cap_days=config["SURVEY_CAP_DAYS"],
                        monthly_cap=config["AUTOMATED_MESSAGES_PER_MONTH"],
                        is_survey_invitation=is_survey_invitation)


def not_for_campaigns():
    """SQL condition on `Customer`: true for a file that gets no surveys and no greetings —
    disqualified by staff, or in the category "dead" at the last recompute."""
    from sqlalchemy.orm import aliased

    from customers.models import Customer, CustomerScore
    score = aliased(CustomerScore)  # its own alias: a query that joins the scores itself stays correct
    dead = sa.exists().where(score.customer_id == Customer.id, score.category == "dead")
    return sa.or_(Customer.disqualified.is_(True), dead)


def campaign_block_reasons(session, customer_ids: Iterable[int]) -> dict[int, str]:
    """customer id → why no survey or greeting goes to them (one query for a batch)."""
    from customers.models import Customer, CustomerScore
    ids = list(set(customer_ids))
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Customer.id, Customer.disqualified, CustomerScore.category)
        .outerjoin(CustomerScore, CustomerScore.customer_id == Customer.id)
        .where(Customer.id.in_(ids), not_for_campaigns()))
    return {cid: "customer disqualified: no surveys or greetings" if disqualified
            else "customer in the category dead: no surveys or greetings" for cid, disqualified, _category in rows}
