"""Run the registered jobs: once (`run_due`) or on APScheduler triggers (`start_scheduler`)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from extensions import db
from platform_support.database import write_intent
from platform_support.clock import utcnow
from scheduling.registry import ScheduledJob, scheduled_jobs

log = logging.getLogger(__name__)


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
    return results


def failed_jobs(results: dict[str, object]) -> list[str]:
    return [name for name, result in results.items() if isinstance(result, JobFailed)]


def _run_job(app: Flask, job: ScheduledJob, now: datetime | None = None):
    with app.app_context(), write_intent():
        try:
            return job.run(now or utcnow())
        except Exception:
            db.session.rollback()
            log.exception("scheduled job %s failed", job.name)
            raise
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
    return scheduler
