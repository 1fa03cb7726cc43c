"""`flask demo seed`: fills an empty database with varied data, refuses a non-empty one,
and is deterministic for a seed."""
from __future__ import annotations

from sqlalchemy import func, select

from complaints.lifecycle import STATES
from complaints.models import Complaint, ComplaintEvent
from customers.models import CustomerScore, Order, SegmentTransition
from extensions import db
from reports.models import ComplaintDaily, CustomerValue, ReportAlert, SurveyDaily
from surveys.models import SurveyAnswer, SurveyResponse
from tests.support.clock import NOW_TEXT


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_fills_every_chart_and_refuses_a_second_time(app, runner, db_session):
    result = runner.invoke(args=["demo", "seed", "--now", NOW_TEXT, "--customers", "120", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "staff login (manager): manager@demo.example" in result.output
    db_session.rollback()
    assert _count(Order) > 300
    states = set(db.session.scalars(select(Complaint.status).distinct()))
    assert states == set(STATES)
    assert _count(ComplaintEvent) > 3 * _count(Complaint)
    assert set(db.session.scalars(select(ComplaintEvent.kind).distinct())) >= {"created", "assigned", "fact",
                                                                               "progress_update", "resolved", "closed"}
    languages = set(db.session.scalars(select(SurveyResponse.language).distinct()))
    assert languages == {"en", "pl", "ru", "ro", "cs"}
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.text.is_not(None))) > 10
    assert set(db.session.scalars(select(CustomerScore.abc).distinct())) == {"A", "B", "C"}
    assert len(set(db.session.scalars(select(CustomerScore.category).distinct()))) >= 3
    assert _count(SegmentTransition) > 0
    for model in (ComplaintDaily, CustomerValue, SurveyDaily):
        assert _count(model) > 0
    assert _count(ReportAlert) > 0
    from reports.models import Theme, ThemeMention
    # What customers wrote is read into themes, in several of the five languages.
    assert len(set(db.session.scalars(select(Theme.language).distinct()))) >= 3
    assert _count(ThemeMention) > 0

    again = runner.invoke(args=["demo", "seed", "--now", NOW_TEXT])
    assert again.exit_code != 0
    assert "only loaded into an empty database" in again.output


def test_same_seed_same_data(app, runner, db_session):
    from tests.conftest import _empty_all_tables

    def references():
        db_session.rollback()
        return list(db.session.scalars(select(Complaint.reference).order_by(Complaint.id)))

    assert runner.invoke(args=["demo", "seed", "--now", NOW_TEXT, "--customers", "40", "--seed", "3"]).exit_code == 0
    first = references()
    db.session.remove()
    _empty_all_tables(db)
    assert runner.invoke(args=["demo", "seed", "--now", NOW_TEXT, "--customers", "40", "--seed", "3"]).exit_code == 0
    assert references() == first and first


def test_bad_now_is_a_clear_message(app, runner):
    result = runner.invoke(args=["demo", "seed", "--now", "yesterday"])
    assert result.exit_code == 2 and "ISO-8601" in result.output
