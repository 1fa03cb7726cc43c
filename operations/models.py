"""Rows the worker writes so every web process can answer for it: one per job, one per worker."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db


class JobRun(db.Model):
    """The latest run of one scheduled job and running totals (what /metrics shows)."""
    __tablename__ = "job_runs"

    job_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_duration_seconds: Mapped[float] = mapped_column(Float, nullable=False)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    runs_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failures_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    duration_seconds_total: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)


class WorkerHeartbeat(db.Model):
    """Written by each worker process every pass; /readyz says when the newest one is old."""
    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(200), primary_key=True)  # host:pid
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    beat_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
