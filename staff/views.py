from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from extensions import db, limiter
from platform_support.clock import utcnow
from platform_support.errors import ServiceError
from platform_support.sealing import seal
from staff import password_reset, services, sessions, signals, throttle
from staff.auth import role_required, safe_next
from staff.forms import AdminSetPasswordForm, ChangePasswordForm, EditStaffForm, LoginForm, StaffForm
from staff.models import StaffUser

blueprint = Blueprint("staff", __name__, url_prefix="/staff")

# How long the step between a right password and the second-factor code may take.
TWO_FACTOR_PENDING_SECONDS = 300
TWO_FACTOR_PENDING_PURPOSE = "two-factor-pending"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def lock_message(minutes: int) -> str:
    # The same for every typed address, whether an account has it or not.
    return _("Too many failed sign-in attempts with this e-mail address. Sign-in is locked for "
             "%(minutes)d minutes; you can reset your password meanwhile.", minutes=minutes)


def finish_sign_in(user: StaffUser, *, method: str, now, next_url: str | None = None):
    """The session begins (staff.sessions.sign_in), the failure count is cleared, and the person
    goes on — to the two-factor enrolment first when their role requires it and they have none."""
    sessions.sign_in(user, method=method, now=now)
    throttle.record_success(user.email)
    db.session.commit()
    if session.get("must_enrol_two_factor"):
        flash(_("Your role requires two-factor sign-in. Set it up now to continue."), "info")
        return redirect(url_for("staff_security.two_factor"))
    return redirect(safe_next(next_url if next_url is not None else request.args.get("next"),
                              url_for("complaints_staff.queue")))


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if not current_app.config["LOCAL_LOGIN_ENABLED"]:
        # Single sign-on only (staff/sso_views.py): no password form, and no password is checked.
        if request.method == "POST":
            flash(_("Sign-in with a password is switched off. Use single sign-on."), "error")
            return render_template("staff/login.html", form=None), 403
        return render_template("staff/login.html", form=None)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        now = utcnow()
        email = (form.email.data or "").strip().lower()[:254]
        locked = throttle.locked_for(email, now=now)
        user = None if locked else services.authenticate(email, form.password.data)
        if locked:
            signals.staff_sign_in_failed.send(current_app._get_current_object(), email=email)
            db.session.commit()
            flash(lock_message(locked), "error")
            status = 429
        elif user is None:
            throttle.record_failure(email, now=now)
            signals.staff_sign_in_failed.send(current_app._get_current_object(), email=email)
            db.session.commit()
            flash(_("Wrong e-mail or password."), "error")  # never which of the two
        elif user.has_two_factor:
            # The right password only opens the second step; the user id is sealed in the
            # visitor's cookie for a few minutes, unreadable and unforgeable.
            session["two_factor_pending"] = seal(json.dumps({"uid": user.id, "at": now.isoformat()}),
                                                 purpose=TWO_FACTOR_PENDING_PURPOSE)
            return redirect(url_for("staff_security.two_factor_login", next=request.args.get("next")))
        else:
            return finish_sign_in(user, method="password", now=now)
    return render_template("staff/login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout():
    sessions.sign_out(current_user._get_current_object(), everywhere=bool(request.form.get("everywhere")))
    db.session.commit()
    flash(_("You are signed out."), "info")
    return redirect(url_for("staff.login"))


@blueprint.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data,
                                     keep_session=sessions.current_session_id())
        except ServiceError as exc:
            db.session.rollback()
            for name, messages in exc.fields.items():
                if hasattr(form, name):
                    getattr(form, name).errors = list(getattr(form, name).errors) + messages
            flash(exc.message, "error")
        else:
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
                services.update_staff(user, name=form.name.data, role=form.role.data, active=form.active.data,
                                      weekly_digest=form.weekly_digest.data)
            except ServiceError as exc:
                flash(exc.message, "error")
            else:
                flash(_("Account updated."), "success")
                return redirect(url_for("staff.accounts"))
    return _edit_page(user, form)


def _edit_page(user: StaffUser, form=None, password_form=None, status: int = 200):
    return render_template("staff/edit_account.html", user=user, form=form or EditStaffForm(obj=user),
                           password_form=password_form or AdminSetPasswordForm(prefix="password"),
                           reset_form=FlaskForm(prefix="reset"),
                           open_sessions=len(sessions.open_sessions(user))), status


@blueprint.route("/accounts/<int:user_id>/password", methods=["POST"])
@role_required("admin")
def set_account_password(user_id: int):
    """Set another person's password (Admin → Staff); their sessions end, the audit log records it."""
    user = db.session.get(StaffUser, user_id) or abort(404)
    form = AdminSetPasswordForm(prefix="password")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return _edit_page(user, password_form=form, status=400)
    try:
        ended = services.set_password_by_admin(user, form.new_password.data, actor=current_user._get_current_object(),
                                               now=utcnow())
    except ServiceError as exc:
        db.session.rollback()
        flash(" ".join([exc.message, *sum(exc.fields.values(), [])]), "error")
        return _edit_page(user, password_form=form, status=400)
    flash(_("Password set for %(name)s. Sessions ended: %(count)d. Tell them the new password in person or by phone, "
            "never by e-mail.", name=user.name, count=ended), "success")
    return redirect(url_for("staff.edit_account", user_id=user.id))


@blueprint.route("/accounts/<int:user_id>/reset-link", methods=["POST"])
@role_required("admin")
def send_reset_link(user_id: int):
    """E-mail the person a password-reset link (the same link as "Forgot your password?")."""
    user = db.session.get(StaffUser, user_id) or abort(404)
    if not FlaskForm(prefix="reset").validate_on_submit():
        abort(400)
    if password_reset.request_reset(user.email, now=utcnow()):
        db.session.commit()
        flash(_("A password-reset link was sent to %(email)s.", email=user.email), "success")
    else:
        db.session.rollback()
        flash(_("No link sent: the account is disabled, or several links were sent in the last hour."), "error")
    return redirect(url_for("staff.edit_account", user_id=user.id))
