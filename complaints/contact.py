"""Whose complaint is it? Anyone can type somebody else's e-mail address into the form; until the
address is shown to be the filer's, the complaint does not count in that customer's scores and
segments (`customers/segment_rules.py` reads `complaints.contact_confirmed_at`), and the public
pages make no promise that depends on the customer's segment.

The address is confirmed when the customer opens the signed tracking link of an e-mail we sent to
it (`complaints.tracking.open_tracking`), or replies to one of our e-mails from it
(`confirm_by_reply`, called by inbound mail), or when staff entered the complaint (phone, visit,
staff)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from complaints.models import Complaint
from extensions import db

# Channels where a member of staff took the complaint from the person: confirmed at filing.
STAFF_ENTERED = ("phone", "visit", "staff")


def confirm_contact(complaint_id: int, *, now: datetime) -> bool:
    """Mark the address confirmed (once; a conditional UPDATE, so two at once set it once) in the
    caller's transaction. True when this call confirmed it."""
    result = db.session.execute(sa.update(Complaint).where(Complaint.id == complaint_id,
                                                           Complaint.contact_confirmed_at.is_(None))
                                .values(contact_confirmed_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def confirm_by_reply(reference: str, from_address: str, *, now: datetime) -> bool:
    """For inbound mail: a reply to one of our e-mails about `reference`, sent from the address the
    complaint was filed with, confirms that address (no commit: the caller's transaction). True when
    the address matched (whether or not it was confirmed before)."""
    row = db.session.execute(sa.select(Complaint.id, Complaint.contact_email)
                             .where(Complaint.reference == (reference or "").strip().upper()[:20])).first()
    return row is not None and confirm_by_reply_to(row, from_address, now=now)


def confirm_by_reply_to(complaint, from_address: str, *, now: datetime) -> bool:
    """`confirm_by_reply` for a complaint the caller has loaded already (its `id` and
    `contact_email`): no lookup by reference."""
    if (from_address or "").strip().lower() != (complaint.contact_email or "").strip().lower():
        return False
    confirm_contact(complaint.id, now=now)
    return True
