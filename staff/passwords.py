"""Argon2id (memory-hard) password hashing."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_PASSWORD_LENGTH = 10


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int | None, memory_cost: int | None, parallelism: int | None) -> tuple[PasswordHasher, str]:
    """A hasher and the dummy hash that unknown e-mails are verified against (so both failures
    take the same time). None keeps argon2-cffi's memory-hard defaults."""
    params = {name: value for name, value in (
        ("time_cost", time_cost), ("memory_cost", memory_cost), ("parallelism", parallelism)) if value}
    hasher = PasswordHasher(**params)
    return hasher, hasher.hash("not-a-real-password")


def _hasher() -> tuple[PasswordHasher, str]:
    # Only the test configuration sets these (cheap parameters so fixtures that create four staff
    # accounts per test do not spend seconds hashing); production keeps the defaults.
    config = current_app.config if has_app_context() else {}
    return _hasher_for(config.get("PASSWORD_HASH_TIME_COST"), config.get("PASSWORD_HASH_MEMORY_COST"),
                       config.get("PASSWORD_HASH_PARALLELISM"))


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher, dummy = _hasher()
    try:
        # A hash made with other parameters still verifies: the parameters are in the hash.
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
