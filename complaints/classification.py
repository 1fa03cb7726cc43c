"""Intake categories, custom fields per category, and tags (issue 17).

Categories are admin data named in every language of the product; the customer picks one on
the public form (`filing.check_new_complaint` checks it against `active_category_ids`, read once
per request), an e-mailed complaint gets the first whose keyword occurs in it
(`category_for_text`), staff change it with `classify`, which also sets tags and custom-field
values — one transaction, one timeline event per kind of change. Categories are never deleted
(complaints keep pointing at them), only deactivated.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import delete, select

from complaints import changes, rule_cache
from complaints.models import (CATEGORY_LANGUAGES, FIELD_KINDS, Category, Complaint, ComplaintFieldValue,
                               ComplaintTag, CustomField)
from complaints.queries import is_visible_to, lock_complaint
from extensions import db
from platform_support.clock import utcnow
from platform_support.database import reading_only
from platform_support.errors import NotFound, ServiceError
from platform_support.parsing import unstorable_text

_CODE = re.compile(r"^[a-z0-9_\-]{1,50}$")
_TAG = re.compile(r"^[\w\-. ]{1,50}$")
MAX_TAGS = 20
MAX_VALUE = 500


def _refuse(field: str, message: str):
    raise ServiceError(message, {field: [message]})


# --- categories -------------------------------------------------------------------------------

def all_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.sort_order, Category.code)))


def active_categories() -> list[Category]:
    return [c for c in all_categories() if c.active]


def active_category_choices(language: str) -> list[tuple[str, str]]:
    """(code, name in `language`) of the active categories, in the order of `active_categories`:
    what the public form offers, on every visitor's form page (one Core statement, built once; no
    autoflush: for a page's read, not inside a change to the categories)."""
    rows = db.session.connection().execute(_active_names_statement()).all()
    column = CATEGORY_LANGUAGES.index(language) + 1 if language in CATEGORY_LANGUAGES else None
    english = CATEGORY_LANGUAGES.index("en") + 1
    return [(row[0], (row[column] if column else None) or row[english]) for row in rows]


@cache
def _active_names_statement():
    return (select(Category.code, *[getattr(Category, f"name_{language}") for language in CATEGORY_LANGUAGES])
            .where(Category.active.is_(True)).order_by(Category.sort_order, Category.code))


def active_category_ids() -> dict[str, int]:
    """code → id of the active categories; read once per request (the public form's hot path
    asks for it in the check and again when filing)."""
    if has_request_context() and "active_category_ids" in g:
        return g.active_category_ids
    statement = select(Category.code, Category.id).where(Category.active.is_(True))
    session = db.session()
    if not session.in_transaction() and not (session.new or session.dirty or session.deleted):
        # Before the filing's write transaction (as its own lookup): on SQLite no write lock yet.
        with reading_only(), db.engine.connect() as connection:
            rows = connection.execute(statement).all()
    else:
        rows = session.execute(statement).all()
    found = {code: ident for code, ident in rows}
    if has_request_context():
        g.active_category_ids = found
    return found


def forget_cached_categories() -> None:
    if has_request_context():
        g.pop("active_category_ids", None)
    rule_cache.forget()


def category_required() -> bool:
    return bool(current_app.config.get("COMPLAINT_CATEGORY_REQUIRED")) and bool(active_category_ids())


def category_by_code(code: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.code == (code or "").strip()[:50]))


