"""Translatable labels for contact channels and timeline events (states' and priorities' are in
complaints.lifecycle)."""
from flask_babel import lazy_gettext as _l

CHANNEL_LABELS = {"email": _l("E-mail"), "phone": _l("Phone"), "in_person": _l("In person")}

# How a complaint reached us (complaints.models.CHANNELS), where staff read it (rule conditions).
INTAKE_CHANNEL_LABELS = {"web": _l("Complaint form"), "api": _l("API"), "email": _l("E-mail"), "phone": _l("Phone"),
                         "visit": _l("Visit"), "staff": _l("Filed by staff")}

# What each complaint event is called where a person reads it (the timeline, conflict messages).
EVENT_LABELS = {
    "created": _l("complaint received"),
    "assigned": _l("owner assigned"),
    "fact": _l("fact recorded"),
    "internal_note": _l("internal note"),
    "progress_update": _l("progress update"),
    "action_committed": _l("action committed"),
    "priority_changed": _l("priority changed"),
    "customer_message": _l("message from the customer"),
    "call_logged": _l("call or visit logged"),
    "escalated": _l("escalated"),
    "resolved": _l("resolved"),
    "reopened": _l("reopened"),
    "closed": _l("closed"),
    "category_changed": _l("category changed"),
    "tags_changed": _l("tags changed"),
    "fields_changed": _l("fields changed"),
    "routed": _l("routed by a rule"),
    "rule_applied": _l("trigger rule applied"),
}


# What a call (complaints.tasks) is about: the e-mail the customer was sent.
TASK_TOPICS = {
    "complaint_acknowledgement": _l("receiving the complaint and what happens next"),
    "complaint_owner_assigned": _l("who is now responsible for the complaint"),
    "complaint_progress_update": _l("the progress update"),
    "complaint_action_committed": _l("the action we committed to"),
    "complaint_resolved": _l("the resolution"),
    "complaint_reopened": _l("the reopening"),
    "complaint_closed_unanswered": _l("closing it without their answer"),
}
