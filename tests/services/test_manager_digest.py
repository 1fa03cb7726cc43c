"""The weekly manager digest (reports/digest.py): its figures are the dashboard's own, it goes only
to managers who asked for it, in their language, once per week, and through real SMTP."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from customers.models import SegmentTransition
from extensions import db
from notifications.models import OutboxMessage
from reports import complaint_stats, survey_stats
from reports.aggregation import refresh_report_aggregates
from reports.digest import digest_for, send_weekly_digests
from reports.filters import ReportFilter
from reports.models import ReportAlert, SurveyDaily, Theme, ThemeMention
from tests.support.complaints import complaint_row
from tests.support.customers import customer

MONDAY = datetime(2027, 1, 18, 8, 0)  # the digest of 11–17 January 2027
WEEK = ReportFilter(start=date(2027, 1, 11), end=date(2027, 1, 17), period="week")


def _week_of_data(staff):
    d = datetime
    complaint_row(created=d(2027, 1, 11, 10), priority="normal", owner=staff.agent, status="resolved",
                  first_response=d(2027, 1, 11, 12), resolved=d(2027, 1, 12, 10), cause="late_delivery")
    complaint_row(created=d(2027, 1, 12, 10), priority="urgent", owner=staff.other_agent, status="resolved",
                  first_response=d(2027, 1, 12, 15), resolved=d(2027, 1, 14, 22), cause="billing_error")
    complaint_row(created=d(2027, 1, 13, 8), priority="high", status="new")
    db.session.commit()
    refresh_report_aggregates(MONDAY)  # the complaint rollups (it rebuilds the survey table from answers: none here)
    db.session.add_all([
        SurveyDaily(day=date(2027, 1, 12), metric="nps", complained=False, n=40, total=300, total_sq=2500,
                    promoters=22, detractors=6),
        SurveyDaily(day=date(2027, 1, 14), metric="nps", complained=True, n=10, total=60, total_sq=400,
                    promoters=3, detractors=4),
        SurveyDaily(day=date(2027, 1, 13), metric="csat", complained=False, n=35, total=150, total_sq=700,
                    promoters=28, detractors=3),
        SurveyDaily(day=date(2027, 1, 5), metric="nps", complained=False, n=99, total=0, total_sq=0,
                    promoters=0, detractors=99),  # the week before: not in this digest
    ])
    theme = Theme(language="en", label="late delivery", keyphrases=["late delivery", "courier"], centroid={},
                  size=3, created_at=d(2027, 1, 1), updated_at=d(2027, 1, 1))
    db.session.add(theme)
    db.session.flush()
    db.session.add_all([ThemeMention(theme_id=theme.id, source="answer", source_id=i, language="en",
                                     written_at=d(2027, 1, 12, 9) + timedelta(hours=i)) for i in range(1, 4)])
    db.session.add(ReportAlert(dedupe_key="score_drop:nps:2027-01-04", kind="score_drop", period="2027-01-04",
                               title="NPS dropped", detail={"kind": "score_drop", "metric": "nps"}, body="",
                               raised_at=d(2027, 1, 11, 6)))
    db.session.add(ReportAlert(dedupe_key="old", kind="sla_breach", period="2026-12-28", title="SLA compliance under target",
                               detail={}, body="", raised_at=d(2027, 1, 4, 6), acknowledged_at=d(2027, 1, 5)))
    mover = customer("Mover")
    db.session.add(SegmentTransition(customer_id=mover.id, dimension="abc", from_value="B", to_value="A",
                                     changed_at=d(2027, 1, 16, 2)))
    db.session.commit()


def test_the_figures_are_the_dashboards(app, staff):
    _week_of_data(staff)
    digest = digest_for(staff.manager, MONDAY)
    scores = survey_stats.scores_by_period(WEEK.start, WEEK.end, "week", min_n=app.config["SURVEY_MIN_N"])
    [(_when, nps)] = [(k, v) for k, v in scores.items() if k[1] == "nps"]
    assert digest.nps == nps and digest.nps.n == 50 and digest.nps.margin is not None
    assert digest.csat == [v for k, v in scores.items() if k[1] == "csat"][0]
    rows = complaint_stats.sla_by_priority(WEEK, MONDAY).rows
    assert digest.first_response[:2] == (sum(int(round((r[1] or 0) * r[2] / 100)) for r in rows), sum(r[2] for r in rows))
    assert digest.resolution[1] == sum(r[4] for r in rows) == 3
    assert [t["label"] for t in digest.themes] == ["late delivery, courier"] and digest.themes[0]["count"] == 3
    assert digest.open_alert_count == 1 and digest.open_alerts[0]["title"] == "NPS dropped"
    [abc] = digest.moves
    assert [(m["from"], m["to"], m["n"]) for m in abc["rows"]] == [("B", "A", 1)] or abc["rows"][0]["n"] == 1


def _digests():
    return db.session.query(OutboxMessage).filter_by(kind="manager_digest").all()


def test_opt_in_managers_only_once_a_week_in_their_language(app, staff):
    _week_of_data(staff)
    staff.manager.weekly_digest = True
    staff.manager.language = "pl"
    staff.agent.weekly_digest = True  # an agent cannot receive it, even with the flag
    db.session.commit()  # the admin has not opted in
    assert send_weekly_digests(datetime(2027, 1, 18, 6, 59))["queued"] == 0  # before DIGEST_HOUR
    assert send_weekly_digests(MONDAY)["queued"] == 1
    assert send_weekly_digests(MONDAY)["queued"] == 0
    assert send_weekly_digests(MONDAY + timedelta(days=2))["queued"] == 0
    [message] = _digests()
    assert message.to_address == staff.manager.email and message.language == "pl"
    assert "11.01.2027" in message.subject  # Polish dates
    assert "NPS" in message.text_body and "±" in message.text_body and "late delivery" in message.text_body
    assert message.html_body and "<table" in message.html_body
    # Internal notes and customers' own words are not in it.
    assert "internal" not in message.text_body.lower()
    assert send_weekly_digests(MONDAY + timedelta(days=7))["queued"] == 1  # next week's


def test_opting_in_and_out_on_the_settings_page(app, staff, browser):
    browser.login(staff.manager)
    assert browser.get("/staff/settings/e-mail").status_code == 200
    saved = browser.post_form("/staff/settings/e-mail", {"weekly_digest": "y"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert saved.location.endswith("/staff/settings/e-mail"), saved.location
    db.session.rollback()
    assert db.session.get(type(staff.manager), staff.manager.id).weekly_digest is True
    assert browser.post_form("/staff/settings/e-mail", {}).status_code == 302
    db.session.rollback()
    assert db.session.get(type(staff.manager), staff.manager.id).weekly_digest is False
    assert send_weekly_digests(MONDAY)["queued"] == 0


def test_agents_have_no_digest_page(app, staff, browser):
    browser.login(staff.agent)
    assert browser.get("/staff/settings/e-mail").status_code in (403, 404)


def test_digest_is_delivered_by_real_smtp(mail_app, smtp_server, staff):
    from notifications.jobs import deliver_outbox_job
    staff.admin.weekly_digest = True
    db.session.commit()
    send_weekly_digests(MONDAY)
    deliver_outbox_job(MONDAY + timedelta(seconds=1))
    [message] = smtp_server.to(staff.admin.email)
    assert message.is_multipart()
