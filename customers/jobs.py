"""Scheduled work of the customers package (listed in scheduling/registry.py)."""
from __future__ import annotations

from datetime import datetime

from flask import current_app

from customers.recompute import recompute_all
from customers.signals import segments_recomputed


def recompute_segments_job(now: datetime) -> dict:
    """Nightly: every customer's scores and segments, transitions recorded (set-based, a few statements)."""
    result = recompute_all(now, current_app.config)
    segments_recomputed.send(current_app._get_current_object(), now=now, customers=result.customers,
                             transitions=result.transitions)
    return {"customers": result.customers, "transitions": result.transitions}
