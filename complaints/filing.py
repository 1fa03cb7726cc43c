"""A new complaint, from every channel: the public web form, the API, and (through the same
function) the e-mail intake and staff filing on a customer's behalf.

`check_new_complaint` holds the rules of a new complaint — the form and the API refuse the same
things with the same messages — and `file_complaint` files it: customer file, SLA clocks, the
public "created" event and the acknowledgement, in one transaction.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, String, and_, bindparam, func, insert, literal, select
from sqlalchemy.orm import make_transient_to_detached

from complaints import changes, links, routing, signals, uploads
from complaints.acknowledgement import compose_acknowledgement
from complaints.changes import attach_uploads
from complaints.classification import active_category_ids, category_required, check_field_values, public_fields
from complaints.contact import STAFF_ENTERED
from complaints.models import (CHANNELS, Complaint, ComplaintEvent, ComplaintFieldValue, ComplaintTask, SlaCategoryTarget,
                               SlaTarget)
from complaints.tasks import CALL_CHANNELS
from complaints.priority_rules import complaint_priority_expression
from calendars import services as calendar_services
from calendars.business_time import BusinessClock
from calendars.models import Calendar
from complaints.sla import DEFAULT_SLA_HOURS, due_dates
from customers.models import CHANNELS as CONTACT_CHANNELS
from customers.models import Customer
from customers.services import insert_customer_file, new_customer_for_email, normalise_email
from extensions import db
from notifications.headers import has_control_characters
from notifications.services import outbox_values, queue_many
from platform_support.clock import utcnow
from platform_support.database import insert_unless_taken, reading_only
from platform_support.email_address import MESSAGE as EMAIL_MESSAGE
from platform_support.email_address import is_single_address
from platform_support.errors import ServiceError
from platform_support.parsing import unstorable_text
from platform_support.tokens import hash_secret, new_reference, new_secret

# Field → longest accepted text (the columns' widths; the form's maxlength attributes come from here).
MAX_LENGTHS = {"name": 200, "email": 254, "phone": 50, "order_reference": 100, "subject": 200,
               "description": 20_000, "desired_outcome": 5_000, "timezone": 64}
SINGLE_LINE = ("name", "email", "phone", "order_reference", "subject")  # may end up in e-mail headers
REQUIRED = ("name", "email", "description")


@dataclass
class NewComplaint:
    """What the customer tells us, as typed (checked by `check_new_complaint`)."""
    name: str
    email: str
    description: str
    subject: str = ""
    order_reference: str = ""
    occurred_on: date | None = None
    desired_outcome: str = ""
    phone: str = ""
    preferred_channel: str = "email"  # how the customer wants to hear from us (customers.models.CHANNELS)
    language: str = "en"
    timezone: str = ""  # IANA name reported by the browser; a newcomer's file gets it
    category: str = ""  # an active intake category's code (complaints.classification), or none
    attachments: list[uploads.Upload] = field(default_factory=list)
    fields: dict | None = None  # that category's public custom fields: code → value


@dataclass(frozen=True)
class FiledComplaint:
    """What `file_complaint` hands back: the complaint and the secret of its tracking link."""
    complaint: Complaint
    tracking_token: str
    created: bool  # False when a double submit returned the first complaint
    # Read before the commit (which expires the complaint): answering needs no second query.
    reference: str
    language: str
    event_id: int | None = None  # the public "created" event written with it (None for a twin)

    @property
    def complaint_id(self) -> int:
        return self.complaint.id

    @property
    def tracking_url(self) -> str:
        return tracking_url(self.tracking_token)


def tracking_url(token: str) -> str:
    return f"{current_app.config['BASE_URL']}/track/{token}"


def _required_message(name: str) -> str:
    return {"name": _("Please tell us your name."), "email": _("We need your e-mail to keep you informed."),
            "description": _("Please tell us what happened.")}[name]


def check_new_complaint(new: NewComplaint, *, now: datetime, channel: str = "web") -> dict[str, list[str]]:
    """The rules of a new complaint, field → messages (empty: acceptable). The one check behind
    the web form, the API and every other intake; dates are compared with `now`, the customer's
    day being up to a day ahead of UTC's. The category must be an active one; it is required
    (COMPLAINT_CATEGORY_REQUIRED) only of what the customer files themselves (web, api)."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name, limit in MAX_LENGTHS.items():
        value = getattr(new, name)
        if not isinstance(value, str):
            refuse(name, _("Must be a string."))
            continue
        if name in REQUIRED and not value.strip():
            refuse(name, _required_message(name))
        elif len(value) > limit:
            refuse(name, _("Please keep it under %(max)d characters.", max=limit))
        elif name in SINGLE_LINE and has_control_characters(value):
            refuse(name, _("Please use a single line without special characters."))
        elif unstorable_text(value):
            refuse(name, _("Contains a NUL or another character that cannot be stored."))
    if "email" not in errors and not is_single_address(new.email.strip()):
        refuse("email", str(EMAIL_MESSAGE))
    if new.occurred_on is not None and new.occurred_on > now.date() + timedelta(days=1):
        refuse("occurred_on", _("This date is in the future."))
    if new.preferred_channel not in CONTACT_CHANNELS:
        refuse("preferred_channel", _("One of: %(choices)s.", choices=", ".join(CONTACT_CHANNELS)))
    languages = current_app.config["LANGUAGES"]
    if new.language not in languages:
        refuse("language", _("One of: %(choices)s.", choices=", ".join(languages)))
    if not isinstance(new.category, str):
        refuse("category", _("Must be a string."))
    elif new.category:
        if new.category not in active_category_ids():
            refuse("category", _("Choose a category from the list."))
    elif channel in ("web", "api") and category_required():
        refuse("category", _("Please choose what your complaint is about."))
    for name, messages in public_field_values(new, channel)[1].items():
        errors.setdefault(name, []).extend(messages)
    return errors


