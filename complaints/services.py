"""Complaint use cases. Each public function is one transaction: it changes rows, writes the event,
queues the e-mails the change causes, announces it, and commits — or changes nothing.

Functions take plain arguments and `now`; the HTML views and the JSON API both call them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, literal, select, text
from sqlalchemy.exc import IntegrityError

from complaints import lifecycle, reference_data, signals, uploads
from complaints.acknowledgement import compose_acknowledgement
from complaints.models import PRIORITIES, Attachment, Complaint, ComplaintEvent, RootCause, SlaTarget
from complaints.queries import get_visible_complaint
from customers.models import Customer
from customers.services import complaint_priority_expression, insert_customer_file, new_customer_for_email, normalise_email
from extensions import db
from notifications.models import OutboxMessage
from notifications.services import OUTBOX_COLUMNS, outbox_values, queue_email, queue_many
from platform_support.clock import utcnow
from platform_support.database import DriverStatement, driver_connection, insert_columns
from platform_support.errors import NotFound, PermissionDenied, ServiceError
from platform_support.tokens import hash_secret, new_reference, new_secret
from staff.models import StaffUser

# Used when the SLA table has no row for a priority (hours).
DEFAULT_SLA_HOURS = {priority: (first, resolution) for priority, first, resolution in reference_data.SLA_HOURS}
MAX_MINUTES_PER_ACTION = 24 * 60


@dataclass
class NewComplaint:
    """What the public form and the API collect. Validation of shape happens in the form/API layer;
    the rules that need the database or the configuration are checked here."""
    name: str
    email: str
    description: str
    subject: str = ""
    order_reference: str = ""
    occurred_on: date | None = None
    desired_outcome: str = ""
    phone: str = ""
    preferred_channel: str = "email"
    language: str = "en"
    timezone: str = ""  # IANA name reported by the browser; a newcomer's file gets it
    channel: str = "web"  # how it reached us (complaints.models.CHANNELS): the API says "api"
    attachments: list[uploads.Upload] = field(default_factory=list)


@dataclass(frozen=True)
class FiledComplaint:
    complaint_id: int
    tracking_token: str
    created: bool  # False when a double submit returned the first complaint
    # Known before the commit: answering with them costs no second transaction.
    reference: str = ""
    language: str = "en"
    # Of a new complaint (what `complaint_created` receivers get; a double submit leaves them unset).
    customer_id: int | None = None
    priority: str = "normal"

    @property
    def complaint(self) -> Complaint:
        return db.session.get(Complaint, self.complaint_id)

    @property
    def tracking_url(self) -> str:
        return tracking_url(self.tracking_token)


def tracking_url(token: str) -> str:
    return f"{current_app.config['BASE_URL']}/track/{token}"


def sla_hours(priority: str) -> tuple[int, int]:
    target = db.session.get(SlaTarget, priority)
    if target is not None:
        return target.first_response_hours, target.resolution_hours
    return DEFAULT_SLA_HOURS[priority]


_CUSTOMER_PRIORITY_AND_SLA = None
_TWIN = None


class KnownCustomer(NamedTuple):
    """What filing needs of an existing customer file (read without loading the whole file)."""
    id: int
    name: str
    language: str
    timezone: str
    salutation: str
    patronymic: str


def _customer_priority_and_sla(connection, email: str) -> tuple[KnownCustomer | None, str, tuple[int, int]]:
    """One query for what a new complaint needs to know first: the customer file of this address
    (None for a newcomer), the priority its segments give (`complaint_priority_expression`; a newcomer has
    no segments yet: "normal") and the SLA targets of that priority (defaults when none is set)."""
    global _CUSTOMER_PRIORITY_AND_SLA
    if _CUSTOMER_PRIORITY_AND_SLA is None:
        # Built once: constructing this statement costs more than running it.
        one_row = select(literal(1).label("one")).subquery()
        priority = complaint_priority_expression(Customer.id)
        _CUSTOMER_PRIORITY_AND_SLA = DriverStatement(
            select(Customer.id, Customer.name, Customer.language, Customer.timezone, Customer.salutation,
                   Customer.patronymic, priority, SlaTarget.first_response_hours, SlaTarget.resolution_hours)
            .select_from(one_row)
            .outerjoin(Customer, Customer.email_normalised == bindparam("email_normalised"))
            .outerjoin(SlaTarget, SlaTarget.priority == priority))
    row = _CUSTOMER_PRIORITY_AND_SLA.first(connection, {"email_normalised": normalise_email(email)})
    customer_id, name, language, zone, salutation, patronymic, priority_value, first_hours, resolution_hours = row
    customer = None
    if customer_id is not None:
        customer = KnownCustomer(customer_id, name, language, zone, salutation, patronymic)
    priority_value = priority_value or "normal"
    if first_hours is None:
        hours = DEFAULT_SLA_HOURS[priority_value]
    else:
        hours = (first_hours, resolution_hours)
    return customer, priority_value, hours


def _twin(connection, key_hash: str, token: str) -> FiledComplaint | None:
    """The complaint an earlier submission with the same key filed, if any."""
    global _TWIN
    if _TWIN is None:
        _TWIN = DriverStatement(select(Complaint.id, Complaint.reference, Complaint.language).where(
            Complaint.submission_key == bindparam("key_hash")))
    row = _TWIN.first(connection, {"key_hash": key_hash})
    if row is None:
        return None
    complaint_id, reference, language = row
    return FiledComplaint(complaint_id, token, created=False, reference=reference, language=language)


def _apply_sla(complaint: Complaint, start: datetime, hours: tuple[int, int] | None = None) -> None:
    first_hours, resolution_hours = hours or sla_hours(complaint.priority)
    complaint.first_response_due_at = start + timedelta(hours=first_hours)
    complaint.resolution_due_at = start + timedelta(hours=resolution_hours)


def _tracking_token_for(submission_key: str | None) -> str:
    """A double submit of the same form must lead to the same tracking link, so the token is
    derived from the (secret, per-form) submission key with the server's key; otherwise random."""
    if not submission_key:
        return new_secret()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"tracking:" + submission_key.encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _event(complaint: Complaint, kind: str, *, now: datetime, public: bool, body: str = "",
           actor: StaffUser | None = None, by_customer: bool = False, minutes: int = 0,
           detail: dict | None = None) -> ComplaintEvent:
    event = ComplaintEvent(complaint=complaint, kind=kind, public=public, body=body, actor=actor,
                           by_customer=by_customer, minutes=minutes, detail=detail or {}, created_at=now)
    db.session.add(event)
    complaint.updated_at = now
    complaint.handling_minutes += minutes
    return event


