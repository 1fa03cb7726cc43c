"""Two real worker processes (`flask --app wsgi jobs run-due`) share 2 000 due invitations on one
PostgreSQL database: every customer receives exactly one e-mail at the real SMTP server."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from notifications.models import OutboxMessage
from surveys.models import SurveyInvitation
from tests.support.surveys import seed_due_invitations

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2027, 1, 18, 10, 0)  # a Monday, inside everyone's default contact window
COUNT = 2000


# One worker pass as `jobs run-due` does it (same runner: app context, write intent), limited to
# the survey dispatch and the outbox delivery so other domains' jobs do not blur the figure.
WORKER = """
import json, sys
from datetime import datetime
from factory import create_app
from scheduling.registry import scheduled_jobs
from scheduling.runner import _run_job
app = create_app()
now = datetime.fromisoformat(sys.argv[1])
wanted = ("dispatch-survey-invitations", "deliver-outbox")
results = {job.name: _run_job(app, job, now) for job in scheduled_jobs(app.config) if job.name in wanted}
print(json.dumps({name: getattr(value, "__dict__", value) for name, value in results.items()}))
"""


@pytest.mark.postgresql  # SKIP LOCKED claiming by several worker processes
def test_two_workers_send_each_invitation_exactly_once(app, database_url, db_session, smtp_server, tmp_path):
    seed_due_invitations(db_session, COUNT, now=AT, period_days=app.config["RELATIONSHIP_SURVEY_PERIOD_DAYS"])
    env = {**os.environ, "DATABASE_URL": database_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port),
           "SECRET_KEY": app.config["SECRET_KEY"], "BASE_URL": "http://localhost", "INSTANCE_PATH": str(tmp_path),
           "WORKER_BATCH_SIZE": "50", "RATELIMIT_ENABLED": "0", "SCHEDULER_ENABLED": "0"}
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-c", WORKER, AT.isoformat()]
    workers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    # One worker can finish its delivery pass while the other still commits its last dispatched
    # batch; those rows stay queued for the next scheduler tick. Run that tick, as the clock would.
    next_tick = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers.append(next_tick)
    outputs.append(next_tick.communicate(timeout=300))
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-3000:]

    received = Counter(message["To"] for message in smtp_server.messages if message["List-Unsubscribe"])
    db_session.rollback()
    outbox = dict(db_session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    assert len(received) == COUNT, (outbox, [out[-400:] for out, _err in outputs], db_session.execute(
        select(OutboxMessage.status, OutboxMessage.last_error, OutboxMessage.attempts)
        .where(OutboxMessage.status != "sent").limit(3)).all())
    assert set(received.values()) == {1}
    db_session.rollback()
    statuses = dict(db_session.execute(select(SurveyInvitation.status, func.count()).group_by(SurveyInvitation.status)).all())
    assert statuses == {"sent": COUNT}
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")) == COUNT
    # The processes shared the work (SKIP LOCKED shares it rather than serialising it).
    shares = [json.loads(out.strip().splitlines()[-1]) for out, _err in outputs]
    assert sum(share["dispatch-survey-invitations"]["sent"] for share in shares) == COUNT
    assert sum(share["deliver-outbox"]["sent"] for share in shares) == COUNT
