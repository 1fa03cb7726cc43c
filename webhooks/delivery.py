"""Delivering webhook rows: claim with a lease (SKIP LOCKED), POST signed JSON, record the outcome.

Safety of the outgoing request: the host is resolved once, every address it resolves to must be
public (no private, loopback, link-local, reserved or multicast range) unless
WEBHOOK_ALLOW_PRIVATE is set, and the connection goes to exactly that checked address (no second
lookup a DNS rebinding could change). Redirects are never followed: a 3xx is a failed delivery.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app

from extensions import db
from platform_support.claiming import claim_due_rows
from platform_support.clock import utcnow
from webhooks import signing
from webhooks.models import WebhookDelivery

USER_AGENT = "complaint-care-webhooks/1"


class RefusedAddress(Exception):
    """The endpoint resolves to an address we do not send to: retrying will not help."""


class PermanentFailure(Exception):
    """The receiver answered in a way a retry will not change (3xx, most 4xx)."""


@dataclass
class WebhookReport:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    parked: int = 0


def _setting(name: str, default):
    return current_app.config.get(name, default)


def claim_due(*, now: datetime, limit: int, lease_seconds: int) -> list[int]:
    """Take up to `limit` due deliveries for this worker (see platform_support.claiming)."""
    return claim_due_rows(WebhookDelivery, now=now, limit=limit, lease_seconds=lease_seconds)


def address_allowed(address: str, *, allow_private: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if allow_private:
        return not ip.is_multicast and not ip.is_unspecified
    return ip.is_global and not ip.is_multicast


def resolve_checked(host: str, port: int, *, allow_private: bool) -> str:
    """The one address we will connect to; RefusedAddress if any resolved address is not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    refused = [a for a in addresses if not address_allowed(a, allow_private=allow_private)]
    if refused or not addresses:
        raise RefusedAddress(f"{host} resolves to a non-public address ({', '.join(refused) or 'none'})")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # certificate checked for the name


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool) -> int:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_checked(parts.hostname, port, allow_private=allow_private)
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = cls(parts.hostname, port, address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)  # drain a little; the answer's body means nothing to us
        return response.status
    finally:
        connection.close()


def signed_headers(delivery: WebhookDelivery, body: bytes, now: datetime) -> dict[str, str]:
    timestamp = int((now - datetime(1970, 1, 1)).total_seconds())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.EVENT_HEADER: delivery.event,
        signing.ID_HEADER: delivery.event_id,
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(delivery.endpoint.secret, timestamp, body),
    }


def _record_failure(delivery: WebhookDelivery, exc: Exception, now: datetime, report: WebhookReport) -> None:
    delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    delivery.lease_until = None
    permanent = isinstance(exc, (RefusedAddress, PermanentFailure))
    if not permanent and delivery.attempts < _setting("WEBHOOK_MAX_ATTEMPTS", 8):
        delivery.status = "queued"
        delivery.next_attempt_at = now + timedelta(
            seconds=_setting("WEBHOOK_RETRY_BASE_SECONDS", 60) * 2 ** (delivery.attempts - 1))
        report.retried += 1
    else:
        delivery.status = "parked"
        report.parked += 1


def deliver_webhooks(*, now: datetime | None = None, limit: int | None = None) -> WebhookReport:
    report = WebhookReport()
    now = now or utcnow()
    config = current_app.config
    ids = claim_due(now=now, limit=limit or config["WORKER_BATCH_SIZE"], lease_seconds=config["WORKER_LEASE_SECONDS"])
    report.claimed = len(ids)
    for delivery_id in ids:
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status != "sending":
            continue
        if not delivery.endpoint.active:
            _record_failure(delivery, PermanentFailure("endpoint disabled"), now, report)
            db.session.commit()
            continue
        body = delivery.payload.encode("utf-8")
        try:
            status = post(delivery.endpoint.url, body, signed_headers(delivery, body, now),
                          timeout=_setting("WEBHOOK_TIMEOUT_SECONDS", 10),
                          allow_private=bool(_setting("WEBHOOK_ALLOW_PRIVATE", False)))
            delivery.last_status_code = status
            if 300 <= status < 400:
                raise PermanentFailure(f"HTTP {status}: redirects are not followed")
            if 400 <= status < 500 and status not in (408, 429):
                raise PermanentFailure(f"HTTP {status}")
            if status >= 400:
                raise OSError(f"HTTP {status}")
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
            _record_failure(delivery, exc, now, report)
        else:
            delivery.status = "delivered"
            delivery.delivered_at = now
            delivery.lease_until = None
            delivery.last_error = ""
            report.delivered += 1
        db.session.commit()
    return report


def deliver_webhooks_job(now: datetime) -> dict:
    report = deliver_webhooks(now=now)
    return report.__dict__
