"""Two submissions of one survey at the same moment (a double tap, two devices): one wins, the
other is told "already answered"; never a 500 and never two responses."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from surveys.models import SurveyResponse
from tests.support.clock import NOW
from tests.support.surveys import install_default_surveys, resolved_complaint, run_due, survey_links, survey_mails


def test_simultaneous_submissions_have_one_winner(mail_app, smtp_server, staff, db_session):
    from extensions import db
    from platform_support.database import write_intent
    from surveys import answering

    install_default_surveys(db_session)
    resolved_complaint(staff)
    run_due(mail_app, NOW + timedelta(hours=24))
    (mail,) = survey_mails(smtp_server, "jan@example.com")
    token = survey_links(mail)["9"].split("/survey/")[1].split("?")[0]
    now = NOW + timedelta(hours=25)
    with mail_app.app_context():
        page = answering.survey_page(token, now=now)
        valid = {"nps": "{score}", "csat": "4", "ces": "2", "text": "Quick and kind."}
        answers = {q.id: valid.get(q.qtype, (q.choices or [""])[0] if hasattr(q, "choices") else "") for q in page.questions}

    outcomes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def submit(score: str):
        with mail_app.app_context():
            try:
                start.wait()
                with write_intent():
                    result = answering.save_answers(
                        token, {qid: value.format(score=score) for qid, value in answers.items()}, submit=True, now=now)
                outcomes.append(result.state)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(str(score),)) for score in (9, 3, 10, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(outcomes) == 4
    assert outcomes.count("answered") == 4  # the winner's "thank you" and three "already answered"
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    response = db_session.scalars(select(SurveyResponse)).one()
    assert response.submitted_at == now
    assert len(response.answers) == len(answers)
