"""Admin pages of issue 17: intake categories and their custom fields (routing and trigger
rules follow). Views are thin: a form, one service call, the page again with what was typed
and every message when refused."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from complaints import classification
from complaints.models import CATEGORY_LANGUAGES
from complaints.rule_forms import FIELD_KIND_LABELS, CategoryForm, CustomFieldForm
from extensions import db
from platform_support.errors import ServiceError
from platform_support.forms import EmptyForm
from staff.auth import role_required

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
                                      required=form.required.data, position=form.position.data or 0)
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
