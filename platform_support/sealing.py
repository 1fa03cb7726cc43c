"""Secrets kept at rest encrypted (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

The key is derived from SECRET_KEY and a purpose, so one purpose's ciphertext is useless for
another and nothing but SECRET_KEY has to be kept secret. Changing SECRET_KEY makes sealed
values unreadable (`unseal` then returns None: a TOTP enrolment must be redone, a cookie's
tracking link is forgotten).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


@lru_cache(maxsize=16)
def _fernet(secret_key: str, purpose: str) -> Fernet:
    key = hmac.new(secret_key.encode(), b"sealing:" + purpose.encode(), hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str, *, purpose: str) -> str:
    return _fernet(current_app.config["SECRET_KEY"], purpose).encrypt(value.encode()).decode("ascii")


def unseal(sealed: str | None, *, purpose: str, max_age: int | None = None) -> str | None:
    """The value, or None for anything forged, damaged, sealed for another purpose or too old."""
    if not sealed or not isinstance(sealed, str) or len(sealed) > 4096:
        return None
    try:
        return _fernet(current_app.config["SECRET_KEY"], purpose).decrypt(sealed.encode("ascii"), ttl=max_age).decode()
    except (InvalidToken, UnicodeError, ValueError):
        return None