def public_field_values(new: NewComplaint, channel: str) -> tuple[dict[int, str | None], dict[str, list[str]]]:
    """The chosen category's public custom fields as given (field id → stored form) and their
    messages, by the check staff changes use too (classification.check_field_values); a required
    one is required only of what the customer files themselves (web, api). No query: the public
    fields come from the process's snapshot."""
    category_id = active_category_ids().get(new.category) if isinstance(new.category, str) and new.category else None
    if category_id is None:
        if new.fields and not new.category:
            return {}, {"fields": [_("Choose a category first: its fields come with it.")]}
        return {}, {}
    allowed = public_fields().get(category_id, [])
    if not allowed and not new.fields:
        return {}, {}
    parsed, errors = check_field_values(allowed, new.fields, check_required=channel in ("web", "api"))
    # "fields.<code>": a field's code may be any word, also the name of one of the complaint's own.
    return parsed, {name if name == "fields" else f"fields.{name}": messages for name, messages in errors.items()}


def file_complaint(new: NewComplaint, *, channel: str = "web", submission_key: str | None = None,
                   acknowledgement_headers: dict | None = None, commit: bool = True,
                   now: datetime | None = None, event_detail: dict | None = None) -> FiledComplaint:
    """A customer complains. Creates or links the customer file, starts the SLA clocks, records
    the public "created" event, queues the empathetic acknowledgement, announces
    `complaint_created` and commits. `channel` is how it reached us (complaints.models.CHANNELS).
    A `submission_key` (the web form's one-time key, or the API's Idempotency-Key) makes a double
    submit return the first complaint instead of filing a second. `acknowledgement_headers` go on
    the acknowledgement (an e-mail's In-Reply-To); `commit=False` leaves the commit to the caller
    (the e-mail intake commits the stored message with its complaint); `event_detail` goes into
    the "created" event's detail (the e-mail intake's link to the stored message).

    The hot path of the product, so the write transaction is kept short: the checks, the token
    and its hash, the one lookup of customer file + priority + SLA target and the acknowledgement
    come first; on SQLite (one write lock for every writer) the lookup is a read of its own, so the
    lock is held only for the INSERTs and the commit."""
    now = now or utcnow()
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")  # a caller's mistake, not the customer's
    errors = check_new_complaint(new, now=now, channel=channel)
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    accepted = uploads.check_uploads(new.attachments)
    key_hash = hash_secret(submission_key) if submission_key else None
    token = _tracking_token_for(submission_key)
    email = new.email.strip()
    # Read once per request (check_new_complaint has it already): its targets join the lookup.
    category_id = active_category_ids().get(new.category) if new.category else None

    session = db.session()  # the Session itself (the scoped proxy lacks in_transaction)
    # Read apart only from an idle session (the request's case): ending the read must not end a
    # transaction or drop changes the caller has under way.
    if (session.get_bind().dialect.name == "sqlite" and not session.in_transaction()
            and not (session.new or session.dirty or session.deleted)):
        with reading_only(), db.engine.connect() as connection:
            known = _look_up(connection, email, key_hash, category_id)
    else:
        known = _look_up(session.connection(), email, key_hash, category_id)
    if known.twin_id is not None:
        return _twin(known.twin_id, token)

    customer = known.customer
    if customer is None:
        customer = new_customer_for_email(email=email, name=new.name.strip(), phone=new.phone.strip(),
                                          language=new.language, preferred_channel=new.preferred_channel,
                                          timezone=new.timezone)
    # Every column given, so the Complaint the receivers get after the INSERT has nothing to load.
    values = {
        "reference": new_reference(), "tracking_token_hash": hash_secret(token), "submission_key": key_hash,
        "customer_id": known.customer_id, "contact_name": new.name.strip(), "contact_email": email,
        "contact_phone": new.phone.strip(), "preferred_channel": new.preferred_channel, "language": new.language,
        "subject": new.subject.strip(), "description": new.description.strip(),
        "order_reference": new.order_reference.strip(), "occurred_on": new.occurred_on,
        "desired_outcome": new.desired_outcome.strip(), "channel": channel, "status": "new",
        "priority": known.priority, "owner_id": None, "version": 1, "created_at": now, "updated_at": now,
        # Business time on the default calendar (a compiled clock cached per calendar version:
        # two binary searches), wall-clock hours without one.
        **due_dates(known.clock, now, known.sla_hours, percent=current_app.config["SLA_WARNING_PERCENT"]),
        "team_id": None, "waiting_since": None, "sla_paused_seconds": 0, "resolution_clock_from": None,
        "first_responded_at": None,
        "first_response_escalated_at": None, "resolution_escalated_at": None, "committed_action": "",
        "committed_action_due_on": None, "resolution": "", "root_cause_id": None, "resolved_at": None,
        "closed_at": None, "reopened_count": 0, "handling_minutes": 0,
        # Someone of staff took it from the person (phone, visit): nobody else could have used the address.
        "contact_confirmed_at": now if channel in STAFF_ENTERED else None,
        "category_id": category_id,
    }
    # The e-mail carries the signed link, not the token the filer saw on the page: opening it
    # proves the address (complaints.contact).
    acknowledgement = compose_acknowledgement(_Acknowledged(values), customer, links.link_url(values["reference"]))

    connection = session.connection()  # SQLite: BEGIN IMMEDIATE, the write lock until the commit
    addressee = customer
    if known.customer_id is None:
        values["customer_id"], zone = insert_customer_file(connection, customer)
        if zone != customer.timezone:  # a concurrent twin created this file first, in its own zone
            addressee = session.get(Customer, values["customer_id"])
            acknowledgement = compose_acknowledgement(_Acknowledged(values), addressee,
                                                      links.link_url(values["reference"]))
    # Routing rules (none: the complaint waits in the queue unowned): team, owner, and the team's
    # calendar for the due dates — read and decided inside this transaction, so the round-robin
    # turn and the owner commit with the complaint.
    routed = routing.route(routing.Facts(values["category_id"], new.language, channel, values["priority"],
                                         values["customer_id"]), today=now.date())
    if routed is not None:
        values["team_id"] = routed.team_id
        if routed.owner is not None:
            values["owner_id"], values["status"] = routed.owner.id, "assigned"
        if routed.calendar_id is not None:
            values.update(due_dates(calendar_services.clock_of(session.get(Calendar, routed.calendar_id)), now,
                                    known.sla_hours, percent=current_app.config["SLA_WARNING_PERCENT"]))
            # The acknowledgement promises the team calendar's due dates.
            acknowledgement = compose_acknowledgement(_Acknowledged(values), addressee,
                                                      links.link_url(values["reference"]))
    # Core INSERTs on the session's connection, statements built once: a unit-of-work flush of the
    # same rows costs about three times as much CPU (bench/RESULTS.md), on every public submission.
    # ON CONFLICT (submission_key) DO NOTHING: a concurrent twin of this submission may have won
    # the race for the unique key since the lookup (PostgreSQL waits for its transaction to end);
    # then nothing is written and its complaint is handed back. No savepoint needed. (A clash of
    # random references, 1 in 1.5·10^11 per existing complaint, fails on the unique index like
    # any other error.)
    inserted = insert_unless_taken(connection, Complaint.__table__, values, unique_column="submission_key",
                                   returning=("id",))
    if inserted is None:
        twin_id = connection.scalar(_twin_statement(), {"key_hash": key_hash})
        if twin_id is None:  # taken, yet no complaint has it: nothing deletes complaints this fast
            raise RuntimeError("submission key taken by no complaint")
        session.rollback()  # the customer file written above goes too: the twin's transaction has its own
        return _twin(twin_id, token)
    complaint_id = inserted[0]
    event_id = connection.execute(_event_statement(), {
        "complaint_id": complaint_id, "kind": "created", "public": True, "body": "", "detail": event_detail or {},
        "actor_staff_id": None, "by_customer": True, "minutes": 0, "created_at": now}).scalar_one()
    # No dedupe key on the e-mail: the complaint is new in this very transaction, so there is no
    # earlier acknowledgement to collide with (a double submit returned above).
    queue_many([outbox_values(kind="complaint_acknowledgement", to_address=email, to_name=values["contact_name"],
                              rendered=acknowledgement, language=new.language, customer_id=values["customer_id"],
                              complaint_id=complaint_id, now=now,
                              extra_headers={"Reply-To": links.reply_address(values["reference"]),
                                             **(acknowledgement_headers or {})})])
    # The row just written, as the session's persistent Complaint (no SELECT: every column is known).
    complaint = Complaint(id=complaint_id, **values)
    make_transient_to_detached(complaint)
    session.add(complaint)
    if values["preferred_channel"] in CALL_CHANNELS or customer.preferred_channel in CALL_CHANNELS:
        session.add(ComplaintTask(complaint_id=complaint_id, topic="complaint_acknowledgement", created_at=now))
    if accepted:
        attach_uploads(complaint, accepted, by_customer=True, now=now, event_id=event_id)
    given = [{"complaint_id": complaint_id, "field_id": ident, "value": value}
             for ident, value in public_field_values(new, channel)[0].items() if value is not None]
    if given:
        connection.execute(insert(ComplaintFieldValue.__table__), given)
    if routed is not None:
        routing.record_routing(complaint, routed, now=now)
    # The trigger rules "on filing" run before the commit (complaints.triggers).
    changes.note_change(complaint, filed=True)
    signals.complaint_created.send(current_app._get_current_object(), complaint=complaint, now=now)
    filed = FiledComplaint(complaint, token, created=True, reference=values["reference"], language=new.language,
                           event_id=event_id)
    if commit:
        session.commit()
    return filed


