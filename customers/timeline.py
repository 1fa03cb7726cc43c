"""One timeline per customer: e-mails sent, complaint events, staff-logged contacts, and whatever
other packages contribute through `customers.signals.timeline_sources` (e.g. survey answers).

E-mails and complaint events are read through lightweight table clauses: customers sits below
notifications and complaints and must not import them (same approach as `contact_policy`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from customers.models import Interaction
from customers.signals import timeline_sources
from extensions import db

_outbox = sa.table("outbox_messages", sa.column("id"), sa.column("customer_id"), sa.column("kind"),
                   sa.column("subject"), sa.column("status"), sa.column("created_at", sa.DateTime), sa.column("sent_at", sa.DateTime))
_complaints = sa.table("complaints", sa.column("id"), sa.column("customer_id"), sa.column("reference"))
_events = sa.table("complaint_events", sa.column("id"), sa.column("complaint_id"), sa.column("kind"),
                   sa.column("body"), sa.column("public", sa.Boolean), sa.column("minutes", sa.Integer), sa.column("created_at", sa.DateTime))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    source: str          # "email" | "complaint" | "interaction" | "survey" | …
    title: str
    body: str = ""
    minutes: int = 0
    link_reference: str | None = None  # a complaint reference to link to


def _emails(customer_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(_outbox.c.subject, _outbox.c.kind, _outbox.c.status, _outbox.c.created_at, _outbox.c.sent_at)
        .where(_outbox.c.customer_id == customer_id).order_by(_outbox.c.created_at.desc()).limit(limit))
    return [TimelineEntry(at=sent_at or created_at, source="email",
                          title=_("E-mail: %(subject)s", subject=subject), body=f"{kind} · {status}")
            for subject, kind, status, created_at, sent_at in rows]


def _complaint_events(customer_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(_complaints.c.reference, _events.c.kind, _events.c.body, _events.c.minutes, _events.c.created_at)
        .join(_complaints, _complaints.c.id == _events.c.complaint_id)
        .where(_complaints.c.customer_id == customer_id).order_by(_events.c.created_at.desc()).limit(limit))
    return [TimelineEntry(at=created_at, source="complaint", title=_("Complaint %(ref)s: %(kind)s", ref=ref, kind=kind),
                          body=body or "", minutes=minutes or 0, link_reference=ref)
            for ref, kind, body, minutes, created_at in rows]


def _interactions(customer_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.scalars(sa.select(Interaction).where(Interaction.customer_id == customer_id)
                              .order_by(Interaction.occurred_at.desc()).limit(limit))
    from customers.interactions import KIND_LABELS
    return [TimelineEntry(at=i.occurred_at, source="interaction",
                          title=f"{KIND_LABELS.get(i.kind, i.kind)}"
                                + (f" · {i.staff_user.name}" if i.staff_user else ""),
                          body=i.body, minutes=i.minutes) for i in rows]


def customer_timeline(customer_id: int, *, limit: int = 100) -> list[TimelineEntry]:
    """The newest `limit` entries from every source, newest first."""
    entries = _emails(customer_id, limit) + _complaint_events(customer_id, limit) + _interactions(customer_id, limit)
    for _receiver, contributed in timeline_sources.send(customer_id=customer_id, limit=limit):
        entries.extend(contributed or [])
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
