"""The webhooks' part of the privacy duties (`customers.signals.customer_erasing`, connected in
`factory.register_signal_receivers`): deliveries about the person — naming the customer's id,
one of their complaints' references, or quoting them — are deleted, sent or not (an integration
that needs the event again asks its own copy; we keep nothing that points at the person)."""
from __future__ import annotations

import json

import sqlalchemy as sa

from complaints.models import Complaint
from extensions import db
from webhooks.models import WebhookDelivery


def _about(payload: str, customer_id: int, references: set[str], identifiers) -> bool:
    try:
        data = json.loads(payload).get("data") or {}
    except (ValueError, AttributeError):
        data = {}
    if data.get("customer_id") == customer_id or data.get("reference") in references:
        return True
    text = json.dumps(data, ensure_ascii=False)
    return any(identifier in text for identifier in identifiers)


def erase(_sender=None, *, erasure, **_extra) -> None:
    references = set(db.session.scalars(sa.select(Complaint.reference).where(Complaint.customer_id == erasure.customer_id)))
    needles = [f'"customer_id":{erasure.customer_id}', *references, *erasure.identifiers,
               *(json.dumps(i)[1:-1] for i in erasure.identifiers)]
    candidates = db.session.execute(sa.select(WebhookDelivery.id, WebhookDelivery.payload).where(
        sa.or_(*[WebhookDelivery.payload.contains(n, autoescape=True) for n in needles]))).all()
    doomed = [i for i, payload in candidates if _about(payload, erasure.customer_id, references, erasure.identifiers)]
    if doomed:
        db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.id.in_(doomed)))
