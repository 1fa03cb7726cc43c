"""What the staff complaint page shows, read in a handful of queries: the conversation as one
thread (the customer's messages, our replies and the e-mails we sent, internal notes, facts and
quiet system lines), the side panel's customer card, and the complaint's neighbours in the queue
(for j/k). Reads only; the changes are `complaints.actions`."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from babel import Locale
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from complaints import signals
from complaints.labels import EVENT_LABELS
from complaints.lifecycle import OPEN_STATES, PRIORITY_LABELS, STATE_LABELS
from complaints.models import Attachment, Complaint, ComplaintEvent
from complaints.queries import visible_to
from customers.models import CustomerScore
from extensions import db
from notifications.models import OutboxMessage
from staff.models import StaffUser

# Event kinds the thread shows as a bubble of their own; everything else is a quiet line.
_CUSTOMER_TEXT = {"customer_message"}
_OUR_PUBLIC_TEXT = {"progress_update", "action_committed", "resolved", "reopened"}
_INTERNAL_TEXT = {"internal_note": "note", "fact": "fact", "call_logged": "note"}  # a call: what was said, internal
ORDERS = ("oldest", "newest")
# The e-mail each kind of event sends the customer (complaints.actions, filing): an e-mail joins the
# entry of the same moment and kind (timestamps have whole seconds: kind and moment together).
_MAIL_OF_EVENT = {"created": "complaint_acknowledgement", "assigned": "complaint_owner_assigned",
                  "progress_update": "complaint_progress_update", "action_committed": "complaint_action_committed",
                  "resolved": "complaint_resolved", "reopened": "complaint_reopened"}


def stamper():
    """A function formatting moments as the viewer reads them: their locale, their time zone
    (Flask-Babel's selection), minutes but no seconds — "15 Jan 2027, 10:00". Locale, zone and
    patterns are looked up once, and each local day and each clock time is formatted once (a long
    thread formats hundreds of moments)."""
    from babel.dates import get_date_format, get_datetime_format, get_time_format

    locale = get_locale() or Locale.parse("en")
    zone = get_timezone() or timezone.utc
    combined = str(get_datetime_format("medium", locale=locale))
    date_pattern, time_pattern = get_date_format("medium", locale=locale), get_time_format("short", locale=locale)
    days: dict = {}
    times: dict = {}

    def stamp(value: datetime | None) -> str:
        if value is None:
            return ""
        moment = (value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value).astimezone(zone)
        day = days.get(moment.date())
        if day is None:
            day = days[moment.date()] = date_pattern.apply(moment, locale)
        clock = times.get((moment.hour, moment.minute))
        if clock is None:
            clock = times[(moment.hour, moment.minute)] = time_pattern.apply(moment, locale)
        return combined.replace("{1}", day).replace("{0}", clock)
    return stamp


def stamp(value: datetime | None) -> str:
    """One moment as `stamper` formats it."""
    return stamper()(value)


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
    event: object | None = None  # the event's row (id, kind, public, body, detail, …, actor_name)
    attachments: list[Attachment] = field(default_factory=list)
    emails: list = field(default_factory=list)  # rows of the e-mails this entry caused
    email: object | None = None  # kind "email": an e-mail not tied to an entry (its row)
    detail: str = ""  # the quiet line's particulars ("Ana → Piotr", "normal → high")
    key: tuple = (0,)






def channel_of_filing(complaint: Complaint) -> str:
    return {"web": _("through the web form"), "api": _("through the API"), "email": _("by e-mail"),
            "phone": _("by phone"), "visit": _("in person"), "staff": _("filed by staff")}.get(complaint.channel, complaint.channel)


def _quiet_detail(event: ComplaintEvent, words: dict) -> str:
    """The particulars of a quiet line ("Ana → Piotr", "Normal → High"); `words`: labels resolved once."""
    detail = event.detail or {}
    if event.kind == "assigned":
        if detail.get("previous_owner"):
            return f"{detail['previous_owner']} → {detail.get('owner', '')}"
        return detail.get("owner", "")
    if event.kind == "priority_changed":
        priorities = words["priorities"]
        return f"{priorities.get(detail.get('from'), detail.get('from', ''))} → {priorities.get(detail.get('to'), detail.get('to', ''))}"
    if event.kind == "escalated":
        return words["first_response_overdue"] if detail.get("breach") == "first_response" else words["resolution_overdue"]
    states = words["states"]
    if detail.get("from") in states and detail.get("to") in states and detail["to"] != detail["from"]:
        return f"{states[detail['from']]} → {states[detail['to']]}"
    return ""


def thread(complaint: Complaint, *, order: str = "oldest") -> list[Entry]:
    """Every entry of the complaint's conversation, oldest first (or newest first)."""
    # Plain rows, not ORM objects: a long thread is hundreds of events (Entry.event is a row with
    # the event's columns and `actor_name`).
    events = db.session.execute(
        select(ComplaintEvent.id, ComplaintEvent.kind, ComplaintEvent.public, ComplaintEvent.body,
               ComplaintEvent.detail, ComplaintEvent.by_customer, ComplaintEvent.minutes, ComplaintEvent.created_at,
               StaffUser.name.label("actor_name"))
        .outerjoin(StaffUser, StaffUser.id == ComplaintEvent.actor_staff_id)
        .where(ComplaintEvent.complaint_id == complaint.id)
        .order_by(ComplaintEvent.created_at, ComplaintEvent.id)).all()
    files: dict[int | None, list[Attachment]] = {}
    for attachment in db.session.scalars(select(Attachment).where(Attachment.complaint_id == complaint.id)
                                         .order_by(Attachment.id)):
        files.setdefault(attachment.event_id, []).append(attachment)
    # The e-mails to the customer (not the staff notifications); each joins the entry that caused it
    # (queued in the same transaction, so with the same timestamp), else stands on its own.
    mails = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.to_address, OutboxMessage.subject,
               OutboxMessage.text_body, OutboxMessage.status, OutboxMessage.sent_at, OutboxMessage.created_at)
        .where(OutboxMessage.complaint_id == complaint.id, OutboxMessage.staff_user_id.is_(None))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    # Words resolved once per page (a long thread has hundreds of entries).
    labels = {kind: str(label) for kind, label in EVENT_LABELS.items()}
    by_email, on_tracking_page, the_system = _("by e-mail"), _("on the tracking page"), _("the system")
    words = {"priorities": {k: str(v) for k, v in PRIORITY_LABELS.items()}, "states": {k: str(v) for k, v in STATE_LABELS.items()},
             "first_response_overdue": _("first response overdue"), "resolution_overdue": _("resolution overdue")}
    entries: list[Entry] = []
    by_moment: dict[tuple[datetime, str], list[Entry]] = {}
    for event in events:
        kind = event.kind
        who = complaint.contact_name if event.by_customer else event.actor_name or the_system
        base = dict(at=event.created_at, who=who, minutes=event.minutes, event=event, public=event.public,
                    attachments=files.get(event.id, []), key=(event.created_at, 0, event.id),
                    label=labels.get(kind, kind))
        if kind == "created":
            entry = Entry(kind="customer", body=complaint.description, channel=channel_of_filing(complaint),
                          **{**base, "who": complaint.contact_name,
                             "attachments": files.get(None, []) + files.get(event.id, [])})
        elif kind in _CUSTOMER_TEXT or (event.by_customer and event.body):
            entry = Entry(kind="customer", body=event.body,
                          channel=by_email if event.detail.get("inbound_id") else on_tracking_page, **base)
        elif kind in _OUR_PUBLIC_TEXT and event.body:
            entry = Entry(kind="reply", body=event.body, **base)
        elif kind in _INTERNAL_TEXT:
            entry = Entry(kind=_INTERNAL_TEXT[kind], body=event.body, **base)
        else:
            entry = Entry(kind="system", detail=_quiet_detail(event, words), **base)
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
