"""Secrets for public links and API tokens: 256-bit random, only the SHA-256 is stored."""
from __future__ import annotations

import hashlib
import secrets

_REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"  # no look-alikes (0/O, 1/I, 5/S, 8/B)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_reference(prefix: str = "C", length: int = 8) -> str:
    """Human-friendly, non-sequential reference (25^8 ≈ 1.5e11 values; uniqueness is enforced by the DB)."""
    return prefix + "-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(length))
