"""Robots and loops, and the quarantine (issue 15): machines never open or touch a complaint nor
get an answer; a hard bounce stops automated mail to the address; a cap ends any loop; what
cannot be read waits for an admin — never a traceback, never lost."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from complaints.models import Complaint, ComplaintEvent
from extensions import db
from inbound.ingest import ingest
from inbound.models import InboundMessage
from notifications.delivery import deliver_outbox
from notifications.models import OutboxMessage, UndeliverableAddress
from tests.support.clock import NOW
from tests.support.inbound import delivery_report, message


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _filed(sender="jan@customer.example") -> Complaint:
    outcome = ingest(message(sender=sender), source="pipe", now=NOW)
    return db.session.scalar(select(Complaint).where(Complaint.reference == outcome.reference))


def _ack(complaint) -> OutboxMessage:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.complaint_id == complaint.id))


@pytest.mark.parametrize("headers, subject", [
    ({"Auto-Submitted": "auto-replied"}, "Re: your complaint"),
    ({"X-Autoreply": "yes"}, "Re: your complaint"),
    ({"Precedence": "bulk"}, "Re: your complaint"),
    ({}, "Out of Office: back on Monday"),
    ({}, "Automatic reply: your complaint"),
    ({}, "Odpowiedź automatyczna: Reklamacja"),
    ({}, "Автоответ: ваша жалоба"),
    ({}, "Răspuns automat: reclamația"),
    ({}, "Automatická odpověď: stížnost"),
])
def test_auto_replies_never_touch_a_complaint_nor_get_an_answer(app, headers, subject):
    complaint = _filed()
    events, mails = len(complaint.events), _count(OutboxMessage)
    outcome = ingest(message(subject=subject, headers=headers, in_reply_to=_ack(complaint).message_id,
                             text="I am out of the office until Monday."), source="pipe", now=NOW)
    assert outcome.kind == "ignored" and outcome.line().startswith("ignored: auto-reply")
    db.session.refresh(complaint)
    assert (len(complaint.events), _count(OutboxMessage), _count(Complaint)) == (events, mails, 1)
    # A stranger's auto-reply does not open a complaint either.
    assert ingest(message(sender="robot@elsewhere.example", subject=subject, headers=headers),
                  source="pipe", now=NOW).kind == "ignored"
    assert _count(Complaint) == 1


def test_a_hard_bounce_marks_the_address_and_stops_automated_mail(mail_app, smtp_server, client, staff, browser):
    from complaints import actions

    complaint = _filed(sender="gone@customer.example")
    outcome = ingest(delivery_report("gone@customer.example", about=_ack(complaint).message_id), source="pipe", now=NOW)
    assert outcome.line() == "ignored: bounce: undeliverable gone@customer.example"
    assert db.session.get(UndeliverableAddress, "gone@customer.example") is not None
    assert _count(Complaint) == 1 and _count(ComplaintEvent, ComplaintEvent.kind == "customer_message") == 0
    actions.post_update(complaint.reference, "We are on it.", public=True, actor=staff.manager, now=NOW)
    report = deliver_outbox(now=NOW + timedelta(minutes=1))
    assert report.sent == 0 and smtp_server.messages == []
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"parked"}
    browser.login(staff.manager)
    page = client.get(f"/staff/complaints/{complaint.reference}").get_data(as_text=True)
    assert "undeliverable since" in page
    page = client.get(f"/staff/customers/{complaint.customer_id}").get_data(as_text=True)
    assert "undeliverable since" in page


def test_a_soft_bounce_and_a_bounce_without_report_change_nothing(app):
    complaint = _filed(sender="busy@customer.example")
    assert ingest(delivery_report("busy@customer.example", status="4.2.2", action="delayed"),
                  source="pipe", now=NOW).line() == "ignored: bounce"
    assert ingest(message(sender="MAILER-DAEMON@mx.example", subject="Undelivered Mail Returned to Sender",
                          in_reply_to=_ack(complaint).message_id), source="pipe", now=NOW).kind == "ignored"
    assert _count(UndeliverableAddress) == 0
    assert _count(ComplaintEvent, ComplaintEvent.complaint_id == complaint.id) == 1


def test_the_hourly_cap_on_automatic_mail_ends_a_loop(app):
    cap = app.config["INBOUND_AUTO_REPLIES_PER_HOUR"]
    for n in range(cap + 2):  # a robot that does not say it is one, writing anew each time
        assert ingest(message(sender="loop@robot.example", subject=f"Ticket {n}", text=f"Your request {n} is received."),
                      source="pipe", now=NOW + timedelta(minutes=n)).kind == "created"
    acks = _count(OutboxMessage, OutboxMessage.kind == "complaint_acknowledgement")
    assert acks == cap
    later = ingest(message(sender="loop@robot.example", subject="Ticket later", text="Another request arrived."),
                   source="pipe", now=NOW + timedelta(hours=2))
    assert later.kind == "created"
    assert _count(OutboxMessage, OutboxMessage.kind == "complaint_acknowledgement") == cap + 1


def _raw(head: str, body: bytes) -> bytes:
    return head.replace("\n", "\r\n").encode("ascii") + b"\r\n" + body


HEAD = "From: Ivan <ivan@customer.example>\nTo: complaints@localhost\nSubject: Complaint\nMessage-ID: <{n}@c.example>\nMIME-Version: 1.0\n"


def test_a_correctly_labelled_koi8r_message_is_read(app):
    raw = _raw(HEAD.format(n="koi") + "Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n",
               "Чайник протекает, прошу заменить.".encode("koi8-r"))
    outcome = ingest(raw, source="pipe", now=NOW)
    assert outcome.kind == "created"
    assert db.session.scalar(select(Complaint.description)) == "Чайник протекает, прошу заменить."


@pytest.mark.parametrize("raw, reason", [
    (_raw(HEAD.format(n="a") + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n",
          "Чайник протекает.".encode("koi8-r")), "text does not match its charset 'utf-8'"),
    (_raw(HEAD.format(n="b") + "Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n",
          "Konvice teče, prosím o výměnu.".encode("cp1250")), "8-bit text without a charset"),
    (_raw(HEAD.format(n="c") + "Content-Type: text/plain; charset=x-klingon\n", b"Qapla'"), "unknown charset 'x-klingon'"),
    ("From: Jiří <jiri@customer.example>\r\nSubject: Stížnost\r\nMessage-ID: <d@c.example>\r\n\r\nText\r\n".encode("utf-8"),
     "8-bit characters in the headers (not MIME-encoded)"),
    (_raw(HEAD.format(n="e") + "X-Padding: " + "x" * 70_000 + "\n", b"text"), "headers too large (68 KB, limit 64 KB)"),
    (b"\x00\xff\xfe garbage without any header\r\n", "8-bit characters in the headers (not MIME-encoded)"),
    (b"Subject: nobody\r\nMessage-ID: <f@c.example>\r\n\r\nwho wrote this?\r\n", "no sender address"),
    (b"", "empty message"),
])
def test_unreadable_messages_are_quarantined_with_the_reason_and_kept(app, runner, raw, reason):
    result = runner.invoke(args=["mail", "ingest"], input=raw)
    assert result.exit_code == 0 and result.exception is None
    assert result.output == f"quarantined: {reason}\n"
    stored = db.session.scalar(select(InboundMessage))
    assert (stored.outcome, stored.reason, stored.raw) == ("quarantined", reason, raw)
    assert _count(Complaint) == 0


def test_an_oversized_message_is_quarantined(app):
    app.config["INBOUND_MAX_BYTES"] = 1024 * 1024
    outcome = ingest(message(text="x" * (1024 * 1024 + 10)), source="pipe", now=NOW)
    assert outcome.line() == "quarantined: message too large (1 MB, limit 1 MB)"


def test_admins_release_or_discard_quarantined_messages(app, client, staff, browser):
    broken = _raw(HEAD.format(n="r") + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n",
                  "Konvice teče.".encode("cp1250"))
    assert ingest(broken, source="pipe", now=NOW).kind == "quarantined"
    stored = db.session.scalar(select(InboundMessage))
    browser.login(staff.agent)
    assert client.get("/staff/inbound/").status_code == 403
    assert client.get(f"/staff/inbound/{stored.id}").status_code == 404  # not tied to a complaint it may see
    client.post("/staff/logout")
    browser.login(staff.admin)
    listing = client.get("/staff/inbound/").get_data(as_text=True)
    # The reason as a code, in the admin's language (inbound.reasons), not the English log line.
    assert "The text does not match its character set utf-8." in listing
    assert "text does not match its charset" not in listing
    page = f"/staff/inbound/{stored.id}"
    assert "Message-ID" in client.get(page).get_data(as_text=True)
    raw = client.get(f"{page}/raw", buffered=True)
    assert raw.data == broken and raw.headers["Content-Disposition"].startswith("attachment")
    response = browser.post_form(page, {}, action=f"{page}/release", follow_redirects=True)
    assert "Released: Opened a complaint — C-" in response.get_data(as_text=True)
    db.session.rollback()  # end the test's read snapshot: see what the requests committed
    stored = db.session.get(InboundMessage, stored.id)
    assert stored.outcome == "created" and stored.decided_by_id == staff.admin.id
    complaint = db.session.get(Complaint, stored.complaint_id)
    assert "Konvice te" in complaint.description  # decoded with what could not be read replaced
    assert ingest(message(text=None, html=None), source="pipe", now=NOW).kind == "quarantined"  # nothing to read
    other = db.session.scalar(select(InboundMessage).where(InboundMessage.outcome == "quarantined"))
    other_page = f"/staff/inbound/{other.id}"
    assert browser.post_form(other_page, {}, action=f"{other_page}/discard").status_code == 302
    db.session.rollback()  # end the test's read snapshot: see what the requests committed
    assert db.session.get(InboundMessage, other.id).outcome == "discarded"


def test_an_agent_sees_the_email_of_a_complaint_it_may_see_only(app, client, staff, browser):
    from complaints import actions

    complaint = _filed()
    ingest(message(text="A photo.", in_reply_to=_ack(complaint).message_id), source="pipe", now=NOW)
    actions.assign_owner(complaint.reference, staff.other_agent.email, actor=staff.manager, now=NOW)
    reply = db.session.scalar(select(InboundMessage).where(InboundMessage.outcome == "appended"))
    browser.login(staff.agent)
    assert client.get(f"/staff/inbound/{reply.id}").status_code == 404
    assert client.get(f"/staff/inbound/{reply.id}/raw").status_code == 404
    client.post("/staff/logout")
    browser.login(staff.other_agent)
    assert "A photo." in client.get(f"/staff/inbound/{reply.id}").get_data(as_text=True)
    detail = client.get(f"/staff/complaints/{complaint.reference}").get_data(as_text=True)
    assert f"/staff/inbound/{reply.id}" in detail


@pytest.mark.parametrize("raw, code, params", [
    (_raw(HEAD.format(n="k2") + "Content-Type: text/plain; charset=x-klingon\n", b"Qapla'"),
     "unknown_charset", {"charset": "x-klingon"}),
    (b"", "empty", None),
    (b"Subject: nobody\r\nMessage-ID: <f2@c.example>\r\n\r\nwho wrote this?\r\n", "no_sender", None),
])
def test_quarantine_reasons_are_stored_as_codes_and_shown_through_gettext(app, raw, code, params):
    from inbound import reasons

    ingest(raw, source="pipe", now=NOW)
    stored = db.session.scalar(select(InboundMessage))
    assert (stored.reason_code, stored.reason_params) == (code, params)
    with app.test_request_context():
        shown = reasons.describe(stored.reason_code, stored.reason_params, stored.reason)
        assert shown and shown != stored.reason
    # An unknown code falls back to the stored line.
    assert reasons.describe("no-such-code", {}, "fallback line") == "fallback line"


def test_every_reason_code_the_ingest_writes_has_a_translatable_text():
    import re
    from pathlib import Path

    from flask_babel.speaklater import LazyString

    from inbound import reasons

    source = "".join((Path(__file__).parents[2] / "inbound" / name).read_text() for name in ("parsing.py", "ingest.py"))
    written = set(re.findall(r'Unreadable\(f?"[^"]*",\s*"(\w+)"', source)) | set(re.findall(r'code="(\w+)"', source))
    written |= set(re.findall(r'reason_code="(\w+)"', source)) | set(reasons.ROBOTS.values())
    assert len(written) >= 12 and written <= set(reasons.TEXTS), written - set(reasons.TEXTS)
    assert all(isinstance(text, LazyString) for text in reasons.TEXTS.values())
