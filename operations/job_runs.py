"""Recording job runs and worker heartbeats (called by scheduling.runner, in transactions of their own)."""
from __future__ import annotations

import logging
import os
import socket
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from operations.models import JobRun, WorkerHeartbeat

log = logging.getLogger("complaint_care.jobs")

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"[:200]


def _upsert(model, values: dict, index: str, update: dict):
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values)
    return statement.on_conflict_do_update(index_elements=[index], set_=update)


def record_job_run(name: str, *, started_at: datetime, duration: float, error: str | None = None) -> None:
    """Note one run of `name` that began at `started_at` (the job's `now`) and took `duration` s."""
    failed = error is not None
    table = JobRun.__table__
    first = {"job_name": name, "last_started_at": started_at, "last_duration_seconds": duration,
             "last_success_at": None if failed else started_at, "last_failure_at": started_at if failed else None,
             "last_error": (error or "")[:2000], "runs_total": 1, "failures_total": int(failed),
             "duration_seconds_total": duration}
    later = {"last_started_at": started_at, "last_duration_seconds": duration,
             "runs_total": table.c.runs_total + 1, "failures_total": table.c.failures_total + int(failed),
             "duration_seconds_total": table.c.duration_seconds_total + duration}
    later.update({"last_failure_at": started_at, "last_error": first["last_error"]} if failed
                 else {"last_success_at": started_at})
    db.session.execute(_upsert(JobRun, first, "job_name", later))
    db.session.commit()
    log.log(logging.ERROR if failed else logging.INFO, "job %s %s in %.3f s", name,
            "failed" if failed else "finished", duration,
            extra={"job": name, "duration_seconds": round(duration, 6), "outcome": "failure" if failed else "success"})


def beat(now: datetime, worker_id: str = WORKER_ID) -> None:
    """The worker is alive at `now`."""
    db.session.execute(_upsert(WorkerHeartbeat, {"worker_id": worker_id, "started_at": now, "beat_at": now},
                               "worker_id", {"beat_at": now}))
    db.session.commit()


def latest_heartbeat() -> datetime | None:
    return db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
