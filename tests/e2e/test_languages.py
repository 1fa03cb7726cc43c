"""Done means: a customer complains in Polish and another answers the survey in Czech, entirely in
their language — pages in a real browser, e-mails at a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

pytestmark = pytest.mark.e2e


def _run(app, work):
    from extensions import db
    from platform_support.database import write_intent

    with app.app_context(), write_intent():
        try:
            return work(db)
        finally:
            db.session.remove()


def deliver(app, now=None):
    from notifications.delivery import deliver_outbox
    return _run(app, lambda db: deliver_outbox(now=now))


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def test_a_complaint_filed_in_polish_is_answered_in_polish(chromium, live_server, e2e_smtp, artifacts):
    url = live_server.url
    # A browser in Warsaw that asks for Polish gets the form in Polish without touching the switcher.
    context = chromium.new_context(locale="pl-PL", timezone_id="Europe/Warsaw")
    page = context.new_page()
    page.goto(f"{url}/complain")
    assert page.get_attribute("html", "lang") == "pl"
    assert page.inner_text("h1") == "Powiedz nam, co poszło nie tak"
    assert page.locator("label[for=name]").inner_text() == "Imię i nazwisko"
    assert page.locator("#language").input_value() == "pl"

    # A mistake is explained in Polish, next to the field and in the summary.
    with page.expect_navigation():
        page.click("text=Wyślij reklamację")
    assert "Podaj swoje imię i nazwisko." in page.inner_text("#error-summary")
    assert page.inner_text("#description-error") == "Opisz, co się stało."

    page.fill("#name", "Anna Nowak")
    page.fill("#email", "anna@example.com")
    page.fill("#description", "Wazon dotarł rozbity, karton był zgnieciony.")
    with page.expect_navigation():
        page.click("text=Wyślij reklamację")
    main = page.inner_text("main")
    assert "Bardzo nam przykro" in main and "Co dalej" in main
    reference = re.search(r"C-[A-Z0-9-]+", main).group(0)
    assert f"Numer Twojej reklamacji to {reference}." in main
    page.screenshot(path=str(artifacts / "complaint-received-pl.png"), full_page=True)

    # The acknowledgement arrives in Polish (subject, text and HTML parts).
    deliver(live_server.app)
    (ack,) = e2e_smtp.to("anna@example.com")
    assert ack["Subject"] == f"Przepraszamy — otrzymaliśmy Twoją reklamację {reference}"
    text = text_of(ack)
    # No salutation on file yet: the neutral Polish greeting (a bare name would need its vocative).
    assert text.splitlines()[0] == "Dzień dobry,"
    assert f"Numer Twojej reklamacji: {reference}" in text and "Z wyrazami przeprosin" in text
    assert "Numer Twojej reklamacji" in html_of(ack) and '<html lang="pl">' in html_of(ack)
    tracking_url = re.search(rf"{re.escape(url)}/track/\S+", text).group(0)

    # Staff work in English; the customer file knows her time zone (from her browser) and now
    # also how she wants to be addressed.
    def staff_work(db):
        from complaints import actions
        from customers.models import Customer
        from staff.models import StaffUser
        customer = db.session.scalar(db.select(Customer).where(Customer.email == "anna@example.com"))
        assert customer.timezone == "Europe/Warsaw" and customer.language == "pl"
        customer.salutation = "Pani Anno"
        db.session.commit()
        agent = db.session.scalar(db.select(StaffUser).where(StaffUser.email == live_server.staff.agent.email))
        actions.assign_owner(reference, agent.email, actor=agent)
        actions.post_update(reference, "Nowy wazon wyjedzie jutro.", public=True, actor=agent)
    _run(live_server.app, staff_work)
    deliver(live_server.app)
    owner_mail, update_mail = e2e_smtp.to("anna@example.com")[1:]
    assert owner_mail["Subject"] == f"Twoją reklamacją {reference} zajmuje się teraz {live_server.staff.agent.name}"
    assert text_of(owner_mail).splitlines()[0] == "Szanowna Pani Anno,"
    assert re.search(r"Chcemy ją załatwić do \d{1,2} (sty|lut|mar|kwi|maj|cze|lip|sie|wrz|paź|lis|gru) \d{4}",
                     text_of(owner_mail))
    assert update_mail["Subject"] == f"Informacja o Twojej reklamacji {reference}"
    assert "Nowy wazon wyjedzie jutro." in text_of(update_mail) and "Z poważaniem" in text_of(update_mail)

    # The tracking link opened on another device (English browser) still speaks Polish.
    elsewhere = chromium.new_context(locale="en-GB")
    tracking = elsewhere.new_page()
    tracking.goto(tracking_url)
    assert tracking.get_attribute("html", "lang") == "pl"
    body = tracking.inner_text("main")
    assert f"Twoja reklamacja {reference}" in body and "Osoba odpowiedzialna" in body
    assert f"Za Twoją reklamację odpowiada teraz {live_server.staff.agent.name}." in body
    # Adding information: the form, its hint and the confirmation are Polish too.
    tracking.fill("#message", "Mam jeszcze zdjęcia kartonu.")
    with tracking.expect_navigation():
        tracking.click("button:has-text('Wyślij')")
    assert "Dziękujemy. Dodaliśmy Twoje informacje" in tracking.inner_text("main")
    elsewhere.close()
    context.close()


def test_a_survey_is_answered_in_czech(chromium, live_server, e2e_smtp, artifacts):
    url = live_server.url
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    # An English browser; the customer picks Čeština with the switcher.
    page.goto(f"{url}/complain")
    with page.expect_navigation():
        page.click("nav a[hreflang=cs]")
    assert page.inner_text("h1") == "Řekněte nám, co se nepovedlo"
    page.fill("#name", "Eva Nováková")
    page.fill("#email", "eva@example.com")
    page.fill("#description", "Zásilka přišla o týden později.")
    with page.expect_navigation():
        page.click("text=Odeslat stížnost")
    reference = re.search(r"C-[A-Z0-9-]+", page.inner_text("main")).group(0)

    # Staff resolve it; the survey is due a day later, inside her contact hours.
    def resolve_and_send(db):
        from complaints import actions
        from complaints.models import Complaint
        from customers.contact_policy import next_allowed_send
        from customers.models import Customer
        from staff.models import StaffUser
        from surveys.dispatch import dispatch_due_invitations
        from surveys.models import SurveyInvitation
        customer = db.session.scalar(db.select(Customer).where(Customer.email == "eva@example.com"))
        customer.salutation, customer.timezone = "paní Nováková", "Europe/Prague"
        db.session.commit()
        complaint = db.session.scalar(db.select(Complaint).where(Complaint.reference == reference))
        agent = db.session.scalar(db.select(StaffUser).where(StaffUser.email == live_server.staff.agent.email))
        actions.resolve(reference, "Omlouváme se, posíláme poukaz.", "late_delivery", actor=agent,
                        now=complaint.created_at + timedelta(minutes=30))
        invitation = db.session.scalar(db.select(SurveyInvitation).where(SurveyInvitation.complaint_id == complaint.id))
        send_at = next_allowed_send(invitation.customer, invitation.due_at)
        assert dispatch_due_invitations(now=send_at).sent == 1
        return send_at
    send_at = _run(live_server.app, resolve_and_send)
    deliver(live_server.app, now=send_at)
    invitation_mail = [m for m in e2e_smtp.to("eva@example.com") if m["List-Unsubscribe"]][0]
    assert invitation_mail["Subject"] == "Jak jsme vyřídili vaši stížnost?"
    text = text_of(invitation_mail)
    assert text.splitlines()[0] == "Vážená paní Nováková,"
    assert "Jak pravděpodobně byste nás doporučili příteli nebo kolegovi?" in text
    assert f"Jde o vaši stížnost {reference}." in text and "Vyplnit dotazník:" in text
    resolved_mail = [m for m in e2e_smtp.to("eva@example.com") if m["Subject"].startswith("Vaše stížnost")][0]
    assert resolved_mail["Subject"] == f"Vaše stížnost {reference} byla vyřešena"
    nine = re.search(rf"{re.escape(url)}/survey/\S+\?score=9", text).group(0)

    # One click on "9" in the e-mail: the survey page in Czech, 9 pre-selected.
    survey = chromium.new_context(locale="en-GB").new_page()
    survey.goto(nine)
    assert survey.get_attribute("html", "lang") == "cs"
    assert survey.inner_text("h1") == "Jak jsme vyřídili vaši stížnost?"
    body = survey.inner_text("main")
    assert "Jak jste spokojeni se způsobem, jakým jsme vyřídili vaši stížnost?" in body
    assert "Vůbec ne" in body and "Určitě ano" in body
    assert survey.locator("input[type=radio][value='9']").first.is_checked()
    # Submitting without the required answers: the message is Czech.
    with survey.expect_navigation():
        survey.click("text=Odeslat moje odpovědi")
    assert "Odpovězte prosím na tuto otázku." in survey.inner_text("main")
    for fieldset in survey.locator("fieldset.survey-csat, fieldset.survey-ces").all():
        fieldset.locator("input[type=radio]").last.check()
    survey.locator("textarea").fill("Rychlá a vstřícná komunikace.")
    with survey.expect_navigation():
        survey.click("text=Odeslat moje odpovědi")
    assert survey.inner_text("h1") == "Děkujeme za odpovědi!"
    survey.screenshot(path=str(artifacts / "survey-thanks-cs.png"), full_page=True)
    survey.context.close()
    context.close()
