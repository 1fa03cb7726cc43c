from __future__ import annotations

from datetime import datetime

from notifications.delivery import DeliveryReport, deliver_outbox


def deliver_outbox_job(now: datetime) -> DeliveryReport:
    """Deliver everything due; keeps going while full batches come back."""
    total = DeliveryReport()
    while True:
        report = deliver_outbox(now=now)
        for field in ("claimed", "sent", "retried", "parked"):
            setattr(total, field, getattr(total, field) + getattr(report, field))
        if report.claimed == 0 or report.sent == 0:
            return total
