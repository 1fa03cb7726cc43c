"""Password reset by e-mail: a single-use link, valid PASSWORD_RESET_SECONDS (at most an hour).

Asking gives the same answer for any address; only an active account gets an e-mail (queued in
the same transaction, in the staff member's language). The link's token is 256-bit random and
only its SHA-256 is stored. Using it sets the new password, uses up every other open link of
the account, lifts a sign-in lock and ends every session of the account.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from extensions import db
from platform_support.errors import NotFound
from platform_support.tokens import hash_secret, new_secret
from staff import signals, throttle
from staff.models import PasswordResetToken, StaffUser
from staff.passwords import hash_password
from staff.services import check_new_password, staff_by_email
from staff.sessions import end_all_sessions

# At most this many links per account per hour, whatever the client addresses asking.
LINKS_PER_HOUR = 3


def request_reset(email: str, *, now: datetime) -> bool:
    """Queue a reset e-mail if `email` belongs to an active account; the caller commits and
    tells the person the same thing either way (True when a link was queued: for the admin page,
    which may say so)."""
    token = new_secret()  # made either way: both answers cost about the same
    token_hash = hash_secret(token)
    user = staff_by_email(email)
    if user is None or not user.active or len(email or "") > 254:
        return False
    recent = db.session.scalar(select(func.count()).select_from(PasswordResetToken).where(
        PasswordResetToken.staff_user_id == user.id, PasswordResetToken.created_at > now - timedelta(hours=1)))
    if recent >= LINKS_PER_HOUR:
        return False
    expires_at = now + timedelta(seconds=min(current_app.config["PASSWORD_RESET_SECONDS"], 3600))  # ≤ 1 h, whatever is set
    db.session.add(PasswordResetToken(staff_user_id=user.id, token_hash=token_hash, created_at=now,
                                      expires_at=expires_at))
    url = f"{current_app.config['BASE_URL']}/staff/password-reset/{token}"
    signals.password_reset_requested.send(current_app._get_current_object(), user=user, url=url,
                                          expires_at=expires_at)
    return True


def valid_token(token: str, *, now: datetime) -> PasswordResetToken | None:
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_secret(token)))
    if row is None or row.used_at is not None or row.expires_at <= now or not row.staff_user.active:
        return None
    return row


def _invalid_link() -> NotFound:
    return NotFound(_("This link is no longer valid: it was used already or is more than an hour old. "
                      "Ask for a new one."))


def reset_password(token: str, new_password: str, *, now: datetime) -> StaffUser:
    """Set the new password through a reset link (commits); every session of the account ends."""
    row = valid_token(token, now=now)
    if row is None:
        raise _invalid_link()
    user = row.staff_user
    check_new_password(new_password, email=user.email, name=user.name, field="new_password")
    # One winner if the link is used twice at once: the UPDATE that still finds it unused.
    used = db.session.execute(update(PasswordResetToken).where(
        PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None)).values(used_at=now))
    if used.rowcount != 1:
        db.session.rollback()
        raise _invalid_link()
    db.session.execute(update(PasswordResetToken).where(
        PasswordResetToken.staff_user_id == user.id, PasswordResetToken.used_at.is_(None)).values(used_at=now))
    user.password_hash = hash_password(new_password)
    end_all_sessions(user, now=now)
    throttle.record_success(user.email)
    signals.password_reset_done.send(current_app._get_current_object(), user=user)
    db.session.commit()
    return user
