"""Inbound mail's part of the privacy duties (`customers.signals`, connected in
`factory.register_signal_receivers`): the e-mails the person sent us — on one of their
complaints or from one of their addresses — are kept raw (headers, body, attachments); on erasure
they are deleted, and their count is on the erase page."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from complaints.models import Complaint
from customers.privacy import ErasureItem
from customers.signals import customer_erasing, erasure_preview
from extensions import db
from inbound.models import InboundMessage


def _theirs(customer_id: int, addresses) -> sa.ColumnElement[bool]:
    on_complaints = InboundMessage.complaint_id.in_(sa.select(Complaint.id).where(Complaint.customer_id == customer_id))
    lowered = sorted({a.lower() for a in addresses if "@" in a})
    return sa.or_(on_complaints, sa.func.lower(InboundMessage.from_address).in_(lowered)) if lowered else on_complaints


def _addresses(customer_id: int) -> list[str]:
    from customers.models import Customer
    rows = db.session.execute(sa.select(Complaint.contact_email).where(Complaint.customer_id == customer_id)).scalars()
    own = db.session.scalar(sa.select(Customer.email).where(Customer.id == customer_id))
    return [a for a in [*rows, own] if a]


def preview(_sender=None, *, customer_id: int, **_extra) -> list[ErasureItem]:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)
                              .where(_theirs(customer_id, _addresses(customer_id))))
    return [ErasureItem(_("E-mails received from the customer"), count)]


def erase(_sender=None, *, erasure, **_extra) -> None:
    # The identifiers were gathered before anything was blanked: they hold the addresses.
    db.session.execute(sa.delete(InboundMessage).where(_theirs(erasure.customer_id, erasure.identifiers)))


_connected = False


def connect() -> None:
    global _connected
    if not _connected:
        erasure_preview.connect(preview)
        customer_erasing.connect(erase)
        _connected = True
