"""Admin → Calendars and Admin → Teams (issue 17), through the test client."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from calendars.models import Calendar, ClosedDay
from staff.teams import Team, TeamMember
from tests.support.complaints import file


def test_only_admins_reach_calendars_and_teams(browser, client, staff):
    browser.login(staff.manager)
    for url in ("/admin/calendars/", "/admin/teams/"):
        assert client.get(url).status_code == 403, url


def test_admin_sets_up_a_calendar_with_holidays_and_a_closed_day(browser, client, staff, db_session):
    open_complaint = file(datetime(2027, 1, 15, 15, 0)).complaint
    browser.login(staff.admin)
    refused = browser.post_form("/admin/calendars/", {"name": "Warsaw", "timezone": "Europe/Warsow",
                                                      "hours": "mon-fry 09:00-17:00", "holiday_country": "PL"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "is not a time zone" in page
    saved = browser.post_form("/admin/calendars/", {"name": "Warsaw", "timezone": "Europe/Warsaw",
                                                    "hours": "mon-fri 09:00-17:00", "holiday_country": "PL",
                                                    "is_default": "y"}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "the due dates of 1 open complaint were recomputed" in page
    assert "Public holidays in the next twelve months" in page
    db_session.rollback()
    calendar = db_session.scalar(select(Calendar))
    assert calendar.is_default and calendar.holiday_country == "PL"
    db_session.refresh(open_complaint)
    assert open_complaint.first_response_due_at == datetime(2027, 1, 18, 15, 0)

    url = f"/admin/calendars/{calendar.id}"
    closed = browser.post_form(url, {"day": "2027-01-18", "name": "Stock-taking"},
                               action=f"{url}/closed-days", follow_redirects=True)
    assert "Stock-taking" in closed.get_data(as_text=True)
    db_session.rollback()
    db_session.refresh(open_complaint)
    assert open_complaint.first_response_due_at == datetime(2027, 1, 19, 15, 0)
    closed_day = db_session.scalar(select(ClosedDay))
    browser.post_form(url, {}, action=f"{url}/closed-days/{closed_day.id}/delete")
    db_session.rollback()
    assert db_session.scalar(select(ClosedDay)) is None
    listing = client.get("/admin/calendars/").get_data(as_text=True)
    assert "mon-fri 09:00-17:00" in listing and "Europe/Warsaw" in listing


def test_admin_builds_a_team_and_marks_a_member_away(browser, client, staff, db_session):
    browser.login(staff.admin)
    saved = browser.post_form("/admin/teams/", {"name": "Bucharest", "lead_id": str(staff.manager.id),
                                                "calendar_id": "0", "member_ids": [str(staff.agent.id)],
                                                "active": "y"}, follow_redirects=True)
    assert "Team saved" in saved.get_data(as_text=True)
    db_session.rollback()
    team = db_session.scalar(select(Team))
    assert team.lead_id == staff.manager.id
    assert {m.staff_user_id for m in team.memberships} == {staff.agent.id, staff.manager.id}
    clash = browser.post_form("/admin/teams/", {"name": "Bucharest", "lead_id": "0", "calendar_id": "0"})
    assert "Another team has this name" in clash.get_data(as_text=True)
    url = f"/admin/teams/{team.id}"
    away = browser.post_form(url, {f"m{staff.agent.id}-away": "y", f"m{staff.agent.id}-away_until": "2099-01-31"},
                             action=f"{url}/members/{staff.agent.id}/away", follow_redirects=True)
    assert "away until" in away.get_data(as_text=True)
    db_session.rollback()
    membership = db_session.get(TeamMember, (team.id, staff.agent.id))
    assert membership.away and str(membership.away_until) == "2099-01-31"
    assert client.get("/admin/teams/999999").status_code == 404


def test_sla_page_says_business_hours_and_a_target_change_recomputes(browser, client, staff, db_session):
    from complaints import sla_admin

    sla_admin.save_default_calendar(timezone="Europe/Warsaw", hours="mon-fri 09:00-17:00", now=datetime(2027, 1, 1))
    open_complaint = file(datetime(2027, 1, 15, 15, 0)).complaint           # Friday 16:00 in Warsaw
    browser.login(staff.admin)
    page = client.get("/admin/sla").get_data(as_text=True)
    assert "First response (business hours)" in page and "Resolution (business hours)" in page
    assert "(hours)" not in page and 'aria-describedby="normal-first_response_hours-hint"' in page
    assert "Default calendar: Europe/Warsaw." in page and "Default (" not in page
    saved = browser.post_form("/admin/sla", {"normal-first_response_hours": "2", "normal-resolution_hours": "16"},
                              action="/admin/sla/normal", follow_redirects=True)
    assert "The due dates of 1 open complaint were recomputed." in saved.get_data(as_text=True)
    db_session.rollback()
    db_session.refresh(open_complaint)
    assert open_complaint.first_response_due_at == datetime(2027, 1, 18, 9, 0)   # Fri 1 h + Mon 1 h


def test_the_default_calendar_is_not_named_twice(browser, client, staff, db_session):
    from complaints import sla_admin

    default, _ = sla_admin.save_default_calendar(timezone="UTC", hours="mon-fri 09:00-17:00", now=datetime(2027, 1, 1))
    other, _ = sla_admin.save_calendar(name="Prague", timezone="Europe/Prague", hours="mon-fri 09:00-17:00",
                                       now=datetime(2027, 1, 1))
    browser.login(staff.admin)
    listing = client.get("/admin/calendars/").get_data(as_text=True)
    assert "<strong>Default calendar</strong>" in listing and "Default (default)" not in listing
    heading = client.get(f"/admin/calendars/{default.id}").get_data(as_text=True)
    assert "<h1>Default calendar</h1>" in heading and "(default)" not in heading
    db_session.rollback()
    sla_admin.save_calendar(name="Warsaw office", timezone="Europe/Warsaw", hours="mon-fri 09:00-17:00",
                            is_default=True, calendar_id=default.id, now=datetime(2027, 1, 1))
    assert "<h1>Warsaw office (default)</h1>" in client.get(f"/admin/calendars/{default.id}").get_data(as_text=True)
    assert "<h1>Prague</h1>" in client.get(f"/admin/calendars/{other.id}").get_data(as_text=True)
