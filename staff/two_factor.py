"""Two-factor sign-in: TOTP (RFC 6238, pyotp) and single-use recovery codes.

The secret is kept sealed (platform_support.sealing); it is stored only once the person has
typed a first code from their app. A code is accepted for the current 30-second step and one
step either side (clock drift), and never twice: the last accepted step is kept and only a later
one is taken, decided by one conditional UPDATE so that two requests with the same code have
one winner. Recovery codes are random (80 bits), kept as SHA-256, each usable once.

An administrator can require two-factor sign-in per role (`role_security`); staff of such a
role who have not enrolled are sent to enrolment right after they sign in.
"""
from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timezone

import pyotp
import segno
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, or_, select, update

from extensions import db
from platform_support.errors import ServiceError
from platform_support.sealing import seal, unseal
from platform_support.tokens import hash_secret
from staff.models import ROLES, RecoveryCode, RoleSecurity, StaffUser
from staff.passwords import verify_password

ISSUER = "Complaint care"
RECOVERY_CODE_COUNT = 10
_SEAL_PURPOSE = "totp-secret"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)


def new_totp_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(user: StaffUser, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The otpauth:// URI as an inline SVG QR code (no image request, no script). segno writes
    only path data and the (XML-escaped) title, so the markup is safe to insert as it is."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code for your authenticator app")))


def _aware(now: datetime) -> datetime:
    # pyotp reads a naive datetime as local time; ours are naive UTC.
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now


def totp_code(secret: str, now: datetime) -> str:
    """The code an authenticator app shows at `now` (tests compute codes with it)."""
    return pyotp.TOTP(secret).at(_aware(now))


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(_aware(now))
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _normalised_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())[:64]


def _new_recovery_codes(user: StaffUser, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.staff_user_id == user.id))
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _i in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        db.session.add(RecoveryCode(staff_user_id=user.id, code_hash=hash_secret(raw), created_at=now))
    return codes


def enable(user: StaffUser, secret: str, code: str, *, now: datetime) -> list[str]:
    """Turn two-factor sign-in on once `code` proves the app has `secret`; returns the recovery
    codes (shown once). Commits."""
    step = _matching_step(secret, code, now)
    if step is None:
        raise ServiceError(_("That code is not right. Check your device's clock and type the code now shown."),
                           {"code": [_("Not the current code.")]})
    user.totp_secret_sealed = seal(secret, purpose=_SEAL_PURPOSE)
    user.totp_enabled_at = now
    user.totp_last_step = step
    codes = _new_recovery_codes(user, now)
    db.session.commit()
    return codes


def verify_second_factor(user: StaffUser, code: str, *, now: datetime) -> bool:
    """True once for a right TOTP code (of a step later than the last accepted) or an unused
    recovery code; that code is then used up (in the caller's transaction)."""
    if not user.has_two_factor:
        return False
    secret = unseal(user.totp_secret_sealed, purpose=_SEAL_PURPOSE)
    step = _matching_step(secret, code, now) if secret else None
    if step is not None:
        won = db.session.execute(update(StaffUser).where(
            StaffUser.id == user.id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step)).values(totp_last_step=step))
        return won.rowcount == 1
    recovery = _normalised_recovery_code(code)
    if len(recovery) != 16:
        return False
    used = db.session.execute(update(RecoveryCode).where(
        RecoveryCode.staff_user_id == user.id, RecoveryCode.code_hash == hash_secret(recovery),
        RecoveryCode.used_at.is_(None)).values(used_at=now))
    return used.rowcount == 1


def remaining_recovery_codes(user: StaffUser) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.staff_user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def regenerate_recovery_codes(user: StaffUser, password: str, *, now: datetime) -> list[str]:
    _confirm_password(user, password)
    codes = _new_recovery_codes(user, now)
    db.session.commit()
    return codes


def disable(user: StaffUser, password: str) -> None:
    _confirm_password(user, password)
    if role_requires_two_factor(user.role):
        raise ServiceError(_("Two-factor sign-in is required for your role; it cannot be turned off."))
    user.totp_secret_sealed = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.staff_user_id == user.id))
    db.session.commit()


def _confirm_password(user: StaffUser, password: str) -> None:
    if not verify_password(user.password_hash, password or ""):
        raise ServiceError(_("The password is not correct."), {"password": [_("Not correct.")]})


def role_requirements() -> dict[str, bool]:
    stored = {row.role: row.require_two_factor for row in db.session.scalars(select(RoleSecurity))}
    return {role: stored.get(role, False) for role in ROLES}


def role_requires_two_factor(role: str) -> bool:
    row = db.session.get(RoleSecurity, role)
    return bool(row and row.require_two_factor)


def set_role_requirements(required: dict[str, bool]) -> None:
    """Admin: which roles must sign in with a second factor. Commits."""
    for role in ROLES:
        row = db.session.get(RoleSecurity, role) or RoleSecurity(role=role)
        row.require_two_factor = bool(required.get(role))
        db.session.add(row)
    db.session.commit()


def needs_enrolment(user: StaffUser) -> bool:
    return not user.has_two_factor and role_requires_two_factor(user.role)
