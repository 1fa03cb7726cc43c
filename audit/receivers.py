"""Audit entries for the staff events a request hook cannot see (failed sign-in, sign-out)."""
from __future__ import annotations

from audit.recording import record
from staff import signals


def _signed_in(_sender, *, user, **_kwargs):
    record("staff.login", actor=user)


def _signed_out(_sender, *, user, everywhere: bool = False, **_kwargs):
    record("staff.logout_everywhere" if everywhere else "staff.logout", actor=user)


def _sign_in_failed(_sender, *, email: str, **_kwargs):
    record("staff.login_failed", actor_label=email)


def _password_reset(_sender, *, user, **_kwargs):
    record("staff.password_reset", actor=user)


def _password_set_by_admin(_sender, *, user, actor, sessions_ended: int = 0, **_kwargs):
    record("staff.password_set_by_admin", actor=actor,
           target={"user_id": str(user.id), "email": user.email, "sessions_ended": str(sessions_ended)})


def connect() -> None:
    signals.staff_signed_in.connect(_signed_in)
    signals.staff_signed_out.connect(_signed_out)
    signals.staff_sign_in_failed.connect(_sign_in_failed)
    signals.password_reset_done.connect(_password_reset)
    signals.password_set_by_admin.connect(_password_set_by_admin)
