"""What the staff complaint page shows, read in a handful of queries: the conversation as one
thread (the customer's messages, our replies and the e-mails we sent, internal notes, facts and
quiet system lines), the side panel's customer card, and the complaint's neighbours in the queue
(for j/k). Reads only; the changes are `complaints.actions`."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from complaints import signals
from complaints.labels import EVENT_LABELS
from complaints.lifecycle import OPEN_STATES, STATE_LABELS
from complaints.models import Attachment, Complaint, ComplaintEvent
from complaints.queries import visible_to
from customers.models import CustomerScore
from extensions import db
from notifications.models import OutboxMessage
from staff.models import StaffUser

# Event kinds the thread shows as a bubble of their own; everything else is a quiet line.
_CUSTOMER_TEXT = {"customer_message"}
_OUR_PUBLIC_TEXT = {"progress_update", "action_committed", "resolved", "reopened"}
_INTERNAL_TEXT = {"internal_note": "note", "fact": "fact"}
ORDERS = ("oldest", "newest")
# The e-mail each kind of event sends the customer (complaints.actions, filing): an e-mail joins the
# entry of the same moment and kind (timestamps have whole seconds: kind and moment together).
_MAIL_OF_EVENT = {"created": "complaint_acknowledgement", "assigned": "complaint_owner_assigned",
                  "progress_update": "complaint_progress_update", "action_committed": "complaint_action_committed",
                  "resolved": "complaint_resolved", "reopened": "complaint_reopened"}


def stamp(value: datetime | None) -> str:
    """A moment as the viewer reads it: their locale, their time zone (Flask-Babel's selection),
    minutes but no seconds — "15 Jan 2027, 10:00"."""
    if value is None:
        return ""
    locale = get_locale()
    pattern = locale.datetime_formats.get("medium", "{1} {0}") if locale is not None else "{1} {0}"
    return str(pattern).replace("{1}", format_date(value, "medium")).replace("{0}", format_time(value, "short"))


@dataclass
class Entry:
    kind: str  # customer | reply | note | fact | email | system
    at: datetime
    label: str
    who: str = ""
    body: str = ""
    channel: str = ""
    public: bool = False
    minutes: int = 0
    event: ComplaintEvent | None = None
    attachments: list[Attachment] = field(default_factory=list)
    emails: list[OutboxMessage] = field(default_factory=list)  # the e-mails this entry caused
    email: OutboxMessage | None = None  # kind "email": an e-mail not tied to an entry
    detail: str = ""  # the quiet line's particulars ("Ana → Piotr", "normal → high")
    key: tuple = (0,)


def _who(event: ComplaintEvent) -> str:
    if event.by_customer:
        return _("the customer")
    return event.actor.name if event.actor is not None else _("the system")


def _channel_of_message(event: ComplaintEvent) -> str:
    return _("by e-mail") if event.detail.get("inbound_id") else _("on the tracking page")


def channel_of_filing(complaint: Complaint) -> str:
    return {"web": _("through the web form"), "api": _("through the API"), "email": _("by e-mail"),
            "phone": _("by phone"), "visit": _("in person"), "staff": _("filed by staff")}.get(complaint.channel, complaint.channel)


def _quiet_detail(event: ComplaintEvent) -> str:
    detail = event.detail or {}
    if event.kind == "assigned":
        if detail.get("previous_owner"):
            return f"{detail['previous_owner']} → {detail.get('owner', '')}"
        return detail.get("owner", "")
    if event.kind == "priority_changed":
        from complaints.lifecycle import PRIORITY_LABELS
        return f"{PRIORITY_LABELS.get(detail.get('from'), detail.get('from', ''))} → {PRIORITY_LABELS.get(detail.get('to'), detail.get('to', ''))}"
    if event.kind == "escalated":
        return _("first response overdue") if detail.get("breach") == "first_response" else _("resolution overdue")
    if detail.get("from") in STATE_LABELS and detail.get("to") in STATE_LABELS and detail["to"] != detail["from"]:
        return f"{STATE_LABELS.get(detail['from'], detail['from'])} → {STATE_LABELS.get(detail['to'], detail['to'])}"
    return ""


def thread(complaint: Complaint, *, order: str = "oldest") -> list[Entry]:
    """Every entry of the complaint's conversation, oldest first (or newest first)."""
    events = list(db.session.scalars(
        select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
        .options(selectinload(ComplaintEvent.actor), selectinload(ComplaintEvent.attachments))
        .order_by(ComplaintEvent.created_at, ComplaintEvent.id)))
    # The e-mails to the customer (not the staff notifications); each joins the entry that caused it
    # (queued in the same transaction, so with the same timestamp), else stands on its own.
    mails = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.complaint_id == complaint.id, OutboxMessage.staff_user_id.is_(None))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)))
    entries: list[Entry] = []
    by_moment: dict[tuple[datetime, str], list[Entry]] = {}
    for event in events:
        kind = event.kind
        base = dict(at=event.created_at, who=_who(event), minutes=event.minutes, event=event, public=event.public,
                    attachments=list(event.attachments), key=(event.created_at, 0, event.id),
                    label=str(EVENT_LABELS.get(kind, kind)))
        if kind == "created":
            entry = Entry(kind="customer", body=complaint.description, channel=channel_of_filing(complaint),
                          **{**base, "who": complaint.contact_name,
                             "attachments": [a for a in complaint.attachments if a.event_id in (None, event.id)]})
        elif kind in _CUSTOMER_TEXT or (event.by_customer and event.body):
            entry = Entry(kind="customer", body=event.body, channel=_channel_of_message(event),
                          **{**base, "who": complaint.contact_name})
        elif kind in _OUR_PUBLIC_TEXT and event.body:
            entry = Entry(kind="reply", body=event.body, **base)
        elif kind in _INTERNAL_TEXT:
            entry = Entry(kind=_INTERNAL_TEXT[kind], body=event.body, **base)
        else:
            entry = Entry(kind="system", detail=_quiet_detail(event), **base)
        entries.append(entry)
        by_moment.setdefault((event.created_at, _MAIL_OF_EVENT.get(kind, "")), []).append(entry)
    for mail in mails:
        causes = by_moment.get((mail.created_at, mail.kind))
        if causes:
            causes.pop(0).emails.append(mail)
        else:
            entries.append(Entry(kind="email", at=mail.created_at, label=_("e-mail sent"), email=mail,
                                 who=mail.to_address, key=(mail.created_at, 1, mail.id)))
    entries.sort(key=lambda e: e.key, reverse=(order == "newest"))
    return entries


