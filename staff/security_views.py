"""Account security pages: second-factor sign-in and enrolment, active sessions, password
reset by e-mail, and the administrator's per-role two-factor requirement."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from extensions import db, limiter
from platform_support.clock import utcnow
from platform_support.errors import ServiceError
from platform_support.forms import EmptyForm
from platform_support.sealing import seal, unseal
from staff import password_reset as resets
from staff import sessions, signals, throttle
from staff import two_factor as second_factor
from staff.auth import role_required
from staff.forms import (ConfirmPasswordForm, PasswordResetForm, PasswordResetRequestForm, RoleSecurityForm,
                         TwoFactorCodeForm)
from staff.models import ROLES, StaffUser
from staff.views import TWO_FACTOR_PENDING_PURPOSE, TWO_FACTOR_PENDING_SECONDS, finish_sign_in, lock_message

blueprint = Blueprint("staff_security", __name__, url_prefix="/staff")

_ENROLMENT_SEAL = "totp-enrolment"
# What a signed-in person who must enrol first may still reach.
_OPEN_DURING_ENROLMENT = {"staff_security.two_factor", "staff.logout", "static"}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _private(body, status: int = 200):
    response = current_app.make_response((body, status))
    response.headers["Referrer-Policy"] = "no-referrer"  # the page's URL holds a secret
    return response


@blueprint.before_app_request
def _enrolment_first():
    if session.get("must_enrol_two_factor") and request.endpoint not in _OPEN_DURING_ENROLMENT \
            and current_user.is_authenticated:
        return redirect(url_for("staff_security.two_factor"))
    return None


# --- signing in with a second factor -----------------------------------------------------------

def _pending_user(now: datetime) -> StaffUser | None:
    raw = unseal(session.get("two_factor_pending"), purpose=TWO_FACTOR_PENDING_PURPOSE)
    try:
        pending = json.loads(raw) if raw else None
        started = datetime.fromisoformat(pending["at"])
        user_id = int(pending["uid"])
    except (ValueError, TypeError, KeyError):
        return None
    if not timedelta(0) <= now - started <= timedelta(seconds=TWO_FACTOR_PENDING_SECONDS):
        return None
    user = db.session.get(StaffUser, user_id)
    return user if user is not None and user.active and user.has_two_factor else None


@blueprint.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def two_factor_login():
    now = utcnow()
    user = _pending_user(now)
    if user is None:
        session.pop("two_factor_pending", None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("staff.login"))
    form = TwoFactorCodeForm()
    status = 200
    if form.validate_on_submit():
        locked = throttle.locked_for(user.email, now=now)
        if locked:
            flash(lock_message(locked), "error")
            status = 429
        elif second_factor.verify_second_factor(user, form.code.data, now=now):
            session.pop("two_factor_pending", None)
            return finish_sign_in(user, method="password+totp", now=now)
        else:
            db.session.rollback()
            throttle.record_failure(user.email, now=now)
            signals.staff_sign_in_failed.send(current_app._get_current_object(), email=user.email)
            db.session.commit()
            flash(_("That code is not right, or it was used already. Type the code your app shows now, "
                    "or one of your recovery codes."), "error")
    return render_template("staff/two_factor_login.html", form=form), status


# --- enrolment and management -------------------------------------------------------------------

@blueprint.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    user = current_user._get_current_object()
    if user.has_two_factor:
        return render_template("staff/two_factor.html", user=user, password_form=ConfirmPasswordForm(),
                               remaining=second_factor.remaining_recovery_codes(user),
                               required=second_factor.role_requires_two_factor(user.role))
    # The secret being set up lives in the server-side session (sealed) until a code confirms it.
    secret = unseal(session.get("totp_enrolment"), purpose=_ENROLMENT_SEAL)
    if secret is None:
        secret = second_factor.new_totp_secret()
        session["totp_enrolment"] = seal(secret, purpose=_ENROLMENT_SEAL)
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.enable(user, secret, form.code.data, now=utcnow())
        except ServiceError as exc:
            db.session.rollback()
            form.code.errors = list(form.code.errors) + exc.fields.get("code", [])
            flash(exc.message, "error")
        else:
            session.pop("totp_enrolment", None)
            session.pop("must_enrol_two_factor", None)
            flash(_("Two-factor sign-in is on."), "success")
            return _recovery_codes_page(codes)
    uri = second_factor.provisioning_uri(user, secret)
    return render_template("staff/two_factor_enrol.html", form=form, qr_svg=second_factor.qr_svg(uri),
                           secret=secret, required=session.get("must_enrol_two_factor", False))


def _recovery_codes_page(codes: list[str]):
    return render_template("staff/recovery_codes.html", codes=codes)


@blueprint.route("/two-factor/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes():
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and current_user.has_two_factor:
        try:
            codes = second_factor.regenerate_recovery_codes(current_user._get_current_object(), form.password.data,
                                                         now=utcnow())
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            return _recovery_codes_page(codes)
    return redirect(url_for("staff_security.two_factor"))


@blueprint.route("/two-factor/disable", methods=["POST"])
@login_required
def disable_two_factor():
    form = ConfirmPasswordForm()
    if form.validate_on_submit() and current_user.has_two_factor:
        try:
            second_factor.disable(current_user._get_current_object(), form.password.data)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Two-factor sign-in is off."), "success")
    return redirect(url_for("staff_security.two_factor"))


# --- sessions -------------------------------------------------------------------------------------

@blueprint.route("/sessions")
@login_required
def active_sessions():
    return render_template("staff/sessions.html", rows=sessions.open_sessions(current_user),
                           current=sessions.current_session_id(), form=EmptyForm())


@blueprint.route("/sessions/<int:row_id>/end", methods=["POST"])
@login_required
def end_session(row_id: int):
    if EmptyForm().validate_on_submit():
        if sessions.end_session(row_id, staff_user_id=current_user.id):  # only one's own
            db.session.commit()
            flash(_("That session is signed out."), "success")
    return redirect(url_for("staff_security.active_sessions"))


# --- password reset by e-mail ---------------------------------------------------------------------

@blueprint.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def password_reset_request():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        started = time.perf_counter()
        resets.request_reset((form.email.data or "").strip().lower(), now=utcnow())
        db.session.commit()
        # An address with an account costs a few ms more (the link, the e-mail): every answer
        # waits until the same floor, so the time does not tell which addresses exist.
        time.sleep(max(0.0, current_app.config["PASSWORD_RESET_ANSWER_MS"] / 1000 - (time.perf_counter() - started)))
        # The same words for every address: whether it has an account stays unsaid.
        flash(_("If an active staff account has this address, we have sent it a link to choose a new password. "
                "The link works once, for an hour."), "info")
        return redirect(url_for("staff.login"))
    return render_template("staff/password_reset_request.html", form=form)


@blueprint.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def password_reset(token: str):
    now = utcnow()
    if resets.valid_token(token, now=now) is None:
        return _private(render_template("staff/password_reset_invalid.html"), 404)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            resets.reset_password(token, form.new_password.data, now=now)
        except ServiceError as exc:
            db.session.rollback()
            form.new_password.errors = list(form.new_password.errors) + exc.fields.get("new_password", [])
            flash(exc.message, "error")
        else:
            # Any session this browser had ended with the others; it signs in afresh.
            flash(_("Your password is changed and every session of your account was signed out. "
                    "Sign in with the new password."), "success")
            return redirect(url_for("staff.login"))
    return _private(render_template("staff/password_reset.html", form=form))


# --- administration -------------------------------------------------------------------------------

@blueprint.route("/admin/sign-in-security", methods=["GET", "POST"])
@role_required("admin")
def sign_in_security():
    current = second_factor.role_requirements()
    form = RoleSecurityForm(data=current)
    if form.validate_on_submit():
        second_factor.set_role_requirements({role: getattr(form, role).data for role in ROLES})
        flash(_("Saved. Staff of a role that now requires two-factor sign-in set it up at their next sign-in."),
              "success")
        return redirect(url_for("staff_security.sign_in_security"))
    return render_template("staff/sign_in_security.html", form=form)
