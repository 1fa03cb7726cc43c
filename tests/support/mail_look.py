"""E-mails of every kind the product sends, made the way the product makes them (issue 16's
e-mail layout checks): a complaint filed, taken, updated and resolved; a survey invitation; a
staff password reset. Returns the outbox rows."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.support.clock import NOW


def mail_of_every_kind(db_session, staff) -> list:
    from complaints import actions
    from customers.models import Customer
    from notifications.models import OutboxMessage
    from staff.password_reset import request_reset
    from surveys.dispatch import dispatch_due_invitations
    from surveys.planning import plan_relationship_surveys
    from tests.support.surveys import install_default_surveys, resolved_complaint

    install_default_surveys(db_session)
    complaint = resolved_complaint(staff, email="anna@example.com", name="Anna Nowak")
    actions.reopen(complaint.reference, "The refund did not arrive", actor=staff.agent, now=NOW + timedelta(hours=1))
    actions.assign_owner(complaint.reference, staff.other_agent.email, actor=staff.manager, now=NOW + timedelta(hours=2))
    actions.post_update(complaint.reference, "We have chased the bank: https://example.org/refunds explains the delay.",
                        public=True, actor=staff.other_agent, now=NOW + timedelta(hours=3))
    db_session.add(Customer(name="Bob Smith", email="bob@example.com", email_normalised="bob@example.com"))
    db_session.commit()
    plan_relationship_surveys(now=NOW)
    dispatch_due_invitations(now=NOW + timedelta(days=200), limit=100)
    request_reset(staff.agent.email, now=NOW)
    db_session.commit()
    return list(db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
