"""Customer side, no account: the complaint form, the confirmation, the tracking page."""
from __future__ import annotations

import secrets

import pytz
from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, session,
                   stream_with_context,
                   url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from complaints import classification, filing, staging, tracking, uploads
from complaints.forms import DESCRIPTION_MAX, ComplaintForm, CustomerMessageForm
from complaints.models import Attachment
from extensions import db, limiter
from platform_support import file_store
from platform_support.clock import utcnow
from platform_support.errors import NotFound, ServiceError
from platform_support.i18n import speak
from platform_support.sealing import seal, unseal

blueprint = Blueprint("complaints_public", __name__)
TRACKING_SEAL = "tracking-link"


def _complaint_limit() -> str:
    return current_app.config["COMPLAINT_RATE_LIMIT"]


def _public_limit() -> str:
    return current_app.config["PUBLIC_RATE_LIMIT"]


def _uploads_from(field) -> list[uploads.Upload]:
    files = [f for f in (field.data or []) if getattr(f, "filename", None)]
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    # Read one byte more than allowed so an oversized file is recognised without reading it all.
    return [uploads.Upload(filename=f.filename, content=f.stream.read(limit + 1)) for f in files]


def _in_customers_time_zone(complaint) -> None:
    """Dates on the customer's pages read in their own zone, as in their e-mails (Flask-Babel's
    timezone selector reads g.timezone)."""
    name = complaint.customer.timezone if complaint.customer is not None else "UTC"
    g.timezone = name if name in pytz.all_timezones_set else "UTC"


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blueprint.route("/")
def home():
    return redirect(url_for("complaints_public.complain"))


def _submission_key(form) -> str | None:
    key = form.submission_key.data
    return key if key and 16 <= len(key) <= 64 else None


def _category_offer() -> tuple[list[tuple[str, str]], bool]:
    """The category field's choices in the visitor's language, and whether one is required."""
    categories = classification.active_category_choices(str(get_locale()))
    required = bool(current_app.config["COMPLAINT_CATEGORY_REQUIRED"]) and bool(categories)
    return [("", _("Choose…") if required else _("Not sure / other"))] + categories, required


def _offer_categories(form, offer: tuple[list[tuple[str, str]], bool] | None = None) -> None:
    """The intake categories in the visitor's language as the category field's choices."""
    form.category.choices, required = offer or _category_offer()
    if required:
        form.category.render_kw = {"required": True, "aria-required": "true"}


def _field_offer() -> list[tuple[str, str, list]]:
    """(category code, its name in the visitor's language, its public custom fields) of the
    active categories that have any (classification.public_fields: no query on a warm process)."""
    by_id = classification.public_fields()
    if not by_id:
        return []
    ids = classification.active_category_ids()
    return [(code, name, by_id[ids[code]]) for code, name in classification.active_category_choices(str(get_locale()))
            if ids.get(code) in by_id]


def _typed_fields(category: str | None) -> dict | None:
    """The chosen category's public fields as typed (inputs `cf-<category>-<code>`), or None."""
    for code, _name, fields in _field_offer():
        if code == category:
            return {f.code: request.form.get(f"cf-{code}-{f.code}", "") for f in fields}
    return None


