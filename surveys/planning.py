"""Which survey invitations exist and when they are due (rows; the dispatcher sends them).

- After a complaint is resolved: one invitation due SURVEY_DELAY_HOURS later (shifted into the
  customer's contact window); cancelled if the complaint is reopened before it goes out.
- Relationship survey: every active customer once per period (RELATIONSHIP_SURVEY_PERIOD_DAYS),
  at a moment spread evenly over the period by a hash of the customer id, so a large customer
  base is not all asked on one day.
Dedupe keys make a trigger that fires twice (or two workers) create one row.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from customers.contact_policy import campaign_block_reasons, next_allowed_send, not_for_campaigns
from customers.models import Customer
from extensions import db
from surveys.models import Survey, SurveyInvitation

# Periods are counted from a fixed Monday so every worker computes the same period number.
PERIOD_EPOCH = datetime(2000, 1, 3)
_GOLDEN = 2654435761  # Knuth's multiplicative hash: consecutive ids land far apart in the period


def active_survey(kind: str) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.kind == kind, Survey.active.is_(True)).order_by(Survey.id))


# --- after a complaint -------------------------------------------------------------------------

def schedule_after_resolution(complaint, *, now: datetime) -> SurveyInvitation | None:
    """Runs inside the resolve transaction (signal receiver); no commit here."""
    survey = active_survey("complaint")
    customer = complaint.customer
    if survey is None or customer is None:
        return None
    key = f"complaint:{complaint.id}:{complaint.reopened_count}"
    if db.session.scalar(select(SurveyInvitation.id).where(SurveyInvitation.dedupe_key == key)) is not None:
        return None
    due = now + timedelta(hours=current_app.config["SURVEY_DELAY_HOURS"])
    invitation = SurveyInvitation(dedupe_key=key, survey_id=survey.id, customer_id=customer.id,
                                  complaint_id=complaint.id, kind="complaint", status="scheduled",
                                  due_at=next_allowed_send(customer, due), created_at=now)
    if customer.surveys_opted_out_at is not None or customer.erased_at is not None:
        invitation.status, invitation.status_reason = "opted_out", "customer opted out of surveys"
    elif (blocked := campaign_block_reasons(db.session, [customer.id])):
        invitation.status, invitation.status_reason = "cancelled", blocked[customer.id]
    try:
        with db.session.begin_nested():
            db.session.add(invitation)
    except IntegrityError:  # a concurrent twin won
        return None
    return invitation


def cancel_for_reopened(complaint, *, now: datetime) -> int:
    """A reopened complaint is not finished: its pending survey would ask too early."""
    result = db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.complaint_id == complaint.id, SurveyInvitation.status == "scheduled")
        .values(status="cancelled", status_reason="complaint reopened before the survey was sent")
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


# --- relationship survey -----------------------------------------------------------------------

def period_number(now: datetime, period_days: int) -> int:
    return (now - PERIOD_EPOCH) // timedelta(days=period_days)


def period_start(period: int, period_days: int) -> datetime:
    return PERIOD_EPOCH + timedelta(days=period * period_days)


def slot_offset(customer_id: int, period_days: int) -> timedelta:
    """Where in the period this customer's survey falls: the same place every period."""
    fraction = ((customer_id * _GOLDEN) % 2**32) / 2**32
    return timedelta(seconds=int(fraction * period_days * 86400))


def relationship_due(customer_id: int, *, now: datetime, period_days: int) -> tuple[int, datetime]:
    """(period, due_at): this period's slot, or next period's when this one's has passed a day ago
    (a customer added mid-period waits for their slot instead of joining a burst)."""
    period = period_number(now, period_days)
    due = period_start(period, period_days) + slot_offset(customer_id, period_days)
    if due < now - timedelta(days=1):
        period += 1
        due = period_start(period, period_days) + slot_offset(customer_id, period_days)
    return period, due


def active_customers_clause():
    return and_(Customer.erased_at.is_(None), ~not_for_campaigns(), Customer.email.is_not(None),
                Customer.email != "", Customer.surveys_opted_out_at.is_(None))


def plan_relationship_surveys(*, now: datetime, chunk: int = 1000) -> int:
    """Create the missing relationship invitations for every active customer (set-based: one
    query finds who lacks one for this or the next period, inserts go in chunks)."""
    survey = active_survey("relationship")
    if survey is None:
        return 0
    period_days = current_app.config["RELATIONSHIP_SURVEY_PERIOD_DAYS"]
    current = period_number(now, period_days)
    planned = (exists().where(SurveyInvitation.customer_id == Customer.id, SurveyInvitation.kind == "relationship",
                              SurveyInvitation.period.in_([current, current + 1])))
    ids = list(db.session.scalars(select(Customer.id).where(active_customers_clause(), ~planned).order_by(Customer.id)))
    rows = []
    for customer_id in ids:
        period, due = relationship_due(customer_id, now=now, period_days=period_days)
        rows.append({"dedupe_key": f"relationship:{customer_id}:{period}", "survey_id": survey.id,
                     "customer_id": customer_id, "kind": "relationship", "period": period, "status": "scheduled",
                     "status_reason": "", "due_at": due, "attempts": 0, "click_count": 0, "reminder_note": "",
                     "created_at": now})
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), chunk):
        db.session.execute(dialect.insert(SurveyInvitation.__table__).values(rows[start:start + chunk])
                           .on_conflict_do_nothing(index_elements=["dedupe_key"]))
    db.session.commit()
    return len(rows)
