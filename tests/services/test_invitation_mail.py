"""Invitation e-mails rendered once per kind of recipient and filled in must be identical, byte for
byte, to rendering each e-mail on its own — for every language, time zone, greeting form, a name
full of HTML, a complaint survey and a reminder."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from customers.models import Customer
from surveys.invitation_mail import InvitationMail, invitation_token, render_invitation
from surveys.models import Survey, SurveyInvitation
from tests.support.clock import NOW
from tests.support.customers import GREETING_FORMS
from tests.support.surveys import install_default_surveys, resolved_complaint

CUSTOMERS = [
    # name, language, time zone, salutation, patronymic
    *GREETING_FORMS,
    ("Bob", "en", None, "Mr Smith", ""),
    ("Zoë Ünal", "en", "Pacific/Kiritimati", "", ""),
]


def _invite(db_session, customer, survey, *, complaint=None, n: int):
    invitation = SurveyInvitation(
        dedupe_key=f"test:{n}", survey_id=survey.id, customer_id=customer.id,
        complaint_id=complaint.id if complaint is not None else None, kind=survey.kind, status="sent",
        due_at=NOW, token_nonce=f"{n:032x}", sent_at=NOW, expires_at=NOW + timedelta(days=30), created_at=NOW)
    db_session.add(invitation)
    return invitation


def test_merged_rendering_equals_rendering_each_invitation(app, db_session, staff):
    install_default_surveys(db_session)
    relationship = db_session.scalar(select(Survey).where(Survey.kind == "relationship"))
    after_complaint = db_session.scalar(select(Survey).where(Survey.kind == "complaint"))
    invitations = []
    for n, (name, language, zone, salutation, patronymic) in enumerate(CUSTOMERS):
        email = f"c{n}@example.com"
        complaint = resolved_complaint(staff, email=email, name=name) if n % 3 == 0 else None
        customer = db_session.scalar(select(Customer).where(Customer.email == email))
        if customer is None:
            customer = Customer(name=name, email=email, email_normalised=email, created_at=NOW)
            db_session.add(customer)
        customer.language, customer.timezone = language, zone
        customer.salutation, customer.patronymic = salutation, patronymic
        db_session.flush()
        invitations.append(_invite(db_session, customer, relationship, n=n))
        if complaint is not None:
            complaint.language = language
            invitations.append(_invite(db_session, customer, after_complaint, complaint=complaint, n=100 + n))
    db_session.commit()

    mail = InvitationMail()  # one composer for all: skeletons are shared between recipients
    compared = 0
    for reminder in (False, True):
        for invitation in invitations:
            language = (invitation.complaint.language if invitation.complaint else invitation.customer.language) or "en"
            token = invitation_token(invitation)
            merged = mail.compose(invitation, reminder=reminder, token=token, language=language)
            alone = render_invitation(invitation, reminder=reminder, token=token, language=language)
            assert merged == alone, (invitation.customer.name, language, reminder)
            assert token in merged.text_body and token in merged.html_body
            compared += 1
    assert compared == 2 * len(invitations) >= 2 * (len(CUSTOMERS) + 3)
    hostile = next(i for i in invitations if i.customer.name.startswith("Eve"))
    html = mail.compose(hostile, reminder=False, token="t", language="en").html_body
    assert "<script>" not in html and "&lt;script&gt;" in html
