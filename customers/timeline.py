"""One timeline per customer: e-mails sent, staff-logged contacts, and whatever the packages above
customers contribute through `customers.signals.timeline_sources` (complaint events from
`complaints.customer_file`, survey answers from `surveys.receivers`).

E-mails come from the outbox (`notifications.models.OutboxMessage`, a layer below); those about a
complaint come from `complaints.customer_file`, which shows them only to whoever may see the
complaint (the one visibility rule lives in complaints).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from customers.models import Interaction
from customers.signals import complaint_summaries as complaint_summaries_signal
from customers.signals import timeline_sources
from extensions import db
from notifications.models import OutboxMessage


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    source: str          # "email" | "complaint" | "interaction" | "survey" | …
    title: str
    body: str = ""
    minutes: int = 0
    link_reference: str | None = None  # a complaint reference to link to


@dataclass(frozen=True)
class ComplaintSummary:
    """One line of the customer file's "Complaints" box (from `customers.signals.complaint_summaries`)."""
    reference: str
    subject: str
    status: str
    priority: str
    created_at: datetime


def _emails(customer_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(OutboxMessage.subject, OutboxMessage.kind, OutboxMessage.status, OutboxMessage.created_at,
                  OutboxMessage.sent_at)
        .where(OutboxMessage.customer_id == customer_id, OutboxMessage.complaint_id.is_(None))
        .order_by(OutboxMessage.created_at.desc()).limit(limit))
    return [TimelineEntry(at=sent_at or created_at, source="email",
                          title=_("E-mail: %(subject)s", subject=subject), body=f"{kind} · {status}")
            for subject, kind, status, created_at, sent_at in rows]


def _interactions(customer_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.scalars(sa.select(Interaction).where(Interaction.customer_id == customer_id)
                              .order_by(Interaction.occurred_at.desc()).limit(limit))
    from customers.interactions import KIND_LABELS
    return [TimelineEntry(at=i.occurred_at, source="interaction",
                          title=f"{KIND_LABELS.get(i.kind, i.kind)}"
                                + (f" · {i.staff_user.name}" if i.staff_user else ""),
                          body=i.body, minutes=i.minutes) for i in rows]


def customer_timeline(customer_id: int, *, viewer, limit: int = 100) -> list[TimelineEntry]:
    """The newest `limit` entries from every source that `viewer` may see (None: all), newest first."""
    entries = _emails(customer_id, limit) + _interactions(customer_id, limit)
    for _receiver, contributed in timeline_sources.send(customer_id=customer_id, limit=limit, viewer=viewer):
        entries.extend(contributed or [])
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def complaint_summaries(customer_id: int, *, viewer, limit: int = 50) -> list[ComplaintSummary]:
    """The customer's complaints that `viewer` may see, newest first."""
    rows: list[ComplaintSummary] = []
    for _receiver, contributed in complaint_summaries_signal.send(customer_id=customer_id, limit=limit, viewer=viewer):
        rows.extend(contributed or [])
    rows.sort(key=lambda c: c.created_at, reverse=True)
    return rows[:limit]
