"""CSV import of customers and orders: checked in chunks, inserted set-based, refusals reported.

`import_file(kind, path, …)` reads the file once (encoding and separator detected,
platform_support.spreadsheets), hands each chunk of rows to the kind's `_import_*_chunk` (bulk
look-ups + executemany) and commits once at the end: a file is imported whole, and every
refused row is written with its reason to a "rejected" CSV beside the input, so the operator
can fix and re-import it. A failure half-way leaves nothing imported.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from customers.models import Customer, Organisation
from customers.orders import insert_orders, prepare_orders
from customers.services import normalise_email
from customers.validation import clean_customer
from extensions import db
from platform_support.parsing import unstorable_text
from platform_support.spreadsheets import FIELD_MAX, TableError, read_table

CHUNK = 1000
CUSTOMER_COLUMNS = ("external_id", "name", "email", "organisation", "language", "timezone", "birthday", "phone",
                    "preferred_channel", "salutation", "patronymic", "job_title", "notes", "country")
ORDER_COLUMNS = ("customer", "ordered_on", "amount", "currency", "due_on", "paid_on", "reference")


@dataclass
class ImportSummary:
    kind: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    rejected: int = 0
    rejected_path: str | None = None
    encoding: str = ""
    separator: str = ""
    rejected_rows: list[dict] = field(default_factory=list)


def _reason(errors: dict) -> str:
    return "; ".join(f"{name}: {' '.join(str(m) for m in messages)}" if name else " ".join(str(m) for m in messages)
                     for name, messages in errors.items())


def count_rows(path: Path) -> int:
    """Data lines of the file (for a progress bar; the import itself skips blank lines)."""
    return max(path.read_bytes().count(b"\n") - 1, 1)


def _refused_text(row: dict, oversize: list[str]) -> dict:
    """Values no database can hold or no person typed: NUL, lone surrogates, oversize cells."""
    errors: dict = {}
    for name in oversize:
        errors.setdefault(name, []).append(_("Longer than %(n)d kB.", n=FIELD_MAX // 1024))
    for name, value in row.items():
        if isinstance(value, str) and unstorable_text(value):
            errors.setdefault(name or "", []).append(_("Contains a NUL or another character that cannot be stored."))
    return errors


def import_file(kind: str, path: Path, *, now: datetime, rejected_path: Path | None = None,
                on_progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import `path` (a CSV with a header row) in one transaction. ValueError (a clear message)
    when the file cannot be read as a table or lacks a required column; nothing is imported then."""
    chunk_importer = {"customers": _import_customers_chunk, "orders": _import_orders_chunk}[kind]
    expected = CUSTOMER_COLUMNS if kind == "customers" else ORDER_COLUMNS
    required = ("external_id", "name") if kind == "customers" else ("customer", "ordered_on", "amount")
    try:
        table = read_table(path.read_bytes(), required=required, expected=expected)
    except TableError as exc:
        raise ValueError(str(exc)) from None
    summary = ImportSummary(kind=kind, encoding=table.encoding_name, separator=table.separator_name)
    state: dict = {"seen": set()}
    try:
        chunk: list[tuple[int, dict]] = []
        for line_number, row in table.rows:
            errors = _refused_text(row, table.oversize.get(line_number, []))
            if errors:
                summary.read += 1
                summary.rejected += 1
                summary.rejected_rows.append(_rejected(line_number, _printable(row), errors))
                continue
            chunk.append((line_number, row))
            if len(chunk) >= CHUNK:
                _run_chunk(chunk_importer, chunk, summary, state, now, on_progress)
                chunk = []
        if chunk:
            _run_chunk(chunk_importer, chunk, summary, state, now, on_progress)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    summary.rejected_rows.sort(key=lambda row: row["line"])
    if summary.rejected_rows:
        target = rejected_path or path.with_name(path.stem + ".rejected.csv")
        with target.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.DictWriter(out, fieldnames=["line", *expected, "reason"], extrasaction="ignore",
                                    quoting=csv.QUOTE_ALL)
            writer.writeheader()
            writer.writerows(summary.rejected_rows)
        summary.rejected_path = str(target)
    return summary


def _printable(row: dict) -> dict:
    return {name: value.replace("\x00", "\\0").encode("utf-8", "replace").decode("utf-8") if isinstance(value, str) else value
            for name, value in row.items()}


def _run_chunk(importer, chunk, summary: ImportSummary, state: dict, now: datetime, on_progress) -> None:
    inserted, updated, rejected = importer(chunk, state, now)
    db.session.flush()
    summary.read += len(chunk)
    summary.inserted += inserted
    summary.updated += updated
    summary.rejected += len(rejected)
    summary.rejected_rows.extend(rejected)
    if on_progress:
        on_progress(len(chunk))


