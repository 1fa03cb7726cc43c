"""Themes in every language and from every source (issue 18): complaint descriptions, e-mailed
replies and open survey answers ("what would you change?") in en, pl, ru, ro and cs each form a
theme in their own language, labelled with their own words."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints.models import ComplaintEvent
from extensions import db
from reports import themes
from reports.models import Theme, ThemeMention
from tests.support.clock import NOW
from tests.support.complaints import complaint_row

# Late delivery, said six ways per language: two per source.
LATE = {
    "en": ["The parcel arrived a week late, the courier never came on time.",
           "Delivery was late again, the courier missed the promised day.",
           "My order arrived late, the courier delayed the delivery by days.",
           "The courier was late and the delivery came a week after the date.",
           "Late delivery: the courier brought the parcel two weeks late.",
           "The delivery is always late, please change the courier."],
    "pl": ["Przesyłka dotarła z opóźnieniem, kurier spóźnił się o tydzień.",
           "Opóźnienie dostawy, kurier przyjechał tydzień po terminie.",
           "Dostawa opóźniona o kilka dni, kurier nie przyjechał na czas.",
           "Kurier spóźniony, dostawa przyszła z opóźnieniem.",
           "Znowu opóźnienie, kurier dostarczył przesyłkę po terminie.",
           "Zmieniłbym kuriera, dostawa zawsze z opóźnieniem."],
    "ru": ["Посылка пришла с опозданием, курьер опоздал на неделю.",
           "Доставка опять с опозданием, курьер не приехал вовремя.",
           "Заказ доставили с опозданием, курьер задержал доставку.",
           "Курьер опоздал, доставка пришла через неделю после срока.",
           "Опоздание доставки: курьер привёз посылку на две недели позже.",
           "Я бы сменил курьера, доставка всегда с опозданием."],
    "ro": ["Coletul a ajuns cu întârziere, curierul a întârziat o săptămână.",
           "Livrarea iar cu întârziere, curierul nu a venit la timp.",
           "Comanda a fost livrată cu întârziere, curierul a amânat livrarea.",
           "Curierul a întârziat, livrarea a venit după termen.",
           "Întârziere la livrare: curierul a adus coletul cu două săptămâni întârziere.",
           "Aș schimba curierul, livrarea are mereu întârziere."],
    "cs": ["Zásilka dorazila se zpožděním, kurýr přijel o týden později.",
           "Doručení opět se zpožděním, kurýr nepřijel včas.",
           "Objednávka byla doručena se zpožděním, kurýr doručení odložil.",
           "Kurýr se zpozdil, doručení přišlo po termínu.",
           "Zpoždění doručení: kurýr přivezl zásilku o dva týdny později.",
           "Změnil bych kurýra, doručení má vždy zpoždění."],
}
STEMS = {"en": ("late", "courier", "deliver"), "pl": ("opóźni", "kurier", "dostaw"),
         "ru": ("опозд", "курьер", "доставк"), "ro": ("întârzi", "curier", "livr"),
         "cs": ("zpožd", "kurýr", "doruč")}


@pytest.mark.parametrize("language", sorted(LATE))
def test_every_source_in_every_language_forms_a_theme(app, db_session, language):
    from tests.support.customers import customer
    from tests.support.surveys import answer, install_default_surveys
    install_default_surveys(db_session)
    texts = LATE[language] * 2  # twelve texts: four per source
    who = customer(language=language)
    refs = []
    for i, text in enumerate(texts):
        when = NOW - timedelta(days=5, hours=i)
        if i % 3 == 0:
            row = complaint_row(created=when, description=text)
            row.language = language
            db.session.flush()
            refs.append(("complaint", row.id))
        elif i % 3 == 1:
            row = complaint_row(created=when, description="—")
            row.language = language
            event = ComplaintEvent(complaint_id=row.id, kind="customer_message", public=True, by_customer=True,
                                   body=text, created_at=when)
            db.session.add(event)
            db.session.flush()
            refs.append(("reply", event.id))
        else:
            response = answer(who, when, {"nps": 4}, comment=text, language=language)
            refs.append(("answer", None))
    db.session.commit()
    run = themes.compute_themes(NOW)
    assert run.read["reply"] == 4 and run.read["answer"] == 4 and response is not None
    found = {theme_id for source, source_id in refs if source_id for theme_id in db.session.scalars(
        select(ThemeMention.theme_id).where(ThemeMention.source == source, ThemeMention.source_id == source_id))}
    answers = set(db.session.scalars(select(ThemeMention.theme_id).where(ThemeMention.source == "answer",
                                                                         ThemeMention.language == language)))
    assert None not in found and None not in answers
    assert len(found | answers) == 1, "one theme for one topic, whatever the source"
    theme = db.session.get(Theme, (found | answers).pop())
    assert theme.language == language
    assert any(stem in phrase.lower() for phrase in theme.keyphrases for stem in STEMS[language]), theme.keyphrases
