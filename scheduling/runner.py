"""Run the registered jobs: once (`run_due`) or on APScheduler triggers (`start_scheduler`)."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from extensions import db
from operations.job_runs import beat, record_job_run
from platform_support.database import write_intent
from platform_support.clock import utcnow
from scheduling.registry import ScheduledJob, scheduled_jobs

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30


@dataclass(frozen=True)
class JobFailed:
    """What a job that raised left in the results of a pass (the others still ran)."""
    error: str


def run_due(app: Flask, now: datetime) -> dict[str, object]:
    """One pass of every job at `now` (the `jobs run-due` command). A job that fails is logged
    and reported as JobFailed; the jobs after it still run (the outbox is delivered even when
    a refresh before it failed)."""
    results: dict[str, object] = {}
    for job in scheduled_jobs(app.config):
        try:
            results[job.name] = _run_job(app, job, now)
        except Exception as exc:  # noqa: BLE001 - logged by _run_job; reported to the caller
            results[job.name] = JobFailed(f"{type(exc).__name__}: {exc}"[:500])
    heartbeat(app, now)
    return results


def failed_jobs(results: dict[str, object]) -> list[str]:
    return [name for name, result in results.items() if isinstance(result, JobFailed)]


def _run_job(app: Flask, job: ScheduledJob, now: datetime | None = None):
    """Run one job and record the run (duration, outcome) in job_runs, which /metrics reads."""
    now = now or utcnow()
    with app.app_context(), write_intent():
        started = time.perf_counter()
        error = None
        try:
            return job.run(now)
        except Exception as exc:
            db.session.rollback()
            error = f"{type(exc).__name__}: {exc}"
            log.exception("scheduled job %s failed", job.name)
            raise
        finally:
            db.session.remove()
            _record(job.name, now, time.perf_counter() - started, error)


def _record(name: str, now: datetime, duration: float, error: str | None) -> None:
    try:
        record_job_run(name, started_at=now, duration=duration, error=error)
    except Exception:  # noqa: BLE001 - a bookkeeping failure must not turn a job's result into a failure
        db.session.rollback()
        log.exception("could not record the run of job %s", name)
    finally:
        db.session.remove()


def heartbeat(app: Flask, now: datetime | None = None) -> None:
    """The worker's "still alive" row (/readyz); a failure is logged, the next beat tries again."""
    with app.app_context(), write_intent():
        try:
            beat(now or utcnow())
        except Exception:  # noqa: BLE001
            db.session.rollback()
            log.exception("could not write the worker heartbeat")
        finally:
            db.session.remove()


def _tick(app: Flask, job: ScheduledJob) -> None:
    try:
        _run_job(app, job)
    except Exception:  # noqa: BLE001 - logged; the next tick tries again
        pass


def build_scheduler(app: Flask, *, blocking: bool):
    scheduler = BlockingScheduler(timezone="UTC") if blocking else BackgroundScheduler(timezone="UTC", daemon=True)
    for job in scheduled_jobs(app.config):
        scheduler.add_job(_tick, job.trigger, args=(app, job), id=job.name, name=job.name,
                          max_instances=1, coalesce=True, replace_existing=True, **job.trigger_args)
    # Beats on its own clock (first at start-up), so a worker whose jobs all run hourly still shows alive.
    scheduler.add_job(heartbeat, "interval", args=(app,), id="worker-heartbeat", name="worker-heartbeat",
                      seconds=HEARTBEAT_SECONDS, next_run_time=datetime.now(timezone.utc), max_instances=1, coalesce=True,
                      replace_existing=True)
    return scheduler