@dataclass(frozen=True)
class CardFact:
    """One line of the customer card contributed by another package (signals.customer_card_facts)."""
    label: str
    value: str
    at: datetime | None = None


@dataclass
class CustomerCard:
    score: CustomerScore | None
    other_complaints: list[Complaint]
    other_count: int
    facts: list[CardFact]


def customer_card(complaint: Complaint, viewer: StaffUser, *, limit: int = 8) -> CustomerCard | None:
    """The customer's file as it matters on this complaint: scores and segments, their other
    complaints the viewer may see, and what other packages add (last survey answers)."""
    if complaint.customer_id is None:
        return None
    score = db.session.get(CustomerScore, complaint.customer_id)
    others = visible_to(viewer).where(Complaint.customer_id == complaint.customer_id, Complaint.id != complaint.id)
    other_complaints = list(db.session.scalars(others.order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(limit)))
    other_count = len(other_complaints)
    if other_count == limit:
        other_count = db.session.scalar(select(func.count()).select_from(others.subquery()))
    facts: list[CardFact] = []
    for _receiver, answer in signals.customer_card_facts.send(None, customer_id=complaint.customer_id, viewer=viewer):
        facts.extend(answer or [])
    return CustomerCard(score=score, other_complaints=other_complaints, other_count=other_count, facts=facts)


def queue_neighbours(complaint: Complaint, viewer: StaffUser) -> tuple[str | None, str | None]:
    """The references before and after this complaint in the viewer's queue (open complaints by
    due time, as `queries.queue_page` sorts them): what k and j open."""
    base = visible_to(viewer).where(Complaint.status.in_(OPEN_STATES))
    due, ident = complaint.resolution_due_at, complaint.id
    after = db.session.scalar(base.with_only_columns(Complaint.reference).where(or_(
        Complaint.resolution_due_at > due, and_(Complaint.resolution_due_at == due, Complaint.id > ident)))
        .order_by(Complaint.resolution_due_at, Complaint.id).limit(1))
    before = db.session.scalar(base.with_only_columns(Complaint.reference).where(or_(
        Complaint.resolution_due_at < due, and_(Complaint.resolution_due_at == due, Complaint.id < ident)))
        .order_by(Complaint.resolution_due_at.desc(), Complaint.id.desc()).limit(1))
    return before, after
