"""Admin pages of issue 17: intake categories and their custom fields, routing rules, trigger
rules. Views are thin: a form, one service call, the page again with what was typed
and every message when refused."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from complaints import classification, routing, triggers
from complaints.labels import INTAKE_CHANNEL_LABELS
from complaints.lifecycle import PRIORITIES, PRIORITY_LABELS, STATE_LABELS, STATES
from complaints.models import CATEGORY_LANGUAGES, RoutingRule, TriggerRule
from complaints.rule_forms import FIELD_KIND_LABELS, CategoryForm, CustomFieldForm, RoutingRuleForm, TriggerRuleForm
from customers.segments import DIMENSION_LABELS, SEGMENT_LABELS
from extensions import db
from platform_support.errors import ServiceError
from platform_support.forms import EmptyForm
from platform_support.parsing import bounded_int
from platform_support.templating import LANGUAGE_NAMES
from staff.auth import role_required
from staff.services import active_staff
from staff.team_services import all_teams

blueprint = Blueprint("complaints_rules", __name__, url_prefix="/admin")


def _refused(form, exc: ServiceError) -> None:
    db.session.rollback()
    flash(exc.message, "error")
    for name, messages in exc.fields.items():
        target = getattr(form, name, None)
        if target is not None:
            target.errors = list(target.errors or []) + list(messages)
        else:
            for message in messages:
                flash(message, "error")


def _categories_page(category_form=None, field_form=None, status: int = 200):
    categories = classification.all_categories()
    field_form = field_form or CustomFieldForm(prefix="field")
    field_form.category.choices = [(c.code, f"{c.name_en} ({c.code})") for c in categories]
    return render_template("complaints/admin/categories.html", categories=categories,
                           form=category_form or CategoryForm(prefix="category"), field_form=field_form,
                           delete_form=EmptyForm(prefix="delete"), kind_labels=FIELD_KIND_LABELS), status


@blueprint.route("/categories", methods=["GET", "POST"])
@role_required("admin")
def categories():
    form = CategoryForm(prefix="category")
    if not form.is_submitted():
        return _categories_page(form)
    if form.validate_on_submit():
        try:
            classification.save_category(
                code=form.code.data, names={language: getattr(form, f"name_{language}").data or ""
                                            for language in CATEGORY_LANGUAGES},
                keywords=form.keywords.data or "", sort_order=form.sort_order.data or 0, active=form.active.data)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            flash(_("Category saved."), "success")
            return redirect(url_for("complaints_rules.categories"))
    return _categories_page(form, status=400)


@blueprint.route("/categories/fields", methods=["POST"])
@role_required("admin")
def save_field():
    form = CustomFieldForm(prefix="field")
    form.category.choices = [(c.code, c.code) for c in classification.all_categories()]
    if form.validate_on_submit():
        try:
            classification.save_field(category_code=form.category.data, code=form.code.data, label=form.label.data,
                                      kind=form.kind.data, choices=form.choices.data or "",
                                      required=form.required.data, position=form.position.data or 0,
                                      public=form.public.data)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            flash(_("Custom field saved."), "success")
            return redirect(url_for("complaints_rules.categories"))
    return _categories_page(field_form=form, status=400)


@blueprint.route("/categories/fields/<int:field_id>/delete", methods=["POST"])
@role_required("admin")
def delete_field(field_id: int):
    if EmptyForm(prefix="delete").validate_on_submit():
        classification.delete_field(field_id)
        flash(_("Custom field deleted, with its values on every complaint."), "success")
    return redirect(url_for("complaints_rules.categories"))


# --- routing and trigger rules ----------------------------------------------------------------

def _any(label=None) -> list[tuple[str, str]]:
    return [("", label or _("Any"))]


def _condition_choices(form) -> None:
    language = str(get_locale())
    categories = classification.all_categories()
    form.category.choices = _any() + [(c.code, c.name_in(language)) for c in categories]
    form.language.choices = _any() + list(LANGUAGE_NAMES.items())
    form.channel.choices = _any() + [(k, str(v)) for k, v in INTAKE_CHANNEL_LABELS.items()]
    form.priority.choices = _any() + [(p, str(PRIORITY_LABELS[p])) for p in PRIORITIES]


def _routing_form(formdata=None, rule: RoutingRule | None = None) -> RoutingRuleForm:
    form = RoutingRuleForm(prefix="routing", formdata=formdata)
    _condition_choices(form)
    form.segment.choices = _any() + [(f"{dim}:{value}", f"{DIMENSION_LABELS[dim]}: {label}")
                                     for dim, labels in SEGMENT_LABELS.items() for value, label in labels.items()]
    people = active_staff()
    form.account_owner.choices = _any() + [("set", _("has one")), ("none", _("has none"))] + [
        (str(p.id), _("is %(name)s", name=p.name)) for p in people]
    form.team.choices = [("", _("Choose…"))] + [(str(t.id), t.name) for t in all_teams(active_only=True)]
    form.assign.choices = [(k, str(v)) for k, v in routing.ASSIGN_LABELS.items()]
    if rule is not None and formdata is None:
        form.rule_id.data, form.name.data, form.position.data, form.active.data = str(rule.id), rule.name, rule.position, rule.active
        form.category.data = rule.category.code if rule.category else ""
        form.language.data, form.channel.data = rule.language or "", rule.channel or ""
        form.segment.data, form.priority.data = rule.segment or "", rule.priority or ""
        form.account_owner.data = (str(rule.account_owner_id) if rule.account_owner_id else
                                   "set" if rule.has_account_owner else "none" if rule.has_account_owner is False else "")
        form.team.data, form.assign.data = str(rule.team_id), rule.assign
    return form


def _rule_id(form) -> int | None:
    return bounded_int(form.rule_id.data, minimum=1) if form.rule_id.data else None


def _routing_page(form, status: int = 200):
    return render_template("complaints/admin/routing_rules.html", rules=routing.all_rules(), form=form,
                           delete_form=EmptyForm(prefix="delete"), assign_labels=routing.ASSIGN_LABELS,
                           teams_exist=bool(all_teams(active_only=True)), channel_labels=INTAKE_CHANNEL_LABELS), status


@blueprint.route("/routing-rules", methods=["GET", "POST"])
@role_required("admin")
def routing_rules():
    if request.method == "GET":
        edit = bounded_int(request.args.get("edit"), minimum=1) if request.args.get("edit") else None
        rule = db.session.get(RoutingRule, edit) if edit else None
        return _routing_page(_routing_form(rule=rule))
    form = _routing_form(request.form)
    if form.validate_on_submit():
        try:
            routing.save_rule(rule_id=_rule_id(form), name=form.name.data, team_id=bounded_int(form.team.data, minimum=1),
                              assign=form.assign.data, position=form.position.data or 0, active=form.active.data,
                              category=form.category.data or "", language=form.language.data or "",
                              channel=form.channel.data or "", segment=form.segment.data or "",
                              priority=form.priority.data or "", account_owner=form.account_owner.data or "")
        except ServiceError as exc:
            _refused(form, exc)
        else:
            flash(_("Routing rule saved. It applies to complaints filed from now on."), "success")
            return redirect(url_for("complaints_rules.routing_rules"))
    return _routing_page(form, 400)


@blueprint.route("/routing-rules/<int:rule_id>/delete", methods=["POST"])
@role_required("admin")
def delete_routing_rule(rule_id: int):
    if EmptyForm(prefix="delete").validate_on_submit():
        routing.delete_rule(rule_id)
        flash(_("Rule deleted."), "success")
    return redirect(url_for("complaints_rules.routing_rules"))


def _trigger_form(formdata=None, rule: TriggerRule | None = None) -> TriggerRuleForm:
    form = TriggerRuleForm(prefix="trigger", formdata=formdata)
    _condition_choices(form)
    form.status.choices = _any() + [(s, str(STATE_LABELS[s])) for s in STATES]
    form.set_priority.choices = [("", _("(unchanged)"))] + [(p, str(PRIORITY_LABELS[p])) for p in PRIORITIES]
    form.assign_to.choices = [("", _("(nobody)"))] + [(str(p.id), p.name) for p in active_staff()]
    form.notify.choices = [("", _("(nobody)"))] + [(k, str(v)) for k, v in triggers.NOTIFY_LABELS.items()]
    if rule is not None and formdata is None:
        form.rule_id.data, form.name.data, form.position.data, form.active.data = str(rule.id), rule.name, rule.position, rule.active
        form.on_filing.data, form.on_change.data = rule.on_filing, rule.on_change
        form.category.data = rule.category.code if rule.category else ""
        for name in ("priority", "channel", "language", "status", "tag", "text_contains", "set_priority", "add_tag", "notify"):
            getattr(form, name).data = getattr(rule, name) or ""
        form.assign_to.data = str(rule.assign_to_id) if rule.assign_to_id else ""
    return form


def _trigger_page(form, status: int = 200):
    return render_template("complaints/admin/trigger_rules.html", rules=triggers.all_rules(), form=form,
                           delete_form=EmptyForm(prefix="delete"), notify_labels=triggers.NOTIFY_LABELS,
                           channel_labels=INTAKE_CHANNEL_LABELS), status


@blueprint.route("/trigger-rules", methods=["GET", "POST"])
@role_required("admin")
def trigger_rules():
    if request.method == "GET":
        edit = bounded_int(request.args.get("edit"), minimum=1) if request.args.get("edit") else None
        rule = db.session.get(TriggerRule, edit) if edit else None
        return _trigger_page(_trigger_form(rule=rule))
    form = _trigger_form(request.form)
    if form.validate_on_submit():
        try:
            triggers.save_rule(
                rule_id=_rule_id(form), name=form.name.data, position=form.position.data or 0, active=form.active.data,
                on_filing=form.on_filing.data, on_change=form.on_change.data, category=form.category.data or "",
                priority=form.priority.data or "", channel=form.channel.data or "", language=form.language.data or "",
                status=form.status.data or "", tag=form.tag.data or "", text_contains=form.text_contains.data or "",
                set_priority=form.set_priority.data or "", add_tag=form.add_tag.data or "",
                assign_to=form.assign_to.data or "", notify=form.notify.data or "")
        except ServiceError as exc:
            _refused(form, exc)
        else:
            flash(_("Trigger rule saved."), "success")
            return redirect(url_for("complaints_rules.trigger_rules"))
    return _trigger_page(form, 400)


@blueprint.route("/trigger-rules/<int:rule_id>/delete", methods=["POST"])
@role_required("admin")
def delete_trigger_rule(rule_id: int):
    if EmptyForm(prefix="delete").validate_on_submit():
        triggers.delete_rule(rule_id)
        flash(_("Rule deleted."), "success")
    return redirect(url_for("complaints_rules.trigger_rules"))