def _form_page(form, *, status: int = 200, not_kept: list[str] | None = None, notice: str | None = None,
               fresh_key: bool = False, categories_offered: bool = False, field_errors: dict | None = None,
               typed_fields=None):
    """The complaint form as typed, with the files kept from an earlier attempt (none under a
    `fresh_key`, one this request made)."""
    config = current_app.config
    if not categories_offered:
        _offer_categories(form)
    staged = [] if fresh_key else staging.staged_for(_submission_key(form))
    return render_template("complaints/public/form.html", form=form, description_max=DESCRIPTION_MAX,
                           staged=staged, not_kept=not_kept or [], notice=notice, custom_fields=_field_offer(),
                           typed_fields=typed_fields or {},
                           field_errors=field_errors or {},
                           max_files=config["UPLOAD_MAX_FILES"], max_bytes=config["UPLOAD_MAX_BYTES"],
                           max_mb=config["UPLOAD_MAX_BYTES"] // (1024 * 1024)), status


def _blank_form(language: str, submission_key: str, offer) -> ComplaintForm:
    """The form a new visitor starts with (what `_blank_form_page` renders)."""
    form = ComplaintForm()
    form.language.data = language
    form.submission_key.data = submission_key
    _offer_categories(form, offer)
    return form


def _blank_form_page():
    """The blank form a new visitor gets. Rendering it (Jinja, WTForms' widgets, the translated
    labels) was most of the CPU of the product's busiest page, and it comes out the same for
    everyone except the CSRF token and the one-time submission key. So it is rendered once per
    app, language and category choices — everything a blank form's page depends on: a view that
    makes it depend on more must add that to `key` — and those two values are put into the
    cut-open page per request (tests/web/test_blank_form_page.py compares it with a fresh
    render). Staff (their navigation, a sign-out form), a page with flashed messages and
    reloading templates (development) get a fresh render."""
    app = current_app
    language = str(get_locale())
    submission_key = secrets.token_urlsafe(32)
    offer = _category_offer()
    if app.jinja_env.auto_reload or current_user.is_authenticated or "_flashes" in session:
        return _form_page(_blank_form(language, submission_key, offer), fresh_key=True, categories_offered=True)
    key = (language, app.config["UPLOAD_MAX_FILES"], app.config["UPLOAD_MAX_BYTES"], repr(offer),
           repr([(code, [sorted(vars(f).items()) for f in fields]) for code, _name, fields in _field_offer()]))
    pages = app.extensions.setdefault("complaint_form_pages", {})
    parts = pages.get(key)
    # The CSRF token as the form's field would give it (Flask-WTF's defaults: same secret, same
    # session entry); a URL-safe signed value, so escaping leaves it as it is.
    values = [str(escape(generate_csrf())), submission_key]
    if parts is None:
        page, status = _form_page(_blank_form(language, submission_key, offer), fresh_key=True,
                                  categories_offered=True)
        parts = _cut_open(page, values)
        if parts is not None and len(pages) < 100:  # bounded: a few languages × category sets
            pages[key] = parts
        return page, status
    page = [parts[0]]
    for value, rest in zip(values, parts[1:]):
        page += [value, rest]
    return "".join(page), 200


def _cut_open(page: str, values: list[str]) -> list[str] | None:
    """The page split at each of `values` (in that order, each exactly once), else None."""
    parts, rest = [], page
    for value in values:
        if not value or page.count(value) != 1 or value not in rest:
            return None
        head, rest = rest.split(value)
        parts.append(head)
    return parts + [rest]


@blueprint.errorhandler(429)
def too_many_complaints(exc):
    """The rate limit answers inside the form, in the customer's language, with the text kept."""
    if request.endpoint != "complaints_public.complain" or request.method != "POST":
        return exc
    form = ComplaintForm(formdata=request.form)
    return _form_page(form, status=429, notice=_(
        "You have sent several complaints in a short time. Your text is kept below: please wait a minute, then send it again."))


@blueprint.errorhandler(413)
def form_too_large(exc):
    """Larger than the whole request may be: the body was not read, so only the message is left."""
    if request.endpoint != "complaints_public.complain":
        return exc
    form = ComplaintForm(formdata=None)
    form.language.data = str(get_locale())
    form.submission_key.data = secrets.token_urlsafe(32)
    return _form_page(form, status=413, fresh_key=True, notice=_(
        "The files were too large to send together (at most %(n)d files of %(mb)d MB each). "
        "Please go back, attach fewer or smaller files, and send again.",
        n=current_app.config["UPLOAD_MAX_FILES"], mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)))


