"""Jobs a person asks for from a page ("recompute segments now"): a row the worker picks up.

A web request never runs a long job itself. It adds a request (`request_job`); the worker's
`run-requested-jobs` pass (scheduling.registry, also part of `jobs run-due`) claims it and runs
the scheduled job of that name; the page shows the row's state (`latest_request`): queued at … →
running since … → finished at … (or failed, with the reason).

At most one request per job is open (queued or running): a unique partial index makes a second
click — or two managers clicking at once — find the open request instead of adding one.
Claiming is like the outbox's: `FOR UPDATE SKIP LOCKED` on PostgreSQL and a lease, so a request
whose worker died is taken again once the lease has run out, at most `MAX_ATTEMPTS` times.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db

JOB_REQUEST_STATUSES = ("queued", "running", "finished", "failed")
OPEN_STATUSES = ("queued", "running")
MAX_ATTEMPTS = 3
_OPEN = sa.text("status IN ('queued', 'running')")


class JobRequest(db.Model):
    __tablename__ = "job_requests"
    __table_args__ = (
        Index("ix_job_requests_open_job", "job", unique=True, sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("ix_job_requests_job_requested", "job", "requested_at"),
        sa.CheckConstraint("status IN ('queued', 'running', 'finished', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60), nullable=False)  # a scheduled job's name
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued")
    requested_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    summary: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)  # what the job returned
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")


def open_request(job: str) -> JobRequest | None:
    return db.session.scalar(sa.select(JobRequest).where(JobRequest.job == job, JobRequest.status.in_(OPEN_STATUSES)))


def request_job(job: str, *, now: datetime, staff_user_id: int | None) -> tuple[JobRequest, bool]:
    """Queue `job` and commit; (the request, True) — or (the open one, False) when one is queued
    or running already."""
    existing = open_request(job)
    if existing is not None:
        return existing, False
    request = JobRequest(job=job, status="queued", requested_at=now, requested_by_id=staff_user_id)
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:  # another request won the race between the look and the insert
        db.session.rollback()
        return open_request(job), False
    db.session.commit()
    return request, True


def latest_request(job: str) -> JobRequest | None:
    return db.session.scalar(sa.select(JobRequest).where(JobRequest.job == job)
                             .order_by(JobRequest.requested_at.desc(), JobRequest.id.desc()).limit(1))


def claim_requests(*, now: datetime, lease_seconds: int, limit: int = 10) -> list[tuple[int, str]]:
    """(id, job) of the requests this worker now runs (status running, leased), committed. A
    running request whose lease has run out after `MAX_ATTEMPTS` attempts is marked failed."""
    stale = sa.and_(JobRequest.status == "running", JobRequest.lease_until < now)
    db.session.execute(sa.update(JobRequest).where(stale, JobRequest.attempts >= MAX_ATTEMPTS)
                       .values(status="failed", finished_at=now, lease_until=None,
                               error=f"gave up after {MAX_ATTEMPTS} attempts (the worker stopped each time)")
                       .execution_options(synchronize_session=False))
    due = sa.or_(JobRequest.status == "queued", stale)
    claimed = db.session.execute(
        sa.select(JobRequest.id, JobRequest.job).where(due).order_by(JobRequest.requested_at, JobRequest.id)
        .limit(limit).with_for_update(skip_locked=True)).all()
    if claimed:
        db.session.execute(
            sa.update(JobRequest).where(JobRequest.id.in_([request_id for request_id, _job in claimed]))
            .values(status="running", started_at=now, lease_until=now + timedelta(seconds=lease_seconds),
                    attempts=JobRequest.attempts + 1)
            .execution_options(synchronize_session=False))
    db.session.commit()
    return [(request_id, job) for request_id, job in claimed]


def finish_request(request_id: int, *, now: datetime, summary: dict | None = None, error: str = "") -> None:
    """Record the outcome (failed when `error` is given) and commit."""
    db.session.execute(sa.update(JobRequest).where(JobRequest.id == request_id)
                       .values(status="failed" if error else "finished", finished_at=now, lease_until=None,
                               summary=summary or {}, error=error[:2000])
                       .execution_options(synchronize_session=False))
    db.session.commit()
