"""The outbox's part of the privacy duties, for `customers.signals` (connected in
`factory.register_signal_receivers`; notifications sits below customers and imports nothing of
it, so sections are plain dicts): every e-mail sent to the person, exported; on erasure, the
unsent ones dropped and the sent ones reduced to the fact that they were sent. E-mails about a
complaint (also those to staff) are the complaints package's part."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from extensions import db
from notifications.models import OutboxMessage

ERASED_ADDRESS = "erased@invalid"


def export(_sender=None, *, customer_id: int, **_extra) -> list[dict]:
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.customer_id == customer_id)
                              .order_by(OutboxMessage.created_at, OutboxMessage.id))
    return [{"name": "emails", "data": [{
        "kind": m.kind, "to": m.to_address, "subject": m.subject, "text": m.text_body, "status": m.status,
        "queued_at": m.created_at.isoformat(), "sent_at": m.sent_at.isoformat() if m.sent_at else None,
    } for m in rows]}]


def preview(_sender=None, *, customer_id: int, **_extra) -> list[dict]:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.customer_id == customer_id))
    return [{"label": _("E-mails sent to the customer (their texts and addresses)"), "count": count}]


def erase(_sender=None, *, erasure, **_extra) -> None:
    mine = OutboxMessage.customer_id == erasure.customer_id
    db.session.execute(sa.delete(OutboxMessage).where(mine, OutboxMessage.status.in_(("queued", "parked"))))
    db.session.execute(sa.update(OutboxMessage).where(mine).values(
        to_address=ERASED_ADDRESS, to_name="", subject=_("[erased]"), text_body="", html_body=None,
        extra_headers={}, last_error=""))
