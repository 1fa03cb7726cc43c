"""Argon2id (memory-hard) password hashing, and which new passwords are refused."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_PASSWORD_LENGTH = 12
# zxcvbn's score (0–4) a new password must reach: 3 is "safely unguessable: moderate protection
# from offline slow-hash scenario" (Argon2id here), and rules out its list of the 30,000 most
# used passwords from real breaches, dictionary words, names, keyboard walks, repeats, dates
# and l33t variants of all of these, offline.
MIN_PASSWORD_SCORE = 3
MAX_PASSWORD_LENGTH = 1000


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


_COMMON = frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why this password is refused (a sentence for the person), or None if it is acceptable.

    `user_inputs` (the account's e-mail, name) count as known words: a password built from them
    is guessable too."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("The password may have at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
    if password.lower() in _COMMON:
        return _("This password is among the most commonly used ones. Choose another.")
    # zxcvbn's matching grows with length; the first 100 characters decide (longer only adds).
    inputs = [part for value in user_inputs for part in _words(value)]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < MIN_PASSWORD_SCORE:
        return _("This password is too easy to guess (a common password, word, name, date or pattern). "
                 "Choose a longer one, for example a few unrelated words.")
    return None


def _words(value: str) -> list[str]:
    value = (value or "").lower()
    parts = [value, value.partition("@")[0]] + value.replace("@", " ").replace(".", " ").replace("-", " ").split()
    return [part for part in parts if len(part) >= 3]