def _rejected(line: int, row: dict, errors: dict) -> dict:
    return {"line": line, **{k: v for k, v in row.items() if k is not None}, "reason": _reason(errors)}


# --- orders -------------------------------------------------------------------------------------------

def _import_orders_chunk(chunk: list[tuple[int, dict]], state: dict, now: datetime):
    prepared = prepare_orders([row for _line, row in chunk], now=now, seen_refs=state["seen"])
    rejected = [_rejected(chunk[index][0], chunk[index][1], errors) for index, errors in prepared.rejected]
    return insert_orders(prepared.rows), 0, rejected


# --- customers ----------------------------------------------------------------------------------------

def _organisation_ids(names: Iterable[str]) -> dict[str, int]:
    """Lower-cased name → id, creating the organisations not seen before (two set-based statements)."""
    wanted: dict[str, str] = {}
    for name in names:
        if name:
            wanted.setdefault(name.lower(), name)  # the first spelling in the file names a new organisation
    if not wanted:
        return {}
    found = dict(db.session.execute(select(func.lower(Organisation.name), func.min(Organisation.id))
                                    .where(func.lower(Organisation.name).in_(list(wanted)))
                                    .group_by(func.lower(Organisation.name))).tuples().all())
    new = [{"name": wanted[key], "notes": ""} for key in wanted if key not in found]
    if new:
        db.session.execute(insert(Organisation), new)
        found.update(db.session.execute(select(func.lower(Organisation.name), func.min(Organisation.id))
                                        .where(func.lower(Organisation.name).in_([n["name"].lower() for n in new]))
                                        .group_by(func.lower(Organisation.name))).tuples().all())
    return found


def _import_customers_chunk(chunk: list[tuple[int, dict]], state: dict, now: datetime):
    rejected: list[dict] = []
    good: list[tuple[int, dict, dict]] = []
    seen: set = state["seen"]
    for line, row in chunk:
        raw = {k: v for k, v in row.items() if k in CUSTOMER_COLUMNS and k != "external_id" and v not in (None, "")}
        raw.setdefault("name", row.get("name") or "")
        clean, errors = clean_customer(raw)
        external_id = (row.get("external_id") or "").strip()
        if not external_id or len(external_id) > 100:
            errors.setdefault("external_id", []).append(_("1 to 100 characters."))
        elif ("id", external_id) in seen:
            errors.setdefault("external_id", []).append(_("Appears twice in this file."))
        email = normalise_email(clean["email"]) if clean.get("email") else None
        if email and ("email", email) in seen:
            errors.setdefault("email", []).append(_("Appears twice in this file."))
        if errors:
            rejected.append(_rejected(line, row, errors))
            continue
        seen.add(("id", external_id))
        if email:
            seen.add(("email", email))
        good.append((line, row, {**clean, "external_id": external_id, "email_normalised": email}))
    existing = dict(db.session.execute(select(Customer.external_id, Customer.id).where(
        Customer.external_id.in_([c["external_id"] for _l, _r, c in good]))).tuples().all())
    emails = [c["email_normalised"] for _l, _r, c in good if c["email_normalised"]]
    email_owner = dict(db.session.execute(select(Customer.email_normalised, Customer.id)
                                          .where(Customer.email_normalised.in_(emails))).tuples().all()) if emails else {}
    organisations = _organisation_ids(c.get("organisation", "") for _l, _r, c in good)
    inserts, updates = [], []
    for line, row, clean in good:
        customer_id = existing.get(clean["external_id"])
        owner = email_owner.get(clean["email_normalised"]) if clean["email_normalised"] else None
        if owner is not None and owner != customer_id:
            rejected.append(_rejected(line, row, {"email": [_("Another customer file already has this e-mail address.")]}))
            continue
        values = {k: v for k, v in clean.items() if k != "organisation"}
        if "organisation" in clean:
            values["organisation_id"] = organisations.get(clean["organisation"].lower()) if clean["organisation"] else None
        if customer_id is None:
            inserts.append({"phone": "", "job_title": "", "language": "en", "timezone": "UTC",
                            "preferred_channel": "email", "preferred_days": "", "salutation": "", "patronymic": "",
                            "notes": "", "is_partner": False, "disqualified": False, "created_at": now,
                            "email": None, "organisation_id": None, "birthday": None, "country": None, **values})
        else:
            updates.append({"id": customer_id, **values})
    # Rows of one executemany must share their keys: group by key set.
    for rows in _by_keys(inserts):
        db.session.execute(insert(Customer), rows)
    for rows in _by_keys(updates):
        db.session.execute(update(Customer), rows)
    return len(inserts), len(updates), rejected


def _by_keys(rows: list[dict]) -> list[list[dict]]:
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())