def save_category(*, code: str, names: dict[str, str], keywords: str = "", sort_order: int = 0,
                  active: bool = True) -> Category:
    """Create or update by code; every language needs a name (the customer reads it)."""
    code = (code or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not _CODE.match(code):
        errors["code"] = [_("Use lower-case letters, digits, - and _ for the code.")]
    for language in CATEGORY_LANGUAGES:
        name = (names.get(language) or "").strip()
        if not name:
            errors[f"name_{language}"] = [_("Enter a name in every language.")]
        elif len(name) > 200 or unstorable_text(name):
            errors[f"name_{language}"] = [_("Please keep it under %(max)d characters.", max=200)]
    if keywords and (len(keywords) > 5000 or unstorable_text(keywords)):
        errors["keywords"] = [_("Please keep it under %(max)d characters.", max=5000)]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    category = category_by_code(code)
    if category is None:
        category = Category(code=code)
        db.session.add(category)
    for language in CATEGORY_LANGUAGES:
        setattr(category, f"name_{language}", names[language].strip())
    category.keywords = "\n".join(k.strip() for k in (keywords or "").splitlines() if k.strip())
    category.sort_order, category.active = sort_order or 0, bool(active)
    db.session.commit()
    forget_cached_categories()
    return category


def category_for_text(subject: str, text: str) -> str | None:
    """E-mail intake: the first active category (by position) one of whose keywords occurs in
    the subject or the text (whole words, any case); None when none does. The categories are
    read as a snapshot (complaints.rule_cache, like the routing and trigger rules): not one query
    per received e-mail; saving a category forgets it."""
    haystack = f"{subject}\n{text}".lower()
    for category in rule_cache.rules("categories", lambda: select(Category).where(Category.active.is_(True))
                                     .order_by(Category.sort_order, Category.code)):
        for keyword in (k.strip().lower() for k in (category.keywords or "").splitlines() if k.strip()):
            if re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", haystack):
                return category.code
    return None


# --- custom fields ----------------------------------------------------------------------------

def save_field(*, category_code: str, code: str, label: str, kind: str, choices: str = "", required: bool = False,
               position: int = 0, public: bool = False) -> CustomField:
    """Create or update a category's field by code. `public`: the customer is asked it on the
    public form and may give it through the API (the same check, `check_field_values`)."""
    category = category_by_code(category_code)
    if category is None:
        _refuse("category", _("Choose a category from the list."))
    code = (code or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not _CODE.match(code):
        errors["code"] = [_("Use lower-case letters, digits, - and _ for the code.")]
    label = (label or "").strip()
    if not label or len(label) > 200 or unstorable_text(label):
        errors["label"] = [_("Enter a label of at most %(max)d characters.", max=200)]
    if kind not in FIELD_KINDS:
        errors["kind"] = [_("One of: %(choices)s.", choices=", ".join(FIELD_KINDS))]
    options = [c.strip() for c in (choices or "").splitlines() if c.strip()]
    if kind == "choice" and not options:
        errors["choices"] = [_("List the choices, one per line.")]
    if any(len(o) > MAX_VALUE for o in options) or unstorable_text(choices or ""):
        errors["choices"] = [_("Please keep each choice under %(max)d characters.", max=MAX_VALUE)]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    field = db.session.scalar(select(CustomField).where(CustomField.category_id == category.id, CustomField.code == code))
    if field is None:
        field = CustomField(category=category, code=code)
        db.session.add(field)
    field.label, field.kind, field.choices = label, kind, "\n".join(options)
    field.required, field.position, field.public = bool(required), position or 0, bool(public)
    db.session.commit()
    rule_cache.forget()
    return field


def delete_field(field_id: int) -> None:
    """Removes the field and its values on every complaint."""
    db.session.execute(delete(CustomField).where(CustomField.id == field_id))
    db.session.commit()
    rule_cache.forget()


def public_fields() -> dict[int, list]:
    """category id → its public fields (snapshots: code, label, kind, required, choice_list…) in
    order, for the active categories: what the public form shows and filing checks. From the
    per-process snapshot (complaints.rule_cache): a filing pays no query for it."""
    found: dict[int, list] = {}
    def query():
        return (select(CustomField).join(Category, Category.id == CustomField.category_id)
                .where(CustomField.public.is_(True), Category.active.is_(True))
                .order_by(CustomField.category_id, CustomField.position, CustomField.code))

    for field in rule_cache.rules("public_fields", query):
        if not hasattr(field, "choice_list"):
            field.choice_list = [c.strip() for c in field.choices.splitlines() if c.strip()]
        found.setdefault(field.category_id, []).append(field)
    return found


def check_field_values(fields: list, given, current: dict | None = None, *,
                       check_required: bool = True) -> tuple[dict[int, str | None], dict[str, list[str]]]:
    """The one check of custom-field values, for staff (`apply_classification`), the public form
    and the API (`filing.check_new_complaint`): `fields` are the fields that may be given (a
    category's, or its public ones), `given` code → raw value; `current` field id → stored value
    (kept for a field not given). Returns (field id → stored form, code → messages)."""
    errors: dict[str, list[str]] = {}
    parsed: dict[int, str | None] = {}
    if given is not None and not isinstance(given, dict):
        return parsed, {"fields": [_("Fields are an object of code → value.")]}
    given = given or {}
    current = current or {}
    known = {f.code for f in fields}
    for code in given:
        if code not in known:
            errors.setdefault(str(code)[:50], []).append(_("No such field in this category."))
    for field in fields:
        if field.code in given:
            try:
                parsed[field.id] = parse_field_value(field, given[field.code])
            except ServiceError as exc:
                errors.update(exc.fields)
                continue
        else:
            parsed[field.id] = current.get(field.id)
        if field.required and parsed[field.id] is None and check_required:
            errors.setdefault(field.code, []).append(_("Fill in %(label)s.", label=field.label))
    return parsed, errors


def parse_field_value(field: CustomField, raw) -> str | None:
    """The stored form of what was typed (None: empty), or ServiceError with a message that says
    what is expected. Dates as YYYY-MM-DD, numbers as plain decimals."""
    if raw is None:
        return None
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        _refuse(field.code, _("Must be a string."))
    text = str(raw).strip()
    if not text:
        return None
    if len(text) > MAX_VALUE or unstorable_text(text):
        _refuse(field.code, _("Please keep it under %(max)d characters.", max=MAX_VALUE))
    if field.kind == "choice":
        if text not in field.choice_list:
            _refuse(field.code, _("One of: %(choices)s.", choices=", ".join(field.choice_list)))
    elif field.kind == "date":
        try:
            text = date.fromisoformat(text).isoformat()
        except ValueError:
            _refuse(field.code, _("Enter a date as YYYY-MM-DD."))
    elif field.kind == "number":
        try:
            number = Decimal(text.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) >= Decimal("1e15"):
            _refuse(field.code, _("Enter a number, e.g. 12 or 12.5."))
        text = format(number.normalize(), "f")
    return text


def field_values(complaint: Complaint) -> list[tuple[CustomField, str | None]]:
    """The complaint's category's fields with their values (None: not filled in)."""
    if complaint.category is None:
        return []
    values = {v.field_id: v.value for v in complaint.field_values}
    return [(f, values.get(f.id)) for f in complaint.category.fields]


def fields_as_dict(complaint: Complaint) -> dict[str, str | None]:
    return {f.code: value for f, value in field_values(complaint)}


def normalise_tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) for t in tags):
        _refuse("tags", _("Tags are words separated by commas."))
    clean = sorted({" ".join(t.split()).lower() for t in tags if t.strip()})
    bad = [t for t in clean if not _TAG.match(t)]
    if bad:
        _refuse("tags", _("A tag is at most 50 letters, digits, spaces, dots, - or _: %(tags)s",
                          tags=", ".join(t[:60] for t in bad)))
    if len(clean) > MAX_TAGS:
        _refuse("tags", _("At most %(max)d tags.", max=MAX_TAGS))
    return clean


