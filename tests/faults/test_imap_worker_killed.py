"""The IMAP poll as real processes (issue 15): a worker process SIGKILLed between fetching a
message and committing what it produced, then Dovecot restarted, then a fresh `flask mail poll`:
every message stored once, every complaint opened once, every acknowledgement queued once, every
message flagged \\Seen — nothing lost, nothing doubled. (tests/services/test_inbound_imap.py has
the in-process versions: a commit that never happens, Dovecot restarted mid-poll.)"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from tests.faults.support import ROOT, database, env_for, flask, migrate
from tests.support.dovecot import DOVECOT, Dovecot
from tests.support.external import missing
from tests.support.inbound import message

MESSAGES = 6
# The worker: the real poll, killed by SIGKILL when it is about to commit the third message.
KILLED_WORKER = textwrap.dedent("""
    import os, signal
    from factory import create_app
    from extensions import db
    from inbound import mailbox

    app = create_app()
    with app.app_context():
        real_commit, commits = db.session.commit, []
        def commit():
            commits.append(1)
            if len(commits) == 3:
                os.kill(os.getpid(), signal.SIGKILL)  # fetched, processed, not committed
            real_commit()
        db.session.commit = commit
        mailbox.poll()
""")


@pytest.fixture
def dovecot():
    if not os.access(DOVECOT, os.X_OK):
        missing(f"{DOVECOT} is missing (apt-get install dovecot-imapd)")
    server = Dovecot()
    server.start()
    yield server
    server.remove()


def _counts(url: str) -> tuple[int, int, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return tuple(connection.execute(sa.text(query)).scalar() for query in (
                "SELECT COUNT(*) FROM complaints", "SELECT COUNT(*) FROM inbound_messages",
                "SELECT COUNT(*) FROM outbox_messages WHERE kind = 'complaint_acknowledgement'"))
    finally:
        engine.dispose()


def test_a_killed_worker_and_a_dovecot_restart_lose_nothing_and_double_nothing(request, tmp_path, dovecot):
    url = database(request, tmp_path)
    env = env_for(url, tmp_path / "instance", **{k: v for k, v in dovecot.app_settings().items()})
    migrate(env)
    dovecot.append(*[message(sender=f"Customer {i} <c{i}@customer.example>", message_id=f"<kill{i}@customer.example>",
                             text=f"Complaint number {i}: the parcel arrived damaged.") for i in range(MESSAGES)])

    killed = subprocess.run([sys.executable, "-c", KILLED_WORKER], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr[-2000:]
    complaints, stored, acknowledged = _counts(url)
    assert 0 < complaints < MESSAGES  # the kill came in the middle
    assert (stored, acknowledged, dovecot.flagged_seen()) == (complaints, complaints, complaints)

    dovecot.restart()  # the mail server goes away and comes back between the two workers
    again = flask(env, "mail", "poll")
    assert again.returncode == 0, again.stderr[-2000:]
    assert _counts(url) == (MESSAGES, MESSAGES, MESSAGES)
    assert dovecot.flagged_seen() == MESSAGES
    once_more = flask(env, "mail", "poll")  # nothing new: nothing done twice
    assert once_more.returncode == 0, once_more.stderr[-2000:]
    assert _counts(url) == (MESSAGES, MESSAGES, MESSAGES)
