"""Themes in what customers write (reports.themes): planted corpora, incremental runs, visibility."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from complaints.models import ComplaintEvent
from extensions import db
from reports import themes
from reports.models import Theme, ThemeMention
from tests.support.clock import NOW
from tests.support.complaints import complaint_row

PL_LATE = ["Przesyłka dotarła z dużym opóźnieniem, kurier spóźnił się o tydzień.",
           "Opóźnienie dostawy, paczka przyszła tydzień po terminie.",
           "Dostawa opóźniona o kilka dni, kurier nie przyjechał na czas.",
           "Zamówienie dotarło z opóźnieniem, czekałem na paczkę dwa tygodnie.",
           "Kurier spóźniony, dostawa przyszła po terminie i bez informacji."]
CS_LATE = ["Zásilka dorazila se zpožděním, kurýr přijel o týden později.",
           "Zpoždění doručení, balík přišel týden po termínu.",
           "Doručení se zpozdilo o několik dní, kurýr nepřijel včas.",
           "Objednávka dorazila se zpožděním, na balík jsem čekal dva týdny.",
           "Kurýr se zpozdil, zásilka přišla po termínu a bez informace."]
PL_DAMAGED = ["Paczka uszkodzona, karton zgnieciony, a telewizor ma pęknięty ekran.",
              "Towar przyszedł uszkodzony, pęknięty ekran i zgnieciony karton.",
              "Uszkodzony produkt w paczce, ekran pęknięty, opakowanie zniszczone.",
              "Zgnieciony karton i uszkodzony towar, pęknięta obudowa.",
              "Produkt dotarł uszkodzony: pęknięcie ekranu, karton rozdarty."]


def _plant(texts, language, n, start, owner=None):
    rows = []
    rng = random.Random(len(texts) * 7 + n)
    for i in range(n):
        row = complaint_row(created=start + timedelta(hours=i), owner=owner, description=rng.choice(texts))
        row.language = language
        rows.append(row)
    db.session.flush()
    return rows


def _theme_of(row):
    return db.session.scalar(select(ThemeMention.theme_id).where(ThemeMention.source == "complaint",
                                                                 ThemeMention.source_id == row.id))


def test_planted_corpus_clusters_per_topic_and_language(app):
    start = NOW - timedelta(days=20)
    late_pl = _plant(PL_LATE, "pl", 30, start)
    late_cs = _plant(CS_LATE, "cs", 30, start)
    damaged = _plant(PL_DAMAGED, "pl", 20, start)
    db.session.commit()
    run = themes.compute_themes(NOW)
    assert run.read["complaint"] == 80
    late_ids = {_theme_of(r) for r in late_pl}
    cs_ids = {_theme_of(r) for r in late_cs}
    damaged_ids = {_theme_of(r) for r in damaged}
    assert len(late_ids) == 1 and None not in late_ids
    assert len(cs_ids) == 1 and None not in cs_ids
    assert len(damaged_ids) == 1 and None not in damaged_ids
    assert late_ids != damaged_ids
    late = db.session.get(Theme, late_ids.pop())
    assert late.language == "pl" and late.size == 30
    assert any("opóźni" in p.lower() or "kurier" in p.lower() or "dostaw" in p.lower() for p in late.keyphrases)
    czech = db.session.get(Theme, cs_ids.pop())
    assert czech.language == "cs"
    assert any("zpožd" in p.lower() or "kurýr" in p.lower() or "doruč" in p.lower() or "zásil" in p.lower()
               for p in czech.keyphrases)


def test_a_second_run_reads_only_new_texts_and_files_them_under_known_themes(app):
    start = NOW - timedelta(days=20)
    first = _plant(PL_LATE, "pl", 25, start)
    db.session.commit()
    themes.compute_themes(NOW)
    theme_id = _theme_of(first[0])
    assert theme_id is not None
    later = _plant(PL_LATE, "pl", 4, NOW - timedelta(days=1))
    reply = ComplaintEvent(complaint_id=later[0].id, kind="customer_message", public=True, by_customer=True,
                           body="Nadal czekam, kurier znowu się spóźnił z dostawą.", created_at=NOW)
    db.session.add(reply)
    db.session.commit()
    run = themes.compute_themes(NOW + timedelta(hours=1))
    assert run.read == {"complaint": 4, "reply": 1, "answer": 0}
    assert run.new_themes == 0
    assert {_theme_of(r) for r in later} == {theme_id}
    assert db.session.get(Theme, theme_id).size == 29 + (db.session.scalar(
        select(ThemeMention.theme_id).where(ThemeMention.source == "reply")) == theme_id)
    # Nothing new: nothing read.
    again = themes.compute_themes(NOW + timedelta(hours=2))
    assert again.read == {"complaint": 0, "reply": 0, "answer": 0}
    assert db.session.scalar(select(func.count()).select_from(ThemeMention)) == 30


def test_texts_that_fit_no_theme_wait_and_form_one_later(app):
    start = NOW - timedelta(days=10)
    first = _plant(PL_DAMAGED, "pl", 3, start)
    db.session.commit()
    run = themes.compute_themes(NOW)
    assert run.pending == 3 and run.new_themes == 0
    more = _plant(PL_DAMAGED, "pl", 5, NOW - timedelta(days=1))
    db.session.commit()
    run = themes.compute_themes(NOW + timedelta(hours=1))
    assert run.read["complaint"] == 5 and run.reconsidered == 3 and run.new_themes == 1
    assert len({_theme_of(r) for r in first + more}) == 1 and _theme_of(first[0]) is not None


def test_an_agent_sees_only_quotes_and_counts_of_complaints_they_may_see(app, staff, client):
    start = NOW - timedelta(days=5)
    mine = _plant(PL_LATE, "pl", 10, start, owner=staff.agent)
    theirs = _plant(PL_LATE, "pl", 10, start, owner=staff.other_agent)
    theirs[0].description = "Kurier spóźnił się znowu, tajne słowo ZEBRA, dostawa po terminie."
    db.session.commit()
    themes.compute_themes(NOW)
    theme_id = _theme_of(mine[0])
    assert theme_id == _theme_of(theirs[0])
    agent_view = themes.dashboard_themes(staff.agent, NOW)
    manager_view = themes.dashboard_themes(staff.manager, NOW, quotes_per_theme=50)
    assert [t["count"] for t in agent_view] == [10]
    assert [t["count"] for t in manager_view] == [20]
    refs_mine = {r.reference for r in mine}
    assert all(q["reference"] in refs_mine for t in agent_view for q in t["quotes"])
    assert any("ZEBRA" in q["text"] for q in manager_view[0]["quotes"])
    agent_page = themes.quotes(theme_id, themes.visibility(staff.agent), limit=100)
    assert len(agent_page) == 10 and not any("ZEBRA" in q["text"] for q in agent_page)


def test_a_sudden_rise_of_a_theme_raises_an_alert(app, staff):
    from reports import alerts
    week = NOW.replace(hour=10) - timedelta(days=NOW.weekday() + 7)  # Monday of the last complete week
    for weeks_back in range(1, 9):  # one late delivery a week for eight weeks …
        _plant(PL_LATE, "pl", 1, week - timedelta(weeks=weeks_back))
    _plant(PL_LATE, "pl", 8, week)  # … then eight in one week
    db.session.commit()
    themes.compute_themes(NOW)
    raised = [a for a in alerts.check_trends(NOW) if a.kind == "theme_rise"]
    assert len(raised) == 1
    assert raised[0].detail["latest"] == 8 and raised[0].detail["previous"] == [1] * 8
    assert raised[0].dedupe_key.endswith(week.date().isoformat())
    assert alerts.check_trends(NOW) == []


def test_dashboard_and_drill_down_pages_keep_to_the_visibility_rule(app, staff, browser, monkeypatch):
    import reports.views
    monkeypatch.setattr(reports.views, "utcnow", lambda: NOW)
    mine = _plant(PL_LATE, "pl", 8, NOW - timedelta(days=3), owner=staff.agent)
    theirs = _plant(PL_LATE, "pl", 8, NOW - timedelta(days=2), owner=staff.other_agent)
    for row in theirs:
        row.description += " Tajne słowo ZEBRA."
    only_theirs = _plant(PL_DAMAGED, "pl", 8, NOW - timedelta(days=2), owner=staff.other_agent)
    db.session.commit()
    themes.compute_themes(NOW)
    late, damaged = _theme_of(mine[0]), _theme_of(only_theirs[0])
    assert late == _theme_of(theirs[0]) and damaged not in (None, late)
    browser.login(staff.agent)
    page = browser.get("/staff/reports/").get_data(as_text=True)
    assert f"/staff/reports/themes/{late}" in page and f"/staff/reports/themes/{damaged}" not in page
    assert "ZEBRA" not in page and mine[-1].reference in page
    detail = browser.get(f"/staff/reports/themes/{late}")
    assert detail.status_code == 200
    body = detail.get_data(as_text=True)
    assert "ZEBRA" not in body and theirs[0].reference not in body and mine[0].reference in body
    assert browser.get(f"/staff/reports/themes/{damaged}").status_code == 404
    assert browser.get("/staff/reports/themes/999999").status_code == 404
    browser.get("/staff/logout")
    browser.client.cookie_jar.clear() if hasattr(browser.client, "cookie_jar") else None


CS_CHANGE = ["Změnil bych rychlost doručení, kurýr přijel pozdě.", "Rychlejší doručení, balík přišel po termínu.",
             "Doručení se zpozdilo, příště prosím rychleji.", "Kurýr se zpozdil o týden, zlepšete doručení.",
             "Zásilka dorazila se zpožděním, změňte dopravce."]


def test_survey_text_answers_are_themed_and_kept_to_the_visibility_rule(app, staff, db_session):
    from tests.support.customers import customer
    from tests.support.surveys import answer, install_default_surveys
    install_default_surveys(db_session)
    who = customer()
    hidden = complaint_row(owner=staff.other_agent, created=NOW - timedelta(days=9))
    for i, text in enumerate(CS_CHANGE * 2):  # "what would you change?" after no complaint (relationship-like)
        answer(who, NOW - timedelta(days=3, hours=i), {"nps": 5}, comment=text, language="cs")
    secret = answer(who, NOW - timedelta(days=2), {"nps": 3}, complaint_id=hidden.id, language="cs",
                    comment="Kurýr přijel pozdě, doručení se zpozdilo — heslo ZEBRA.")
    db.session.commit()
    run = themes.compute_themes(NOW)
    assert run.read["answer"] == 11 and run.new_themes == 1
    theme_id = db.session.scalar(select(ThemeMention.theme_id).where(ThemeMention.source == "answer",
                                                                     ThemeMention.complaint_id == hidden.id))
    assert theme_id is not None
    assert db.session.get(Theme, theme_id).language == "cs"
    seen_by_agent = themes.quotes(theme_id, themes.visibility(staff.agent), limit=50)
    seen_by_owner = themes.quotes(theme_id, themes.visibility(staff.other_agent), limit=50)
    untied = db.session.scalar(select(func.count()).select_from(ThemeMention).where(
        ThemeMention.theme_id == theme_id, ThemeMention.complaint_id.is_(None)))
    assert untied >= 5 and len(seen_by_agent) == untied  # answers tied to no complaint: visible to all
    assert not any("ZEBRA" in q["text"] for q in seen_by_agent)
    assert any("ZEBRA" in q["text"] for q in seen_by_owner) and secret.id
