"""The privacy duties: tell a person everything we hold about them (one zip: a JSON document and
the files), erase them when asked or when the retention policy proposes it, and propose nobody
who is merely new.

Every package answers for its own data through `customers.signals` (connected in
`factory.register_signal_receivers`): customers blanks the file, its contacts and order
references here; complaints, surveys, notifications, webhooks and audit each blank or delete what
they hold, in the same transaction, before the one commit. Orders (amounts, dates), scores and
counts stay: they are not about the person once the file is anonymous.
"""
from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from audit.recording import record
from customers.models import Customer, CustomerScore, CustomerTask, Greeting, Interaction, Order, SegmentTransition
from customers.records import get_customer
from customers.signals import activity_sources, customer_erasing, erasure_identifiers, erasure_preview, export_sections
from extensions import db
from platform_support.errors import ServiceError

log = logging.getLogger(__name__)

ERASED_EMAIL = "erased@invalid"
REASON_MAX = 1000


@dataclass(frozen=True)
class Erasure:
    """What every receiver of `customer_erasing` gets."""
    customer_id: int
    now: datetime
    placeholder: str  # the name that replaces the person's ("Erased customer #12")
    # Strings that name the person in free text elsewhere (name, addresses, phone, complaint contact
    # data): a receiver blanks whatever still contains one of them.
    identifiers: tuple[str, ...]


@dataclass(frozen=True)
class ErasureItem:
    """One line of the erase page: what goes, how many; `blocks` refuses the erasure (without a
    manager's reason) while the count is not zero — e.g. open complaints."""
    label: str
    count: int
    blocks: bool = False


@dataclass
class ExportSection:
    name: str
    data: object
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (path inside the zip, content)


