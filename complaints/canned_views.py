"""Staff pages for canned responses: everyone manages their personal ones, admins the shared ones
(`complaints.canned` holds the rules)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from complaints import canned
from complaints.forms import CannedResponseForm
from complaints.models import CannedResponse
from extensions import db
from platform_support.errors import NotFound, PermissionDenied, ServiceError

blueprint = Blueprint("canned", __name__, url_prefix="/staff/canned-responses")


def _page(form, editing: CannedResponse | None = None, status: int = 200):
    return render_template("complaints/staff/canned.html", form=form, editing=editing,
                           responses=canned.usable_by(current_user), placeholders=canned.PLACEHOLDERS,
                           may_manage=lambda c: canned.may_manage(current_user, c)), status


def _save(form, canned_id: int | None):
    if form.validate_on_submit():
        try:
            canned.save(current_user, title=form.title.data, body=form.body.data, language=form.language.data,
                        shared=bool(form.shared.data), canned_id=canned_id)
        except NotFound:
            abort(404)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            for name, messages in exc.fields.items():
                if hasattr(form, name):
                    getattr(form, name).errors = list(getattr(form, name).errors or []) + list(messages)
            return None, exc.status_code
        flash(_("Canned response saved."), "success")
        return redirect(url_for("canned.index")), 302
    return None, 400


@blueprint.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = CannedResponseForm()
    if form.is_submitted():
        done, status = _save(form, None)
        if done is not None:
            return done
        return _page(form, status=status)
    return _page(form)


@blueprint.route("/<int:canned_id>", methods=["GET", "POST"])
@login_required
def edit(canned_id: int):
    try:
        existing = canned.get_usable(canned_id, current_user)
    except NotFound:
        abort(404)
    if not canned.may_manage(current_user, existing):
        abort(403)
    form = CannedResponseForm(obj=existing)
    form.shared.data = existing.owner_staff_id is None
    if form.is_submitted():
        form = CannedResponseForm()
        done, status = _save(form, canned_id)
        if done is not None:
            return done
        return _page(form, existing, status)
    return _page(form, existing)


@blueprint.route("/<int:canned_id>/delete", methods=["POST"])
@login_required
def delete(canned_id: int):
    if not FlaskForm().validate_on_submit():  # the CSRF token only
        abort(400)
    try:
        canned.delete(current_user, canned_id)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    flash(_("Canned response deleted."), "success")
    return redirect(url_for("canned.index"))
