"""Input rules shared by the CSV import, the JSON API and the staff forms: raw values → clean fields
or per-field messages. Pure functions (no database), so every entry point refuses the same things."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import gettext as _

from customers.countries import clean_country
from customers.models import CHANNELS
from platform_support.email_address import is_single_address
from platform_support.parsing import bounded_date

MAX_AMOUNT = Decimal("999999999999.99")


def _has_control(value: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in value)


def parse_date(raw, field: str, errors: dict) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        errors.setdefault(field, []).append(_("Use a date like 2027-01-31."))
        return None
    try:
        return bounded_date(raw)
    except ValueError:
        errors.setdefault(field, []).append(_("Use a date like 2027-01-31."))
        return None


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


CUSTOMER_TEXT_FIELDS = {"name": 200, "email": 254, "phone": 50, "organisation": 200, "language": 8,
                        "timezone": 64, "preferred_channel": 20, "salutation": 200, "patronymic": 100,
                        "job_title": 200, "notes": 20_000, "preferred_days": 40, "country": 2}


def clean_customer(raw: dict, *, require_name: bool = True) -> tuple[dict, dict]:
    """Only the keys present in `raw` are returned (a PUT/CSV row may leave fields out)."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for field, limit in CUSTOMER_TEXT_FIELDS.items():
        if field not in raw:
            continue
        value = raw[field]
        if value is not None and not isinstance(value, str):
            errors.setdefault(field, []).append(_("Must be a string."))
            continue
        value = (value or "").strip()
        if len(value) > limit:
            errors.setdefault(field, []).append(_("At most %(n)d characters.", n=limit))
            continue
        if field != "notes" and _has_control(value):
            errors.setdefault(field, []).append(_("Please use a single line without special characters."))
            continue
        clean[field] = value
    if require_name and not clean.get("name"):
        errors.setdefault("name", []).append(_("This field is required."))
    email = clean.get("email")
    if email and not is_single_address(email):  # the one check of every intake (exactly one address)
        errors.setdefault("email", []).append(_("Please enter a valid e-mail address."))
    languages = current_app.config["LANGUAGES"]
    if clean.get("language") == "":
        clean.pop("language")
    if "language" in clean and clean["language"] not in languages:
        errors.setdefault("language", []).append(_("One of: %(choices)s.", choices=", ".join(languages)))
    if clean.get("timezone") == "":
        clean.pop("timezone")
    if "timezone" in clean and not valid_timezone(clean["timezone"]):
        errors.setdefault("timezone", []).append(_("Use a time zone name like Europe/Warsaw."))
    if "country" in clean:  # ISO 3166 alpha-2; empty: none of its own (DEFAULT_COUNTRY applies)
        try:
            clean["country"] = clean_country(clean["country"])
        except ValueError:
            errors.setdefault("country", []).append(_("Use a two-letter country code like PL, CZ or RO."))
            clean.pop("country")
    if clean.get("preferred_channel") == "":
        clean.pop("preferred_channel")
    if "preferred_channel" in clean and clean["preferred_channel"] not in CHANNELS:
        errors.setdefault("preferred_channel", []).append(_("One of: %(choices)s.", choices=", ".join(CHANNELS)))
    if "birthday" in raw:
        clean["birthday"] = parse_date(raw["birthday"], "birthday", errors)
    return clean, errors


def decimal_text(raw) -> str:
    """An amount as typed in any of our locales, as Decimal text: "1 234,56" (pl, cs, ru, ro),
    "1.234,56", "1,234.56" and "87.99" all work; with both marks, the last one is the decimal
    separator; a comma alone is a decimal comma."""
    text = str(raw).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text
    return text


def parse_amount(raw, field: str, errors: dict) -> Decimal | None:
    if isinstance(raw, bool) or raw in (None, ""):
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        amount = Decimal(decimal_text(raw))
    except InvalidOperation:
        errors.setdefault(field, []).append(_("Use a number like 120.50."))
        return None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT or amount.as_tuple().exponent < -2:
        errors.setdefault(field, []).append(_("Use a number like 120.50 (at most two decimals)."))
        return None
    return amount


def clean_order(raw: dict) -> tuple[dict, dict]:
    """`customer` (external id), `ordered_on`, `amount`, `currency`, optional `due_on`, `paid_on`, `reference`."""
    errors: dict[str, list[str]] = {}
    customer = raw.get("customer")
    if not isinstance(customer, str) or not customer.strip():
        errors.setdefault("customer", []).append(_("The customer's external id is required."))
    ordered_on = parse_date(raw.get("ordered_on"), "ordered_on", errors)
    if ordered_on is None and "ordered_on" not in errors:
        errors.setdefault("ordered_on", []).append(_("This field is required."))
    amount = parse_amount(raw.get("amount"), "amount", errors)
    currency = raw.get("currency") or "EUR"
    if not isinstance(currency, str) or len(currency.strip()) != 3 or not currency.strip().isalpha():
        errors.setdefault("currency", []).append(_("A three-letter currency code like EUR."))
        currency = "EUR"
    due_on = parse_date(raw.get("due_on"), "due_on", errors)
    paid_on = parse_date(raw.get("paid_on"), "paid_on", errors)
    reference = raw.get("reference")
    if reference is not None and (not isinstance(reference, str) or len(reference) > 100):
        errors.setdefault("reference", []).append(_("At most %(n)d characters.", n=100))
        reference = None
    if ordered_on and due_on and due_on < ordered_on:
        errors.setdefault("due_on", []).append(_("The due date cannot be before the order date."))
    clean = {"customer": (customer or "").strip() if isinstance(customer, str) else "", "ordered_on": ordered_on,
             "amount": amount, "currency": currency.strip().upper(), "due_on": due_on, "paid_on": paid_on,
             "external_ref": (reference or "").strip() or None}
    return clean, errors
