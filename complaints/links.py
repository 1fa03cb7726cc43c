"""What makes every e-mail to a customer answerable and followable: a signed per-complaint token
(for the tracking link in later e-mails and the optional plus-address Reply-To) and the thread
headers (Reply-To, In-Reply-To, References).

The token is HMAC-SHA256(SECRET_KEY, reference), 128 bits in hex: nothing is stored, it cannot
be guessed without the key, and any e-mail can carry it again (the original tracking token is
stored only as a hash, so it cannot be repeated in later e-mails).
"""
from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app
from sqlalchemy import select

from complaints.models import ComplaintEvent
from extensions import db
from notifications.models import OutboxMessage

REFERENCE = re.compile(r"\bC-[ACDEFGHJKLMNPQRTUVWXY3479]{8}\b")
_TOKEN = re.compile(r"^(C-[ACDEFGHJKLMNPQRTUVWXY3479]{8})-([0-9a-f]{32})$", re.IGNORECASE)


def _signature(reference: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"complaint-link:" + reference.upper().encode(), hashlib.sha256).hexdigest()[:32]


def link_token(reference: str) -> str:
    return f"{reference}-{_signature(reference)}"


def reference_of_token(token: str) -> str | None:
    """The reference a genuine token was made for, else None (constant-time comparison)."""
    match = _TOKEN.match((token or "").strip())
    if match is None:
        return None
    reference = match.group(1).upper()
    return reference if hmac.compare_digest(match.group(2).lower(), _signature(reference)) else None


def link_url(reference: str) -> str:
    return f"{current_app.config['BASE_URL']}/track/{link_token(reference)}"


def reply_address(reference: str) -> str:
    """INBOUND_ADDRESS, plus-addressed with the complaint's token when INBOUND_PLUS_TOKENS is on."""
    address = current_app.config["INBOUND_ADDRESS"]
    local, at, domain = address.rpartition("@")
    if not current_app.config.get("INBOUND_PLUS_TOKENS") or not at:
        return address
    return f"{local}+{link_token(reference).lower()}@{domain}"


def reference_of_address(address: str) -> str | None:
    """The complaint a plus-address was signed for (local+C-XXXXXXXX-<token>@…), else None."""
    local = (address or "").rpartition("@")[0]
    if "+" not in local:
        return None
    return reference_of_token(local.split("+", 1)[1])


def thread_headers(complaint) -> dict[str, str]:
    """Reply-To and the thread of a customer e-mail about `complaint`: it answers the customer's
    latest e-mail (In-Reply-To) and lists the acknowledgement and that e-mail (References), so mail
    clients keep the whole complaint in one conversation."""
    first = db.session.scalar(select(OutboxMessage.message_id).where(
        OutboxMessage.complaint_id == complaint.id, OutboxMessage.kind == "complaint_acknowledgement")
        .order_by(OutboxMessage.id).limit(1))
    customer_ids = [detail.get("message_id") for detail in db.session.scalars(
        select(ComplaintEvent.detail).where(ComplaintEvent.complaint_id == complaint.id,
                                            ComplaintEvent.by_customer.is_(True))
        .order_by(ComplaintEvent.id)) if isinstance(detail, dict) and detail.get("message_id")]
    references = ([customer_ids[0]] if customer_ids else []) + ([first] if first else []) + customer_ids[-1:]
    references = list(dict.fromkeys(references))[-10:]
    headers = {"Reply-To": reply_address(complaint.reference)}
    if references:
        headers["References"] = " ".join(references)
        headers["In-Reply-To"] = customer_ids[-1] if customer_ids else references[-1]
    return headers
