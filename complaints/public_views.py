"""Customer side, no account: the complaint form, the confirmation, the tracking page."""
from __future__ import annotations

import secrets

import pytz
from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, session,
                   stream_with_context,
                   url_for)
from flask_babel import get_locale
from flask_babel import gettext as _

from complaints import filing, tracking, uploads
from complaints.forms import DESCRIPTION_MAX, ComplaintForm, CustomerMessageForm
from complaints.models import Attachment
from extensions import db, limiter
from platform_support import file_store
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


@blueprint.route("/complain", methods=["GET", "POST"])
@limiter.limit(_complaint_limit, methods=["POST"])
def complain():
    form = ComplaintForm()
    if request.method == "GET":
        form.language.data = str(get_locale())
        form.submission_key.data = secrets.token_urlsafe(32)
    if form.validate_on_submit():
        if form.website.data:
            # A bot filled the honeypot: pretend success, store nothing.
            return redirect(url_for("complaints_public.received", reference="C-RECEIVED"))
        new = filing.NewComplaint(
            name=form.name.data, email=form.email.data, description=form.description.data,
            subject=form.subject.data or "", order_reference=form.order_reference.data or "",
            occurred_on=form.occurred_on.data, desired_outcome=form.desired_outcome.data or "",
            phone=form.phone.data or "", preferred_channel=form.preferred_channel.data,
            language=form.language.data, timezone=form.timezone.data or "", attachments=_uploads_from(form.attachments))
        key = form.submission_key.data if form.submission_key.data and len(form.submission_key.data) <= 64 else None
        try:
            filed = filing.file_complaint(new, submission_key=key)
        except ServiceError as exc:
            db.session.rollback()
            for name, messages in exc.fields.items():
                getattr(form, name).errors = list(getattr(form, name).errors) + messages
            flash(exc.message, "error")
        else:
            session["lang"] = filed.language
            # The confirmation page shows the link of what this browser just filed; the last few
            # suffice, and the signed cookie must stay small.
            recent = list((session.get("filed") or {}).items())[-4:]
            # Sealed: the cookie's contents are readable by anyone who sees it, the link is a secret.
            session["filed"] = {**dict(recent), filed.reference: seal(filed.tracking_token, purpose=TRACKING_SEAL)}
            return redirect(url_for("complaints_public.received", reference=filed.reference))
    elif request.method == "POST" and not form.submission_key.data:
        form.submission_key.data = secrets.token_urlsafe(32)
    return render_template("complaints/public/form.html", form=form, description_max=DESCRIPTION_MAX)


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
        complaint = tracking.complaint_for_tracking_token(token)
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