def add_tag(complaint: Complaint, tag: str) -> bool:
    """Put one tag on (trigger rules); False when it was there already."""
    tag = normalise_tags([tag])[0]
    if tag in {t.tag for t in complaint.tags}:
        return False
    complaint.tags.append(ComplaintTag(tag=tag))
    return True


def apply_classification(complaint: Complaint, *, category_code: str | None, tags, fields: dict | None,
                         actor, now: datetime) -> list[str]:
    """Change category, tags and field values of a locked complaint; validates everything first
    (all messages at once), then writes one event per kind of change. Returns the kinds changed.
    `None` for an argument leaves that part alone."""
    errors: dict[str, list[str]] = {}
    category = complaint.category
    if category_code is not None:
        code = category_code.strip() if isinstance(category_code, str) else None
        if code is None:
            errors["category"] = [_("Must be a string.")]
        elif code == "":
            category = None
        else:
            found = category_by_code(code)
            if found is None or (not found.active and found.id != complaint.category_id):
                errors["category"] = [_("Choose a category from the list.")]
            else:
                category = found
    new_tags = None
    if tags is not None:
        try:
            new_tags = normalise_tags(tags)
        except ServiceError as exc:
            errors.update(exc.fields)
    parsed: dict[int, str | None] = {}
    if fields is not None and not isinstance(fields, dict):
        errors["fields"] = [_("Fields are an object of code → value.")]
    elif category is not None:
        parsed, found = check_field_values(list(category.fields), fields,
                                           {v.field_id: v.value for v in complaint.field_values},
                                           check_required=fields is not None)
        errors.update(found)
    elif fields:
        errors["fields"] = [_("Choose a category first: its fields come with it.")]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)

    changed = []
    if category_code is not None and (category.id if category else None) != complaint.category_id:
        before = complaint.category
        complaint.category_id = category.id if category else None
        complaint.category = category
        changes.record_event(complaint, "category_changed", now=now, public=False, actor=actor, detail={
            "from": before.code if before else None, "to": category.code if category else None})
        changed.append("category")
    if new_tags is not None and new_tags != sorted(t.tag for t in complaint.tags):
        before_tags = sorted(t.tag for t in complaint.tags)
        keep = set(new_tags)
        complaint.tags[:] = [t for t in complaint.tags if t.tag in keep] + [
            ComplaintTag(tag=t) for t in new_tags if t not in set(before_tags)]
        changes.record_event(complaint, "tags_changed", now=now, public=False, actor=actor, detail={
            "added": [t for t in new_tags if t not in before_tags],
            "removed": [t for t in before_tags if t not in keep]})
        changed.append("tags")
    if fields is not None or "category" in changed:
        field_ids = {f.id for f in category.fields} if category else set()
        current = {v.field_id: v for v in complaint.field_values}
        diff = {}
        for field in (category.fields if category else []):
            value = parsed.get(field.id)
            row = current.get(field.id)
            if (row.value if row else None) == value:
                continue
            diff[field.code] = value
            if value is None:
                complaint.field_values.remove(row)
            elif row is None:
                complaint.field_values.append(ComplaintFieldValue(field_id=field.id, value=value))
            else:
                row.value = value
        # Values of another category's fields go with the category they belonged to.
        for field_id, row in current.items():
            if field_id not in field_ids:
                complaint.field_values.remove(row)
        if diff:
            changes.record_event(complaint, "fields_changed", now=now, public=False, actor=actor,
                                 detail={"fields": diff})
            changed.append("fields")
    return changed


def classify(reference: str, *, actor, category: str | None = None, tags=None, fields: dict | None = None,
             now: datetime | None = None, expected_version: int | None = None) -> Complaint:
    """Staff set the category, the tags and the custom fields of a complaint: one transaction,
    one timeline event per kind of change (nothing changes when any input is refused)."""
    now = now or utcnow()
    complaint = lock_complaint(reference)
    if complaint is None or not is_visible_to(complaint, actor):
        raise NotFound(_("No complaint with this reference is visible to you."))
    changes.check_version(complaint, expected_version)
    changed = apply_classification(complaint, category_code=category, tags=tags, fields=fields, actor=actor, now=now)
    if changed:
        db.session.commit()
    return complaint