def _check_minutes(minutes: int | None) -> int:
    minutes = minutes or 0
    if minutes < 0 or minutes > MAX_MINUTES_PER_ACTION:
        raise ServiceError(_("Handling time must be between 0 and %(max)d minutes.", max=MAX_MINUTES_PER_ACTION),
                           {"minutes": [_("Enter a number of minutes between 0 and %(max)d.", max=MAX_MINUTES_PER_ACTION)]})
    return minutes


def _require_text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(message, {field_name: [message]})
    return value


def _transition(complaint: Complaint, action: str) -> tuple[str, str]:
    before = complaint.status
    try:
        after = lifecycle.next_state(before, action)
    except lifecycle.IllegalTransition as exc:
        raise ServiceError(str(exc)) from None
    complaint.status = after
    return before, after


def _mark_first_response(complaint: Complaint, action: str, now: datetime) -> None:
    if action in lifecycle.CUSTOMER_FACING_ACTIONS and complaint.first_responded_at is None:
        complaint.first_responded_at = now


def _email_customer(complaint: Complaint, kind: str, *, now: datetime, context: dict | None = None,
                    dedupe_key: str | None = None) -> None:
    # Dates in the customer's own time zone (the customer file knows it; new customers get UTC).
    customer = complaint.customer
    queue_email(kind=kind, to_address=complaint.contact_email, to_name=complaint.contact_name,
                template=kind, language=complaint.language, timezone=customer.timezone if customer else None,
                dedupe_key=dedupe_key,
                context={"complaint": complaint, **(context or {})},
                customer_id=complaint.customer_id, complaint_id=complaint.id, now=now)


