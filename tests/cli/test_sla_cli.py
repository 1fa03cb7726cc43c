"""`flask --app wsgi sla calendar|target|show` through the real CLI: exit 2 naming the problem."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.support import complaints as support
from tests.support.clock import NOW_TEXT


@pytest.mark.parametrize("arguments, problem", [
    (["--timezone", "Europe/Warsow", "--hours", "mon-fri 09:00-17:00"], "'Europe/Warsow' is not a time zone"),
    (["--timezone", "Europe/Warsaw", "--hours", "mon-fry 09:00-17:00"], "'fry' is not a day"),
    (["--timezone", "Europe/Warsaw", "--hours", "mon-fri 09:00-27:00"], "'27:00' is not a time of day"),
    (["--timezone", "Europe/Warsaw", "--hours", "mon-fri 09:00-17:00", "--holidays", "QQ"], "'QQ' is not a country"),
    (["--timezone", "Europe/Warsaw", "--hours", "mon-fri 09:00-17:00", "--now", "yesterday"], "--now"),
])
def test_a_bad_calendar_exits_2_naming_the_problem(runner, db_session, arguments, problem):
    result = runner.invoke(args=["sla", "calendar", *arguments])
    assert result.exit_code == 2, result.output
    assert problem in result.output
    from calendars.models import Calendar
    assert db_session.scalar(db_session.query(Calendar).exists().select()) is False


def test_calendar_and_target_set_business_hours(runner, db_session):
    open_complaint = support.file(datetime(2027, 1, 15, 15, 0)).complaint   # Friday 16:00 in Warsaw
    result = runner.invoke(args=["sla", "calendar", "--timezone", "Europe/Warsaw", "--hours", "mon-fri 09:00-17:00",
                                 "--holidays", "pl", "--now", NOW_TEXT])
    assert result.exit_code == 0, result.output
    assert "Europe/Warsaw, mon-fri 09:00-17:00, holidays PL" in result.output
    assert "recomputed for 1 open complaints" in result.output
    db_session.refresh(open_complaint)
    assert open_complaint.first_response_due_at == datetime(2027, 1, 18, 15, 0)

    result = runner.invoke(args=["sla", "target", "urgent", "--first-response", "2", "--resolution", "16"])
    assert result.exit_code == 0, result.output
    assert "recomputed for 0 open complaints" in result.output       # the open one is normal
    result = runner.invoke(args=["sla", "target", "normal", "--first-response", "2", "--resolution", "16"])
    assert "recomputed for 1 open complaints" in result.output
    db_session.refresh(open_complaint)
    assert open_complaint.first_response_due_at == datetime(2027, 1, 18, 9, 0)   # Fri 1 h + Mon 1 h
    urgent = support.file(datetime(2027, 1, 15, 15, 0)).complaint
    from complaints.sla import apply_sla
    urgent.priority = "urgent"
    apply_sla(urgent)
    assert urgent.first_response_due_at == datetime(2027, 1, 18, 9, 0)   # Fri 1 h + Mon 1 h
    assert urgent.resolution_due_at == datetime(2027, 1, 19, 15, 0)      # Fri 1 + Mon 8 + Tue 7
    db_session.rollback()

    bad = runner.invoke(args=["sla", "target", "urgent", "--first-response", "20", "--resolution", "16"])
    assert bad.exit_code == 2 and "--first-response" in bad.output
    bad = runner.invoke(args=["sla", "target", "soon", "--first-response", "1", "--resolution", "2"])
    assert bad.exit_code == 2 and "soon" in bad.output
    shown = runner.invoke(args=["sla", "show"])
    assert "calendar Default: Europe/Warsaw" in shown.output and "(default)" not in shown.output
    assert "target urgent: first response 2 business hours, resolution 16 business hours" in shown.output
