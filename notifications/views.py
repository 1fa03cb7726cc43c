"""The staff "sent mail" view (managers): every outbox message, so a local run without SMTP shows the loop."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from extensions import db
from notifications.delivery import requeue_parked, smtp_configured
from notifications.models import OUTBOX_STATUSES, OutboxMessage, UndeliverableAddress
from notifications.staff_mail import SECRET_KINDS
from platform_support.parsing import bounded_int
from platform_support.forms import EmptyForm
from staff.auth import role_required

def outbox_status_labels() -> dict[str, str]:
    return {"queued": pgettext("outbox", "queued"), "sending": pgettext("outbox", "sending"),
            "sent": pgettext("outbox", "sent"), "parked": pgettext("outbox", "parked")}


blueprint = Blueprint("notifications", __name__, url_prefix="/staff/mail")
PAGE = 50


@blueprint.app_template_global("undeliverable_since")
def undeliverable_since(address: str | None):
    """When a hard bounce proved `address` dead (shown beside it on the complaint and the customer file), or None."""
    if not address:
        return None
    found = db.session.get(UndeliverableAddress, address.strip().lower()[:254])
    return found.since if found is not None else None


@blueprint.route("/")
@role_required("manager")
def outbox():
    query = select(OutboxMessage)
    status = request.args.get("status")
    if status in OUTBOX_STATUSES:
        query = query.where(OutboxMessage.status == status)
    before = bounded_int(request.args.get("before"), minimum=1)
    if before:
        query = query.where(OutboxMessage.id < before)
    messages = list(db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(PAGE + 1)))
    next_before = messages[PAGE - 1].id if len(messages) > PAGE else None
    return render_template("notifications/outbox.html", messages=messages[:PAGE], next_before=next_before,
                           status=status, statuses=OUTBOX_STATUSES, smtp=smtp_configured(),
                           status_labels=outbox_status_labels())


@blueprint.route("/<int:message_id>")
@role_required("manager")
def message(message_id: int):
    found = db.session.get(OutboxMessage, message_id) or abort(404)
    # A password-reset link read here would let a manager take over the account it was sent to.
    return render_template("notifications/message.html", message=found, retry_form=EmptyForm(),
                           hidden=found.kind in SECRET_KINDS, status_labels=outbox_status_labels())


@blueprint.route("/<int:message_id>/retry", methods=["POST"])
@role_required("admin")
def retry(message_id: int):
    found = db.session.get(OutboxMessage, message_id) or abort(404)
    if EmptyForm().validate_on_submit() and found.status == "parked":
        requeue_parked(found)
        flash(_("The message is queued again."), "success")
    return redirect(url_for("notifications.message", message_id=message_id))
