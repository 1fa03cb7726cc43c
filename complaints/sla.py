"""SLA targets: how long a complaint of each priority may wait for a first response and a resolution."""
from __future__ import annotations

from datetime import datetime, timedelta

from complaints import reference_data
from complaints.models import Complaint, SlaTarget
from extensions import db

# Used when the SLA table has no row for a priority (hours).
DEFAULT_SLA_HOURS = {priority: (first, resolution) for priority, first, resolution in reference_data.SLA_HOURS}


def sla_hours(priority: str) -> tuple[int, int]:
    target = db.session.get(SlaTarget, priority)
    if target is not None:
        return target.first_response_hours, target.resolution_hours
    return DEFAULT_SLA_HOURS[priority]



def apply_sla(complaint: Complaint, start: datetime, hours: tuple[int, int] | None = None) -> None:
    first_hours, resolution_hours = hours or sla_hours(complaint.priority)
    complaint.first_response_due_at = start + timedelta(hours=first_hours)
    complaint.resolution_due_at = start + timedelta(hours=resolution_hours)
