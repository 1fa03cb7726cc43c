"""Staff accounts and API tokens."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from platform_support.clock import utcnow
from platform_support.errors import ServiceError
from platform_support.tokens import hash_secret, new_secret
from staff.models import ROLES, ApiToken, StaffUser
from staff.passwords import hash_password, password_problem, verify_password
from staff.sessions import end_all_sessions


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


def update_staff(user: StaffUser, *, name: str, role: str, active: bool, now: datetime | None = None) -> StaffUser:
    if role not in ROLES:
        raise ServiceError(_("Unknown role."), {"role": [_("Choose agent, manager or admin.")]})
    if not (name or "").strip():
        raise ServiceError(_("Enter a name."), {"name": [_("Enter a name.")]})
    if not active:
        end_all_sessions(user, now=now)  # a disabled account is signed out everywhere at once
    user.name, user.role, user.active = name.strip(), role, active
    db.session.commit()
    return user


def issue_api_token(user: StaffUser, *, label: str = "", now: datetime | None = None) -> str:
    """Returns the token once; only its hash is kept."""
    token = new_secret()
    db.session.add(ApiToken(staff_user=user, token_hash=hash_secret(token), label=label[:200], created_at=now or utcnow()))
    db.session.commit()
    return token


def staff_for_api_token(token: str, *, now: datetime | None = None) -> StaffUser | None:
    if not token or len(token) > 200:
        return None
    api_token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(token),
                                                         ApiToken.revoked_at.is_(None)))
    if api_token is None or not api_token.staff_user.active:
        return None
    now = now or utcnow()
    # Touch at most once a minute: a read-only API call should rarely need SQLite's write lock.
    if api_token.last_used_at is None or now - api_token.last_used_at >= timedelta(minutes=1):
        api_token.last_used_at = now
    return api_token.staff_user


def staff_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == (email or "").strip().lower()))


def active_staff() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)))