def _commit() -> None:
    db.session.commit()


# --- customer side -----------------------------------------------------------------------------

def _lookups(connection, email: str, key_hash: str | None, token: str):
    """(an earlier filing of the same submission, or else: customer file, priority, SLA hours)."""
    twin = _twin(connection, key_hash, token) if key_hash else None
    if twin is not None:
        return twin, None, None, None
    return None, *_customer_priority_and_sla(connection, email)


# A filing's INSERTs, run on the driver's cursor (`DriverStatement`): every column given.
_COMPLAINT_COLUMNS = insert_columns(Complaint.__table__)
_EVENT_COLUMNS = insert_columns(ComplaintEvent.__table__)
_INSERT_COMPLAINT = DriverStatement(Complaint.__table__.insert().returning(Complaint.__table__.c.id),
                                    _COMPLAINT_COLUMNS)
_INSERT_EVENT_RETURNING_ID = DriverStatement(
    ComplaintEvent.__table__.insert().returning(ComplaintEvent.__table__.c.id), _EVENT_COLUMNS)
_FILING_POSTGRESQL = None


# The "created" event of a filing: all fixed but its time (the complaint's).
_CREATED_EVENT = {"kind": "created", "public": True, "body": "", "detail": {}, "actor_staff_id": None,
                  "by_customer": True, "minutes": 0}


def _insert_filing(connection, values: dict, email: dict) -> tuple[int, int]:
    """The complaint (`values`), its "created" event and its acknowledgement (`email`, without
    complaint_id). Returns (complaint id, event id). PostgreSQL: one statement, data-modifying
    CTEs — two round trips fewer per public filing; elsewhere three INSERTs."""
    if connection.dialect.name == "postgresql":
        return _filing_statement_postgresql().first(connection, {
            **{"c_" + name: values[name] for name in _COMPLAINT_COLUMNS},
            **{"m_" + name: email[name] for name in OUTBOX_COLUMNS if name != "complaint_id"}})
    complaint_id = _INSERT_COMPLAINT.scalar(connection, values)
    email["complaint_id"] = complaint_id
    event_id = _INSERT_EVENT_RETURNING_ID.scalar(
        connection, {**_CREATED_EVENT, "complaint_id": complaint_id, "created_at": values["created_at"]})
    queue_many([email])
    return complaint_id, event_id


