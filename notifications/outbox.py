"""An outbox row written with one prepared Core INSERT, for a hot path that renders its e-mail
before its write transaction (`services.render_email`) and must keep that transaction short: no
ORM object, no flush. Same row as `services.queue_rendered_email` writes (no dedupe key: the
caller knows the message is new, e.g. it belongs to a row created in the same transaction)."""
from __future__ import annotations

from datetime import datetime

from notifications.headers import header_safe
from notifications.models import OutboxMessage
from notifications.services import RenderedEmail, _message_id

_INSERT = OutboxMessage.__table__.insert()


def outbox_values(*, kind: str, to_address: str, to_name: str = "", rendered: RenderedEmail, language: str = "en",
                  customer_id: int | None = None, staff_user_id: int | None = None,
                  complaint_id: int | None = None, now: datetime) -> dict:
    """The column values of a queued message (ids may be filled in later, before `insert`)."""
    return {
        "kind": kind, "dedupe_key": None, "to_address": header_safe(to_address, limit=254),
        "to_name": header_safe(to_name), "subject": header_safe(rendered.subject, limit=300),
        "text_body": rendered.text_body, "html_body": rendered.html_body, "extra_headers": {},
        "message_id": _message_id(), "language": language, "status": "queued", "attempts": 0,
        "next_attempt_at": now, "lease_until": None, "last_error": "", "sent_at": None, "created_at": now,
        "customer_id": customer_id, "staff_user_id": staff_user_id, "complaint_id": complaint_id,
    }


def insert(connection, values: dict) -> None:
    """Add the row to the caller's transaction (no commit)."""
    connection.execute(_INSERT, values)
