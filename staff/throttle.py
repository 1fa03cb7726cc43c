"""Sign-in throttling per account: after LOGIN_ACCOUNT_MAX_FAILURES failed attempts (wrong
password or wrong second-factor code) within LOGIN_ACCOUNT_WINDOW_SECONDS, sign-in with that
e-mail address is refused for LOGIN_ACCOUNT_LOCK_SECONDS, even with the right password.

Counted per typed address, known or not, so the lock is no oracle for which accounts exist.
The per-client-address limit (LOGIN_RATE_LIMIT, Flask-Limiter) stays in front of this one.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from extensions import db
from platform_support.tokens import hash_secret
from staff.models import LoginThrottle


def _key(email: str) -> str:
    return hash_secret("login:" + (email or "").strip().lower()[:254])


def locked_for(email: str, *, now: datetime) -> int:
    """Minutes (rounded up) this address stays locked; 0 when it may try."""
    row = db.session.get(LoginThrottle, _key(email))
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return max(1, math.ceil((row.locked_until - now).total_seconds() / 60))


def record_failure(email: str, *, now: datetime) -> None:
    """Count one failed attempt (in the caller's transaction); lock when there were too many."""
    config = current_app.config
    window_start = now - timedelta(seconds=config["LOGIN_ACCOUNT_WINDOW_SECONDS"])
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    table = LoginThrottle.__table__
    statement = insert(table).values(key_hash=_key(email), failures=1, first_failed_at=now, locked_until=None)
    # One statement, so two failures at once both count (no read-then-write race).
    fresh_window = table.c.first_failed_at < window_start
    statement = statement.on_conflict_do_update(index_elements=[table.c.key_hash], set_={
        "failures": case((fresh_window, 1), else_=table.c.failures + 1),
        "first_failed_at": case((fresh_window, now), else_=table.c.first_failed_at),
    })
    db.session.execute(statement)
    # Addresses nobody tried for a while are forgotten (the table stays as small as the attempts).
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.first_failed_at < window_start,
        (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now)))
    db.session.execute(update(LoginThrottle).where(
        LoginThrottle.key_hash == _key(email),
        LoginThrottle.failures >= config["LOGIN_ACCOUNT_MAX_FAILURES"]).values(
        failures=0, first_failed_at=now,
        locked_until=now + timedelta(seconds=config["LOGIN_ACCOUNT_LOCK_SECONDS"])))


def record_success(email: str) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key_hash == _key(email)))
