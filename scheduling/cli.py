"""`flask worker` (production clock) and `flask jobs run-due --now` (one pass)."""
from __future__ import annotations

import json
import signal

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from platform_support.clock import cli_now
from scheduling.runner import build_scheduler, failed_jobs, run_due

jobs_cli = AppGroup("jobs", help="Scheduled work.")


@jobs_cli.command("run-due")
@click.option("--now", "now_text", default=None, help="ISO-8601 moment to act at (default: now).")
@with_appcontext
def run_due_command(now_text: str | None) -> None:
    """Do, once, everything due at that moment, then exit."""
    now = cli_now(now_text)
    results = run_due(current_app._get_current_object(), now)
    click.echo(json.dumps({"now": now.isoformat(), "jobs": {k: _plain(v) for k, v in results.items()}}, indent=2))
    failed = failed_jobs(results)
    if failed:
        # Every job ran; the exit code tells a cron wrapper or CI that some of them failed.
        click.echo(f"failed jobs: {', '.join(failed)}", err=True)
        raise SystemExit(1)


def _plain(value):
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    return value


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run the scheduler in the foreground (production: one or more of these beside gunicorn)."""
    app = current_app._get_current_object()
    scheduler = build_scheduler(app, blocking=True)
    click.echo(f"worker started with jobs: {', '.join(job.id for job in scheduler.get_jobs())}")

    def stop(signum, frame):
        raise SystemExit(0)

    # A supervisor's SIGTERM stops the clock but lets a running job finish (its commit, its log line):
    # killed between the two, a job would be recorded without a trace in the log.
    signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
