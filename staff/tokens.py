"""API tokens: issued once (only the SHA-256 is kept), named, scoped, optionally expiring, revocable.

A token opens the API while it is not revoked, not past `expires_at` and its account is active.
A "read" token may only read (GET/HEAD/OPTIONS); `api.common.staff_required` answers 403 for
anything else. Every function that compares with the time takes `now`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from extensions import db
from platform_support.clock import utcnow
from platform_support.errors import Conflict, NotFound, ServiceError
from platform_support.tokens import hash_secret, new_secret
from staff.models import TOKEN_SCOPES, ApiToken, StaffUser

# last_used_at moves only when it is at least this old: a busy integration writes once a minute.
TOUCH_INTERVAL = timedelta(minutes=1)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_EXPIRY_DAYS = 3650
MAX_NAME_LENGTH = 200


def expiry_after(days: int | None, *, now: datetime) -> datetime | None:
    """`now` + days, or None (never expires) for no days; refuses what is not 1…3650."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXPIRY_DAYS:
        raise ServiceError(_("A token expires after 1 to %(n)d days, or never.", n=MAX_EXPIRY_DAYS),
                           {"expires_days": [_("A whole number from 1 to %(n)d.", n=MAX_EXPIRY_DAYS)]})
    return now + timedelta(days=days)


def issue_api_token(user: StaffUser, *, name: str = "api", scope: str = "write", expires_at: datetime | None = None,
                    now: datetime | None = None, commit: bool = True) -> str:
    """A new token for `user`, returned this once; only its hash is stored."""
    now = now or utcnow()
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH or any(ord(c) < 32 for c in name):
        raise ServiceError(_("Give the token a name (at most %(n)d characters).", n=MAX_NAME_LENGTH),
                           {"name": [_("Give the token a name (at most %(n)d characters).", n=MAX_NAME_LENGTH)]})
    if scope not in TOKEN_SCOPES:
        raise ServiceError(_("Choose read-only or read-write."), {"scope": [_("Choose read-only or read-write.")]})
    if expires_at is not None and expires_at <= now:
        raise ServiceError(_("The expiry must be in the future."), {"expires_days": [_("The expiry must be in the future.")]})
    if not user.active:
        raise ServiceError(_("This account is disabled."))
    token = new_secret()
    db.session.add(ApiToken(staff_user_id=user.id, token_hash=hash_secret(token), name=name, scope=scope,
                            created_at=now, expires_at=expires_at))
    if commit:
        db.session.commit()
    return token


def token_state(token: ApiToken, *, now: datetime) -> str:
    """'active', 'expired' or 'revoked' (what the tokens page shows)."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def authenticate_token(token: str, *, now: datetime) -> ApiToken | None:
    """The live token row for this bearer value (its account active), or None.

    last_used_at is written by a conditional UPDATE only when it is older than TOUCH_INTERVAL, in
    the caller's transaction (the API commits it)."""
    if not token or len(token) > 200:
        return None
    api_token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(token),
                                                         ApiToken.revoked_at.is_(None)))
    if api_token is None or token_state(api_token, now=now) != "active" or not api_token.staff_user.active:
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at >= TOUCH_INTERVAL:
        stale = (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= now - TOUCH_INTERVAL)
        db.session.execute(update(ApiToken).where(ApiToken.id == api_token.id, stale).values(last_used_at=now),
                           execution_options={"synchronize_session": False})
        db.session.expire(api_token, ["last_used_at"])
    return api_token


def allows(token: ApiToken, method: str) -> bool:
    """May this token send a request with this HTTP method?"""
    return token.scope == "write" or method.upper() in READ_METHODS


def tokens_of(user: StaffUser) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.staff_user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def all_tokens() -> list[ApiToken]:
    """Every account's tokens (the administrators' list)."""
    return list(db.session.scalars(select(ApiToken).join(ApiToken.staff_user)
                                   .order_by(StaffUser.name, ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(actor: StaffUser, token_id: int, *, now: datetime) -> ApiToken:
    """Revoke one token: one's own, or anyone's for an administrator. Others' look unknown."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.staff_user_id != actor.id and not actor.is_admin):
        raise NotFound(_("No such token."))
    if token.revoked_at is not None:
        raise Conflict(_("This token was already revoked."))
    token.revoked_at = now
    db.session.commit()
    return token


def revoke_all_tokens(user: StaffUser, *, now: datetime) -> int:
    """End every token of the account at once (the next request with any of them gets 401)."""
    count = db.session.execute(update(ApiToken).where(ApiToken.staff_user_id == user.id, ApiToken.revoked_at.is_(None))
                               .values(revoked_at=now), execution_options={"synchronize_session": False}).rowcount
    db.session.commit()
    return count
