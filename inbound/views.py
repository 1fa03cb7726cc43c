"""Staff pages of e-mail in: the received messages (admins: the quarantine, to release or
discard), and any message as it arrived — headers, full text, raw download — for those who may
see its complaint."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inbound import ingest, parsing, queries, reasons
from inbound.models import OUTCOME_LABELS, OUTCOMES, SOURCE_LABELS
from platform_support.errors import ServiceError
from platform_support.forms import EmptyForm
from platform_support.parsing import bounded_int
from staff.auth import role_required

blueprint = Blueprint("inbound", __name__, url_prefix="/staff/inbound")


@blueprint.context_processor
def labels() -> dict:
    return {"outcome_labels": OUTCOME_LABELS, "source_labels": SOURCE_LABELS,
            "reason_text": lambda m: reasons.describe(m.reason_code, m.reason_params, m.reason)}


@blueprint.route("/")
@role_required("admin")
def messages():
    outcome = request.args.get("outcome", "quarantined")
    outcome = outcome if outcome in OUTCOMES else None
    rows, next_before = queries.message_page(current_user, outcome=outcome,
                                             before=bounded_int(request.args.get("before"), minimum=1))
    return render_template("inbound/messages.html", messages=rows, outcome=outcome, outcomes=OUTCOMES,
                           next_before=next_before)


@blueprint.route("/<int:message_id>")
@role_required("agent")
def message(message_id: int):
    found = queries.visible_message(message_id, current_user)
    headers, text, files = parsing.as_arrived(found.raw)
    return render_template("inbound/message.html", message=found, headers=headers, text=text, files=files,
                           form=EmptyForm())


@blueprint.route("/<int:message_id>/raw")
@role_required("agent")
def raw(message_id: int):
    found = queries.visible_message(message_id, current_user)
    return Response(found.raw, mimetype="message/rfc822", headers={
        "Content-Disposition": f'attachment; filename="message-{found.id}.eml"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


@blueprint.route("/<int:message_id>/release", methods=["POST"])
@role_required("admin")
def release(message_id: int):
    found = queries.visible_message(message_id, current_user)
    if EmptyForm().validate_on_submit():
        try:
            outcome = ingest.release(found, actor=current_user)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            if outcome.reference:
                flash(_("Released: %(outcome)s — %(reference)s.", outcome=OUTCOME_LABELS[outcome.kind],
                        reference=outcome.reference), "success")
            else:
                flash(_("Released: %(outcome)s.", outcome=OUTCOME_LABELS[outcome.kind]), "success")
    return redirect(url_for("inbound.message", message_id=message_id))


@blueprint.route("/<int:message_id>/discard", methods=["POST"])
@role_required("admin")
def discard(message_id: int):
    found = queries.visible_message(message_id, current_user)
    if EmptyForm().validate_on_submit():
        try:
            ingest.discard(found, actor=current_user)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(_("The message is discarded (kept for the record)."), "success")
    return redirect(url_for("inbound.messages"))
