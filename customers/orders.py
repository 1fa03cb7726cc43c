"""Orders/revenue coming in through the API and the CSV import: validate, resolve customers in
bulk, insert with executemany in chunks (never one query per row)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import insert, select

from customers.models import Customer, Order
from customers.validation import clean_order
from extensions import db
from platform_support.errors import ServiceError

CHUNK = 1000


@dataclass
class PreparedOrders:
    rows: list[dict] = field(default_factory=list)           # ready for INSERT
    rejected: list[tuple[int, dict]] = field(default_factory=list)  # (index in input, {field: [messages]})


def customer_ids_for(external_ids: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ids = sorted(external_ids)
    for start in range(0, len(ids), 500):
        found.update(db.session.execute(select(Customer.external_id, Customer.id)
                                        .where(Customer.external_id.in_(ids[start:start + 500]))).tuples().all())
    return found


def _existing_refs(refs: set[str]) -> set[str]:
    taken: set[str] = set()
    refs_list = sorted(refs)
    for start in range(0, len(refs_list), 500):
        taken.update(db.session.scalars(select(Order.external_ref)
                                        .where(Order.external_ref.in_(refs_list[start:start + 500]))))
    return taken


def prepare_orders(raws: list[dict], *, now: datetime, seen_refs: set[str] | None = None) -> PreparedOrders:
    """Check a batch of raw orders; `seen_refs` carries order references across batches of one file."""
    prepared = PreparedOrders()
    cleaned: list[tuple[int, dict]] = []
    for index, raw in enumerate(raws):
        clean, errors = clean_order(raw if isinstance(raw, dict) else {})
        if not isinstance(raw, dict):
            errors = {"": [_("Each order must be a JSON object.")]}
        if errors:
            prepared.rejected.append((index, errors))
        else:
            cleaned.append((index, clean))
    customer_ids = customer_ids_for({c["customer"] for _i, c in cleaned})
    taken = _existing_refs({c["external_ref"] for _i, c in cleaned if c["external_ref"]})
    seen = seen_refs if seen_refs is not None else set()
    for index, clean in cleaned:
        customer_id = customer_ids.get(clean["customer"])
        if customer_id is None:
            prepared.rejected.append((index, {"customer": [_("No customer with this external id.")]}))
            continue
        ref = clean["external_ref"]
        if ref and (ref in taken or ref in seen):
            prepared.rejected.append((index, {"reference": [_("An order with this reference already exists.")]}))
            continue
        if ref:
            seen.add(ref)
        prepared.rows.append({"customer_id": customer_id, "external_ref": ref, "ordered_on": clean["ordered_on"],
                              "amount": clean["amount"], "currency": clean["currency"], "due_on": clean["due_on"],
                              "paid_on": clean["paid_on"], "created_at": now})
    prepared.rejected.sort(key=lambda item: item[0])
    return prepared


def insert_orders(rows: list[dict]) -> int:
    """Set-based insert in chunks (executemany); the caller commits."""
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(Order), rows[start:start + CHUNK])
    return len(rows)


def add_orders(raws: list[dict], *, now: datetime) -> list[dict]:
    """The API: all orders of one request are stored, or none (with every refusal named). Commits."""
    if not raws:
        raise ServiceError(_("Send at least one order."))
    if len(raws) > 10_000:
        raise ServiceError(_("At most 10 000 orders per request."))
    prepared = prepare_orders(raws, now=now)
    if prepared.rejected:
        fields = {}
        for index, errors in prepared.rejected:
            for name, messages in errors.items():
                fields[f"{index}.{name}" if len(raws) > 1 else name] = messages
        raise ServiceError(_("Please correct the highlighted fields."), fields)
    insert_orders(prepared.rows)
    db.session.commit()
    return prepared.rows
