"""Contact confirmation (issue 13): a complaint sent with somebody else's e-mail address does not
count in that person's scores and segments until the address is confirmed — by opening the
tracking link of the e-mail we sent to it, or by replying to that e-mail from it — and the pages
the filer sees make no promise that depends on the customer's segment (the e-mail may)."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from complaints import filing
from complaints.models import Complaint
from customers.models import Customer
from extensions import db
from inbound.ingest import ingest
from notifications.models import OutboxMessage
from tests.support.clock import NOW
from tests.support.customers import recompute, scores
from tests.support.inbound import message
from tests.web.test_complaint_web import file_through_form


def _complaints_counted(app, email: str) -> int:
    recompute(app, now=NOW + timedelta(days=1))
    who = db.session.scalar(select(Customer).where(Customer.email_normalised == email))
    score = scores(who)
    return (score.complaints_12m or 0) if score is not None else 0


def _acknowledgement(complaint_id: int) -> OutboxMessage:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.complaint_id == complaint_id,
                                                         OutboxMessage.kind == "complaint_acknowledgement"))


def test_a_form_complaint_counts_only_once_the_link_in_its_email_is_opened(client, app, db_session):
    response = file_through_form(client, email="victim@example.com")
    received = client.get(response.headers["Location"]).get_data(as_text=True)
    complaint = db_session.scalars(select(Complaint)).one()
    assert complaint.contact_confirmed_at is None
    # The page the filer sees promises no date (the dates follow the segment of the address's owner);
    # the e-mail to the address gives them.
    ack = _acknowledgement(complaint.id)
    assert "at the latest" in ack.text_body and "We aim to settle it by" in ack.text_body
    assert "at the latest" not in received and "settle it by" not in received
    assert _complaints_counted(app, "victim@example.com") == 0

    # The link on the page (the filer has it) opens the complaint but proves nothing.
    page_link = re.search(r'href="http://localhost(/track/[^"]+)"', received).group(1)
    page = client.get(page_link).get_data(as_text=True)
    assert "someone will take responsibility soon" in page and "We aim to settle it by" not in page
    db_session.commit()  # end the read: see what the request wrote
    assert db_session.get(Complaint, complaint.id).contact_confirmed_at is None
    assert _complaints_counted(app, "victim@example.com") == 0

    # The link in the e-mail (only the address's owner has it) confirms the address.
    mail_link = re.search(r"http://localhost(/track/\S+)", ack.text_body).group(1)
    assert mail_link != page_link
    page = client.get(mail_link).get_data(as_text=True)
    assert "We aim to settle it by" in page and "someone will take responsibility by" in page
    db_session.commit()  # end the read: see what the request wrote
    assert db_session.get(Complaint, complaint.id).contact_confirmed_at is not None
    assert _complaints_counted(app, "victim@example.com") == 1
    # …and from now on the page the filer has shows the dates too: it is the customer's complaint.
    assert "We aim to settle it by" in client.get(page_link).get_data(as_text=True)


def test_only_a_reply_to_our_email_from_the_contact_address_confirms_it(app, db_session):
    outcome = ingest(message(sender="Jan <jan@customer.example>", subject="The kettle leaks"), source="pipe", now=NOW)
    complaint = db_session.scalar(select(Complaint).where(Complaint.reference == outcome.reference))
    assert complaint.contact_confirmed_at is None  # a From header is easy to forge
    ack = _acknowledgement(complaint.id)

    def confirmed() -> bool:
        db_session.commit()  # end the read: see what the request wrote
        return db_session.get(Complaint, complaint.id).contact_confirmed_at is not None

    # The reference in the subject: whoever filed it knows the reference.
    assert ingest(message(sender="jan@customer.example", subject=f"Re: {complaint.reference}", text="Any news?"),
                  source="pipe", now=NOW).kind == "appended"
    assert not confirmed()
    # A reply in the thread of the customer's own first e-mail: the filer knows its Message-ID too.
    first_id = complaint.events[0].detail["message_id"]
    assert ingest(message(sender="jan@customer.example", in_reply_to=first_id, text="Still waiting."),
                  source="pipe", now=NOW).kind == "appended"
    assert not confirmed()
    # A reply to our e-mail, but from another address: appended, the contact address unconfirmed.
    assert ingest(message(sender="eve@elsewhere.example", in_reply_to=ack.message_id, text="Forwarded."),
                  source="pipe", now=NOW).kind == "appended"
    assert not confirmed()
    assert _complaints_counted(app, "jan@customer.example") == 0
    # The contact address answers our e-mail: confirmed.
    later = NOW + timedelta(hours=2)
    assert ingest(message(sender="JAN@customer.example", in_reply_to=ack.message_id, text="Here is the photo."),
                  source="pipe", now=later).kind == "appended"
    assert confirmed() and db_session.get(Complaint, complaint.id).contact_confirmed_at == later
    assert _complaints_counted(app, "jan@customer.example") == 1


def test_a_reply_through_the_signed_plus_address_confirms_it(app, db_session):
    from complaints import links

    app.config["INBOUND_PLUS_TOKENS"] = True
    outcome = ingest(message(sender="jan@customer.example"), source="pipe", now=NOW)
    address = links.reply_address(outcome.reference)
    assert ingest(message(sender="jan@customer.example", to=address, subject="photo", text="One more photo."),
                  source="pipe", now=NOW).kind == "appended"
    complaint = db_session.scalar(select(Complaint).where(Complaint.reference == outcome.reference))
    assert complaint.contact_confirmed_at == NOW


def test_a_complaint_staff_took_on_the_phone_counts_at_once(app, db_session):
    filed = filing.file_complaint(filing.NewComplaint(name="Jan", email="jan@example.com", description="Broken vase"),
                                  channel="phone", now=NOW)
    assert filed.complaint.contact_confirmed_at == NOW
    web = filing.file_complaint(filing.NewComplaint(name="Jan", email="jan@example.com", description="Again"),
                                channel="web", now=NOW)
    assert web.complaint.contact_confirmed_at is None
    assert _complaints_counted(app, "jan@example.com") == 1
