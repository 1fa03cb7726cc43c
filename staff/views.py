from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from extensions import db, limiter
from platform_support import sessions
from platform_support.errors import ServiceError
from staff import services, signals
from staff.auth import role_required, safe_next
from staff.forms import ChangePasswordForm, EditStaffForm, LoginForm, StaffForm
from staff.models import StaffUser

blueprint = Blueprint("staff", __name__, url_prefix="/staff")


def _login_limit() -> str:
    from flask import current_app
    return current_app.config["LOGIN_RATE_LIMIT"]


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            signals.staff_sign_in_failed.send(current_app._get_current_object(),
                                              email=(form.email.data or "").strip().lower()[:254])
            db.session.commit()
            flash(_("Wrong e-mail or password."), "error")  # never which of the two
        else:
            session.clear()  # a fresh session at login
            login_user(user)
            sessions.start()
            signals.staff_signed_in.send(current_app._get_current_object(), user=user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("complaints_staff.queue")))
    return render_template("staff/login.html", form=form)


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    if request.form.get("everywhere"):
        user.session_version += 1  # every other session of this user ends too
    signals.staff_signed_out.send(current_app._get_current_object(), user=user,
                                  everywhere=bool(request.form.get("everywhere")))
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("staff.login"))


@blueprint.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            login_user(current_user._get_current_object())  # this session continues under the new version
            flash(_("Your password is changed. Your other sessions were signed out."), "success")
            return redirect(url_for("complaints_staff.queue"))
    return render_template("staff/password.html", form=form)


@blueprint.route("/accounts", methods=["GET", "POST"])
@role_required("admin")
def accounts():
    form = StaffForm()
    if form.validate_on_submit():
        try:
            services.create_staff(email=form.email.data, name=form.name.data, role=form.role.data,
                                  password=form.password.data)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Account created."), "success")
            return redirect(url_for("staff.accounts"))
    users = db.session.scalars(db.select(StaffUser).order_by(StaffUser.name)).all()
    return render_template("staff/accounts.html", form=form, users=users)


@blueprint.route("/accounts/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_account(user_id: int):
    user = db.session.get(StaffUser, user_id) or abort(404)
    form = EditStaffForm(obj=user)
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            flash(_("You cannot remove your own administrator access."), "error")
        else:
            try:
                services.update_staff(user, name=form.name.data, role=form.role.data, active=form.active.data)
            except ServiceError as exc:
                flash(exc.message, "error")
            else:
                flash(_("Account updated."), "success")
                return redirect(url_for("staff.accounts"))
    return render_template("staff/edit_account.html", form=form, user=user)