def _sql_constant(value) -> str:
    """One of _CREATED_EVENT's fixed values (our constants, never input) as a PostgreSQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return _sql_constant(json.dumps(value)) + "::json"
    return "'" + str(value).replace("'", "''") + "'"


def _filing_statement_postgresql() -> DriverStatement:
    """The event's fixed values are written into the statement, so it has under 50 parameters:
    psycopg caches the conversion of its placeholders only up to that many (above, it parses the
    statement again on every execution)."""
    global _FILING_POSTGRESQL
    if _FILING_POSTGRESQL is None:
        parts, binds = {}, []
        for prefix, table, names in (("c_", Complaint.__table__, _COMPLAINT_COLUMNS),
                                     ("m_", OutboxMessage.__table__, OUTBOX_COLUMNS)):
            names = [name for name in names if name != "complaint_id"]
            parts[prefix] = (", ".join(names), ", ".join(f":{prefix}{name}" for name in names))
            binds += [bindparam(prefix + name, type_=table.c[name].type) for name in names]
        event_columns = ", ".join(_CREATED_EVENT)
        event_values = ", ".join(_sql_constant(value) for value in _CREATED_EVENT.values())
        sql = (f"WITH filed AS (INSERT INTO complaints ({parts['c_'][0]}) VALUES ({parts['c_'][1]}) RETURNING id), "
               f"created AS (INSERT INTO complaint_events (complaint_id, {event_columns}, created_at) "
               f"SELECT id, {event_values}, :c_created_at FROM filed RETURNING id), "
               f"acknowledged AS (INSERT INTO outbox_messages (complaint_id, {parts['m_'][0]}) "
               f"SELECT id, {parts['m_'][1]} FROM filed) "
               "SELECT filed.id, created.id FROM filed, created")
        _FILING_POSTGRESQL = DriverStatement(text(sql).bindparams(*binds))
    return _FILING_POSTGRESQL


def file_complaint(new: NewComplaint, *, submission_key: str | None = None, now: datetime | None = None) -> FiledComplaint:
    """A customer complains (web form or API). Creates or links the customer file, starts the SLA
    clocks, records the public 'received' event and queues the empathetic acknowledgement.

    The hot path of the product, written for a short write transaction: everything that needs no
    lock (checks, token and hashes, the lookup of customer, priority and SLA, rendering the e-mail)
    comes first; then a few prepared Core INSERTs (customer file if new, complaint, event, outbox
    row), the signal receivers and the commit. On SQLite, whose one write lock serialises every
    writer, the lookup runs in a read transaction of its own, so the lock is held only for the
    INSERTs."""
    now = now or utcnow()
    accepted = uploads.check_uploads(new.attachments)
    language = new.language if new.language in current_app.config["LANGUAGES"] else "en"
    key_hash = hash_secret(submission_key) if submission_key else None
    token = _tracking_token_for(submission_key)
    session = db.session()  # the request's Session itself (the scoped proxy lacks in_transaction)
    # Read apart only from an idle session (the request's case): ending the read must not end a
    # transaction or drop changes the caller has under way.
    read_apart = (session.get_bind().dialect.name == "sqlite" and not session.in_transaction()
                  and not (session.new or session.dirty or session.deleted))
    if read_apart:
        # A connection of its own, outside the session and any transaction: each SELECT reads on
        # its own and takes no lock. The session's first statement below then takes the write lock.
        with driver_connection(db.engine) as connection:
            twin, customer, priority, hours = _lookups(connection, new.email, key_hash, token)
    else:
        twin, customer, priority, hours = _lookups(session.connection(), new.email, key_hash, token)
    if twin is not None:
        return twin

    if customer is None:
        customer = new_customer_for_email(email=new.email, name=new.name, phone=new.phone, language=language,
                                          preferred_channel=new.preferred_channel, timezone=new.timezone)
    values = {
        "reference": new_reference(), "tracking_token_hash": hash_secret(token), "submission_key": key_hash,
        "customer_id": customer.id, "contact_name": new.name.strip(), "contact_email": new.email.strip(),
        "contact_phone": new.phone.strip(), "preferred_channel": new.preferred_channel, "language": language,
        "subject": new.subject.strip(), "description": new.description.strip(),
        "order_reference": new.order_reference.strip(), "occurred_on": new.occurred_on,
        "desired_outcome": new.desired_outcome.strip(), "status": "new", "priority": priority, "owner_id": None,
        "created_at": now, "updated_at": now, "first_response_due_at": now + timedelta(hours=hours[0]),
        "resolution_due_at": now + timedelta(hours=hours[1]), "first_responded_at": None,
        "first_response_escalated_at": None, "resolution_escalated_at": None, "committed_action": "",
        "committed_action_due_on": None, "resolution": "", "root_cause_id": None, "resolved_at": None,
        "closed_at": None, "reopened_count": 0, "handling_minutes": 0, "channel": new.channel, "version": 1,
    }
    email = _acknowledgement_row(values, customer, token, now)

    connection = session.connection()  # SQLite: BEGIN IMMEDIATE, the write lock until the commit
    if customer.id is None:
        values["customer_id"], zone = insert_customer_file(connection, customer)
        if zone != customer.timezone:  # a concurrent twin created this file first, in its own zone
            email = _acknowledgement_row(values, session.get(Customer, values["customer_id"]), token, now)
    # No dedupe key on the e-mail: the complaint is new in this very transaction, so there is no
    # earlier acknowledgement to collide with (a double submit returned above).
    email["customer_id"] = values["customer_id"]
    if key_hash:
        # A concurrent twin of this submission may have won the race for the unique key since the
        # lookup: a savepoint lets us hand back its complaint (and drop what we wrote).
        try:
            with session.begin_nested():
                # session.connection() inside the block emits the SAVEPOINT (begin_nested alone
                # does not); PostgreSQL needs it to go on after the failed INSERT.
                complaint_id, event_id = _insert_filing(session.connection(), values, email)
        except IntegrityError:
            twin = _twin(connection, key_hash, token)
            if twin is None:
                raise
            session.rollback()
            return twin
    else:
        # Without a key there is nothing to race for (a clash of random references, 1 in 1.5·10^11
        # per existing complaint, fails on the unique index like any other error).
        complaint_id, event_id = _insert_filing(connection, values, email)
    if accepted:
        _attach(complaint_id, accepted, by_customer=True, now=now, event_id=event_id)
    filed = FiledComplaint(complaint_id, token, created=True, reference=values["reference"], language=language,
                           customer_id=values["customer_id"], priority=priority)
    signals.complaint_created.send(current_app._get_current_object(), filed=filed, now=now)
    _commit()
    return filed


def _acknowledgement_row(values: dict, customer, token: str, now: datetime) -> dict:
    """The outbox row of the empathetic acknowledgement (ids filled in once they exist)."""
    return outbox_values(
        kind="complaint_acknowledgement", to_address=values["contact_email"], to_name=values["contact_name"],
        rendered=compose_acknowledgement(values, customer, tracking_url(token)), language=values["language"], now=now)


def _attach(complaint: Complaint | int, accepted, *, by_customer: bool, now: datetime,
            event: ComplaintEvent | None = None, event_id: int | None = None) -> None:
    """Store the accepted uploads on `complaint` (the object, or the id of a new one)."""
    link = {"event": event} if event is not None else {"event_id": event_id}  # (event=None would clear event_id)
    owner = {"complaint_id": complaint} if isinstance(complaint, int) else {"complaint": complaint}
    for upload, content_type, extension in accepted:
        db.session.add(Attachment(
            **owner, **link, stored_name=uploads.store(upload.content, extension),
            original_name=(upload.filename or "attachment")[:255], content_type=content_type,
            size_bytes=len(upload.content), uploaded_by_customer=by_customer, created_at=now))


def complaint_for_tracking_token(token: str) -> Complaint:
    complaint = None
    if token and len(token) <= 100:
        complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_token_hash == hash_secret(token)))
    if complaint is None:
        raise NotFound(_("We could not find this complaint. Please check the link in your e-mail."))
    return complaint


def add_customer_message(token: str, text: str, attachments: list[uploads.Upload] | None = None,
                         *, now: datetime | None = None) -> Complaint:
    """The customer adds information on the tracking page; the owner (or the managers) are told."""
    now = now or utcnow()
    complaint = complaint_for_tracking_token(token)
    text = (text or "").strip()
    accepted = uploads.check_uploads(attachments or [])
    if not text and not accepted:
        raise ServiceError(_("Please write a message or attach a file."),
                           {"message": [_("Please write a message or attach a file.")]})
    _transition(complaint, "customer_message")
    event = _event(complaint, "customer_message", now=now, public=True, body=text, by_customer=True)
    _attach(complaint, accepted, by_customer=True, now=now, event=event)
    for recipient in _owner_or_managers(complaint):
        queue_email(kind="complaint_customer_message", to_address=recipient.email, to_name=recipient.name,
                    template="complaint_customer_message", language=recipient.language,
                    context={"complaint": complaint, "message": text, "attachment_count": len(accepted)},
                    staff_user_id=recipient.id, complaint_id=complaint.id, now=now)
    _commit()
    return complaint


def _owner_or_managers(complaint: Complaint) -> list[StaffUser]:
    if complaint.owner is not None and complaint.owner.active:
        return [complaint.owner]
    return managers()


def managers() -> list[StaffUser]:
    return list(db.session.scalars(
        select(StaffUser).where(StaffUser.active.is_(True), StaffUser.role.in_(("manager", "admin")))
        .order_by(StaffUser.id)))


# --- staff side --------------------------------------------------------------------------------

def _load(reference: str, actor: StaffUser) -> Complaint:
    return get_visible_complaint(reference, actor)


def assign_owner(reference: str, owner_email: str, *, actor: StaffUser, minutes: int = 0,
                 now: datetime | None = None) -> Complaint:
    """Name the person responsible (seed 003) and tell the customer who it is.

    Agents may take an unowned complaint themselves; giving it to someone else, or taking it
    from its owner, is a manager's decision."""
    now = now or utcnow()
    minutes = _check_minutes(minutes)
    complaint = _load(reference, actor)
    owner = db.session.scalar(select(StaffUser).where(StaffUser.email == (owner_email or "").strip().lower()))
    if owner is None or not owner.active:
        raise ServiceError(_("There is no active staff member with that e-mail."),
                           {"owner": [_("Choose an active staff member.")]})
    if not actor.is_manager and not (owner.id == actor.id and complaint.owner_id in (None, actor.id)):
        raise PermissionDenied(_("Only a manager can give a complaint to someone else or take it from its owner."))
    if complaint.owner_id == owner.id:
        raise ServiceError(_("%(name)s already owns this complaint.", name=owner.name))
    before, after = _transition(complaint, "assign")
    previous = complaint.owner.name if complaint.owner else None
    complaint.owner = owner
    _mark_first_response(complaint, "assign", now)
    _event(complaint, "assigned", now=now, public=True, actor=actor, minutes=minutes,
           detail={"owner": owner.name, "previous_owner": previous, "from": before, "to": after})
    _email_customer(complaint, "complaint_owner_assigned", now=now, context={"owner": owner})
    if owner.id != actor.id:
        queue_email(kind="complaint_assigned_to_you", to_address=owner.email, to_name=owner.name,
                    template="complaint_assigned_to_you", language=owner.language,
                    context={"complaint": complaint, "actor": actor}, staff_user_id=owner.id,
                    complaint_id=complaint.id, now=now)
    signals.complaint_assigned.send(current_app._get_current_object(), complaint=complaint, now=now)
    _commit()
    return complaint


