"""`flask jobs run-due --now …` and `flask worker` as an operator runs them."""
import json
from datetime import timedelta

from sqlalchemy import select

from complaints import sla
from complaints.models import Complaint
from notifications.models import OutboxMessage
from scheduling.runner import build_scheduler
from tests.support.clock import NOW
from tests.support.complaints import file


def test_run_due_delivers_the_outbox_at_the_given_moment(mail_app, smtp_server, runner, db_session):
    filed = file(description="Broken")
    result = runner.invoke(args=["jobs", "run-due", "--now", "2027-01-15T09:00:30+00:00"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["now"] == "2027-01-15T09:00:30"
    assert summary["jobs"]["deliver-outbox"]["sent"] == 1
    (mail,) = smtp_server.messages
    assert filed.complaint.reference in mail.get_body(preferencelist=("plain",)).get_content()
    db_session.rollback()
    assert db_session.scalars(select(OutboxMessage)).one().status == "sent"


def test_run_due_before_the_message_is_due_sends_nothing(mail_app, smtp_server, runner):
    file(description="Broken")
    result = runner.invoke(args=["jobs", "run-due", "--now", (NOW - timedelta(minutes=1)).isoformat()])
    assert result.exit_code == 0 and smtp_server.messages == []


def test_run_due_escalates_overdue_complaints(app, staff, runner, db_session):
    complaint = file(description="Broken").complaint
    _first, resolution_hours = sla.sla_hours("normal")
    moment = (NOW + timedelta(hours=resolution_hours + 1)).isoformat()
    result = runner.invoke(args=["jobs", "run-due", "--now", moment])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["jobs"]["escalate-overdue-complaints"] == 2  # both clocks breached
    db_session.rollback()
    complaint = db_session.get(Complaint, complaint.id)
    assert complaint.first_response_escalated_at is not None and complaint.resolution_escalated_at is not None


def test_run_due_refuses_a_bad_moment(runner):
    result = runner.invoke(args=["jobs", "run-due", "--now", "next tuesday"])
    assert result.exit_code == 2 and "ISO-8601" in result.output


def test_worker_schedules_every_registered_job(app):
    from scheduling.registry import scheduled_jobs
    scheduler = build_scheduler(app, blocking=False)
    # every registered job, plus the worker's own heartbeat (/readyz)
    assert {job.id for job in scheduler.get_jobs()} == {job.name for job in scheduled_jobs(app.config)} | {"worker-heartbeat"}
    assert {"deliver-outbox", "escalate-overdue-complaints"} <= {job.id for job in scheduler.get_jobs()}
