"""Prometheus metrics.

Two sources, so one scrape of any web process tells the whole story:
- request latency, measured in each web process (a prometheus-client Histogram). With several
  processes (gunicorn -w N) set PROMETHEUS_MULTIPROC_DIR to an empty directory shared by them:
  each process writes its samples there and a scrape of any one of them adds all up
  (prometheus-client's multiprocess mode).
- everything the worker does, read from the database at scrape time: outbox and survey backlog,
  job runs (job_runs, written by scheduling.runner) and worker heartbeats. Nothing to share
  between processes, and the figures survive restarts.
"""
from __future__ import annotations

import hmac
import ipaddress
import time
from datetime import datetime

from flask import Flask, Response, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import and_, func, or_, select

from extensions import db
from notifications.models import OutboxMessage
from operations.models import JobRun, WorkerHeartbeat
from surveys.models import SurveyInvitation

PREFIX = "complaint_care"
OPERATIONS_ENDPOINTS = ("operations.healthz", "operations.readyz", "operations.metrics")

REQUEST_LATENCY = Histogram(
    f"{PREFIX}_request_duration_seconds", "Time to answer an HTTP request, by endpoint.",
    ["endpoint", "method"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _observed(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None and request.endpoint not in OPERATIONS_ENDPOINTS:
        # The endpoint name, never the path: a path carries tokens and references (and is unbounded).
        REQUEST_LATENCY.labels(request.endpoint or "unmatched", request.method).observe(time.perf_counter() - started)
    return response


def register(app: Flask) -> None:
    app.before_request(_started)
    app.after_request(_observed)


def _timestamp(value: datetime | None) -> float | None:
    return None if value is None else (value - datetime(1970, 1, 1)).total_seconds()


class DatabaseCollector:
    """Backlog and worker figures, read from the database at `now` (the moment of the scrape)."""

    def __init__(self, now: datetime):
        self.now = now

    def collect(self):
        session = db.session
        outbox = dict(session.execute(select(OutboxMessage.status, func.count()).where(
            OutboxMessage.status.in_(("queued", "sending", "parked"))).group_by(OutboxMessage.status)).all())
        pending = GaugeMetricFamily(f"{PREFIX}_outbox_pending", "E-mails waiting to be delivered (queued or being sent).")
        pending.add_metric([], outbox.get("queued", 0) + outbox.get("sending", 0))
        yield pending
        parked = GaugeMetricFamily(f"{PREFIX}_outbox_parked", "E-mails given up on after every retry.")
        parked.add_metric([], outbox.get("parked", 0))
        yield parked

        due = session.scalar(select(func.count()).select_from(SurveyInvitation).where(or_(
            and_(SurveyInvitation.status == "scheduled", SurveyInvitation.due_at <= self.now),
            and_(SurveyInvitation.status == "sending", SurveyInvitation.lease_until < self.now))))
        invitations = GaugeMetricFamily(f"{PREFIX}_survey_invitations_due", "Survey invitations due and not yet sent.")
        invitations.add_metric([], due or 0)
        yield invitations

        runs = session.scalars(select(JobRun).order_by(JobRun.job_name)).all()
        durations = SummaryMetricFamily(f"{PREFIX}_job_duration_seconds", "Time taken by the runs of each job.",
                                        labels=["job"])
        last_duration = GaugeMetricFamily(f"{PREFIX}_job_last_duration_seconds", "Duration of the latest run.",
                                          labels=["job"])
        last_success = GaugeMetricFamily(f"{PREFIX}_job_last_success_timestamp_seconds",
                                         "When the latest successful run began (Unix time).", labels=["job"])
        failures = CounterMetricFamily(f"{PREFIX}_job_failures", "Runs that raised.", labels=["job"])
        for run in runs:
            durations.add_metric([run.job_name], run.runs_total, run.duration_seconds_total)
            last_duration.add_metric([run.job_name], run.last_duration_seconds)
            if run.last_success_at is not None:
                last_success.add_metric([run.job_name], _timestamp(run.last_success_at))
            failures.add_metric([run.job_name], run.failures_total)
        yield from (durations, last_duration, last_success, failures)

        heartbeat = GaugeMetricFamily(f"{PREFIX}_worker_last_heartbeat_timestamp_seconds",
                                      "When each worker process last said it was alive (Unix time).", labels=["worker"])
        for worker_id, beat_at in session.execute(select(WorkerHeartbeat.worker_id, WorkerHeartbeat.beat_at)
                                                  .order_by(WorkerHeartbeat.worker_id)).all():
            heartbeat.add_metric([worker_id], _timestamp(beat_at))
        yield heartbeat


def exposition(now: datetime, multiprocess_dir: str | None) -> tuple[bytes, str]:
    """The text a scrape gets: this process's (or all processes') request metrics + the database's."""
    if multiprocess_dir:
        from prometheus_client import multiprocess

        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry, path=multiprocess_dir)
    else:
        process_registry = REGISTRY
    database_registry = CollectorRegistry()
    database_registry.register(DatabaseCollector(now))
    return generate_latest(process_registry) + generate_latest(database_registry), CONTENT_TYPE_LATEST


def scrape_allowed(config, authorization: str | None, remote_addr: str | None) -> bool | None:
    """None: metrics are switched off (neither a token nor networks set); else whether this
    client may read them (the Bearer token, or an address inside METRICS_ALLOWED_NETWORKS)."""
    token, networks = config.get("METRICS_TOKEN"), config.get("METRICS_ALLOWED_NETWORKS") or ()
    if not token and not networks:
        return None
    if token and authorization and authorization.startswith("Bearer "):
        if hmac.compare_digest(authorization[7:].strip().encode(), token.encode()):
            return True
    if networks and remote_addr:
        try:
            address = ipaddress.ip_address(remote_addr)
        except ValueError:
            return False
        return any(address in network for network in networks)
    return False
