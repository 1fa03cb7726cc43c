"""E-mail in (issue 15): one raw message → appended / created / ignored, threaded in the order
the issue gives, with quoted history stripped in all five languages."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints import links
from complaints.models import Attachment, Complaint, ComplaintEvent
from extensions import db
from inbound.ingest import ingest
from inbound.models import InboundMessage
from notifications.models import OutboxMessage
from tests.support.clock import NOW
from tests.support.inbound import PNG, REPLY_FORMS, message, reply


def _acknowledgement(complaint: Complaint) -> OutboxMessage:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.complaint_id == complaint.id,
                                                         OutboxMessage.kind == "complaint_acknowledgement"))


def _file(**kwargs) -> Complaint:
    outcome = ingest(message(**kwargs), source="pipe", now=NOW)
    assert outcome.kind == "created", outcome
    return db.session.scalar(select(Complaint).where(Complaint.reference == outcome.reference))


def test_a_new_email_opens_a_complaint_with_a_threaded_acknowledgement(app):
    raw = message(message_id="<first@customer.example>", sender="Jan Novák <Jan@Customer.example>")
    outcome = ingest(raw, source="pipe", now=NOW)
    assert outcome.kind == "created" and outcome.line() == f"created {outcome.reference}"
    complaint = db.session.scalar(select(Complaint).where(Complaint.reference == outcome.reference))
    assert complaint.subject == "The kettle leaks"
    assert complaint.description == "The kettle I bought leaks from the bottom."
    assert complaint.contact_name == "Jan Novák" and complaint.customer.email == "Jan@Customer.example"
    ack = _acknowledgement(complaint)
    assert ack.extra_headers["In-Reply-To"] == "<first@customer.example>"
    assert ack.extra_headers["Reply-To"] == app.config["INBOUND_ADDRESS"]
    stored = db.session.scalar(select(InboundMessage))
    assert (stored.outcome, stored.complaint_id, stored.raw) == ("created", complaint.id, raw)


@pytest.mark.parametrize("language, text", [
    ("pl", "Dzień dobry, czajnik, który kupiłem w zeszłym tygodniu, przecieka od spodu i nie da się go używać."),
    ("ru", "Здравствуйте, чайник, который я купил на прошлой неделе, протекает снизу, пользоваться им нельзя."),
    ("ro", "Bună ziua, fierbătorul pe care l-am cumpărat săptămâna trecută curge pe jos și nu se poate folosi."),
    ("cs", "Dobrý den, rychlovarná konvice, kterou jsem minulý týden koupil, teče ze spodu a nedá se používat."),
    ("en", "Hello, the kettle I bought last week leaks from the bottom and cannot be used at all."),
])
def test_the_language_follows_the_text_and_the_acknowledgement_speaks_it(app, language, text):
    complaint = _file(text=text)
    assert complaint.language == language
    assert _acknowledgement(complaint).language == language


def test_content_language_wins_over_the_text(app):
    assert _file(text="Hello, the kettle leaks from the bottom.", language="cs-CZ").language == "cs"


@pytest.mark.parametrize("form", sorted(REPLY_FORMS))
def test_a_reply_to_our_email_is_appended_without_history_or_signature(app, form):
    complaint = _file()
    ack = _acknowledgement(complaint)
    outcome = ingest(reply(form, to_message_id=ack.message_id), source="pipe", now=NOW + timedelta(hours=1))
    assert outcome.line() == f"appended {complaint.reference}"
    event = db.session.scalar(select(ComplaintEvent).where(ComplaintEvent.kind == "customer_message"))
    assert event.body == REPLY_FORMS[form][0]
    assert event.by_customer and event.public
    assert event.detail["channel"] == "email"


def test_a_reply_to_a_later_email_of_ours_is_appended_too(app, staff):
    from complaints import actions

    complaint = _file()
    actions.post_update(complaint.reference, "We have ordered a replacement.", public=True, actor=staff.manager, now=NOW)
    update = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "complaint_progress_update"))
    # Every e-mail to the customer: answerable, in the thread, with the tracking link.
    assert update.extra_headers["Reply-To"] == app.config["INBOUND_ADDRESS"]
    assert _acknowledgement(complaint).message_id in update.extra_headers["References"]
    assert update.extra_headers["In-Reply-To"] == complaint.events[0].detail["message_id"]
    assert links.link_url(complaint.reference) in update.text_body
    outcome = ingest(message(text="Thanks, when will it arrive?", in_reply_to=update.message_id), source="pipe", now=NOW)
    assert outcome.line() == f"appended {complaint.reference}"


def test_the_link_in_later_emails_opens_the_tracking_page(app, client):
    complaint = _file()
    response = client.get(links.link_url(complaint.reference).removeprefix(app.config["BASE_URL"]))
    assert response.status_code == 200 and complaint.reference in response.text
    forged = links.link_token(complaint.reference)[:-4] + "0000"
    assert client.get(f"/track/{forged}").status_code == 404


def test_a_signed_plus_address_matches(app):
    app.config["INBOUND_PLUS_TOKENS"] = True
    complaint = _file()
    address = links.reply_address(complaint.reference)
    assert address.startswith("complaints+c-") and address.endswith("@localhost")
    outcome = ingest(message(to=address, subject="no reference here", text="One more photo."), source="pipe", now=NOW)
    assert outcome.line() == f"appended {complaint.reference}"
    tampered = address.replace(complaint.reference.lower(), "c-aaaaaaaa")
    assert ingest(message(to=tampered, text="Guessing."), source="pipe", now=NOW).kind == "created"


def test_a_reference_in_the_subject_counts_only_from_the_contact_address(app):
    complaint = _file(sender="Jan <jan@customer.example>")
    own = ingest(message(sender="JAN@customer.example", subject=f"Re: {complaint.reference} any news?",
                         text="Any news?"), source="pipe", now=NOW)
    assert own.line() == f"appended {complaint.reference}"
    other = ingest(message(sender="eve@elsewhere.example", subject=f"About {complaint.reference}",
                           text="Please send me the details of this complaint."), source="pipe", now=NOW)
    assert other.kind == "created" and other.reference != complaint.reference
    assert [e.kind for e in complaint.events].count("customer_message") == 1
    new = db.session.scalar(select(Complaint).where(Complaint.reference == other.reference))
    notes = [e.body for e in new.events if e.kind == "internal_note"]
    assert any(complaint.reference in note for note in notes)
    assert not any(e.public and complaint.reference in e.body for e in new.events)


def test_the_same_message_twice_is_stored_once(app, runner, tmp_path):
    path = tmp_path / "mail.eml"
    path.write_bytes(message(message_id="<twice@customer.example>"))
    first = runner.invoke(args=["mail", "ingest", str(path), "--now", "2027-01-15T09:00"])
    second = runner.invoke(args=["mail", "ingest"], input=path.read_bytes())
    assert first.exit_code == 0 and first.output.startswith("created C-")
    assert second.exit_code == 0 and second.output == "ignored: duplicate (this Message-ID was already received)\n"
    assert db.session.scalar(select(db.func.count()).select_from(Complaint)) == 1
    assert db.session.scalar(select(db.func.count()).select_from(InboundMessage)) == 1


def test_html_only_mail_becomes_safe_text(app):
    complaint = _file(text=None, html="<p>The lid <b>broke</b>.</p><script>alert('x')</script>"
                                      "<style>p {color: red}</style><p><a href='https://x.example/'>photo</a></p>")
    assert "The lid broke." in complaint.description
    assert "alert" not in complaint.description and "color" not in complaint.description
    assert "<" not in complaint.description.replace("(https://x.example/)", "")


def test_attachments_and_inline_images_go_through_the_upload_checks(app):
    raw = message(files=[("photo.png", PNG, "image/png"), ("tool.exe", b"MZ\x90\x00binary", "application/octet-stream")])
    complaint = _file_raw(raw)
    assert [a.original_name for a in complaint.attachments] == ["photo.png"]
    notes = " ".join(e.body for e in complaint.events if e.kind == "internal_note")
    assert "tool.exe" in notes
    reply_raw = message(text="And the label.", in_reply_to=_acknowledgement(complaint).message_id,
                        html='<p>See <img src="cid:label"></p>', files=[("label.png", PNG, "image/png")])
    assert ingest(reply_raw, source="pipe", now=NOW).kind == "appended"
    event = db.session.scalar(select(ComplaintEvent).where(ComplaintEvent.kind == "customer_message"))
    assert [a.original_name for a in event.attachments] == ["label.png"]


def _file_raw(raw: bytes) -> Complaint:
    outcome = ingest(raw, source="pipe", now=NOW)
    assert outcome.kind == "created", outcome
    return db.session.scalar(select(Complaint).where(Complaint.reference == outcome.reference))


def test_the_api_shows_the_customer_email_as_an_event(app, client, staff):
    from staff.tokens import issue_api_token

    complaint = _file()
    ingest(message(text="Photo attached.\n\nOn Fri, Jan 15, 2027 at 10:00 AM Care <c@x.example> wrote:\n> old",
                   in_reply_to=_acknowledgement(complaint).message_id, files=[("p.png", PNG, "image/png")]),
           source="pipe", now=NOW)
    token = issue_api_token(staff.manager)
    body = client.get(f"/api/v1/complaints/{complaint.reference}", headers={"Authorization": f"Bearer {token}"}).json
    event = [e for e in body["events"] if e["kind"] == "customer_message"][0]
    assert (event["by_customer"], event["public"], event["body"]) == (True, True, "Photo attached.")
    assert [a["name"] for a in event["attachments"]] == ["p.png"]
    assert db.session.scalar(select(db.func.count()).select_from(Attachment)) == 1