def plain(value):
    """A JSON-ready value (dates ISO-8601, decimals as strings)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row(obj, columns) -> dict:
    return {c: plain(getattr(obj, c)) for c in columns}


def _collect(signal, shape=None, **kwargs) -> list:
    """Every receiver's contribution; packages below customers (notifications, audit) cannot import
    these classes and answer with plain dicts, made into `shape` here."""
    found: list = []
    for _receiver, contributed in signal.send(**kwargs):
        found.extend(shape(**item) if shape is not None and isinstance(item, dict) else item
                     for item in contributed or [])
    return found


# --- export -----------------------------------------------------------------------------------------------

FILE_COLUMNS = ("external_id", "name", "email", "phone", "job_title", "language", "timezone", "preferred_channel",
                "preferred_days", "preferred_hour_start", "preferred_hour_end", "salutation", "patronymic", "birthday",
                "notes", "is_partner", "disqualified", "created_at", "erased_at")


def _own_sections(customer: Customer) -> list[ExportSection]:
    customer_id = customer.id
    score = db.session.get(CustomerScore, customer_id)
    return [
        ExportSection("customer", {**row(customer, FILE_COLUMNS),
                                   "organisation": customer.organisation.name if customer.organisation else None}),
        ExportSection("consents", {
            "surveys_opted_out_at": plain(customer.surveys_opted_out_at),
            "greetings_opted_out_at": plain(customer.greetings_opted_out_at),
            "preferred_channel": customer.preferred_channel}),
        ExportSection("orders", [row(o, ("external_ref", "ordered_on", "amount", "currency", "due_on", "paid_on"))
                                 for o in db.session.scalars(sa.select(Order).where(Order.customer_id == customer_id)
                                                             .order_by(Order.id))]),
        ExportSection("interactions", [row(i, ("kind", "occurred_at", "minutes", "body")) for i in db.session.scalars(
            sa.select(Interaction).where(Interaction.customer_id == customer_id).order_by(Interaction.occurred_at))]),
        ExportSection("scores", row(score, ("computed_at", "satisfaction", "loyalty", "abc", "category", "stage"))
                      if score else None),
        ExportSection("segment_transitions", [row(t, ("changed_at", "dimension", "from_value", "to_value"))
                                              for t in db.session.scalars(
            sa.select(SegmentTransition).where(SegmentTransition.customer_id == customer_id).order_by(SegmentTransition.id))]),
    ]


def export_sections_for(customer_id: int) -> list[ExportSection]:
    customer = get_customer(customer_id)
    return _own_sections(customer) + _collect(export_sections, ExportSection, customer_id=customer_id)


def export_customer(customer_id: int) -> dict:
    """The JSON document: one key per section (customer, consents, orders, interactions, scores,
    complaints, survey_answers, emails, …)."""
    return {section.name: section.data for section in export_sections_for(customer_id)}


def export_zip(customer_id: int, *, now: datetime) -> bytes:
    """One zip: `customer.json` (the document, with the list of files) and every file under `files/`."""
    sections = export_sections_for(customer_id)
    document = {"exported_at": plain(now), **{s.name: s.data for s in sections}}
    files = [(path, content) for s in sections for path, content in s.files]
    document["files"] = [path for path, _content in files]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customer.json", json.dumps(document, ensure_ascii=False, indent=2))
        for path, content in files:
            archive.writestr(path, content)
    return buffer.getvalue()


# --- erasure ----------------------------------------------------------------------------------------------

def preview(customer_id: int) -> list[ErasureItem]:
    """What erasing this file deletes or blanks, counted, package by package."""
    customer = get_customer(customer_id)
    count = lambda model, *where: db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))  # noqa: E731
    own = [
        ErasureItem(_("Name, e-mail address, phone, birthday, notes and contact preferences of the file"), 1),
        ErasureItem(_("Logged contacts (their texts)"), count(Interaction, Interaction.customer_id == customer.id)),
        ErasureItem(_("Order references (amounts and dates are kept)"),
                    count(Order, Order.customer_id == customer.id, Order.external_ref.is_not(None))),
        ErasureItem(_("Open tasks"), count(CustomerTask, CustomerTask.customer_id == customer.id)),
    ]
    return own + _collect(erasure_preview, ErasureItem, customer_id=customer_id)


def blocking(items: list[ErasureItem]) -> list[ErasureItem]:
    return [item for item in items if item.blocks and item.count]


def _identifiers(customer: Customer) -> tuple[str, ...]:
    own = [customer.name, customer.email or "", customer.phone, customer.salutation, customer.patronymic,
           customer.external_id or "", customer.notes]
    found = {text.strip() for text in own + _collect(erasure_identifiers, customer_id=customer.id) if text}
    # Very short strings ("Jo", "1") would blank unrelated rows; they are blanked where they belong.
    return tuple(sorted(text for text in found if len(text) >= 4))


def erase_customer(customer_id: int, *, actor, now: datetime, reason: str = "", confirmed: bool = True) -> Customer:
    """Erase the person everywhere, in one transaction. Refused while something blocks (an open
    complaint) unless a manager gives a reason, which the audit log keeps."""
    customer = get_customer(customer_id)
    if customer.erased_at is not None:
        raise ServiceError(_("This customer file was already erased."))
    if not confirmed:
        message = _("Tick the box to confirm that the personal data is to be erased.")
        raise ServiceError(message, {"confirm": [message]})
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX or "\x00" in reason:
        message = _("At most %(n)d characters.", n=REASON_MAX)
        raise ServiceError(message, {"reason": [message]})
    blockers = blocking(preview(customer_id))
    if blockers and not (actor.is_manager and reason):
        message = _("This customer has an open complaint. A manager can erase anyway with a reason, which the "
                    "audit log keeps.")
        raise ServiceError(message, {"reason": [message]})
    erasure = Erasure(customer_id=customer.id, now=now, placeholder=_("Erased customer #%(id)d", id=customer.id),
                      identifiers=_identifiers(customer))
    _erase_own(customer, erasure)
    customer_erasing.send(erasure=erasure)
    # After the receivers (audit blanks older entries naming the person; this one names nobody).
    record("customer.erased", actor=actor, now=now,
           target={"customer_id": str(customer.id), "reason": reason[:REASON_MAX],
                   "open_complaints": str(sum(item.count for item in blockers))})
    db.session.add(Interaction(customer_id=customer.id, kind="audit", occurred_at=now, created_at=now, minutes=0,
                               staff_user_id=actor.id,
                               body=_("Personal data erased by %(who)s; orders, scores and counts kept.", who=actor.name)))
    db.session.commit()
    log.info("customer %s erased by staff %s", customer.id, actor.id)
    return customer


def _erase_own(customer: Customer, erasure: Erasure) -> None:
    for name in ("phone", "job_title", "salutation", "patronymic", "notes", "preferred_days"):
        setattr(customer, name, "")
    customer.name, customer.email, customer.email_normalised = erasure.placeholder, None, None
    customer.external_id, customer.birthday = None, None
    customer.preferred_hour_start = customer.preferred_hour_end = None
    customer.erased_at = erasure.now
    customer.greetings_opted_out_at = customer.greetings_opted_out_at or erasure.now
    customer.surveys_opted_out_at = customer.surveys_opted_out_at or erasure.now
    # Minutes stay for the time-vs-revenue figures; what was said goes.
    db.session.execute(sa.update(Interaction).where(Interaction.customer_id == customer.id).values(body=""))
    db.session.execute(sa.update(Order).where(Order.customer_id == customer.id).values(external_ref=None))
    db.session.execute(sa.delete(CustomerTask).where(CustomerTask.customer_id == customer.id))
    db.session.execute(sa.delete(Greeting).where(Greeting.customer_id == customer.id))


# --- retention --------------------------------------------------------------------------------------------

def last_activity_query() -> sa.Subquery:
    """(customer_id, last_at): the newest of the file's creation, its orders, logged contacts and
    what the other packages report (complaints, survey answers) — the clock of the retention policy."""
    parts = [sa.select(Customer.id.label("customer_id"), Customer.created_at.label("at")),
             # A date beside timestamps: PostgreSQL widens it; SQLite compares the ISO texts.
             sa.select(Order.customer_id, sa.func.max(Order.ordered_on)).group_by(Order.customer_id),
             sa.select(Interaction.customer_id, sa.func.max(Interaction.occurred_at))
             .where(Interaction.kind != "audit").group_by(Interaction.customer_id)]
    parts += _collect(activity_sources)
    activities = sa.union_all(*parts).subquery()
    return (sa.select(activities.c.customer_id, sa.func.max(activities.c.at).label("last_at"))
            .group_by(activities.c.customer_id).subquery())


def retention_cutoff(now: datetime, months: int) -> datetime:
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, 28)
    return now.replace(year=year, month=month + 1, day=day)


def erasure_candidates(*, now: datetime, months: int, limit: int = 200):
    """Files whose last activity is older than `months` (RETENTION_MONTHS), not yet erased, oldest
    first, as (customer, last activity). A new file is never proposed: its creation is an activity."""
    last = last_activity_query()
    cutoff = retention_cutoff(now, months)
    rows = db.session.execute(
        sa.select(Customer, sa.type_coerce(last.c.last_at, sa.String)).join(last, last.c.customer_id == Customer.id)
        .where(Customer.erased_at.is_(None), last.c.last_at < cutoff)
        .order_by(last.c.last_at, Customer.id).limit(limit)).all()
    return [(customer, _moment(at)) for customer, at in rows]


def _moment(value) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return datetime.fromisoformat(str(value)[:19])
