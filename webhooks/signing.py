"""The signature receivers check: HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's secret.

Headers sent: `X-Webhook-Timestamp: <unix seconds>` and `X-Webhook-Signature: sha256=<hex>`.
Signing the timestamp with the body lets a receiver refuse replays older than a few minutes.
"""
from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
EVENT_HEADER = "X-Webhook-Event"
ID_HEADER = "X-Webhook-Id"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, header_value: str) -> bool:
    """What a receiver does (used by our tests; documented for integrators)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header_value or "")
