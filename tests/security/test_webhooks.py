"""Signed webhooks: rows written with the change, delivered by the worker to a real local HTTP
receiver, HMAC-verified, retried with backoff, redirects not followed, private ranges refused."""
import json
from datetime import timedelta

import pytest

from complaints import actions
from tests.security.conftest import file_complaint
from tests.support.clock import NOW
from webhooks import signing
from webhooks.delivery import address_allowed, deliver_webhooks
from webhooks.models import WebhookDelivery
from webhooks.services import create_endpoint

ALLOW_PRIVATE = [{"WEBHOOK_ALLOW_PRIVATE": True}]


def _deliveries(db_session):
    db_session.rollback()
    return db_session.scalars(db_session.query(WebhookDelivery).order_by(WebhookDelivery.id).statement).all()


@pytest.mark.parametrize("app_settings", ALLOW_PRIVATE)
def test_created_and_resolved_are_delivered_signed(app, receiver, staff, db_session):
    endpoint, secret = create_endpoint(url=receiver.url, events=["complaint.created", "complaint.resolved"])
    filed = file_complaint()
    actions.resolve(filed.complaint.reference, "Refunded", "damaged_in_transit", actor=staff.manager, now=NOW)
    report = deliver_webhooks(now=NOW)
    assert report.delivered == 2 and len(receiver.requests) == 2
    events = []
    for request in receiver.requests:
        headers = {k.lower(): v for k, v in request["headers"].items()}
        timestamp = int(headers["x-webhook-timestamp"])
        assert signing.verify(secret, timestamp, request["body"], headers["x-webhook-signature"])
        assert not signing.verify(secret, timestamp + 1, request["body"], headers["x-webhook-signature"])
        assert not signing.verify("wrong", timestamp, request["body"], headers["x-webhook-signature"])
        body = json.loads(request["body"])
        assert body["data"]["reference"] == filed.complaint.reference
        if body["event"] == "complaint.created":  # the state at filing, the same keys as any complaint event
            complaint = filed.complaint
            assert body["data"] == {"reference": complaint.reference, "status": "new", "priority": complaint.priority,
                                    "customer_id": complaint.customer_id}
        assert "jan@example.com" not in request["body"].decode() and "Jan" not in request["body"].decode()
        assert headers["x-webhook-id"] == body["id"] and headers["x-webhook-event"] == body["event"]
        events.append(body["event"])
    assert events == ["complaint.created", "complaint.resolved"]
    assert all(d.status == "delivered" for d in _deliveries(db_session))
    assert deliver_webhooks(now=NOW + timedelta(hours=1)).claimed == 0  # nothing twice


def test_no_row_when_the_change_rolls_back(app, db_session):
    """The webhook row is written by a receiver inside the change's transaction: when a later
    receiver fails and the change rolls back, the announcement goes with it."""
    from complaints import signals
    create_endpoint(url="https://hooks.example.com/x", events=["complaint.created"])

    def failing_receiver(_sender, **_kwargs):
        raise RuntimeError("a later subscriber fails")

    signals.complaint_created.connect(failing_receiver)
    try:
        with pytest.raises(RuntimeError):
            file_complaint()
    finally:
        signals.complaint_created.disconnect(failing_receiver)
    assert _deliveries(db_session) == []
    file_complaint()
    assert len(_deliveries(db_session)) == 1


def test_unsubscribed_and_disabled_endpoints_get_nothing(app, db_session):
    create_endpoint(url="https://hooks.example.com/resolved-only", events=["complaint.resolved"])
    file_complaint()
    assert _deliveries(db_session) == []


