"""Scheduled work of the customers package (listed in scheduling/registry.py)."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from customers.models import SegmentTransition
from customers.recompute import RecomputeResult, recompute_all
from customers.signals import ANNOUNCE_LIMIT, segment_changed, segments_recomputed
from extensions import db

log = logging.getLogger(__name__)

# The scheduled job's name; staff ask for a run of it from the quarterly review (a job request).
RECOMPUTE_SEGMENTS = "recompute-segments"


def announce(result: RecomputeResult, now: datetime) -> None:
    """Tell subscribers (webhooks, …) about the moves of this run, after they are committed."""
    app = current_app._get_current_object()
    segments_recomputed.send(app, now=now, customers=result.customers, transitions=result.transitions)
    if result.transitions > ANNOUNCE_LIMIT:
        log.warning("%d segment transitions at %s: announcing the first %d", result.transitions, now, ANNOUNCE_LIMIT)
    for customer_id, dimension, before, after in db.session.execute(
            select(SegmentTransition.customer_id, SegmentTransition.dimension, SegmentTransition.from_value,
                   SegmentTransition.to_value).where(SegmentTransition.changed_at == now)
            .order_by(SegmentTransition.id).limit(ANNOUNCE_LIMIT)):
        segment_changed.send(app, customer_id=customer_id, dimension=dimension, from_value=before, to_value=after,
                             now=now)
    db.session.commit()  # whatever receivers queued (webhook deliveries) commits here


def recompute_segments_job(now: datetime) -> dict:
    """Nightly: every customer's scores and segments, transitions recorded (set-based, a few statements)."""
    result = recompute_all(now, current_app.config)
    announce(result, now)
    return {"customers": result.customers, "transitions": result.transitions}
