"""Admins manage the root-cause list, the SLA targets and the segment priority rules."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from calendars.services import default_calendar
from complaints import admin_services, priority_rules, sla_admin
from complaints.calendar_forms import EscalationForm
from complaints.sla import warning_percent
from complaints.forms import PriorityRuleForm, RootCauseForm, SlaForm
from complaints.lifecycle import PRIORITIES, PRIORITY_LABELS
from customers.segments import DIMENSION_LABELS, SEGMENT_LABELS
from extensions import db
from platform_support.errors import ServiceError
from platform_support.forms import EmptyForm
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
    escalation = _escalation_form()
    if not escalation.is_submitted():
        for level, recipient, delay in sla_admin.escalation_levels()[:3]:
            escalation[f"recipient_{level}"].data = recipient
            escalation[f"delay_{level}"].data = delay // 60
    return render_template("complaints/admin/sla.html", forms=forms, escalation=escalation,
                           default_calendar=default_calendar(), warning_percent=warning_percent())


def _escalation_form() -> EscalationForm:
    form = EscalationForm()
    choices = [("owner", _("the owner")), ("team_lead", _("the team lead")), ("managers", _("the managers"))]
    for level in (1, 2, 3):
        form[f"recipient_{level}"].choices = choices
    return form


@blueprint.route("/sla/escalation", methods=["POST"])
@role_required("admin")
def save_escalation():
    form = _escalation_form()
    if form.validate_on_submit():
        try:
            sla_admin.save_escalation_levels([(form[f"recipient_{level}"].data, (form[f"delay_{level}"].data or 0) * 60)
                                              for level in (1, 2, 3)])
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(_("Escalation levels saved."), "success")
    else:
        flash(_("Enter whole business hours between 0 and 720."), "error")
    return redirect(url_for("complaints_admin.sla"))


@blueprint.route("/sla/<priority>", methods=["POST"])
@role_required("admin")
def save_sla(priority: str):
    if priority not in PRIORITIES:
        abort(404)
    form = SlaForm(prefix=priority)
    if form.validate_on_submit():
        try:
            _target, moved = admin_services.save_sla(priority, form.first_response_hours.data,
                                                     form.resolution_hours.data)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(ngettext("SLA targets saved. The due dates of %(num)d open complaint were recomputed.",
                           "SLA targets saved. The due dates of %(num)d open complaints were recomputed.", moved),
                  "success")
    else:
        flash(_("Enter whole business hours between 1 and 8760."), "error")
    return redirect(url_for("complaints_admin.sla"))


@blueprint.route("/priority-rules", methods=["GET", "POST"], endpoint="priority_rules")
@role_required("admin")
def priority_rules_page():
    form = PriorityRuleForm()
    form.segment.choices = [(f"{dim}:{value}", f"{DIMENSION_LABELS[dim]}: {label}")
                            for dim, labels in SEGMENT_LABELS.items() for value, label in labels.items()]
    form.priority.choices = [(p, str(PRIORITY_LABELS[p])) for p in PRIORITIES]
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                priority_rules.save_rule(segment=form.segment.data, priority=form.priority.data,
                                         position=form.position.data or 0)
            except ServiceError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                for messages in exc.fields.values():
                    for message in messages:
                        flash(message, "error")
            else:
                flash(_("Rule saved."), "success")
        else:
            for field in form:
                for error in field.errors:
                    flash(f"{field.label.text}: {error}", "error")
        return redirect(url_for("complaints_admin.priority_rules"))
    return render_template("complaints/admin/priority_rules.html", rules=priority_rules.all_rules(), form=form,
                           delete_form=EmptyForm(prefix="delete"), priority_labels=PRIORITY_LABELS)


@blueprint.route("/priority-rules/<int:rule_id>/delete", methods=["POST"])
@role_required("admin")
def delete_priority_rule(rule_id: int):
    if EmptyForm(prefix="delete").validate_on_submit():
        priority_rules.delete_rule(rule_id)
        flash(_("Rule deleted."), "success")
    return redirect(url_for("complaints_admin.priority_rules"))
