"""How domain objects look in the API."""
from __future__ import annotations

from complaints.classification import fields_as_dict
from complaints.models import CATEGORY_LANGUAGES, Category, Complaint, ComplaintEvent


def _iso(value):
    """Dates as YYYY-MM-DD; datetimes (stored as naive UTC) as RFC 3339 with "Z", as the document says."""
    from datetime import datetime
    if value is None:
        return None
    return value.isoformat() + "Z" if isinstance(value, datetime) else value.isoformat()


def staff_ref(user):
    return None if user is None else {"email": user.email, "name": user.name}


def complaint_summary(complaint: Complaint, now) -> dict:
    return {
        "reference": complaint.reference,
        "status": complaint.status,
        "version": complaint.version,
        "priority": complaint.priority,
        "subject": complaint.subject,
        "customer_email": complaint.contact_email,
        "customer_name": complaint.contact_name,
        "owner": staff_ref(complaint.owner),
        "created_at": _iso(complaint.created_at),
        "first_response_due_at": _iso(complaint.first_response_due_at),
        "resolution_due_at": _iso(complaint.resolution_due_at),
        "overdue": complaint.is_overdue(now),
        "category": complaint.category.code if complaint.category is not None else None,
        "tags": [t.tag for t in complaint.tags],
    }


def category(item: Category) -> dict:
    return {"code": item.code, "names": {language: item.name_in(language) for language in CATEGORY_LANGUAGES},
            "fields": [{"code": f.code, "label": f.label, "kind": f.kind, "required": f.required, "public": f.public,
                        "choices": f.choice_list if f.kind == "choice" else None} for f in item.fields]}


def event(item: ComplaintEvent) -> dict:
    return {
        "id": item.id,
        "kind": item.kind,
        "public": item.public,
        "body": item.body,
        "detail": item.detail,
        "by_customer": item.by_customer,
        "actor": staff_ref(item.actor),
        "minutes": item.minutes,
        "created_at": _iso(item.created_at),
        "attachments": [{"id": a.id, "name": a.original_name, "content_type": a.content_type, "size": a.size_bytes}
                        for a in item.attachments],
    }


def complaint_detail(complaint: Complaint, now) -> dict:
    return {
        **complaint_summary(complaint, now),
        "description": complaint.description,
        "order_reference": complaint.order_reference,
        "occurred_on": _iso(complaint.occurred_on),
        "desired_outcome": complaint.desired_outcome,
        "phone": complaint.contact_phone,
        "preferred_channel": complaint.preferred_channel,
        "language": complaint.language,
        "first_responded_at": _iso(complaint.first_responded_at),
        "committed_action": complaint.committed_action or None,
        "committed_action_due_on": _iso(complaint.committed_action_due_on),
        "resolution": complaint.resolution or None,
        "root_cause": None if complaint.root_cause is None else {"code": complaint.root_cause.code,
                                                                  "name": complaint.root_cause.name},
        "resolved_at": _iso(complaint.resolved_at),
        "closed_at": _iso(complaint.closed_at),
        "handling_minutes": complaint.handling_minutes,
        "fields": fields_as_dict(complaint),
        "facts": [{"id": e.id, "text": e.body, "created_at": _iso(e.created_at), "actor": staff_ref(e.actor)}
                  for e in complaint.events if e.kind == "fact"],
        "events": [event(e) for e in complaint.events],
        "attachments": [{"id": a.id, "name": a.original_name, "content_type": a.content_type, "size": a.size_bytes}
                        for a in complaint.attachments],
    }
