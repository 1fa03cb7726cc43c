"""Hostile input at every public form and API endpoint: no 5xx, never rendered unescaped, and no
header injected into any e-mail that reaches the (real) SMTP server.

The corpus is fixed (XSS payloads, CR/LF, NUL, a 1 MB string, SQL fragments, wrong JSON types,
invalid UTF-8 bytes); Hypothesis adds generated text on top.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.delivery import deliver_outbox
from tests.security.conftest import file_complaint
from tests.support import surveys
from tests.support.clock import NOW
from tests.support.web import csrf_from

XSS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    "\"><svg/onload=alert('xss-3')>",
    "javascript:alert('xss-4')",
    "{{7*7}}{% raw %}xss-5",
    "</textarea><script>alert('xss-6')</script>",
]
HOSTILE = XSS + [
    "Eve\r\nBcc: victim@example.com",
    "x\x00y",
    "\x1b[31m\x07\x08",
    "'; DROP TABLE complaints; --",
    "1 OR 1=1",
    "' UNION SELECT password_hash FROM staff_users --",
    "\u202e\u2028\u2029\ufeff",
    "😀" * 1000,
    "A" * 1_000_000,
    "",
    " ",
    "%00%0d%0a",
    "../../../../etc/passwd",
]
WRONG_TYPES = [None, 0, -1, 2**63, 1.5, True, [], ["a"], {}, {"$ne": None}]
FORM_FIELDS = ["name", "email", "description", "subject", "order_reference", "desired_outcome", "phone",
               "preferred_channel", "language", "occurred_on", "submission_key"]
API_FIELDS = ["name", "email", "description", "subject", "order_reference", "occurred_on", "desired_outcome",
              "phone", "preferred_channel", "language"]
VALID = {"name": "Jan Kowalski", "email": "jan@example.com", "description": "The parcel arrived crushed.",
         "preferred_channel": "email", "language": "en"}
RAW_XSS = re.compile(r"<script>alert|<img src=x onerror|<svg/onload")


def _assert_safe(response, value=None):
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_data(as_text=True)
    assert not RAW_XSS.search(body), "a payload was rendered unescaped"
    if isinstance(value, str) and value in XSS:
        assert value not in body or value.startswith("javascript:") or value.startswith("{{")
    assert "49xss-5" not in body  # templates never evaluate user text


def _no_injected_headers(smtp_server):
    for message in smtp_server.messages:
        names = [name.lower() for name in message.keys()]
        assert "bcc" not in names and names.count("to") == 1, names
        for value in message.values():
            assert "\r" not in str(value) and "\n" not in str(value)


def _staff_views_of(browser, staff, db_session):
    """Whatever was accepted must also render safely where staff read it."""
    from complaints.models import Complaint
    db_session.rollback()
    references = [c.reference for c in db_session.scalars(db_session.query(Complaint).statement)]
    browser.login(staff.manager)
    for path in ["/staff/complaints/?status=all"] + [f"/staff/complaints/{r}" for r in references]:
        _assert_safe(browser.get(path))


@pytest.mark.parametrize("field", FORM_FIELDS)
def test_complaint_form(browser, client, staff, db_session, mail_app, smtp_server, field):
    token = csrf_from(browser.get("/complain").get_data(as_text=True))
    for value in HOSTILE:
        response = client.post("/complain", data={"csrf_token": token, **VALID, field: value,
                                                  **({} if field == "submission_key" else {"submission_key": ""})})
        _assert_safe(response, value)
        if response.status_code == 302:
            _assert_safe(client.get(response.headers["Location"]))
    deliver_outbox(now=NOW)
    _no_injected_headers(smtp_server)
    _staff_views_of(browser, staff, db_session)


def test_complaint_form_invalid_utf8_and_odd_encodings(client, browser):
    token = csrf_from(browser.get("/complain").get_data(as_text=True))
    for body, content_type in [
        (b"csrf_token=" + token.encode() + b"&name=\xff\xfe&email=a%40b.c&description=\xc3\x28", "application/x-www-form-urlencoded"),
        (b"csrf_token=" + token.encode() + b"&name=%FF%FE%00&email=a%40b.c&description=%ED%A0%80", "application/x-www-form-urlencoded"),
        (b"\xff" * 100, "multipart/form-data; boundary=xyz"),
        (b"--xyz\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n\xff\xfe\r\n--xyz--\r\n", "multipart/form-data; boundary=xyz"),
        (b"name=x", "text/plain; charset=utf-7"),
    ]:
        _assert_safe(client.post("/complain", data=body, content_type=content_type))


def test_tracking_message_form(client, browser, staff, db_session, mail_app, smtp_server):
    filed = file_complaint()
    path = f"/track/{filed.tracking_token}"
    token = csrf_from(client.get(path).get_data(as_text=True))
    for value in HOSTILE:
        response = client.post(path, data={"csrf_token": token, "message": value})
        _assert_safe(response, value)
    _assert_safe(client.get(path))
    _assert_safe(client.post(path, data=b"csrf_token=" + token.encode() + b"&message=\xff\xfe\x00",
                             content_type="application/x-www-form-urlencoded"))
    for bad_token in ["x", "A" * 5000, "%00", "..%2F..%2Fetc", "<script>", "' OR 1=1 --"]:
        _assert_safe(client.get(f"/track/{bad_token}"))
        _assert_safe(client.post(f"/track/{bad_token}", data={"message": "x"}))
    deliver_outbox(now=NOW)
    _no_injected_headers(smtp_server)
    _staff_views_of(browser, staff, db_session)


def test_staff_login(client, browser):
    token = csrf_from(browser.get("/staff/login").get_data(as_text=True))
    for value in HOSTILE + ["admin@example.com' --"]:
        for field in ("email", "password"):
            data = {"csrf_token": token, "email": "adam@example.com", "password": "x", field: value}
            _assert_safe(client.post("/staff/login", data=data), value)
        _assert_safe(client.get(f"/staff/login?next={value[:2000]}"))


@pytest.mark.parametrize("field", API_FIELDS)
def test_api_file_complaint(client, browser, staff, db_session, mail_app, smtp_server, field):
    for value in HOSTILE + WRONG_TYPES:
        response = client.post("/api/v1/complaints", json={**VALID, field: value})
        _assert_safe(response, value)
        assert response.is_json
        assert response.status_code in (200, 201, 400, 413), response.status_code
    deliver_outbox(now=NOW)
    _no_injected_headers(smtp_server)
    _staff_views_of(browser, staff, db_session)


@pytest.mark.parametrize("body, content_type", [
    (b'{"name": "\xff\xfe", "email": "a@b.c", "description": "x"}', "application/json"),
    (b"[1, 2, 3]", "application/json"), (b'"just a string"', "application/json"), (b"null", "application/json"),
    (b"{", "application/json"), (b"", "application/json"), (b"\x00" * 10, "application/json"),
    (b'{"name": {"name": {"name": [[[[[[[[]]]]]]]]}}}', "application/json"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    (b'{"name":"a","email":"a@b.c","description":"x"}', "text/plain"),
    (b'{"name":"a","email":"a@b.c","description":"\\ud800"}', "application/json"),
])
def test_api_malformed_bodies(client, body, content_type):
    response = client.post("/api/v1/complaints", data=body, content_type=content_type)
    assert response.status_code in (400, 413, 415), (response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json


def test_api_staff_endpoints_with_hostile_values(client, staff, db_session):
    from staff.tokens import issue_api_token
    filed = file_complaint()
    token = issue_api_token(staff.manager)
    auth = {"Authorization": f"Bearer {token}"}
    ref = filed.complaint.reference
    endpoints = [(f"/api/v1/complaints/{ref}/facts", "text"), (f"/api/v1/complaints/{ref}/updates", "message"),
                 (f"/api/v1/complaints/{ref}/assign", "owner"), (f"/api/v1/complaints/{ref}/commitments", "due_on"),
                 (f"/api/v1/complaints/{ref}/resolve", "root_cause"), (f"/api/v1/complaints/{ref}/reopen", "reason")]
    for path, field in endpoints:
        for value in HOSTILE[:12] + WRONG_TYPES:
            _assert_safe(client.post(path, json={field: value, "minutes": value}, headers=auth), value)
    for query in ["limit=-1", "limit=abc", "limit=100000", "cursor=%FF", "cursor=" + "A" * 5000, "status=<script>",
                  "priority='--", "owner=%00", "overdue=\x00"]:
        _assert_safe(client.get(f"/api/v1/complaints?{query}", headers=auth))
    for reference in ["%00", "A" * 5000, "<script>", "' OR '1'='1"]:
        _assert_safe(client.get(f"/api/v1/complaints/{reference}", headers=auth))
    for header in ["Bearer", "Bearer " + "A" * 10_000, "Basic YWRtaW46YWRtaW4=", "Bearer \x00", "bearer  " + token + "x"]:
        assert client.get("/api/v1/complaints", headers={"Authorization": header}).status_code == 401


def test_survey_answer_page(mail_app, smtp_server, client, staff, db_session):
    surveys.install_default_surveys(db_session)
    surveys.resolved_complaint(staff)
    surveys.run_due(mail_app, NOW + timedelta(hours=24))
    mails = surveys.survey_mails(smtp_server, "jan@example.com")
    assert len(mails) == 1, "the resolved complaint's survey invitation was not sent"
    path = surveys.survey_links(mails[0])["9"].split("?")[0]
    page = client.get(path).get_data(as_text=True)
    token = csrf_from(page)
    question_fields = sorted(set(re.findall(r'name="(q\d+)"', page)))
    assert question_fields
    for value in HOSTILE + ["11", "-1", "99999999999999999999", "9" * 5000, "9.5", "NaN", "²", "١"]:
        for field in question_fields:
            _assert_safe(client.post(path, data={"csrf_token": token, field: value}), value)
    for query in ["?score=%FF", "?score=<script>", "?score=" + "9" * 5000, "?score=%C2%B2", "?score=%00"]:
        _assert_safe(client.get(path + query))
    for bad_token in ["x", "A" * 5000, "<script>", "' OR 1=1 --"]:
        _assert_safe(client.get(f"/survey/{bad_token}"))
        _assert_safe(client.post(f"/survey/{bad_token}", data={"q1": "9"}))
    _assert_safe(client.get(path))


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({f: _text for f in ("name", "email", "description", "subject", "phone")}))
def test_api_generated_text(client, values):
    response = client.post("/api/v1/complaints", json={**VALID, **values})
    assert response.status_code in (200, 201, 400), (response.status_code, values)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
                     lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=3),
                     max_leaves=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.dictionaries(st.sampled_from(API_FIELDS + ["x"]), _json, max_size=6))
def test_api_generated_json(client, body):
    response = client.post("/api/v1/complaints", json=body)
    assert response.status_code in (200, 201, 400), (response.status_code, body)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({f: _text for f in ("name", "email", "description", "phone", "order_reference")}))
def test_form_generated_text(client, browser, values):
    token = csrf_from(browser.get("/complain").get_data(as_text=True))
    response = client.post("/complain", data={"csrf_token": token, **VALID, **values})
    _assert_safe(response)
