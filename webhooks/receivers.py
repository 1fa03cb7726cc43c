"""Turn domain signals into webhook rows. Receivers run before the sender commits, so a webhook
row exists exactly when the change it announces does.

The payload names objects by reference or id only (no names, e-mail addresses or free text):
a receiver that needs more asks the API with its own token.
"""
from __future__ import annotations

import importlib
import logging
from datetime import datetime
from functools import cache

from sqlalchemy import select

from extensions import db
from webhooks.models import WebhookEndpoint
from webhooks.services import enqueue

log = logging.getLogger(__name__)

# Signals owned by other packages, looked up when connecting so a package that is missing does
# not break the app: (module, signal name, webhook event). Both senders commit after their
# receivers ran (survey_answered inside the answering transaction; segment_changed in the
# announce step of the recompute, which commits what receivers queued).
OPTIONAL_SIGNALS = (
    ("surveys.signals", "survey_answered", "survey.answered"),
    ("customers.signals", "segment_changed", "customer.segment_changed"),
)


def _complaint_data(complaint) -> dict:
    data = {"reference": complaint.reference, "status": complaint.status, "priority": complaint.priority,
            "customer_id": complaint.customer_id}
    root_cause = getattr(complaint, "root_cause", None)
    if root_cause is not None:
        data["root_cause"] = root_cause.code
    return data


def _subscribed(event: str) -> bool:
    """Does any active endpoint want `event`? Read each time (no cache): an endpoint an admin
    just added gets the next event. Run on the session's connection (no autoflush): it reads only
    admin-managed rows, so the caller's pending rows are flushed once, at its commit."""
    rows = db.session.connection().execute(_active_endpoints_events()).scalars()
    return any(event in (events or []) for events in rows)


@cache
def _active_endpoints_events():
    """Built once: on every public filing, building the statement cost more than running it."""
    return select(WebhookEndpoint.events).where(WebhookEndpoint.active.is_(True))


def on_complaint_created(_sender, *, complaint, now: datetime, **_extra) -> None:
    if not _subscribed("complaint.created"):
        return  # the hot path of a public submission: nothing to queue
    with db.session.no_autoflush:
        enqueue("complaint.created", _complaint_data(complaint), now=now)


def on_complaint_assigned(_sender, *, complaint, now: datetime, owner=None, **_extra) -> None:
    """By hand, by a routing rule at filing or by a trigger rule (complaints.changes.announce_assignment)."""
    if not _subscribed("complaint.assigned"):
        return  # routing runs on the public filing's hot path
    with db.session.no_autoflush:
        enqueue("complaint.assigned", {**_complaint_data(complaint),
                                       "owner_id": owner.id if owner is not None else complaint.owner_id}, now=now)


def on_complaint_resolved(_sender, *, complaint, now: datetime, **_extra) -> None:
    enqueue("complaint.resolved", _complaint_data(complaint), now=now)


def _plain(value):
    """Identify an object by its id/reference; keep plain values; drop the rest (no personal text)."""
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, str):
        return value[:200]
    if isinstance(value, datetime):
        return value.isoformat()
    for attribute in ("reference", "id"):
        if getattr(value, attribute, None) is not None:
            return getattr(value, attribute)
    return None


def _generic_receiver(event: str):
    def receive(_sender, **kwargs) -> None:
        if kwargs.get("submitted") is False:
            return  # a survey saved half-way is not answered yet
        now = kwargs.pop("now")
        enqueue(event, {name: _plain(value) for name, value in sorted(kwargs.items())}, now=now)
    receive.__name__ = f"on_{event.replace('.', '_')}"
    return receive


_connected: list = []  # blinker keeps weak references; these must live as long as the process
_wired: list[str] = []


def connect() -> list[str]:
    """Connect every receiver whose signal exists (once per process); returns the wired events."""
    if _wired:
        return list(_wired)
    from complaints import signals as complaint_signals

    complaint_signals.complaint_created.connect(on_complaint_created)
    complaint_signals.complaint_assigned.connect(on_complaint_assigned)
    complaint_signals.complaint_resolved.connect(on_complaint_resolved)
    wired = ["complaint.created", "complaint.assigned", "complaint.resolved"]
    for module_name, signal_name, event in OPTIONAL_SIGNALS:
        try:
            signal = getattr(importlib.import_module(module_name), signal_name)
        except (ImportError, AttributeError):
            log.info("webhook event %s not wired: %s.%s does not exist", event, module_name, signal_name)
            continue
        receiver = _generic_receiver(event)
        _connected.append(receiver)
        signal.connect(receiver)
        wired.append(event)
    _wired.extend(wired)
    return wired