@blueprint.route("/complain", methods=["GET", "POST"])
@limiter.limit(_complaint_limit, methods=["POST"])
def complain():
    if request.method == "GET":
        return _blank_form_page()
    form = ComplaintForm()
    fresh = _uploads_from(form.attachments)
    key = _submission_key(form)
    well_formed = form.validate_on_submit()  # CSRF, a date that parses, a listed choice
    if well_formed and form.website.data:
        # A bot filled the honeypot: pretend success, store nothing.
        return redirect(url_for("complaints_public.received", reference="C-RECEIVED"))
    new = filing.NewComplaint(
        name=form.name.data or "", email=form.email.data or "", description=form.description.data or "",
        subject=form.subject.data or "", order_reference=form.order_reference.data or "",
        occurred_on=form.occurred_on.data, desired_outcome=form.desired_outcome.data or "",
        phone=form.phone.data or "", preferred_channel=form.preferred_channel.data,
        language=form.language.data, timezone=form.timezone.data or "", category=form.category.data or "",
        fields=_typed_fields(form.category.data))
    field_errors: dict[str, list[str]] = {}
    if not well_formed:
        field_errors = _show_errors(form, filing.check_new_complaint(new, now=utcnow()))  # every error at once
    else:
        staged = staging.may_have_staged(request.form)
        new.attachments = (staging.take(key, staging.kept_ids(request.form)) if staged else []) + fresh
        try:
            filed = filing.file_complaint(new, channel="web", submission_key=key)
        except ServiceError as exc:
            db.session.rollback()
            field_errors = _show_errors(form, exc.fields)
            if not exc.fields:
                flash(exc.message, "error")
            not_kept = staging.stage(key, fresh, now=utcnow())
            return _form_page(form, not_kept=not_kept, field_errors=field_errors, typed_fields=request.form)
        else:
            if staged:
                staging.discard(key)
            db.session.commit()
            session["lang"] = filed.language
            # The confirmation page shows the link of what this browser just filed; the last few
            # suffice, and the signed cookie must stay small.
            recent = list((session.get("filed") or {}).items())[-4:]
            # Sealed: the cookie's contents are readable by anyone who sees it, the link is a secret.
            session["filed"] = {**dict(recent), filed.reference: seal(filed.tracking_token, purpose=TRACKING_SEAL)}
            return redirect(url_for("complaints_public.received", reference=filed.reference))
    if not key:
        form.submission_key.data = key = secrets.token_urlsafe(32)
    # Refused: what was typed is shown again, and the acceptable files are kept for the next try.
    not_kept = staging.stage(key, fresh, now=utcnow())
    return _form_page(form, not_kept=not_kept, field_errors=field_errors, typed_fields=request.form)


def _show_errors(form, fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """Messages of the filing's rules on the form's fields (after any the form found itself);
    returns those of the custom fields ("fields.<code>" → by code)."""
    custom = {}
    for name, messages in fields.items():
        if name.startswith("fields."):
            custom[name.removeprefix("fields.")] = messages
            continue
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [m for m in messages if m not in field.errors]
    return custom


@blueprint.route("/complain/received/<reference>")
def received(reference: str):
    token = unseal((session.get("filed") or {}).get(reference), purpose=TRACKING_SEAL)
    complaint = None
    if token:
        try:
            complaint = tracking.complaint_for_tracking_token(token)
        except NotFound:
            complaint = None
    if complaint is not None:
        _in_customers_time_zone(complaint)
        speak(complaint.language)
    return _private(current_app.make_response(render_template(
        "complaints/public/received.html", complaint=complaint,
        tracking_url=filing.tracking_url(token) if token else None, reference=reference)))


@blueprint.route("/track/<token>", methods=["GET", "POST"])
@limiter.limit(_public_limit)
def track(token: str):
    try:
        complaint = tracking.open_tracking(token, now=utcnow())
    except NotFound as exc:
        return _private(current_app.make_response((render_template("complaints/public/not_found.html", message=exc.message), 404)))
    speak(complaint.language)  # before the form: its messages and the flash speak it too
    form = CustomerMessageForm()
    if form.validate_on_submit():
        try:
            tracking.add_customer_message(token, form.message.data or "", _uploads_from(form.attachments))
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(_("Thank you. We have added your information and told the person handling your complaint."), "success")
            return redirect(url_for("complaints_public.track", token=token))
    events = [event for event in complaint.events if event.public]
    _in_customers_time_zone(complaint)
    return _private(current_app.make_response(render_template(
        "complaints/public/track.html", complaint=complaint, events=events, form=form, token=token,
        description_max=DESCRIPTION_MAX)))


@blueprint.route("/track/<token>/attachments/<stored_name>")
@limiter.limit(_public_limit)
def tracked_attachment(token: str, stored_name: str):
    try:
        complaint = tracking.complaint_for_tracking_token(token)
    except NotFound:
        abort(404)
    attachment = db.session.scalar(db.select(Attachment).where(
        Attachment.complaint_id == complaint.id, Attachment.stored_name == stored_name[:64]))
    if attachment is None:
        abort(404)
    return _private(send_attachment(attachment))


def _chunks(stream):
    with stream:
        while chunk := stream.read(file_store.CHUNK_BYTES):
            yield chunk


def send_attachment(attachment: Attachment):
    """Always a download, never rendered inline (no HTML/SVG can run in our origin)."""
    try:
        content = file_store.open(attachment.stored_name)  # read in chunks while the answer is sent
    except FileNotFoundError:
        abort(404)
    response = send_file(content, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name or attachment.stored_name, max_age=0, etag=False)
    # send_file made the headers (type, RFC 6266 file name); the body is read chunk by chunk while
    # it is sent, inside this request's context (the database store reads through its session).
    response.response = stream_with_context(_chunks(content))
    response.direct_passthrough = False
    response.content_length = attachment.size_bytes
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
