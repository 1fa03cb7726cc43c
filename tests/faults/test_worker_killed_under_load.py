"""Fault 1: gunicorn with 2 workers takes 16 concurrent complaint submissions while one worker is
killed with SIGKILL. Every submission that got a success answer is in the database, complete."""
from __future__ import annotations

import os
import signal
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from tests.faults import support

pytestmark = pytest.mark.slow

SUBMISSIONS = 64
CONCURRENCY = 16


def test_no_accepted_submission_is_lost_when_a_worker_dies(request, tmp_path):
    url = support.database(request, tmp_path)
    env = support.env_for(url, tmp_path / "instance")
    support.migrate(env)
    server = support.Gunicorn(env, workers=2, tmp_path=tmp_path)
    run = uuid.uuid4().hex[:8]
    answers: dict[int, tuple[int, dict | None]] = {}
    answered = threading.Event()
    lock = threading.Lock()

    def submit(n: int):
        body = {"name": f"Load {n}", "email": f"load{n}@example.com", "description": f"fault-1 {run} #{n}"}
        result = support.post_json(server.url + "/api/v1/complaints", body,
                                   headers={"Idempotency-Key": f"fault1-{run}-{n:04d}"})
        with lock:
            answers[n] = result
            if len(answers) >= CONCURRENCY:
                answered.set()
        return result

    killed = None
    try:
        workers_before = server.worker_pids()
        assert len(workers_before) == 2, workers_before
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            futures = [pool.submit(submit, n) for n in range(SUBMISSIONS)]
            answered.wait(timeout=60)  # a first wave is through: the rest is in flight
            killed = workers_before[0]
            os.kill(killed, signal.SIGKILL)
            for future in futures:
                future.result(timeout=120)
    finally:
        server.stop()

    accepted = {n: body["reference"] for n, (status, body) in answers.items() if status in (200, 201) and body}
    failed = [n for n, (status, _b) in answers.items() if status not in (200, 201)]
    assert all(status == 0 or status < 500 or status == 502 for status, _b in answers.values())
    db = support.engine(url)
    with db.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT c.reference, c.description, "
            " (SELECT count(*) FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'created') AS events, "
            " (SELECT count(*) FROM outbox_messages o WHERE o.complaint_id = c.id) AS mails "
            "FROM complaints c WHERE c.description LIKE :run"), {"run": f"fault-1 {run} #%"}).all()
    db.dispose()
    stored = {row.reference: row for row in rows}
    support.record("gunicorn-worker-killed", {
        "backend": url.split(":")[0], "tried": SUBMISSIONS, "accepted": len(accepted), "refused_or_reset": len(failed),
        "stored": len(stored), "killed_worker": killed})
    assert accepted, "no submission succeeded at all"
    missing = [ref for ref in accepted.values() if ref not in stored]
    assert not missing, f"accepted but not stored: {missing}"
    for n, reference in accepted.items():
        assert stored[reference].description == f"fault-1 {run} #{n}"
    # Nothing half-written: every stored complaint has its creation event and its acknowledgement.
    assert all(row.events == 1 and row.mails >= 1 for row in rows)
    # A retry with the same Idempotency-Key never creates a second complaint.
    assert len(stored) <= SUBMISSIONS
