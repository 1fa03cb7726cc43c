"""Business-hours SLA (issue 17) on a real database, SQLite and PostgreSQL: due dates at filing,
per-team calendars (Warsaw PL, Bucharest RO, Prague CZ), weekends, holidays, DST, the pause while
waiting for the customer, reopening, and the recompute after a calendar change."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.support import complaints as support

NINE_TO_FIVE = "mon-fri 09:00-17:00"


def calendar(name, zone, country, hours=NINE_TO_FIVE, *, default=False, now=support.NOW):
    from complaints import sla_admin

    return sla_admin.save_calendar(name=name, timezone=zone, hours=hours, holiday_country=country,
                                   is_default=default, now=now)[0]


def team(name, cal, lead=None):
    from staff import team_services

    return team_services.save_team(name=name, calendar_id=cal.id, lead_id=lead.id if lead else None)


def file_for(team_, at, priority="normal"):
    from complaints.sla import apply_sla
    from extensions import db

    complaint = support.file(at).complaint
    complaint.team_id = team_.id if team_ else None
    complaint.priority = priority
    apply_sla(complaint)
    db.session.commit()
    return complaint


def test_without_a_calendar_targets_stay_wall_clock_hours(app):
    complaint = support.file(support.NOW).complaint
    assert complaint.first_response_due_at == support.NOW + timedelta(hours=8)
    assert complaint.resolution_due_at == support.NOW + timedelta(hours=120)


def test_filed_on_friday_at_four_is_due_on_monday_on_the_default_calendar(app):
    calendar("Warsaw", "Europe/Warsaw", "PL", default=True)
    friday_16 = datetime(2027, 1, 15, 15, 0)    # 16:00 in Warsaw
    complaint = support.file(friday_16).complaint
    assert complaint.first_response_due_at == datetime(2027, 1, 18, 15, 0)   # Monday 16:00 (8 business hours)
    # 120 business hours = 15 working days: Friday's last hour, 14 days, 7 hours of Friday 5 February.
    assert complaint.resolution_due_at == datetime(2027, 2, 5, 15, 0)
    assert complaint.first_response_warn_at == datetime(2027, 1, 18, 13, 0)  # 75 % = 6 hours: Monday 14:00
    assert not complaint.is_overdue(datetime(2027, 1, 16, 12, 0))             # Saturday: not overdue


def test_three_teams_work_to_their_own_hours_and_holidays(app):
    calendar("Default", "UTC", None, "mon-sun 00:00-24:00", default=True)
    warsaw = team("Warsaw", calendar("Warsaw", "Europe/Warsaw", "PL"))
    bucharest = team("Bucharest", calendar("Bucharest", "Europe/Bucharest", "RO"))
    prague = team("Prague", calendar("Prague", "Europe/Prague", "CZ", "mon-fri 08:00-12:00,13:00-16:00"))
    friday = datetime(2027, 4, 30, 12, 0)    # 14:00 in Warsaw and Prague, 15:00 in Bucharest
    # Warsaw: 3 hours on Friday, 1 and 3 May closed (Saturday, Constitution Day): 5 hours on Tuesday 4 May.
    assert file_for(warsaw, friday).first_response_due_at == datetime(2027, 5, 4, 12, 0)
    # Bucharest: 30 April is Orthodox Good Friday, 3 May Easter Monday: all 8 hours on Tuesday 4 May.
    assert file_for(bucharest, friday).first_response_due_at == datetime(2027, 5, 4, 14, 0)
    # Prague: 2 hours on Friday (to 16:00), Monday 3 May is a working day: 08-12, 13-15.
    assert file_for(prague, friday).first_response_due_at == datetime(2027, 5, 3, 13, 0)
    # No team: the default calendar, round the clock.
    assert file_for(None, friday).first_response_due_at == friday + timedelta(hours=8)


def test_dst_spring_forward_and_fall_back_in_warsaw(app):
    calendar("Warsaw", "Europe/Warsaw", None, default=True)
    # Friday 26 March 2027 16:00 CET; clocks go forward on Sunday 28; Monday opens 09:00 CEST = 07:00 UTC.
    assert support.file(datetime(2027, 3, 26, 15, 0)).complaint.first_response_due_at == datetime(2027, 3, 29, 14, 0)
    # Friday 29 October 16:00 CEST; back on Sunday 31; Monday 1 November opens 09:00 CET = 08:00 UTC.
    assert support.file(datetime(2027, 10, 29, 14, 0)).complaint.first_response_due_at == datetime(2027, 11, 1, 15, 0)


def test_waiting_for_the_customer_pauses_the_clock_by_business_time(app, staff):
    from complaints import actions, tracking
    from extensions import db

    calendar("Warsaw", "Europe/Warsaw", "PL", default=True)
    monday = datetime(2027, 1, 11, 8, 0)     # 09:00 in Warsaw
    filed = support.file(monday)
    reference = filed.complaint.reference
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=monday)
    complaint = db.session.scalar(db.select(type(filed.complaint)).filter_by(reference=reference))
    due = complaint.resolution_due_at
    # Asked the customer something on Thursday 14 January at 15:00 local (14:00 UTC)…
    asked = datetime(2027, 1, 14, 14, 0)
    actions.post_update(reference, "Could you send a photo?", public=True, actor=staff.agent, now=asked,
                        wait_for_customer=True)
    db.session.refresh(complaint)
    assert complaint.status == "waiting" and complaint.waiting_since == asked
    assert complaint.resolution_due_at == due   # frozen while waiting
    # …the answer arrives on Monday 18 January at 10:00 local: Thu 2 h + Fri 8 h + Mon 1 h = 11 business hours.
    tracking.add_customer_message(filed.tracking_token, "Here is the photo.", now=datetime(2027, 1, 18, 9, 0))
    db.session.refresh(complaint)
    assert complaint.status == "in_progress" and complaint.waiting_since is None
    assert complaint.sla_paused_seconds == 11 * 3600
    # The due date moves by those 11 business hours: due was Friday 29 January 17:00 local
    # (120 h from Monday 11 09:00); +11 h = 8 h on Monday 1 February + 3 h on Tuesday 2 February.
    assert due == datetime(2027, 1, 29, 16, 0)
    assert complaint.resolution_due_at == datetime(2027, 2, 2, 11, 0)


def test_reopening_starts_a_fresh_resolution_clock_in_business_time(app, staff):
    from complaints import actions
    from complaints.models import Complaint
    from extensions import db

    calendar("Warsaw", "Europe/Warsaw", "PL", default=True)
    reference = support.complaint_in("resolved", staff, now=datetime(2027, 1, 11, 8, 0))
    reopened_at = datetime(2027, 1, 22, 15, 0)    # Friday 16:00 local
    actions.reopen(reference, "Still broken", actor=staff.agent, now=reopened_at)
    complaint = db.session.scalar(db.select(Complaint).filter_by(reference=reference))
    assert complaint.resolution_clock_from == reopened_at
    # 120 business hours from Friday 16:00: as in the Friday test, Friday 12 February 16:00 local.
    assert complaint.resolution_due_at == datetime(2027, 2, 12, 15, 0)


def test_a_calendar_change_recomputes_the_open_complaints_only(app, staff):
    from complaints import sla_admin
    from complaints.models import Complaint
    from extensions import db

    calendar("Warsaw", "Europe/Warsaw", None, default=True)
    friday_16 = datetime(2027, 1, 15, 15, 0)
    open_ref = support.file(friday_16).complaint.reference
    done_ref = support.complaint_in("resolved", staff, now=friday_16)
    done_due = db.session.scalar(db.select(Complaint.resolution_due_at).filter_by(reference=done_ref))
    # Saturdays open too, and Monday 18 January a custom closed day.
    _, moved = sla_admin.save_default_calendar(timezone="Europe/Warsaw", hours="mon-sat 09:00-17:00",
                                               now=support.NOW)
    default = db.session.scalar(db.select(type(_)).filter_by(is_default=True))
    sla_admin.add_closed_day(default.id, datetime(2027, 1, 18).date(), "Stock-taking", now=support.NOW)
    assert moved == 1
    complaint = db.session.scalar(db.select(Complaint).filter_by(reference=open_ref))
    # Friday 16-17 (1 h), Saturday 09-16 (7 h): Saturday 16:00 local.
    assert complaint.first_response_due_at == datetime(2027, 1, 16, 15, 0)
    assert complaint.first_response_warn_at == datetime(2027, 1, 16, 13, 0)
    assert db.session.scalar(db.select(Complaint.resolution_due_at).filter_by(reference=done_ref)) == done_due


def test_bad_calendar_input_is_refused_naming_the_field(app):
    from complaints import sla_admin
    from platform_support.errors import ServiceError

    for field, kwargs in (("timezone", {"timezone": "Mars/Olympus"}), ("hours", {"hours": "mon-fri 9-5"}),
                          ("holiday_country", {"holiday_country": "XX"})):
        arguments = {"name": "X", "timezone": "Europe/Warsaw", "hours": NINE_TO_FIVE, "now": support.NOW, **kwargs}
        with pytest.raises(ServiceError) as refused:
            sla_admin.save_calendar(**arguments)
        assert field in refused.value.fields


# --- warnings and escalation levels ------------------------------------------------------------

def _mails(kind):
    from extensions import db
    from notifications.models import OutboxMessage

    return [m.to_address for m in db.session.scalars(db.select(OutboxMessage).filter_by(kind=kind)
                                                       .order_by(OutboxMessage.id))]


def _owned(staff, at, priority="normal"):
    from complaints import actions

    reference = support.file(at).complaint.reference
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=at)   # the first response
    if priority != "normal":
        actions.change_priority(reference, priority, actor=staff.agent, now=at)
    return reference


def test_warning_then_owner_then_team_lead_then_managers_in_business_time(app, staff):
    from complaints import admin_services, jobs
    from tests.support.staff import staff_user

    calendar("Warsaw", "Europe/Warsaw", None, default=True)
    admin_services.save_sla("normal", 1, 2)
    lead = staff_user("agent", name="Lena Lead")
    warsaw = team("Warsaw", calendar("Warsaw team", "Europe/Warsaw", None), lead=lead)
    monday = datetime(2027, 1, 11, 8, 0)                 # 09:00 local
    reference = _owned(staff, monday)
    from complaints.models import Complaint
    from extensions import db
    complaint = db.session.scalar(db.select(Complaint).filter_by(reference=reference))
    complaint.team_id = warsaw.id
    db.session.commit()
    assert complaint.resolution_due_at == datetime(2027, 1, 11, 10, 0)
    assert complaint.resolution_warn_at == datetime(2027, 1, 11, 9, 30)   # 75 % of 2 hours

    assert jobs.warn_before_breach(datetime(2027, 1, 11, 9, 29)) == 0
    assert jobs.warn_before_breach(datetime(2027, 1, 11, 9, 31)) == 1
    assert jobs.warn_before_breach(datetime(2027, 1, 11, 9, 45)) == 0      # once per due date
    assert _mails("sla_warning") == [staff.agent.email]

    assert jobs.escalate_overdue(now=datetime(2027, 1, 11, 10, 1)) == 1    # level 1: the owner
    assert _mails("complaint_escalation") == [staff.agent.email]
    assert jobs.escalate_overdue(now=datetime(2027, 1, 11, 13, 59)) == 0   # team lead after 4 business hours
    assert jobs.escalate_overdue(now=datetime(2027, 1, 11, 14, 1)) == 1
    assert _mails("complaint_escalation")[-1] == lead.email
    # Managers after 8 business hours: 6 on Monday (10:00-16:00 UTC), 2 on Tuesday from 08:00 UTC.
    assert jobs.escalate_overdue(now=datetime(2027, 1, 11, 23, 0)) == 0
    assert jobs.escalate_overdue(now=datetime(2027, 1, 12, 9, 59)) == 0
    assert jobs.escalate_overdue(now=datetime(2027, 1, 12, 10, 1)) == 1
    assert sorted(_mails("complaint_escalation")[2:]) == sorted([staff.manager.email, staff.admin.email])
    assert jobs.escalate_overdue(now=datetime(2027, 1, 13, 10, 1)) == 0


def test_no_escalation_outside_the_recipients_hours_unless_urgent(app, staff):
    from complaints import admin_services, jobs
    from staff import team_services

    calendar("Warsaw", "Europe/Warsaw", None, default=True)
    admin_services.save_sla("normal", 1, 2)
    admin_services.save_sla("urgent", 1, 2)
    # The owner works mornings in Prague.
    mornings = calendar("Prague mornings", "Europe/Prague", None, "mon-fri 08:00-12:00")
    team_services.save_team(name="Prague", calendar_id=mornings.id, member_ids=[staff.agent.id])
    at = datetime(2027, 1, 11, 12, 0)                   # 13:00 in Warsaw and Prague
    _owned(staff, at)
    _owned(staff, at, priority="urgent")
    # Both breach at 14:00 UTC (15:00 local): only the urgent one is mailed in the afternoon.
    assert jobs.escalate_overdue(now=datetime(2027, 1, 11, 14, 1)) == 1
    assert jobs.escalate_overdue(now=datetime(2027, 1, 11, 20, 0)) == 0
    assert jobs.escalate_overdue(now=datetime(2027, 1, 12, 7, 1)) == 1     # Tuesday 08:01 in Prague
    assert _mails("complaint_escalation") == [staff.agent.email, staff.agent.email]


def test_a_waiting_complaint_is_neither_warned_nor_escalated(app, staff):
    from complaints import actions, admin_services, jobs
    from complaints.models import Complaint
    from extensions import db

    admin_services.save_sla("normal", 1, 2)
    reference = _owned(staff, support.NOW)
    actions.post_update(reference, "Which size?", public=True, actor=staff.agent, now=support.NOW,
                        wait_for_customer=True)
    complaint = db.session.scalar(db.select(Complaint).filter_by(reference=reference))
    assert complaint.status == "waiting"
    later = support.NOW + timedelta(days=3)
    assert jobs.warn_before_breach(later) == 0 and jobs.escalate_overdue(now=later) == 0


def test_a_category_has_its_own_targets_at_filing_and_after_a_change(app):
    from complaints import classification, sla_admin
    from complaints.models import Complaint
    from extensions import db

    calendar("Warsaw", "Europe/Warsaw", None, default=True)
    names = {lang: "Damaged parcel" for lang in ("en", "pl", "ru", "ro", "cs")}
    classification.save_category(code="damaged", names=names)
    classification.forget_cached_categories()
    friday_16 = datetime(2027, 1, 15, 15, 0)
    before = support.file(friday_16, category="damaged").complaint.reference
    assert sla_admin.save_category_targets("damaged", "normal", 2, 16) == 1     # the open one recomputed
    after = support.file(friday_16, email="ewa@example.com", category="damaged").complaint
    plain = support.file(friday_16, email="ola@example.com").complaint
    for complaint in (db.session.scalar(db.select(Complaint).filter_by(reference=before)), after):
        assert complaint.first_response_due_at == datetime(2027, 1, 18, 9, 0)  # Fri 1 h + Mon 1 h
        assert complaint.resolution_due_at == datetime(2027, 1, 19, 15, 0)     # Fri 1 + Mon 8 + Tue 7
    assert plain.first_response_due_at == datetime(2027, 1, 18, 15, 0)          # the priority's 8 hours
    sla_admin.save_category_targets("damaged", "normal", None, None)
    assert db.session.scalar(db.select(Complaint.first_response_due_at).filter_by(reference=before)) == \
        datetime(2027, 1, 18, 15, 0)


def test_a_priority_target_change_recomputes_that_prioritys_open_complaints(app):
    from complaints import admin_services
    from complaints.models import Complaint
    from extensions import db

    friday_16 = datetime(2027, 1, 15, 15, 0)
    wall = support.file(friday_16).complaint.reference                       # no calendar yet: wall clock
    calendar("Warsaw", "Europe/Warsaw", None, default=True)
    normal = support.file(friday_16, email="ewa@example.com").complaint.reference
    urgent = file_for(None, friday_16, priority="urgent")
    urgent_due = urgent.first_response_due_at
    closed = support.file(friday_16, email="ola@example.com").complaint
    closed.status = "closed"
    closed_due = closed.first_response_due_at
    db.session.commit()

    target, moved = admin_services.save_sla("normal", 2, 16)
    assert (target.first_response_hours, moved) == (2, 2)       # the two open normal ones, not the closed one
    due = dict(db.session.execute(db.select(Complaint.reference, Complaint.first_response_due_at)).all())
    # The one filed before any calendar counts on the default calendar since it was created.
    assert due[normal] == datetime(2027, 1, 18, 9, 0)                       # Fri 1 h + Mon 1 h
    assert due[wall] == datetime(2027, 1, 18, 9, 0)
    assert due[urgent.reference] == urgent_due and due[closed.reference] == closed_due
    resolution = db.session.scalar(db.select(Complaint.resolution_due_at).filter_by(reference=normal))
    assert resolution == datetime(2027, 1, 19, 15, 0)                       # Fri 1 + Mon 8 + Tue 7
    assert admin_services.save_sla("normal", 2, 16)[1] == 0                  # nothing moves twice


def test_a_priority_target_change_without_any_calendar_counts_wall_clock_hours(app):
    from complaints import admin_services
    from complaints.models import Complaint
    from extensions import db

    reference = support.file(support.NOW).complaint.reference
    assert admin_services.save_sla("normal", 3, 30)[1] == 1
    complaint = db.session.scalar(db.select(Complaint).filter_by(reference=reference))
    assert complaint.first_response_due_at == support.NOW + timedelta(hours=3)
    assert complaint.resolution_due_at == support.NOW + timedelta(hours=30)
    assert complaint.first_response_warn_at == support.NOW + timedelta(hours=3 * 0.75)
    assert admin_services.save_sla("normal", 3, 30)[1] == 0


def test_dashboard_sla_compliance_counts_business_time(app, staff):
    from datetime import date

    from complaints import actions
    from reports import complaint_stats
    from reports.filters import ReportFilter

    calendar("Warsaw", "Europe/Warsaw", "PL", default=True)
    friday_16 = datetime(2027, 1, 15, 15, 0)
    reference = support.file(friday_16).complaint.reference
    # Answered on Monday at 10:00 local: 66 wall-clock hours later, 2 business hours — on time.
    actions.assign_owner(reference, staff.agent.email, actor=staff.agent, now=datetime(2027, 1, 18, 9, 0))
    from extensions import db
    from reports.aggregation import refresh_report_aggregates

    later = datetime(2027, 1, 20, 12, 0)
    refresh_report_aggregates(later, full=True)
    db.session.commit()
    chart = complaint_stats.sla_by_priority(ReportFilter(start=date(2027, 1, 1), end=date(2027, 1, 31)), later)
    normal = next(row for row in chart.rows if row[0] == "normal")
    assert normal[2] == 1 and normal[1] in (1, 1.0, 100, 100.0), chart.rows   # 1 of 1 first responses on time
