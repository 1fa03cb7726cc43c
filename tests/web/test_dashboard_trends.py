"""Satisfaction over time (scores, n, margin of error, response rate, "too few answers"),
recovery, and the scheduled negative-trend check with its once-only e-mails to managers."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from notifications.models import OutboxMessage
from reports import alerts, survey_stats
from reports.aggregation import refresh_report_aggregates
from reports.filters import ReportFilter
from reports.models import ReportAlert, SurveyDaily
from tests.support.clock import NOW
from tests.support.complaints import complaint_row
from tests.support.customers import customer
from tests.support.surveys import answer, install_default_surveys, unanswered_invitation


@pytest.fixture
def app_settings():
    return {"SURVEY_MIN_N": 3}


@pytest.fixture
def december(app, db_session):
    """December 2026: 7 NPS answers (3 promoters, 2 detractors), 4 CSAT (2 satisfied), 2 CES;
    one complaining customer among them; 8 invitations of which 7 answered."""
    install_default_surveys(db_session)
    complainer = customer(name="Complainer")
    resolved = complaint_row(created=datetime(2026, 11, 20), status="resolved", resolved=datetime(2026, 11, 25),
                             who=complainer, cause="late_delivery")
    happy = [customer(name=f"H{i}") for i in range(6)]
    at = datetime(2026, 12, 10, 12)
    answer(complainer, at, {"nps": 10, "csat": 5, "ces": 7}, complaint_id=resolved.id)
    answer(happy[0], at, {"nps": 10, "csat": 4, "ces": 5})
    answer(happy[1], at, {"nps": 9, "csat": 3})
    answer(happy[2], at, {"nps": 8, "csat": 2})
    answer(happy[3], at, {"nps": 7})
    answer(happy[4], at, {"nps": 3})
    answer(happy[5], at, {"nps": 0})
    unanswered_invitation(happy[0], datetime(2026, 12, 9))
    db.session.commit()
    refresh_report_aggregates(NOW)


def test_scores_per_month_with_margin_n_and_response_rate(december):
    chart = survey_stats.satisfaction_over_time(ReportFilter(start=date(2026, 12, 1), end=date(2026, 12, 31)), NOW)
    rows = {row[1]: row for row in chart.rows}
    nps = rows["NPS"]
    assert nps[0] == "2026-12-01"
    assert nps[2] == pytest.approx(14.29)  # 100 * (3 - 2) / 7
    assert nps[2] - nps[3] == pytest.approx(nps[4] - nps[2])  # a symmetric band
    assert nps[4] - nps[2] == pytest.approx(1.96 * ((5 / 7 - (1 / 7) ** 2) / 7) ** 0.5 * 100, abs=0.02)
    assert nps[5] == 7
    assert nps[6] == 87.5  # 7 of 8 invitations answered
    assert rows["CSAT"][2] == 50.0 and rows["CSAT"][5] == 4
    # CES: two answers, under SURVEY_MIN_N = 3: not drawn, marked.
    assert rows["CES"][2] is None and rows["CES"][5] == 2 and rows["CES"][7] == "too few answers"


def test_weekly_grouping(december):
    chart = survey_stats.satisfaction_over_time(
        ReportFilter(start=date(2026, 12, 1), end=date(2026, 12, 31), period="week"), NOW)
    assert {row[0] for row in chart.rows} == {"2026-12-07"}


def test_recovery_compares_complainers_with_the_others(december):
    chart = survey_stats.recovery(ReportFilter(start=date(2026, 12, 1), end=date(2026, 12, 31)), NOW)
    rows = {(row[0], row[1]): row for row in chart.rows}
    after = rows[("NPS", "After a resolved complaint")]
    never = rows[("NPS", "Never complained")]
    assert after[4] == 1 and after[2] is None and after[5] == "too few answers"
    assert never[4] == 6 and never[2] == pytest.approx(100 * (2 - 2) / 6)


def _daily(metric, day, n, promoters, detractors=0, total=0.0, total_sq=0.0):
    db.session.add(SurveyDaily(day=day, metric=metric, complained=False, n=n, total=total, total_sq=total_sq,
                               promoters=promoters, detractors=detractors))


def test_a_score_drop_beyond_the_margin_raises_one_alert_and_one_mail_per_manager(app, staff):
    # Baseline: 12 weeks before the last 4 (from 2026-12-14) — CSAT 80 % of 400; latest 4 weeks 60 % of 100.
    _daily("csat", date(2026, 10, 1), 400, 320)
    _daily("csat", date(2026, 12, 20), 100, 60)
    # NPS moves less than its margin: no alert.
    _daily("nps", date(2026, 10, 1), 400, 200, 80)
    _daily("nps", date(2026, 12, 20), 100, 48, 22)
    db.session.commit()
    raised = alerts.check_trends(NOW)
    assert [(a.kind, a.dedupe_key) for a in raised] == [("score_drop", "score_drop:csat:2026-12-14")]
    assert "CSAT fell from 80.0" in raised[0].body
    mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "alert_raised")))
    assert sorted(m.to_address for m in mails) == ["adam@example.com", "maria@example.com"]
    assert "CSAT" in mails[0].subject
    # Run again (or a second worker): nothing new, no second e-mail.
    assert alerts.check_trends(NOW) == []
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 2


def test_a_root_cause_rising_significantly_raises_an_alert(app, staff):
    week = datetime(2027, 1, 4, 10)  # the last complete week before NOW
    for weeks_back in range(1, 9):  # one late delivery a week for eight weeks …
        complaint_row(created=week - timedelta(weeks=weeks_back), cause="late_delivery", status="resolved",
                      resolved=week - timedelta(weeks=weeks_back) + timedelta(hours=5))
    for i in range(6):  # … then six in one week: z = (6 - 1) / sqrt(1 + 1/8) = 4.71
        complaint_row(created=week + timedelta(hours=i), cause="late_delivery", status="resolved",
                      resolved=week + timedelta(hours=i + 5))
    for i in range(3):  # billing errors: three after none — too few to page anyone
        complaint_row(created=week + timedelta(hours=i), cause="billing_error", status="resolved",
                      resolved=week + timedelta(hours=i + 5))
    db.session.commit()
    refresh_report_aggregates(NOW)
    raised = [a for a in alerts.check_trends(NOW) if a.kind == "root_cause_rise"]
    assert [a.dedupe_key for a in raised] == ["root_cause_rise:late_delivery:2027-01-04"]
    assert raised[0].detail["latest"] == 6 and raised[0].detail["previous"] == [1] * 8
    assert raised[0].detail["z"] == pytest.approx(4.71, abs=0.01)
    assert raised[0].title == "More complaints about Late delivery"  # the cause's name, not its code


def test_sla_compliance_under_target_raises_an_alert(app, staff):
    week = datetime(2027, 1, 4, 10)
    for i in range(10):  # ten normal complaints (8 h to answer): four answered after 10 h
        late = i < 4
        complaint_row(created=week + timedelta(hours=i), owner=staff.agent, status="resolved",
                      first_response=week + timedelta(hours=i + (10 if late else 1)),
                      resolved=week + timedelta(hours=i + 20))
    db.session.commit()
    refresh_report_aggregates(NOW)
    raised = {a.dedupe_key: a for a in alerts.check_trends(NOW)}
    assert list(raised) == ["sla_breach:first_response:2027-01-04"]
    assert raised["sla_breach:first_response:2027-01-04"].detail["compliance"] == 60.0
    assert raised["sla_breach:first_response:2027-01-04"].title == "First responses on time under target"


def test_the_dashboard_shows_alerts_in_the_readers_language(client, browser, app, staff):
    finding = {"kind": "sla_breach", "key": "sla_breach:resolution:2027-01-04", "period": "2027-01-04",
               "measure": "resolution", "compliance": 52.5, "target": 90.0, "n": 1200}
    db.session.add(ReportAlert(dedupe_key=finding["key"], kind="sla_breach", period="2027-01-04",
                               title="Resolutions on time under target", body="Only 50.0 % of resolutions were on time.",
                               detail=finding, raised_at=NOW))
    db.session.commit()
    browser.login(staff.manager)
    english = client.get("/staff/reports/").get_data(as_text=True)
    assert "Resolutions on time under target" in english and "Only 52.5 % of resolutions were on time" in english
    assert "Jan 4, 2027" in english and "n=1200" in english
    polish = browser.post_form("/staff/reports/", {"language": "pl", "next": "/staff/reports/"},
                               action="/staff/settings/language", follow_redirects=True).get_data(as_text=True)
    assert "Rozwiązania na czas poniżej celu" in polish and "Resolutions on time under target" not in polish
    # Figures and the week's first day as a Polish reader writes them, not 52.5 and 2027-01-04.
    assert "52,5" in polish and "90,0" in polish and "sty 2027" in polish and "2027-01-04" not in polish


def test_alerts_are_listed_on_the_dashboard(client, browser, app, staff):
    db.session.add(ReportAlert(dedupe_key="k", kind="sla_breach", period="2027-01-04", title="SLA compliance under target",
                               body="Only 60 % of first responses were on time.", raised_at=NOW))
    db.session.commit()
    browser.login(staff.manager)
    assert b"Only 60 % of first responses were on time." in client.get("/staff/reports/").data
    browser.login(staff.agent)
    assert b"Only 60 %" not in client.get("/staff/reports/").data


def test_the_jobs_are_registered(app):
    from scheduling.registry import scheduled_jobs
    names = [job.name for job in scheduled_jobs(app.config)]
    assert names.index("refresh-report-aggregates") < names.index("check-negative-trends") < names.index("deliver-outbox")
