"""Admins manage the root-cause list and the SLA targets."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from complaints import admin_services
from complaints.forms import RootCauseForm, SlaForm
from complaints.lifecycle import PRIORITIES
from platform_support.errors import ServiceError
from staff.auth import role_required

blueprint = Blueprint("complaints_admin", __name__, url_prefix="/admin")


@blueprint.route("/root-causes", methods=["GET", "POST"])
@role_required("admin")
def root_causes():
    form = RootCauseForm()
    if form.validate_on_submit():
        try:
            admin_services.save_root_cause(code=form.code.data, name=form.name.data,
                                           sort_order=form.sort_order.data or 0, active=form.active.data)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Root cause saved."), "success")
            return redirect(url_for("complaints_admin.root_causes"))
    return render_template("complaints/admin/root_causes.html", form=form, root_causes=admin_services.all_root_causes())


@blueprint.route("/sla", methods=["GET"])
@role_required("admin")
def sla():
    forms = {p: SlaForm(prefix=p, first_response_hours=f, resolution_hours=r) for p, f, r in admin_services.sla_table()}
    return render_template("complaints/admin/sla.html", forms=forms)


@blueprint.route("/sla/<priority>", methods=["POST"])
@role_required("admin")
def save_sla(priority: str):
    if priority not in PRIORITIES:
        abort(404)
    form = SlaForm(prefix=priority)
    if form.validate_on_submit():
        try:
            admin_services.save_sla(priority, form.first_response_hours.data, form.resolution_hours.data)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(_("SLA targets saved. They apply to new complaints and priority changes."), "success")
    else:
        flash(_("Enter whole hours between 1 and 8760."), "error")
    return redirect(url_for("complaints_admin.sla"))
