"""Pages, form messages and e-mails in the customer's language, dates in their time zone."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from complaints import actions
from customers.models import Customer
from notifications.models import OutboxMessage
from tests.support.clock import NOW
from tests.support.complaints import file
from tests.support.web import csrf_from


def _form(client, lang: str) -> str:
    return client.get(f"/complain?lang={lang}").get_data(as_text=True)


def _post_form(client, page: str, lang: str, **fields):
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_from(page), "submission_key": key, "preferred_channel": "email", "language": lang,
            "name": "", "email": "", "description": "", **fields}
    return client.post(f"/complain?lang={lang}", data=data, content_type="multipart/form-data")


def test_complaint_form_in_each_language(client):
    expected = {"en": "Tell us what went wrong", "pl": "Powiedz nam, co poszło nie tak",
                "ru": "Расскажите, что пошло не так", "ro": "Spuneți-ne ce nu a mers bine",
                "cs": "Řekněte nám, co se nepovedlo"}
    for lang, heading in expected.items():
        page = _form(client, lang)
        assert f'<html lang="{lang}">' in page
        assert heading in page
        # The language the customer reads is preselected for the e-mails too.
        assert re.search(rf'<option selected value="{lang}">|<option value="{lang}" selected>', page), lang


def test_validation_messages_are_translated_including_wtforms_own(client):
    # Ours (the filing's rules) and WTForms' own (a date that does not parse).
    page = _form(client, "cs")
    answer = _post_form(client, page, "cs", email="jan@", phone="x" * 51).get_data(as_text=True)
    assert "Uveďte prosím své jméno." in answer                    # our message
    assert "Zadejte prosím platnou e-mailovou adresu." in answer    # our message
    assert "Vejděte se prosím do 50 znaků." in answer                # the filing's length rule
    page = _form(client, "pl")
    answer = _post_form(client, page, "pl", name="Jan", email="jan@example.com", description="x",
                        occurred_on="31.02.2027").get_data(as_text=True)
    assert "To nie jest prawidłowa data." in answer


def test_language_switcher_keeps_the_page_and_marks_the_current_language(client, app):
    filed = file(name="Jan", email="jan@example.com", description="Broken", language="pl", submission_key="k" * 20)
    page = client.get(f"/track/{filed.tracking_token}").get_data(as_text=True)
    # Links are relative to the current page (?lang=…), name their language, and mark the current one.
    for code, label in (("en", "English"), ("ru", "Русский"), ("ro", "Română"), ("cs", "Čeština")):
        assert f'<a href="?lang={code}" lang="{code}" hreflang="{code}" >{label}</a>' in page \
            or re.search(rf'href="\?lang={code}"[^>]*lang="{code}"[^>]*>{label}</a>', page)
    assert re.search(r'href="\?lang=pl"[^>]*aria-current="(true|page)"', page)
    switched = client.get(f"/track/{filed.tracking_token}?lang=ro").get_data(as_text=True)
    assert "Reclamația dumneavoastră" in switched and '<html lang="ro">' in switched


def test_tracking_page_speaks_the_complaints_language_by_default(client, app):
    filed = file(name="Иван", email="ivan@example.com", description="Сломано", language="ru", submission_key="r" * 20)
    page = client.get(f"/track/{filed.tracking_token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Ваша жалоба" in page and '<html lang="ru">' in page


def test_every_customer_email_is_in_the_complaints_language_and_time_zone(app, db_session, staff):
    filed = file(name="Anna Nowak", email="anna@example.com", description="Zepsuty wazon", language="pl",
                 submission_key="p" * 20)
    customer = db_session.scalar(select(Customer).where(Customer.email == "anna@example.com"))
    customer.timezone, customer.salutation = "Europe/Warsaw", "Pani Anno"
    db_session.commit()
    reference = filed.complaint.reference
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=NOW)
    actions.post_update(reference, "Wysyłamy nowy wazon.", public=True, actor=staff.agent, now=NOW)
    actions.resolve(reference, "Nowy wazon dostarczony.", "damaged_in_transit", actor=staff.agent, now=NOW)
    mails = list(db_session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "anna@example.com")
                                    .order_by(OutboxMessage.id)))
    assert [m.language for m in mails] == ["pl"] * 4
    ack, assigned, update, resolved = mails
    assert ack.subject == f"Przepraszamy — otrzymaliśmy Twoją reklamację {reference}"
    assert "Numer Twojej reklamacji" in ack.text_body and "Numer Twojej reklamacji" in ack.html_body
    # Salutation given by the customer file, after the acknowledgement was queued:
    assert assigned.text_body.startswith("Szanowna Pani Anno,")
    assert update.subject.startswith("Informacja o Twojej reklamacji")
    assert "Twoja reklamacja" in resolved.text_body and "Z poważaniem" in resolved.text_body
    # Due dates in Warsaw time (UTC+1 in January), Polish format; the acknowledgement was queued
    # before the time zone was known, so it reads in UTC.
    due = filed.complaint.resolution_due_at
    assert f"{due.day} sty 2027, {due.hour + 1:02d}:00" in assigned.text_body
    assert f"{due.day} sty 2027, {due.hour:02d}:00" in ack.text_body


def test_numbers_and_dates_follow_the_locale(app):
    from flask_babel import force_locale

    from platform_support.templating import filesize, local_datetime, money, number, percent

    with app.test_request_context("/"):
        samples = {}
        for lang in ("en", "pl", "ru", "ro", "cs"):
            with force_locale(lang):
                samples[lang] = (number(1234.5), percent(0.25), money(12.5, "EUR"), filesize(12595))
    assert samples["en"] == ("1,234.5", "25%", "€12.50", "12.3 kB")
    assert samples["pl"][0] == "1\xa0234,5" and samples["pl"][2] == "12,50\xa0€"
    assert samples["ro"][0] == "1.234,5"
    assert samples["ru"][3] == "12,3 кБ"
    assert samples["cs"][1] == "25\xa0%"
    assert local_datetime(datetime(2027, 7, 1, 12, 0), "Europe/Prague", "cs") == "1. 7. 2027 14:00:00"
    assert local_datetime(datetime(2027, 7, 1, 12, 0), "Not/AZone", "en") == "Jul 1, 2027, 12:00:00\u202fPM"
    # What customers read (tracking page, acknowledgement): no seconds, the zone named.
    assert local_datetime(datetime(2027, 7, 1, 12, 0), "Europe/Prague", "cs", "zoned") == "1. 7. 2027 14:00 (Europe/Prague)"
    assert local_datetime(datetime(2027, 1, 1, 12, 0), "Europe/Warsaw", "pl", "zoned") == "1 sty 2027, 13:00 (Europe/Warsaw)"


def test_the_browsers_time_zone_goes_to_a_new_customer_file(client, db_session):
    for email, zone, stored in (("eva@example.com", "Europe/Prague", "Europe/Prague"),
                                ("bot@example.com", "Mars/Olympus_Mons", "UTC")):
        page = _form(client, "cs")
        assert 'name="timezone"' in page and "js/timezone.js" in page
        answer = _post_form(client, page, "cs", name="Eva", email=email, description="Pozdě.", timezone=zone)
        assert answer.status_code == 302, answer.get_data(as_text=True)
    db_session.rollback()
    zones = dict(db_session.execute(select(Customer.email, Customer.timezone)).all())
    assert zones == {"eva@example.com": "Europe/Prague", "bot@example.com": "UTC"}
