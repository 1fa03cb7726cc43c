"""The API tokens page: staff create, see and revoke their own tokens; admins everyone's."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from platform_support.clock import utcnow
from platform_support.errors import ServiceError
from staff import tokens
from staff.auth import role_required
from staff.token_forms import TokenForm

blueprint = Blueprint("staff_tokens", __name__, url_prefix="/staff/tokens")


def _page(template_args: dict, status: int = 200):
    response = render_template("staff/tokens.html", now=utcnow(), token_state=tokens.token_state, **template_args)
    # A new token is in this page once: no cache may keep it.
    return response, status, {"Cache-Control": "no-store"}


@blueprint.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    new_token, status = None, 200
    if form.validate_on_submit():
        now = utcnow()
        try:
            new_token = tokens.issue_api_token(current_user, name=form.name.data, scope=form.scope.data, now=now,
                                               expires_at=tokens.expiry_after(form.expires_days.data, now=now))
        except ServiceError as exc:
            flash(exc.message, "error")
            for name, messages in exc.fields.items():
                if hasattr(form, name):
                    getattr(form, name).errors = list(getattr(form, name).errors) + messages
            status = 400
        else:
            flash(_("Token created. Copy it now: it is not shown again."), "success")
            form = TokenForm(formdata=None)
    elif form.is_submitted():
        status = 400
    return _page({"form": form, "new_token": new_token, "items": tokens.tokens_of(current_user),
                  "everyone": False}, status)


@blueprint.route("/all")
@role_required("admin")
def everyone():
    return _page({"form": None, "new_token": None, "items": tokens.all_tokens(), "everyone": True})


@blueprint.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    try:
        token = tokens.revoke_token(current_user, token_id, now=utcnow())
    except ServiceError as exc:
        if exc.status_code == 404:
            abort(404)
        flash(exc.message, "error")
    else:
        flash(_("Token “%(name)s” revoked: it no longer opens the API.", name=token.name), "success")
    back = "staff_tokens.everyone" if request.form.get("back") == "all" and current_user.is_admin else "staff_tokens.index"
    return redirect(url_for(back))
