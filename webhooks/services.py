"""Webhook endpoints (admin-managed) and queuing an event for every endpoint that wants it."""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Integer, String, column, select, table

from extensions import db
from platform_support import encryption
from platform_support.clock import utcnow
from platform_support.errors import ServiceError
from platform_support.tokens import new_secret
from webhooks.models import EVENTS, WebhookDelivery, WebhookEndpoint


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password
            or len(url) > 2000 or any(ord(c) < 33 or ord(c) == 127 for c in url)):
        raise ServiceError(_("Enter an http(s) address without user name or password."),
                           {"url": [_("Enter an http(s) address without user name or password.")]})
    return url


def create_endpoint(*, url: str, events: list[str], description: str = "", now: datetime | None = None
                    ) -> tuple[WebhookEndpoint, str]:
    """Returns the endpoint and its signing secret (shown to the admin once)."""
    url = check_url(url)
    events = [e for e in EVENTS if e in set(events or [])]
    if not events:
        raise ServiceError(_("Choose at least one event."), {"events": [_("Choose at least one event.")]})
    secret = new_secret()
    endpoint = WebhookEndpoint(url=url, secret=secret, events=events, description=(description or "").strip()[:200],
                               active=True, created_at=now or utcnow())
    db.session.add(endpoint)
    db.session.commit()
    return endpoint, secret


def set_active(endpoint_id: int, active: bool) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise ServiceError(_("No such webhook."))
    endpoint.active = active
    db.session.commit()
    return endpoint


def all_endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def recent_deliveries(limit: int = 50) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)))


def enqueue(event: str, data: dict, *, now: datetime) -> list[WebhookDelivery]:
    """Add one delivery row per subscribed endpoint to the caller's transaction (no commit): the
    event is announced if and only if the change that caused it commits."""
    endpoints = [e for e in db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)))
                 if event in (e.events or [])]
    rows = []
    for endpoint in endpoints:
        event_id = str(uuid.uuid4())
        body = json.dumps({"id": event_id, "event": event, "occurred_at": now.isoformat() + "Z", "data": data},
                          sort_keys=True, separators=(",", ":"), default=str)
        row = WebhookDelivery(endpoint_id=endpoint.id, event_id=event_id, event=event, payload=body,
                              status="queued", attempts=0, next_attempt_at=now, created_at=now, last_error="")
        db.session.add(row)
        rows.append(row)
    return rows



# The column as stored (the encrypted token), without EncryptedText's decryption.
_stored_secrets = table("webhook_endpoints", column("id", Integer), column("secret", String))


def reencrypt_secrets() -> int:
    """Encrypt every endpoint's signing secret again with the newest ENCRYPTION_KEY (after a new
    key was put in front); afterwards the older keys can be dropped. Returns how many rows."""
    rows = db.session.execute(select(_stored_secrets.c.id, _stored_secrets.c.secret)).all()
    try:
        for row in rows:
            db.session.execute(_stored_secrets.update().where(_stored_secrets.c.id == row.id)
                               .values(secret=encryption.reencrypt(row.secret)))
    except encryption.InvalidToken:
        db.session.rollback()  # all or nothing: no row left under a key about to be dropped
        raise
    db.session.commit()
    return len(rows)
