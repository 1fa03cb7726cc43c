"""Values kept encrypted at rest (Fernet from `cryptography`: AES-128-CBC + HMAC-SHA256).

The keys come from `ENCRYPTION_KEY`: one or more Fernet keys (urlsafe base64 of 32 bytes,
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`),
comma-separated, NEWEST FIRST. New values are encrypted with the first; any of them decrypts, so
a key is rotated by putting a new one in front, re-encrypting (`flask --app wsgi webhooks
reencrypt-secrets`) and then dropping the old one. Unset, one key is derived from SECRET_KEY with
HKDF-SHA256, so a fresh install works without another setting (but then changing SECRET_KEY
makes the stored values unreadable: set ENCRYPTION_KEY in production).

`EncryptedText` is the column type: the attribute holds the plain text, the column the token.
"""
from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80 and a timestamp)
_HKDF_INFO = b"complaint-care encryption key v1"


class EncryptionKeyError(ValueError):
    """ENCRYPTION_KEY is not a comma-separated list of Fernet keys."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key a fresh install uses: HKDF-SHA256 of SECRET_KEY (no salt: the input is
    already a random secret; `info` keeps it apart from any other use of SECRET_KEY)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret_key.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


def configured_keys(setting: str | None, secret_key: str) -> tuple[bytes, ...]:
    """The keys, newest first, from the ENCRYPTION_KEY setting (or derived from SECRET_KEY)."""
    if not (setting or "").strip():
        return (derived_key(secret_key),)
    keys = tuple(part.strip().encode("ascii", "replace") for part in setting.split(",") if part.strip())
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise EncryptionKeyError(f"ENCRYPTION_KEY: key {number} is not a Fernet key "
                                     "(urlsafe base64 of 32 bytes)") from None
    return keys


@lru_cache(maxsize=8)
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    config = current_app.config
    return _fernet(configured_keys(config.get("ENCRYPTION_KEY"), config["SECRET_KEY"]))


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The plain text; InvalidToken when no configured key opens it (wrong key, damaged value)."""
    return _current().decrypt(token.encode("ascii")).decode("utf-8")


def reencrypt(token: str) -> str:
    """The same value encrypted with the newest key (MultiFernet.rotate)."""
    return _current().rotate(token.encode("ascii")).decode("ascii")


def is_encrypted(value: str | None) -> bool:
    return bool(value) and value.startswith(FERNET_PREFIX)


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; Python sees the plain text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


__all__ = ["EncryptedText", "EncryptionKeyError", "InvalidToken", "configured_keys", "decrypt", "derived_key",
           "encrypt", "is_encrypted", "reencrypt"]