class _Acknowledged:
    """What the acknowledgement reads of a complaint not inserted yet (no ORM object needed)."""
    __slots__ = ("language", "reference", "contact_name", "first_response_due_at", "resolution_due_at")

    def __init__(self, values: dict):
        for name in self.__slots__:
            setattr(self, name, values[name])


class KnownCustomer(NamedTuple):
    """What filing reads of an existing customer file: its id and what the acknowledgement's
    greeting and dates need (not the whole file)."""
    id: int
    name: str
    language: str
    timezone: str
    salutation: str
    patronymic: str
    preferred_channel: str = "email"


@dataclass(frozen=True)
class _Known:
    """What filing needs to know first: an earlier filing of the same submission, or else the
    customer file of the address (None for a newcomer), the priority and the SLA hours."""
    twin_id: int | None = None
    customer: KnownCustomer | None = None
    priority: str = "normal"
    sla_hours: tuple[int, int] = DEFAULT_SLA_HOURS["normal"]
    clock: BusinessClock | None = None   # the default calendar's; None: wall-clock hours

    @property
    def customer_id(self) -> int | None:
        return self.customer.id if self.customer is not None else None


def _look_up(connection, email: str, key_hash: str | None, category_id: int | None = None) -> _Known:
    row = connection.execute(_lookup_statement(), {"email_normalised": normalise_email(email),
                                                   "key_hash": key_hash, "category_id": category_id}).one()
    (twin_id, customer_id, name, language, zone, salutation, patronymic, channel, priority, first_hours,
     resolution_hours, calendar_id, calendar_version) = row
    if twin_id is not None:
        return _Known(twin_id=twin_id)
    customer = None
    if customer_id is not None:
        customer = KnownCustomer(customer_id, name, language, zone, salutation, patronymic, channel)
    priority = priority or "normal"
    hours = DEFAULT_SLA_HOURS[priority] if first_hours is None else (first_hours, resolution_hours)
    clock = calendar_services.clock(calendar_id, calendar_version, connection) if calendar_id is not None else None
    return _Known(customer=customer, priority=priority, sla_hours=hours, clock=clock)


