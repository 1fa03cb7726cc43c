"""A customer answers a survey in a real browser from the link in the e-mail that reached the SMTP
server: the clicked score is pre-selected, confirmed, the rest answered, then "already answered"."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints import actions, filing
from complaints.filing import NewComplaint
from customers.contact_policy import next_allowed_send
from extensions import db
from notifications.delivery import deliver_outbox
from platform_support.clock import utcnow
from platform_support.database import write_intent
from staff.models import StaffUser
from surveys.dispatch import dispatch_due_invitations
from surveys.models import SurveyResponse

pytestmark = pytest.mark.e2e


def send_survey(app, email: str):
    """Resolve a complaint a day before the next moment the customer may be contacted, then run
    the dispatch and the outbox delivery at that moment (the page compares with the real clock,
    so the link must be valid now)."""
    with app.app_context(), write_intent():
        filed = filing.file_complaint(NewComplaint(name="Ana Popescu", email=email, description="Late."),
                                      submission_key="e2e-survey-key-0001")
        at = next_allowed_send(filed.complaint.customer, utcnow() + timedelta(minutes=1))
        agent = db.session.scalar(select(StaffUser).where(StaffUser.role == "agent"))
        actions.resolve(filed.complaint.reference, "Delivered with a voucher", "late_delivery", actor=agent,
                        now=at - timedelta(hours=24))
        assert dispatch_due_invitations(now=at).sent == 1
        assert deliver_outbox(now=at).sent >= 1
        db.session.remove()


def test_customer_answers_survey_from_emailed_link(page, live_server, e2e_smtp, artifacts):
    send_survey(live_server.app, "ana@example.com")
    (mail,) = [m for m in e2e_smtp.to("ana@example.com") if m["List-Unsubscribe"]]
    html = mail.get_body(preferencelist=("html",)).get_content()
    link = re.search(r'href="([^"]+\?score=8)"', html).group(1)
    assert link.startswith(live_server.url + "/survey/")

    page.goto(link)
    assert page.is_checked("input[type=radio][value='8'] >> nth=0")
    page.screenshot(path=str(artifacts / "survey-page.png"), full_page=True)
    with page.expect_navigation():
        page.click("text=Confirm my answer")
    assert "your answer is saved" in page.content()

    page.check("#question-2 input[value='4']")
    page.check("#question-3 input[value='6']")
    page.fill("#question-4 textarea", "Tell me earlier when a parcel is late.")
    with page.expect_navigation():
        page.click("text=Send my answers")
    assert "Thank you for your answers" in page.content()
    page.screenshot(path=str(artifacts / "survey-answered.png"))

    page.goto(link)
    assert "already answered" in page.content()
    with live_server.app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert response.submitted_at is not None
        assert sorted((a.qtype, a.score) for a in response.answers if a.score is not None) == [
            ("ces", 6), ("csat", 4), ("nps", 8)]
        db.session.remove()


def _answers(app):
    with app.app_context():
        rows = [(a.qtype, a.score) for r in db.session.scalars(select(SurveyResponse)) for a in r.answers]
        db.session.remove()
    return sorted(rows)


def _tap_link(e2e_smtp, address, score):
    (mail,) = [m for m in e2e_smtp.to(address) if m["List-Unsubscribe"]]
    html = mail.get_body(preferencelist=("html",)).get_content()
    return re.search(rf'href="([^"]+\?score={score})"', html).group(1)


def test_one_tap_in_the_email_is_recorded_and_can_be_changed(page, live_server, e2e_smtp, artifacts):
    send_survey(live_server.app, "tap@example.com")
    page.goto(_tap_link(e2e_smtp, "tap@example.com", 3))
    page.wait_for_selector("#tap-status:has-text('is recorded')")
    assert _answers(live_server.app) == [("nps", 3)]
    page.screenshot(path=str(artifacts / "survey-one-tap.png"), full_page=True)

    # Changing the score is one more tap on the page.
    with page.expect_response(lambda r: r.url.endswith("/tap")):
        page.click("#question-1 label:has-text('8')")
    assert _answers(live_server.app) == [("nps", 8)]


def test_without_javascript_the_confirm_button_records(chromium, live_server, e2e_smtp):
    send_survey(live_server.app, "nojs@example.com")
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(_tap_link(e2e_smtp, "nojs@example.com", 6))
        assert page.is_checked("#question-1 input[value='6']")
        assert _answers(live_server.app) == []  # nothing without a person's action
        with page.expect_navigation():
            page.click("text=Confirm my answer")
        assert _answers(live_server.app) == [("nps", 6)]
    finally:
        context.close()
