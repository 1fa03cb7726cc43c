"""Erasure really erases: a unique marker planted in every place a person's data can reach is,
after erasing the file, found in no text or binary column of any table (the schema reflected
from the database, so a table added later is scanned too) and in no file of the instance
folder (the attachment store), on SQLite and PostgreSQL. The tracking and survey links then say
"no longer available". The control: before the erasure the same scan finds the marker in every
place planted."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import NOW

MARKER = "Zq" + secrets.token_hex(6)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def mark(place: str) -> str:
    return f"{MARKER}{place}"


@pytest.fixture(params=["database", "filesystem"])
def app_settings(request):
    """Both attachment stores: the `stored_files` table and the folder under the instance path."""
    return {"RATELIMIT_ENABLED": False, "ATTACHMENT_STORE": request.param}


def scan(app) -> dict[str, int]:
    """'table.column' (or 'file:<path>') → rows holding the marker."""
    from extensions import db
    found: dict[str, int] = {}
    metadata = sa.MetaData()
    metadata.reflect(bind=db.engine)
    needle, binary_needle = MARKER.lower(), MARKER.lower().encode()
    with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON, sa.LargeBinary))
                       or type(c.type).__name__.upper() in ("JSON", "JSONB", "BYTEA", "BLOB")]
            if not columns:
                continue
            for row in connection.execute(sa.select(*columns)):
                for column, value in zip(columns, row):
                    if value is None:
                        continue
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        hit = binary_needle in bytes(value).lower()
                    else:
                        hit = needle in str(value).lower()
                    if hit:
                        key = f"{table.name}.{column.name}"
                        found[key] = found.get(key, 0) + 1
    for path in Path(app.config["INSTANCE_PATH"]).rglob("*"):
        if path.is_file() and (binary_needle in path.name.lower().encode() or binary_needle in path.read_bytes().lower()):
            found[f"file:{path.name}"] = 1
    return found


@pytest.fixture
def planted(app, db_session, staff, browser, tmp_path):
    """One customer whose data went everywhere, each place with its own marker."""
    from complaints import actions, tracking
    from complaints.models import Complaint
    from customers import imports, interactions
    from customers.models import Customer
    from extensions import db
    from platform_support.tokens import hash_secret
    from surveys import answering
    from surveys.models import Survey, SurveyInvitation
    from tests.support.surveys import install_default_surveys
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    install_default_surveys(db_session)
    endpoint = WebhookEndpoint(url="http://127.0.0.1:9/hook", secret="s" * 32, events=["complaint.created"],
                               created_at=NOW)
    db.session.add(endpoint)
    db.session.commit()
    # The CSV imports: the customer file and an order.
    customers_csv = tmp_path / "customers.csv"
    customers_csv.write_text("external_id,name,email,phone,salutation,patronymic,job_title,notes\n"
                             f"{mark('extid')},Ann {mark('name')},{mark('mail')}@example.com,+420 {mark('ph')[:20]},"
                             f"{mark('salut')},{mark('patr')},{mark('job')},{mark('notes')}\n", encoding="utf-8")
    imports.import_file("customers", customers_csv, now=NOW - timedelta(days=60))
    orders_csv = tmp_path / "orders.csv"
    orders_csv.write_text("customer,ordered_on,amount,currency,reference\n"
                          f"{mark('extid')},{(NOW - timedelta(days=50)).date().isoformat()},120.00,EUR,{mark('order')}\n",
                          encoding="utf-8")
    imports.import_file("orders", orders_csv, now=NOW - timedelta(days=50))
    customer = db.session.scalar(sa.select(Customer).where(Customer.external_id == mark("extid")))
    # Every field of the public form, with a file whose name and content carry the marker.
    form_page = browser.get("/complain").get_data(as_text=True)
    from tests.support.web import csrf_from
    fields = {"csrf_token": csrf_from(form_page), "name": f"Ann {mark('name')}", "email": f"{mark('mail')}@example.com",
              "phone": mark("phone")[:40], "order_reference": mark("oref"), "subject": mark("subject"),
              "description": f"It broke. {mark('description')}", "desired_outcome": mark("outcome"),
              "preferred_channel": "email", "language": "en", "timezone": "Europe/Prague",
              "submission_key": re.search(r'name="submission_key" type="hidden" value="([^"]*)"', form_page).group(1)}
    fields["attachments"] = [(__import__("io").BytesIO(PNG + mark("filebytes").encode()), f"{mark('filename')}.png")]
    response = browser.client.post("/complain", data=fields, content_type="multipart/form-data")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    assert "/complain/received/" in response.headers["Location"]
    db.session.rollback()  # a fresh snapshot: the request committed on its own connection
    complaint = db.session.scalar(sa.select(Complaint).where(Complaint.customer_id == customer.id))
    assert complaint is not None
    # The tracking page's "add information", with another file.
    outbox_text = " ".join(db.session.scalars(sa.text("SELECT text_body FROM outbox_messages")))
    token = re.search(r"/track/([\w-]{20,})", outbox_text).group(1)
    tracking.add_customer_message(token, mark("trackmsg"), [
        __import__("complaints.uploads", fromlist=["Upload"]).Upload(f"{mark('file2')}.png", PNG + mark("bytes2").encode())],
        now=NOW - timedelta(days=1, hours=20))
    # Staff work quoting the customer; an interaction; an audit entry of an edit of the file.
    actions.assign_owner(complaint.reference, staff.agent.email, actor=staff.manager, now=NOW - timedelta(days=1, hours=18))
    actions.record_fact(complaint.reference, mark("fact"), actor=staff.agent, now=NOW - timedelta(days=1, hours=17))
    actions.post_update(complaint.reference, mark("note"), public=False, actor=staff.agent, now=NOW - timedelta(days=1, hours=16))
    actions.post_update(complaint.reference, mark("update"), public=True, actor=staff.agent, now=NOW - timedelta(days=1, hours=15))
    actions.resolve(complaint.reference, mark("resolution"), "damaged_in_transit", actor=staff.agent,
                    now=NOW - timedelta(days=1, hours=14))
    interactions.log_interaction(customer.id, kind="call", body=mark("call"), minutes=5,
                                 occurred_at=NOW - timedelta(days=1), staff_user_id=staff.agent.id, now=NOW - timedelta(days=1))
    db.session.commit()
    browser.login(staff.manager)
    edited = browser.post_form(f"/staff/customers/{customer.id}", {
        "file-name": f"Ann {mark('name')}", "file-email": f"{mark('mail')}@example.com", "file-language": "en",
        "file-timezone": "Europe/Prague", "file-preferred_channel": "email", "file-notes": mark("edited"),
        "file-account_owner": "0"}, action=f"/staff/customers/{customer.id}/edit")
    assert edited.status_code == 302
    db.session.rollback()
    # A survey answer's text (the invitation's link made known to the test).
    survey = db.session.scalar(sa.select(Survey).where(Survey.kind == "complaint"))
    invitation = db.session.scalar(sa.select(SurveyInvitation).where(SurveyInvitation.complaint_id == complaint.id))
    survey_token = secrets.token_urlsafe(32)
    invitation.token_hash, invitation.status = hash_secret(survey_token), "sent"
    invitation.sent_at, invitation.expires_at = NOW - timedelta(hours=2), NOW + timedelta(days=20)
    db.session.commit()
    from surveys.models import SCALES
    answers = {q.id: mark("answer") if q.qtype == "text" else str(SCALES[q.qtype][0]) if q.qtype in SCALES
               else q.choices[0]["value"] for q in survey.questions if not q.retired}
    answering.save_answers(survey_token, answers, submit=True, now=NOW - timedelta(hours=1))
    # A webhook delivery naming the customer (the payloads name references only; one that quoted
    # more must go too).
    db.session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id=secrets.token_hex(8), event="complaint.note",
                                   payload='{"data":{"reference":"%s","note":"%s"}}' % (complaint.reference, mark("hook")),
                                   status="delivered", next_attempt_at=NOW, created_at=NOW, last_error=""))
    # A reply the customer e-mailed us, kept raw by inbound mail.
    from inbound.models import InboundMessage
    db.session.add(InboundMessage(dedupe_hash=secrets.token_hex(32), source="pipe", from_address=f"{mark('mail')}@example.com",
                                  subject="Re: your complaint", outcome="appended", complaint_id=complaint.id,
                                  size_bytes=40, raw=f"From: x\r\n\r\n{mark('inbound')}".encode(), received_at=NOW))
    db.session.commit()
    return {"customer_id": customer.id, "reference": complaint.reference, "track": token, "survey": survey_token}


PLACES = ("extid", "name", "mail", "salut", "patr", "job", "notes", "order", "phone", "oref", "subject", "description",
          "outcome", "filename", "filebytes", "trackmsg", "file2", "bytes2", "fact", "note", "update", "resolution",
          "call", "edited", "answer", "hook", "inbound")


def test_nothing_of_the_person_is_left_after_erasure(app, db_session, staff, planted, browser):
    from customers import privacy
    from extensions import db

    before = scan(app)
    dumped = " ".join(before)
    assert "attachments.original_name" in dumped
    if app.config["ATTACHMENT_STORE"] == "database":
        assert "stored_files.data" in dumped
    else:
        assert any(k.startswith("file:") for k in before)
    for table in ("complaints", "complaint_events", "outbox_messages", "survey_answers", "interactions", "orders",
                  "customers", "webhook_deliveries"):
        assert table + "." in dumped, table
    # Each place was reached (a marker per place, all present in some column or file).
    from extensions import db as database
    everything = _all_text(database)
    for place in PLACES:
        assert mark(place) in everything or mark(place)[:20] in everything, place

    db.session.expire_all()
    privacy.erase_customer(planted["customer_id"], actor=staff.manager, now=NOW)
    assert scan(app) == {}
    # The old links: a friendly page, not the data and not a 500.
    track = browser.client.get(f"/track/{planted['track']}")
    assert track.status_code == 404 and "no longer available" in track.get_data(as_text=True)
    survey = browser.client.get(f"/survey/{planted['survey']}")
    assert survey.status_code == 404 and "no longer available" in survey.get_data(as_text=True)


def _all_text(db) -> str:
    """Every text value and stored file, for the per-place control."""
    parts = []
    metadata = sa.MetaData()
    metadata.reflect(bind=db.engine)
    with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                parts.extend(str(v) if not isinstance(v, (bytes, memoryview)) else bytes(v).decode("latin-1")
                             for v in row if v is not None)
    from flask import current_app
    for path in Path(current_app.config["INSTANCE_PATH"]).rglob("*"):
        if path.is_file():
            parts.append(path.name)
            parts.append(path.read_bytes().decode("latin-1"))
    return " ".join(parts)