def record_fact(reference: str, text: str, *, actor: StaffUser, minutes: int = 0,
                now: datetime | None = None) -> ComplaintEvent:
    """Establish the facts (seed 003), each as its own entry. Facts are internal."""
    now = now or utcnow()
    minutes = _check_minutes(minutes)
    text = _require_text(text, "text", _("Write down the fact you established."))
    complaint = _load(reference, actor)
    _transition(complaint, "record_fact")
    event = _event(complaint, "fact", now=now, public=False, body=text, actor=actor, minutes=minutes)
    _commit()
    return event


def post_update(reference: str, message: str, *, public: bool, actor: StaffUser, minutes: int = 0,
                now: datetime | None = None) -> ComplaintEvent:
    """A public progress update (e-mailed, on the tracking page) or an internal note (never shown
    to the customer)."""
    now = now or utcnow()
    minutes = _check_minutes(minutes)
    message = _require_text(message, "message", _("Write the update."))
    complaint = _load(reference, actor)
    if public:
        _transition(complaint, "progress_update")
        _mark_first_response(complaint, "progress_update", now)
        event = _event(complaint, "progress_update", now=now, public=True, body=message, actor=actor, minutes=minutes)
        _email_customer(complaint, "complaint_progress_update", now=now, context={"message": message, "author": actor})
    else:
        _transition(complaint, "internal_note")
        event = _event(complaint, "internal_note", now=now, public=False, body=message, actor=actor, minutes=minutes)
    _commit()
    return event


