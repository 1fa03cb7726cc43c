"""Staff accounts (API tokens: staff/tokens.py)."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from platform_support.errors import PermissionDenied, ServiceError
from staff import signals
from staff.models import ROLE_RANK, ROLES, StaffUser
from staff.passwords import hash_password, password_problem, verify_password
from staff.sessions import end_all_sessions
from staff.throttle import record_success


def check_new_password(password: str, *, email: str = "", name: str = "", field: str = "password") -> None:
    """Refuse a new password that is short, common, breached or guessable (staff.passwords)."""
    problem = password_problem(password, user_inputs=(email, name))
    if problem is not None:
        raise ServiceError(problem, {field: [problem]})


def create_staff(*, email: str, name: str, role: str, password: str, language: str = "en") -> StaffUser:
    email = (email or "").strip().lower()
    if role not in ROLES:
        raise ServiceError(_("Unknown role."), {"role": [_("Choose agent, manager or admin.")]})
    if "@" not in email or len(email) > 254:
        raise ServiceError(_("Enter a valid e-mail address."), {"email": [_("Enter a valid e-mail address.")]})
    if not (name or "").strip():
        raise ServiceError(_("Enter a name."), {"name": [_("Enter a name.")]})
    check_new_password(password, email=email, name=name)
    if db.session.scalar(select(StaffUser).where(StaffUser.email == email)) is not None:
        raise ServiceError(_("A staff account with this e-mail already exists."), {"email": [_("Already in use.")]})
    user = StaffUser(email=email, name=name.strip(), role=role, password_hash=hash_password(password), language=language)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    """The staff user for these credentials, or None — never saying which part was wrong."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == (email or "").strip().lower()))
    ok = verify_password(user.password_hash if user else None, password or "")
    if user is None or not ok or not user.active:
        return None
    return user


def change_password(user: StaffUser, current: str, new: str, *, keep_session: int | None = None,
                    now: datetime | None = None) -> None:
    """A new password; every session of the account but `keep_session` (the one in use) ends."""
    if not verify_password(user.password_hash, current or ""):
        raise ServiceError(_("The current password is not correct."), {"current_password": [_("Not correct.")]})
    check_new_password(new, email=user.email, name=user.name, field="new_password")
    user.password_hash = hash_password(new)
    end_all_sessions(user, now=now, keep=keep_session)
    db.session.commit()


def set_password_by_admin(user: StaffUser, new: str, *, actor: StaffUser, now: datetime | None = None) -> int:
    """An administrator sets (resets) another account's password — when the person cannot use the
    e-mailed reset link. The same rule as every new password; every session of that account ends,
    its sign-in lock is lifted, and the audit log records who did it (staff.signals). Returns the
    number of sessions ended."""
    if not actor.is_admin:
        raise PermissionDenied(_("Only an administrator can set another person's password."))
    if user.id == actor.id:
        raise ServiceError(_("Change your own password on the password page (it asks for the current one)."),
                           {"new_password": [_("Use the password page for your own password.")]})
    check_new_password(new, email=user.email, name=user.name, field="new_password")
    user.password_hash = hash_password(new)
    ended = end_all_sessions(user, now=now)
    record_success(user.email)  # the failed sign-ins before the reset no longer lock the account
    signals.password_set_by_admin.send(current_app._get_current_object(), user=user, actor=actor,
                                       sessions_ended=ended)
    db.session.commit()
    return ended


def update_staff(user: StaffUser, *, name: str, role: str, active: bool, weekly_digest: bool | None = None,
                 now: datetime | None = None) -> StaffUser:
    if role not in ROLES:
        raise ServiceError(_("Unknown role."), {"role": [_("Choose agent, manager or admin.")]})
    if not (name or "").strip():
        raise ServiceError(_("Enter a name."), {"name": [_("Enter a name.")]})
    if not active:
        end_all_sessions(user, now=now)  # a disabled account is signed out everywhere at once
    user.name, user.role, user.active = name.strip(), role, active
    if weekly_digest is not None:
        user.weekly_digest = bool(weekly_digest) and ROLE_RANK[role] >= ROLE_RANK["manager"]
    db.session.commit()
    return user


def set_weekly_digest(user: StaffUser, wanted: bool) -> StaffUser:
    """Opt in to (or out of) the weekly manager digest; only managers and administrators receive it."""
    if wanted and not user.is_manager:
        message = _("The weekly digest is for managers and administrators.")
        raise ServiceError(message, {"weekly_digest": [message]})
    user.weekly_digest = bool(wanted)
    db.session.commit()
    return user


def set_language(user: StaffUser, language: str, *, languages: tuple[str, ...] | list[str]) -> StaffUser:
    """The language `user` reads the staff pages and their staff e-mails in (one of `languages`)."""
    if language not in languages:
        raise ServiceError(_("Choose one of the offered languages."), {"language": [_("Choose one of the offered languages.")]})
    user.language = language
    db.session.commit()
    return user


def staff_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == (email or "").strip().lower()))


def active_staff() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)))
