"""Queue an e-mail in the caller's transaction, rendered in the recipient's language."""
from __future__ import annotations

import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import flask_babel
import pytz
from flask import current_app
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from jinja2.ext import _make_new_gettext, _make_new_ngettext
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from extensions import db
from notifications.headers import header_safe
from notifications.models import OutboxMessage
from platform_support.clock import utcnow


def _message_id() -> str:
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or "localhost"
    return f"<{secrets.token_hex(16)}@{header_safe(domain)}>"


@contextmanager
def force_timezone(name: str | None):
    """Render dates in the recipient's time zone (the counterpart of Flask-Babel's force_locale).

    Flask-Babel caches the selected zone on its context; we swap it for the duration of the
    rendering and restore it after, so the current request's own pages are unaffected. An
    unknown zone name falls back to UTC rather than failing the change that queues the e-mail.
    """
    ctx = flask_babel._get_current_context()
    if ctx is None or not name:
        yield
        return
    try:
        zone = pytz.timezone(name)
    except pytz.UnknownTimeZoneError:
        zone = pytz.UTC
    missing = object()
    previous = getattr(ctx, "babel_tzinfo", missing)
    ctx.babel_tzinfo = zone
    try:
        yield
    finally:
        if previous is missing:
            del ctx.babel_tzinfo
        else:
            ctx.babel_tzinfo = previous


def _render(name: str, context: dict) -> str:
    """An e-mail is not a page: it sees the context it is given plus the Jinja globals and filters
    (`_`, `url_for`, `|when`, …), not the request's context processors. That keeps it the same
    whether queued from a request or from a job, and it is what makes filing a complaint cheap
    (context processors of every blueprint would otherwise run three times per e-mail)."""
    return current_app.jinja_env.get_template(name).render(context)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text_body: str
    html_body: str | None


def render_email(template: str, context: dict, *, language: str = "en", timezone: str | None = None) -> RenderedEmail:
    """Render `templates/emails/<template>.{subject.txt,txt,html}`: text in `language`, dates in
    `timezone` (an IANA name; default UTC). Every e-mail has an HTML part in the branded layout
    (`emails/layout.html`): its own `.html` template, or else its text laid out paragraph by
    paragraph (`emails/_from_text.html`, see `text_blocks`). The text part is always kept."""
    with force_locale(language), force_timezone(timezone or "UTC"):
        # The catalogue of `language`, looked up once: the environment's own gettext resolves
        # the locale through Flask-Babel's context on every `_()` call (dozens per e-mail).
        # Same wrappers as Jinja's i18n extension (newstyle: autoescaped, %-formatted).
        translations = flask_babel.get_translations()
        gettext = _make_new_gettext(translations.ugettext)
        config = current_app.config
        context = {"base_url": config["BASE_URL"], "language": language, "gettext": gettext,
                   "ngettext": _make_new_ngettext(translations.ungettext),
                   "brand_name": config.get("BRAND_NAME") or translations.ugettext("Customer care"),
                   "brand_color": config.get("BRAND_COLOR", "#1d4f91"), **context}
        subject = _render(f"emails/{template}.subject.txt", context)
        text_body = _render(f"emails/{template}.txt", context)
        try:
            html_body = _render(f"emails/{template}.html", context)
        except TemplateNotFound:
            html_body = _render("emails/_from_text.html", {
                **context, "subject": subject,
                "blocks": text_blocks(text_body, own_site=config["BASE_URL"])})
    return RenderedEmail(subject, text_body, html_body)


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")


def text_blocks(text: str, *, own_site: str) -> list[dict]:
    """An e-mail's text part as blocks for its HTML part: paragraphs (lines of (text, url) pieces;
    every http(s) address a link) and buttons — a line that is only a link to `own_site`. The line
    before such a button, when short and ending in a colon, becomes its label (it was the link's
    introduction); otherwise its label is None (the template says "Open the link"). Placeholders (letters and digits)
    pass through unchanged, so a skeleton rendered once is filled in later (`fill_in`)."""
    blocks: list[dict] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines: list[list[tuple[str, str | None]]] = []
        for raw in paragraph.splitlines():
            line = raw.strip()
            if own_site and line.startswith(own_site) and _URL.fullmatch(line):
                label = None
                if lines and len(lines[-1]) == 1 and lines[-1][0][1] is None:
                    lead = lines[-1][0][0]
                    if lead.endswith(":") and len(lead) <= 70:
                        label = lead[:-1].strip()
                        lines.pop()
                if lines:
                    blocks.append({"kind": "paragraph", "lines": lines})
                    lines = []
                blocks.append({"kind": "button", "url": line, "label": label})
                continue
            pieces: list[tuple[str, str | None]] = []
            position = 0
            for match in _URL.finditer(line):
                if match.start() > position:
                    pieces.append((line[position:match.start()], None))
                pieces.append((match.group(0), match.group(0)))
                position = match.end()
            if position < len(line) or not pieces:
                pieces.append((line[position:], None))
            lines.append(pieces)
        if lines:
            blocks.append({"kind": "paragraph", "lines": lines})
    return blocks