def commit_action(reference: str, action: str, due_on: date | None, *, actor: StaffUser, minutes: int = 0,
                  now: datetime | None = None) -> Complaint:
    """Accept that action will be taken (seed 003): what, and by when. The customer is told."""
    now = now or utcnow()
    minutes = _check_minutes(minutes)
    action = _require_text(action, "action", _("Describe the action you commit to."))
    if due_on is None:
        raise ServiceError(_("Give the target date for the action."), {"due_on": [_("Give the target date for the action.")]})
    if due_on < now.date():
        raise ServiceError(_("The target date cannot be in the past."), {"due_on": [_("The target date cannot be in the past.")]})
    complaint = _load(reference, actor)
    _transition(complaint, "commit_action")
    _mark_first_response(complaint, "commit_action", now)
    complaint.committed_action = action
    complaint.committed_action_due_on = due_on
    _event(complaint, "action_committed", now=now, public=True, body=action, actor=actor, minutes=minutes,
           detail={"due_on": due_on.isoformat()})
    _email_customer(complaint, "complaint_action_committed", now=now, context={"owner": complaint.owner or actor})
    _commit()
    return complaint


def change_priority(reference: str, priority: str, *, actor: StaffUser, minutes: int = 0,
                    now: datetime | None = None) -> Complaint:
    """A different priority means different SLA targets, counted from when the complaint arrived."""
    now = now or utcnow()
    minutes = _check_minutes(minutes)
    if priority not in PRIORITIES:
        raise ServiceError(_("Unknown priority."), {"priority": [_("Choose a priority from the list.")]})
    complaint = _load(reference, actor)
    if complaint.priority == priority:
        return complaint
    _transition(complaint, "change_priority")
    before = complaint.priority
    complaint.priority = priority
    _apply_sla(complaint, complaint.created_at)
    _event(complaint, "priority_changed", now=now, public=False, actor=actor, minutes=minutes,
           detail={"from": before, "to": priority})
    _commit()
    return complaint