@pytest.mark.parametrize("app_settings", ALLOW_PRIVATE)
def test_failures_are_retried_with_backoff_then_delivered_once(app, receiver, db_session):
    create_endpoint(url=receiver.url, events=["complaint.created"])
    file_complaint()
    receiver.answers = [(500, {}), (503, {})]
    assert deliver_webhooks(now=NOW).retried == 1
    row = _deliveries(db_session)[0]
    assert row.status == "queued" and row.next_attempt_at == NOW + timedelta(seconds=60)
    assert deliver_webhooks(now=NOW + timedelta(seconds=30)).claimed == 0  # not due yet
    assert deliver_webhooks(now=NOW + timedelta(seconds=61)).retried == 1
    assert _deliveries(db_session)[0].next_attempt_at == NOW + timedelta(seconds=61 + 120)
    assert deliver_webhooks(now=NOW + timedelta(seconds=200)).delivered == 1
    assert len(receiver.requests) == 3
    assert len({r["headers"]["X-Webhook-Id"] for r in receiver.requests}) == 1  # same event id every time


@pytest.mark.parametrize("app_settings", ALLOW_PRIVATE)
def test_redirects_are_not_followed(app, receiver, db_session):
    create_endpoint(url=receiver.url, events=["complaint.created"])
    file_complaint()
    receiver.answers = [(302, {"Location": "http://169.254.169.254/latest/meta-data/"})]
    report = deliver_webhooks(now=NOW)
    assert report.parked == 1 and len(receiver.requests) == 1
    row = _deliveries(db_session)[0]
    assert row.status == "parked" and "redirect" in row.last_error


def test_private_addresses_are_refused_by_default(app, receiver, db_session):
    create_endpoint(url=receiver.url, events=["complaint.created"])
    file_complaint()
    report = deliver_webhooks(now=NOW)
    assert report.parked == 1 and receiver.requests == []
    assert "non-public" in _deliveries(db_session)[0].last_error


@pytest.mark.parametrize("address, allowed", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False), ("fe80::1", False),
    ("fc00::1", False), ("::ffff:127.0.0.1", False), ("224.0.0.1", False), ("93.184.216.34", True),
    ("2606:4700::1111", True),
])
def test_address_ranges(address, allowed):
    assert address_allowed(address, allow_private=False) is allowed


@pytest.mark.parametrize("url", ["ftp://x.example/", "http://user:pw@x.example/", "javascript:alert(1)",
                                 "http:///nohost", "http://x.example/\r\nHost: evil", ""])
def test_bad_endpoint_urls_are_refused(app, url):
    from platform_support.errors import ServiceError
    with pytest.raises(ServiceError):
        create_endpoint(url=url, events=["complaint.created"])


def test_admin_page_shows_the_secret_once(browser, staff, db_session):
    browser.login(staff.admin)
    response = browser.post_form("/admin/webhooks/", {"url": "https://hooks.example.com/in",
                                                       "events": ["complaint.created", "survey.answered"]})
    assert response.status_code == 200
    from webhooks.models import WebhookEndpoint
    db_session.rollback()
    endpoint = db_session.scalars(db_session.query(WebhookEndpoint).statement).one()
    assert endpoint.secret in response.get_data(as_text=True)
    assert endpoint.events == ["complaint.created", "survey.answered"]
    assert endpoint.secret not in browser.get("/admin/webhooks/").get_data(as_text=True)


def test_every_event_is_wired_to_its_signal(app):
    from webhooks.receivers import connect
    from webhooks.models import EVENTS
    assert sorted(connect()) == sorted(EVENTS)


@pytest.mark.parametrize("app_settings", ALLOW_PRIVATE)
def test_segment_change_is_announced_without_personal_data(app, receiver, db_session):
    from customers.signals import segment_changed
    create_endpoint(url=receiver.url, events=["customer.segment_changed"])
    segment_changed.send(app, customer_id=42, dimension="abc", from_value="B", to_value="A", now=NOW)
    db_session.commit()
    assert deliver_webhooks(now=NOW).delivered == 1
    body = json.loads(receiver.requests[0]["body"])
    assert body["event"] == "customer.segment_changed"
    assert body["data"] == {"customer_id": 42, "dimension": "abc", "from_value": "B", "to_value": "A"}
