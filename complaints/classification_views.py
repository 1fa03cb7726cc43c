"""Staff set a complaint's category, tags and custom fields (the block on the complaint page,
templates/complaints/staff/_classification.html). A refused input shows the page again with
everything typed and each message beside its field."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from complaints import classification, queries
from complaints.rule_forms import ClassificationForm
from complaints.staff_views import _detail_page
from extensions import db
from platform_support.errors import NotFound, ServiceError

blueprint = Blueprint("complaints_classification", __name__, url_prefix="/staff/complaints")


@blueprint.route("/<reference>/classification", methods=["POST"])
@login_required
def classify(reference: str):
    form = ClassificationForm(prefix="classification")
    typed_fields = {key.removeprefix("field-"): value[:1000] for key, value in request.form.items()
                    if key.startswith("field-")}
    typed = {"category": form.category.data or "", "tags": form.tags.data or "", "fields": typed_fields, "errors": {}}
    status = 400
    if form.validate_on_submit():
        try:
            category_changed = (form.category.data or "") != _current_category(reference)
            classification.classify(
                reference, actor=current_user, category=form.category.data or "", tags=form.tags.data or "",
                # Fields typed for the category shown; a new category's fields are filled in next.
                fields=None if category_changed else typed_fields, expected_version=form.seen_version)
        except NotFound:
            abort(404)
        except ServiceError as exc:
            db.session.rollback()
            status = exc.status_code
            flash(exc.message, "error")
            typed["errors"] = exc.fields
        else:
            flash(_("Category, tags and fields saved."), "success")
            return redirect(url_for("complaints_staff.detail", reference=reference))
    else:
        for name, errors in form.errors.items():
            for error in errors:
                flash(error, "error")
    try:
        complaint = queries.get_visible_complaint(reference, current_user)
    except NotFound:
        abort(404)
    return _detail_page(complaint, status=status, classification_typed=typed)


def _current_category(reference: str) -> str:
    try:
        complaint = queries.get_visible_complaint(reference, current_user)
    except NotFound:
        abort(404)
    return complaint.category.code if complaint.category else ""
