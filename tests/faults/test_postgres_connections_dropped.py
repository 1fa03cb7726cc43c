"""Fault 4: PostgreSQL drops the app's connections (pg_terminate_backend) while gunicorn serves
submissions. Requests after the drop succeed (pool pre-ping reconnects) and nothing is
half-written (a complaint exists with its event and its e-mail, or not at all)."""
from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from tests.conftest import NO_POSTGRESQL
from tests.faults import support
from tests.support.external import missing

pytestmark = pytest.mark.slow

ROUNDS = 3
PER_ROUND = 16


def _terminate_app_connections(admin: sa.Engine, database: str) -> int:
    with admin.connect() as connection:
        return len(connection.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
            {"d": database}).all())


def test_requests_recover_after_connections_are_dropped(request, tmp_path):
    if not os.environ.get("TEST_DATABASE_URL"):
        missing(NO_POSTGRESQL)
    url = support.database(request, tmp_path)
    env = support.env_for(url, tmp_path / "instance")
    support.migrate(env)
    server = support.Gunicorn(env, workers=2, tmp_path=tmp_path)
    admin = sa.create_engine(sa.engine.make_url(url), isolation_level="AUTOCOMMIT")
    database = sa.engine.make_url(url).database
    run = uuid.uuid4().hex[:8]
    answers: dict[tuple[int, int], int] = {}
    lock = threading.Lock()
    terminated = 0
    after_drop: list[int] = []

    def submit(round_no: int, n: int):
        status, body = support.post_json(server.url + "/api/v1/complaints", {
            "name": f"Drop {n}", "email": f"drop{n}@example.com", "description": f"fault-4 {run} {round_no}/{n}"})
        with lock:
            answers[(round_no, n)] = status
        return status, body

    try:
        for round_no in range(ROUNDS):
            with ThreadPoolExecutor(8) as pool:
                futures = [pool.submit(submit, round_no, n) for n in range(PER_ROUND)]
                futures[PER_ROUND // 4].result(timeout=60)  # some are through, the rest in flight
                terminated += _terminate_app_connections(admin, database)  # pulled mid-run
                for future in futures:
                    future.result(timeout=60)
            # Between rounds: every pooled connection is dead; the next requests must still work.
            terminated += _terminate_app_connections(admin, database)
            after_drop.extend(submit(round_no, 1000 + k)[0] for k in range(4))
    finally:
        server.stop()

    with admin.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT c.description, "
            " (SELECT count(*) FROM complaint_events e WHERE e.complaint_id = c.id) AS events, "
            " (SELECT count(*) FROM outbox_messages o WHERE o.complaint_id = c.id) AS mails "
            "FROM complaints c WHERE c.description LIKE :run"), {"run": f"fault-4 {run} %"}).all()
    admin.dispose()
    accepted = sum(1 for status in answers.values() if status in (200, 201))
    support.record("postgres-connections-dropped", {
        "tried": len(answers), "accepted": accepted, "failed_in_flight": len(answers) - accepted,
        "stored": len(rows), "backends_terminated": terminated, "after_drop_ok": after_drop.count(201),
        "after_drop_tried": len(after_drop)})
    assert terminated > 0
    assert after_drop and all(status == 201 for status in after_drop), after_drop  # pre-ping recovered
    assert len(rows) >= accepted  # every success is stored (a request cut after commit may look failed)
    assert all(row.events >= 1 and row.mails >= 1 for row in rows), "a half-written complaint"
