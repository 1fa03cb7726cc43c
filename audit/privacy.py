"""The audit log's part of the privacy duties, for `customers.signals` (connected in
`factory.register_signal_receivers`; audit sits below customers and imports nothing of it):
entries about the customer's file (the before and after values of an edit) and entries whose
target or path quotes the person keep who did what and when, not the person's data."""
from __future__ import annotations

import json

import sqlalchemy as sa

from audit.models import AuditEntry
from extensions import db


def _quotes(entry: AuditEntry, identifiers) -> bool:
    text = entry.path + " " + json.dumps(entry.target or {}, ensure_ascii=False)
    return any(identifier in text for identifier in identifiers)


def erase(_sender=None, *, erasure, **_extra) -> None:
    customer = str(erasure.customer_id)
    # Candidates by SQL (about the file, or naming the person), then checked in Python where the
    # JSON is decoded (a JSON column may store non-ASCII text escaped).
    candidates = db.session.scalars(sa.select(AuditEntry).where(sa.or_(
        *[AuditEntry.path.contains(p, autoescape=True) for p in erasure.identifiers],
        *[sa.cast(AuditEntry.target, sa.Text).contains(p, autoescape=True) for p in erasure.identifiers],
        *[sa.cast(AuditEntry.target, sa.Text).contains(json.dumps(p)[1:-1], autoescape=True) for p in erasure.identifiers],
        sa.cast(AuditEntry.target, sa.Text).contains(f'"customer_id": "{customer}"', autoescape=True),
        sa.cast(AuditEntry.target, sa.Text).contains(f'"customer_id":"{customer}"', autoescape=True))))
    for entry in candidates:
        about_file = (entry.target or {}).get("customer_id") == customer
        if about_file or _quotes(entry, erasure.identifiers):
            entry.target = {"customer_id": customer, "erased": "1"} if about_file else {"erased": "1"}
            if _quotes(entry, erasure.identifiers):
                entry.path = ""