def active_root_causes() -> list[RootCause]:
    return list(db.session.scalars(select(RootCause).where(RootCause.active.is_(True))
                                   .order_by(RootCause.sort_order, RootCause.name)))


def resolve(reference: str, resolution: str, root_cause_code: str, *, actor: StaffUser, minutes: int = 0,
            now: datetime | None = None) -> Complaint:
    """Settle the complaint. A root cause is mandatory (seed 003: the cause of every failure)."""
    now = now or utcnow()
    minutes = _check_minutes(minutes)
    resolution = _require_text(resolution, "resolution", _("Describe how the complaint was resolved."))
    root_cause = db.session.scalar(select(RootCause).where(RootCause.code == (root_cause_code or "").strip(),
                                                           RootCause.active.is_(True)))
    if root_cause is None:
        raise ServiceError(_("Choose the root cause of the problem."), {"root_cause": [_("Choose the root cause of the problem.")]})
    complaint = _load(reference, actor)
    before, after = _transition(complaint, "resolve")
    if complaint.owner is None:
        complaint.owner = actor  # whoever settles an unowned complaint becomes responsible for it
    _mark_first_response(complaint, "resolve", now)
    complaint.resolution = resolution
    complaint.root_cause = root_cause
    complaint.resolved_at = now
    _event(complaint, "resolved", now=now, public=True, body=resolution, actor=actor, minutes=minutes,
           detail={"root_cause": root_cause.code, "from": before, "to": after})
    _email_customer(complaint, "complaint_resolved", now=now)
    signals.complaint_resolved.send(current_app._get_current_object(), complaint=complaint, now=now)
    _commit()
    return complaint


