"""/healthz, /readyz, /metrics: for load balancers, orchestrators and Prometheus, not people.
Cheap, no session, no rate limit; none of them is part of the /api/v1 contract."""
from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import text

from extensions import csrf, db
from operations import metrics
from operations.job_runs import latest_heartbeat
from platform_support.clock import utcnow

blueprint = Blueprint("operations", __name__)
csrf.exempt(blueprint)


@blueprint.get("/healthz")
def healthz():
    """The process runs and answers; nothing else is checked (that is /readyz)."""
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz():
    """Ready when the database answers (else 503). The worker's heartbeat is reported, not
    required: a web process can serve while the worker is down, but the operator should know."""
    now = utcnow()
    checks: dict[str, dict] = {}
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = {"status": "ok", "duration_ms": round((time.perf_counter() - started) * 1000, 2)}
        checks["worker"] = _worker_check(now)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database means "not ready"
        db.session.rollback()
        current_app.logger.warning("readiness: database unreachable: %s", exc)
        checks["database"] = {"status": "unavailable", "error": type(exc).__name__}
    ready = checks["database"]["status"] == "ok"
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def _worker_check(now) -> dict:
    stale_after = current_app.config["WORKER_HEARTBEAT_STALE_SECONDS"]
    last = latest_heartbeat()
    if last is None:
        return {"status": "never_seen", "detail": "no worker has written a heartbeat yet"}
    age = (now - last).total_seconds()
    status = "stale" if age > stale_after else "ok"
    answer = {"status": status, "last_heartbeat": last.isoformat() + "Z", "age_seconds": round(age)}
    if status == "stale":
        answer["detail"] = f"the newest worker heartbeat is older than {stale_after} s: is the worker running?"
    return answer


@blueprint.get("/metrics", endpoint="metrics")
def metrics_view():
    allowed = metrics.scrape_allowed(current_app.config, request.headers.get("Authorization"), request.remote_addr)
    if allowed is None:
        abort(404)  # not configured: as if there were no such page
    if not allowed:
        abort(403)
    body, content_type = metrics.exposition(utcnow(), current_app.config.get("PROMETHEUS_MULTIPROC_DIR"))
    return current_app.response_class(body, content_type=content_type, headers={"Cache-Control": "no-store"})
