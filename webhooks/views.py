"""Admins add webhook endpoints (the signing secret is shown once) and see recent deliveries."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import pgettext

from platform_support.errors import ServiceError
from staff.auth import role_required
from webhooks import services
from webhooks.forms import EndpointForm

blueprint = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


@blueprint.route("/", methods=["GET", "POST"])
@role_required("admin")
def endpoints():
    form = EndpointForm()
    new_secret = None
    if form.validate_on_submit():
        try:
            endpoint, new_secret = services.create_endpoint(url=form.url.data, events=form.events.data,
                                                            description=form.description.data or "")
        except ServiceError as exc:
            flash(exc.message, "error")
            for name, messages in exc.fields.items():
                getattr(form, name).errors = list(getattr(form, name).errors) + messages
        else:
            # Rendered in this response only, never put in the (signed, not encrypted) session cookie.
            flash(_("Webhook added. Copy the signing secret now: it is not shown again."), "success")
            form = EndpointForm(formdata=None)
    return render_template("webhooks/endpoints.html", form=form, new_secret=new_secret,
                           endpoints=services.all_endpoints(), deliveries=services.recent_deliveries(),
                           delivery_labels={"queued": pgettext("webhook", "queued"), "delivered": pgettext("webhook", "delivered"),
                                            "parked": pgettext("webhook", "parked")})


@blueprint.route("/<int:endpoint_id>/active", methods=["POST"])
@role_required("admin")
def toggle(endpoint_id: int):
    from flask import request
    try:
        services.set_active(endpoint_id, request.form.get("active") == "1")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("webhooks.endpoints"))