# The filing's statements are built once (functools.cache): building one costs more than running
# it, and the same object each time lets SQLAlchemy reuse its cache key and compiled form.

@cache
def _lookup_statement():
    """One row: an earlier filing of the same submission key (NULL without a key), the customer
    file of the address (all NULL for a newcomer), the priority its segments give
    (`complaint_priority_expression`: "normal" for a newcomer, who has no segments yet), the SLA
    target of that priority — its category's own when it has one — (NULL when none is set: the
    defaults apply) and the default
    calendar's id and version (NULL: none, wall-clock hours)."""
    twin = select(Complaint.id).where(Complaint.submission_key == bindparam("key_hash", type_=String)).scalar_subquery()
    priority = complaint_priority_expression(Customer.id)
    one_row = select(literal(1).label("one")).subquery()
    return (select(twin.label("twin_id"), Customer.id, Customer.name, Customer.language, Customer.timezone,
                   Customer.salutation, Customer.patronymic, Customer.preferred_channel, priority,
                   func.coalesce(SlaCategoryTarget.first_response_hours, SlaTarget.first_response_hours),
                   func.coalesce(SlaCategoryTarget.resolution_hours, SlaTarget.resolution_hours),
                   Calendar.id, Calendar.version)
            .select_from(one_row)
            .outerjoin(Customer, Customer.email_normalised == bindparam("email_normalised"))
            .outerjoin(SlaTarget, SlaTarget.priority == priority)
            # The category's own targets for that priority, when the complaint names a category.
            .outerjoin(SlaCategoryTarget, and_(SlaCategoryTarget.category_id == bindparam("category_id", type_=Integer),
                                               SlaCategoryTarget.priority == priority))
            .outerjoin(Calendar, Calendar.is_default.is_(True)))


@cache
def _twin_statement():
    """The complaint an earlier submission with the same key filed."""
    return select(Complaint.id).where(Complaint.submission_key == bindparam("key_hash"))


@cache
def _event_statement():
    """The public "created" event of the new complaint; its id."""
    table = ComplaintEvent.__table__
    return table.insert().returning(table.c.id)


def _twin(complaint_id: int, token: str) -> FiledComplaint:
    """The complaint an earlier submission with the same key filed."""
    complaint = db.session.get(Complaint, complaint_id)
    return FiledComplaint(complaint, token, created=False, reference=complaint.reference, language=complaint.language)


def _tracking_token_for(submission_key: str | None) -> str:
    """A double submit of the same form must lead to the same tracking link, so the token is
    derived from the (secret, per-form) submission key with the server's key; otherwise random."""
    if not submission_key:
        return new_secret()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"tracking:" + submission_key.encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