# --- rendering once, filling in many ------------------------------------------------------------
# Bulk and hot-path e-mails (survey invitations, acknowledgements) render their templates once per
# kind of recipient with placeholders, then fill in each recipient's values. Placeholders are
# letters and digits only (autoescape leaves them alone) and random per process, so no text a
# customer or a manager typed can contain one.
_PLACEHOLDER_SECRET = secrets.token_hex(12)


def placeholders(*names: str) -> tuple[str, ...]:
    """One placeholder string per name, for the values that differ per recipient."""
    return tuple(f"x{name}{_PLACEHOLDER_SECRET}x" for name in names)


def fill_in(skeleton: RenderedEmail, values: dict[str, str]) -> RenderedEmail:
    """`skeleton` with each placeholder replaced by its value: as typed in the subject and the
    text part, HTML-escaped in the HTML part (exactly what autoescape does to a `{{ value }}`)."""
    escaped = {placeholder: str(escape(value)) for placeholder, value in values.items()}

    def replace(text: str, by: dict[str, str]) -> str:
        for placeholder, value in by.items():
            text = text.replace(placeholder, value)
        return text

    return RenderedEmail(subject=replace(skeleton.subject, values), text_body=replace(skeleton.text_body, values),
                         html_body=replace(skeleton.html_body, escaped) if skeleton.html_body is not None else None)


def queue_email(*, kind: str, to_address: str, to_name: str = "", template: str, context: dict,
                language: str = "en", timezone: str | None = None, dedupe_key: str | None = None, extra_headers: dict | None = None,
                customer_id: int | None = None, staff_user_id: int | None = None,
                complaint_id: int | None = None, now: datetime | None = None) -> OutboxMessage | None:
    """Render `templates/emails/<template>.{subject,txt,html}` and add an outbox row (no commit).

    Text is rendered in `language` and dates in `timezone` (an IANA name; default UTC).

    Returns None when `dedupe_key` was already queued: the second trigger is a no-op.
    """
    if dedupe_key is not None:
        existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return None
    rendered = render_email(template, context, language=language, timezone=timezone)
    message = OutboxMessage(**outbox_values(
        kind=kind, to_address=to_address, to_name=to_name, rendered=rendered, language=language,
        dedupe_key=dedupe_key, extra_headers=extra_headers, customer_id=customer_id,
        staff_user_id=staff_user_id, complaint_id=complaint_id, now=now))
    if dedupe_key is not None:
        # A concurrent twin may insert between our check and our flush; the unique key decides.
        try:
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            return None
    else:
        db.session.add(message)
    return message


def outbox_values(*, kind: str, to_address: str, to_name: str = "", rendered: RenderedEmail, language: str = "en",
                  dedupe_key: str | None = None, extra_headers: dict | None = None, customer_id: int | None = None,
                  staff_user_id: int | None = None, complaint_id: int | None = None, now: datetime | None = None) -> dict:
    """The column values of one queued outbox row (header fields made safe, a new Message-ID).
    Mail to anyone but staff carries Reply-To: INBOUND_ADDRESS (unless the caller set one), so an
    answer reaches the mailbox the worker reads (inbound/)."""
    now = now or utcnow()
    if staff_user_id is None and "Reply-To" not in (extra_headers or {}):
        extra_headers = {"Reply-To": current_app.config["INBOUND_ADDRESS"], **(extra_headers or {})}
    return dict(
        kind=kind, dedupe_key=dedupe_key, to_address=header_safe(to_address, limit=254),
        to_name=header_safe(to_name), subject=header_safe(rendered.subject, limit=300), text_body=rendered.text_body,
        html_body=rendered.html_body, extra_headers={k: header_safe(v, limit=900) for k, v in (extra_headers or {}).items()},
        message_id=_message_id(), language=language, status="queued", attempts=0, last_error="", next_attempt_at=now,
        customer_id=customer_id, staff_user_id=staff_user_id, complaint_id=complaint_id, created_at=now,
        lease_until=None, sent_at=None,
    )


def queue_many(rows: list[dict]) -> None:
    """Insert outbox rows (from `outbox_values`, without dedupe keys: the caller knows they are
    new) with one Core INSERT on the session's connection, in the caller's transaction: no ORM
    object, no flush — a batch job's e-mails, or the acknowledgement of a new complaint."""
    if rows:
        db.session.connection().execute(_outbox_insert(), rows)


@cache
def _outbox_insert():
    return OutboxMessage.__table__.insert()
