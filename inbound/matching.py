"""Which complaint an e-mail belongs to, in this order (issue 15):

1. In-Reply-To / References naming one of our Message-IDs (an e-mail we sent about a complaint,
   or a customer e-mail already on it): only someone who received that message knows it;
2. a signed plus-address token in a recipient (local+C-XXXXXXXX-<token>@…);
3. a complaint reference in the subject, **only when the sender is that complaint's contact
   address**. A reference quoted by anyone else never writes into that complaint: the message
   opens a new complaint that notes the reference it mentions.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from complaints.links import REFERENCE, reference_of_address
from complaints.models import Complaint
from customers.services import normalise_email
from extensions import db
from inbound.models import InboundMessage
from notifications.models import OutboxMessage


@dataclass(frozen=True)
class Match:
    complaint: Complaint | None
    how: str  # "reply", "thread", "token", "subject" or "" (no match)
    mentioned: str = ""  # a reference in the subject that was not the sender's to use

    @property
    def proves_receipt(self) -> bool:
        """The sender knew something only a recipient of our e-mail knows: one of our Message-IDs
        (random) or the signed plus-address token. A reference in the subject, or the Message-ID
        of the customer's own earlier e-mail, proves nothing (whoever filed the complaint knows
        them)."""
        return self.how in ("reply", "token")


def match(parsed) -> Match:
    ids = list(dict.fromkeys(parsed.in_reply_to + parsed.references))[-50:]
    if ids:
        # The complaint in the same statement as the lookup of the id (one round trip each).
        complaint = db.session.scalar(select(Complaint).where(Complaint.id == (
            select(OutboxMessage.complaint_id).where(OutboxMessage.message_id.in_(ids),
                                                     OutboxMessage.complaint_id.is_not(None))
            .order_by(OutboxMessage.id.desc()).limit(1).scalar_subquery())))
        how = "reply"
        if complaint is None:
            how = "thread"
            complaint = db.session.scalar(select(Complaint).where(Complaint.id == (
                select(InboundMessage.complaint_id).where(InboundMessage.message_id.in_(ids),
                                                          InboundMessage.complaint_id.is_not(None))
                .order_by(InboundMessage.id.desc()).limit(1).scalar_subquery())))
        if complaint is not None:
            return Match(complaint, how)
    for address in parsed.recipients:
        reference = reference_of_address(address)
        if reference:
            complaint = _by_reference(reference)
            if complaint is not None:
                return Match(complaint, "token")
    found = REFERENCE.search(parsed.subject.upper())
    if found:
        complaint = _by_reference(found.group(0))
        if complaint is not None and normalise_email(complaint.contact_email) == normalise_email(parsed.from_address):
            return Match(complaint, "subject")
        return Match(None, "", mentioned=found.group(0))
    return Match(None, "")


def _by_reference(reference: str) -> Complaint | None:
    return db.session.scalar(select(Complaint).where(Complaint.reference == reference))
