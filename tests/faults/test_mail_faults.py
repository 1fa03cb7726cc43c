"""Faults 2 and 3, with real processes: `flask jobs run-due --now …` passes against a real SMTP
server (aiosmtpd) that is stopped and restarted, and a worker SIGKILLed between claiming and
sending. Time moves only through `--now`: nothing sleeps on the wall clock."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.faults import support
from tests.support.external import require_module

pytestmark = pytest.mark.slow
T0 = datetime(2027, 3, 1, 9, 0)


class Smtp:
    """aiosmtpd on a fixed port that can be stopped and started again; counts by Message-ID."""

    def __init__(self):
        self.controller_cls = require_module("aiosmtpd.controller", "aiosmtpd is not installed (pip install .[test])").Controller
        self.port = support.free_port()
        self.message_ids: list[str] = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's naming
        import email
        from email import policy
        self.message_ids.append(email.message_from_bytes(envelope.content, policy=policy.default)["Message-ID"])
        return "250 OK"

    def start(self):
        self.controller = self.controller_cls(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_setup(request, tmp_path):
    url = support.database(request, tmp_path)
    smtp = Smtp()
    env = support.env_for(url, tmp_path / "instance", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TIMEOUT=5)
    support.migrate(env)
    yield url, env, smtp
    smtp.stop()


def queue_complaints(env: dict, count: int, now: datetime, tag: str) -> None:
    """File complaints in a separate process (each queues one acknowledgement e-mail)."""
    script = textwrap.dedent(f"""
        from datetime import datetime
        from factory import create_app
        from platform_support.database import write_intent
        from complaints import filing
        app = create_app()
        with app.app_context(), write_intent():
            for n in range({count}):
                filing.file_complaint(filing.NewComplaint(name="Mail " + str(n), email=f"mail{{n}}@example.com",
                    description="{tag} #" + str(n)), now=datetime.fromisoformat("{now.isoformat()}"))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=support.ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def run_due(env: dict, now: datetime) -> None:
    result = support.flask(env, "jobs", "run-due", "--now", now.isoformat())
    assert result.returncode == 0, result.stderr[-2000:]


def outbox(url: str) -> list:
    db = support.engine(url)
    with db.connect() as connection:
        rows = connection.execute(sa.text("SELECT message_id, status, attempts FROM outbox_messages ORDER BY id")).all()
    db.dispose()
    return rows


def test_smtp_outage_every_mail_arrives_once(mail_setup):
    url, env, smtp = mail_setup
    smtp.start()
    queue_complaints(env, 5, T0, "before the outage")
    run_due(env, T0)
    assert len(smtp.message_ids) == 5

    smtp.stop()  # the relay goes away
    queue_complaints(env, 10, T0 + timedelta(minutes=1), "during the outage")
    run_due(env, T0 + timedelta(minutes=1))  # every attempt fails: queued again with backoff
    run_due(env, T0 + timedelta(minutes=1, seconds=30))  # not due yet: nothing is tried
    assert {row.status for row in outbox(url)} == {"sent", "queued"}

    smtp.start()  # the relay is back
    run_due(env, T0 + timedelta(minutes=1, seconds=59))  # still backing off
    assert len(smtp.message_ids) == 5
    run_due(env, T0 + timedelta(minutes=2, seconds=1))
    run_due(env, T0 + timedelta(minutes=10))  # a later pass sends nothing again

    rows = outbox(url)
    queued = len(rows)
    delivered = len(set(smtp.message_ids))
    duplicated = len(smtp.message_ids) - delivered
    support.record("smtp-outage", {"backend": url.split(":")[0], "queued": queued, "delivered": delivered,
                                   "duplicated": duplicated, "attempts_max": max(r.attempts for r in rows)})
    assert queued == 15 and delivered == 15 and duplicated == 0
    assert set(smtp.message_ids) == {r.message_id for r in rows}
    assert all(r.status == "sent" for r in rows)


def test_worker_killed_after_claiming_delivers_after_the_lease(mail_setup):
    url, env, smtp = mail_setup
    smtp.start()
    queue_complaints(env, 3, T0, "claimed by a dying worker")
    script = textwrap.dedent(f"""
        import os, signal
        from datetime import datetime
        from factory import create_app
        from notifications.delivery import claim_due
        from platform_support.database import write_intent
        app = create_app()
        with app.app_context(), write_intent():
            ids = claim_due(now=datetime.fromisoformat("{T0.isoformat()}"), limit=100, lease_seconds=300)
            assert len(ids) == 3, ids
        os.kill(os.getpid(), signal.SIGKILL)  # dies between claiming and sending
    """)
    dying = subprocess.run([sys.executable, "-c", script], cwd=support.ROOT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert dying.returncode == -9, dying.stderr[-2000:]
    assert {r.status for r in outbox(url)} == {"sending"}

    run_due(env, T0 + timedelta(seconds=10))  # the lease still holds: another worker keeps off
    assert smtp.message_ids == []
    run_due(env, T0 + timedelta(seconds=301))  # lease expired: taken over and sent
    run_due(env, T0 + timedelta(hours=1))
    rows = outbox(url)
    support.record("worker-killed-after-claim", {"backend": url.split(":")[0], "queued": len(rows),
                                                 "delivered": len(set(smtp.message_ids)),
                                                 "duplicated": len(smtp.message_ids) - len(set(smtp.message_ids))})
    assert sorted(smtp.message_ids) == sorted(r.message_id for r in rows)
    assert all(r.status == "sent" and r.attempts == 2 for r in rows)
