"""The quarterly review's "recompute now" queues a job request; the worker's pass runs it."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from customers.jobs import RECOMPUTE_SEGMENTS
from customers.models import CustomerScore
from platform_support import job_requests
from platform_support.job_requests import MAX_ATTEMPTS, JobRequest
from tests.support.clock import NOW
from tests.support.customers import customer, orders


def _requests(db_session) -> list[JobRequest]:
    db_session.rollback()
    return list(db_session.scalars(sa.select(JobRequest).order_by(JobRequest.id)))


def test_the_button_queues_and_run_due_runs_it(browser, staff, runner, db_session):
    buyer = customer("Buyer")
    orders(buyer, (10, 100))
    db_session.commit()
    browser.login(staff.manager)
    response = browser.post_form("/staff/customers/review", {}, action="/staff/customers/recompute")
    assert response.status_code == 302
    (request,) = _requests(db_session)
    assert (request.job, request.status, request.requested_by_id) == (RECOMPUTE_SEGMENTS, "queued", staff.manager.id)
    assert db_session.query(CustomerScore).count() == 0  # nothing ran inside the web request
    db_session.rollback()  # PostgreSQL: the recompute swaps the table this transaction has read
    page = browser.get("/staff/customers/review").get_data(as_text=True)
    assert "Recompute queued." in page and "Recompute queued at" in page

    result = runner.invoke(args=["jobs", "run-due", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["jobs"]["run-requested-jobs"] == {"ran": 1, "failed": 0}
    (request,) = _requests(db_session)
    assert (request.status, request.finished_at, request.summary["customers"]) == ("finished", NOW, 1)
    page = browser.get("/staff/customers/review").get_data(as_text=True)
    assert "Last recompute on request finished at" in page and "customers: 1," in page


def test_a_second_click_while_queued_is_told_and_adds_nothing(browser, staff, db_session):
    browser.login(staff.manager)
    browser.post_form("/staff/customers/review", {}, action="/staff/customers/recompute")
    response = browser.post_form("/staff/customers/review", {}, action="/staff/customers/recompute",
                                 follow_redirects=True)
    assert "already queued or running" in response.get_data(as_text=True)
    assert len(_requests(db_session)) == 1


def test_agents_cannot_queue_a_recompute(browser, staff, db_session):
    browser.login(staff.agent)
    response = browser.post_form("/staff/customers/review", {}, action="/staff/customers/recompute")
    assert response.status_code == 403
    assert _requests(db_session) == []


def test_the_database_holds_one_open_request_per_job(app, db_session):
    job_requests.request_job(RECOMPUTE_SEGMENTS, now=NOW, staff_user_id=None)
    db_session.add(JobRequest(job=RECOMPUTE_SEGMENTS, status="queued", requested_at=NOW))
    with pytest.raises(IntegrityError):  # what the loser of two simultaneous clicks meets
        db_session.commit()
    db_session.rollback()
    request, created = job_requests.request_job(RECOMPUTE_SEGMENTS, now=NOW, staff_user_id=None)
    assert not created and request.status == "queued" and len(_requests(db_session)) == 1


def test_a_failing_job_is_recorded_and_a_dead_workers_request_is_taken_again(app, db_session, monkeypatch):
    from scheduling import registry

    def broken(now):
        raise RuntimeError("disk full")

    monkeypatch.setitem(registry.REQUESTABLE, RECOMPUTE_SEGMENTS, broken)
    job_requests.request_job(RECOMPUTE_SEGMENTS, now=NOW, staff_user_id=None)
    assert registry.run_requested_jobs(NOW) == {"ran": 0, "failed": 1}
    (failed,) = _requests(db_session)
    assert failed.status == "failed" and "disk full" in failed.error

    # A worker claimed the next request and died: its lease runs out, another worker takes it.
    request, created = job_requests.request_job(RECOMPUTE_SEGMENTS, now=NOW, staff_user_id=None)
    assert created
    lease = app.config["WORKER_LEASE_SECONDS"]
    assert job_requests.claim_requests(now=NOW, lease_seconds=lease) == [(request.id, RECOMPUTE_SEGMENTS)]
    assert job_requests.claim_requests(now=NOW + timedelta(seconds=lease - 1), lease_seconds=lease) == []
    later = NOW
    for _attempt in range(MAX_ATTEMPTS - 1):
        later += timedelta(seconds=lease + 1)
        assert job_requests.claim_requests(now=later, lease_seconds=lease) == [(request.id, RECOMPUTE_SEGMENTS)]
    later += timedelta(seconds=lease + 1)
    assert job_requests.claim_requests(now=later, lease_seconds=lease) == []
    gave_up = _requests(db_session)[-1]
    assert (gave_up.status, gave_up.attempts) == ("failed", MAX_ATTEMPTS) and "gave up" in gave_up.error