def reopen(reference: str, reason: str, *, actor: StaffUser, minutes: int = 0, now: datetime | None = None) -> Complaint:
    """The customer (or staff) is not satisfied after all: back to work with a fresh resolution clock."""
    now = now or utcnow()
    minutes = _check_minutes(minutes)
    reason = _require_text(reason, "reason", _("Say why the complaint is reopened."))
    complaint = _load(reference, actor)
    before, after = _transition(complaint, "reopen")
    complaint.reopened_count += 1
    complaint.resolved_at = None
    complaint.closed_at = None
    # A fresh resolution clock; the breach of the old one is history.
    complaint.resolution_due_at = now + timedelta(hours=sla_hours(complaint.priority)[1])
    complaint.resolution_escalated_at = None
    _event(complaint, "reopened", now=now, public=True, body=reason, actor=actor, minutes=minutes,
           detail={"from": before, "to": after})
    _email_customer(complaint, "complaint_reopened", now=now, context={"reason": reason})
    signals.complaint_reopened.send(current_app._get_current_object(), complaint=complaint, now=now)
    _commit()
    return complaint


def close(reference: str, *, actor: StaffUser, minutes: int = 0, now: datetime | None = None) -> Complaint:
    """File a resolved complaint away; only a reopen brings it back."""
    now = now or utcnow()
    minutes = _check_minutes(minutes)
    complaint = _load(reference, actor)
    before, after = _transition(complaint, "close")
    complaint.closed_at = now
    _event(complaint, "closed", now=now, public=True, actor=actor, minutes=minutes, detail={"from": before, "to": after})
    signals.complaint_closed.send(current_app._get_current_object(), complaint=complaint, now=now)
    _commit()
    return complaint


# --- scheduled ---------------------------------------------------------------------------------

def escalate_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """E-mail the managers once per SLA breach (first response, resolution). Safe to rerun: the
    escalated_at stamp and the outbox dedupe key make a second pass a no-op."""
    now = now or utcnow()
    open_states = lifecycle.OPEN_STATES
    first = list(db.session.scalars(
        select(Complaint).where(Complaint.status.in_(open_states), Complaint.first_responded_at.is_(None),
                                Complaint.first_response_due_at < now, Complaint.first_response_escalated_at.is_(None))
        .order_by(Complaint.first_response_due_at).limit(limit)))
    resolution = list(db.session.scalars(
        select(Complaint).where(Complaint.status.in_(open_states), Complaint.resolution_due_at < now,
                                Complaint.resolution_escalated_at.is_(None))
        .order_by(Complaint.resolution_due_at).limit(limit)))
    recipients = managers()
    count = 0
    for breach, complaints in (("first_response", first), ("resolution", resolution)):
        for complaint in complaints:
            due = complaint.first_response_due_at if breach == "first_response" else complaint.resolution_due_at
            setattr(complaint, f"{breach}_escalated_at", now)
            _event(complaint, "escalated", now=now, public=False, detail={"breach": breach, "due_at": due.isoformat()})
            for manager in recipients:
                queue_email(kind="complaint_escalation", to_address=manager.email, to_name=manager.name,
                            template="complaint_escalation", language=manager.language,
                            dedupe_key=f"escalation:{breach}:{complaint.id}:{due.isoformat()}:{manager.id}",
                            context={"complaint": complaint, "breach": breach, "due_at": due},
                            staff_user_id=manager.id, complaint_id=complaint.id, now=now)
            count += 1
    _commit()
    return count
