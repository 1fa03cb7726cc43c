"""The IMAP poll against a real Dovecot (tests/support/dovecot.py): messages appended over IMAP
are fetched by UID, processed once each, flagged only after their commit — and a worker killed
between fetch and commit, or a Dovecot restart in the middle of a poll, loses nothing and stores
nothing twice."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from complaints.models import Complaint, ComplaintEvent
from extensions import db
from inbound import mailbox
from inbound.models import InboundMessage, MailboxCursor
from notifications.models import OutboxMessage
from tests.support.clock import NOW
from tests.support.dovecot import DOVECOT, Dovecot
from tests.support.external import missing
from tests.support.inbound import message


@pytest.fixture
def dovecot():
    if not os.access(DOVECOT, os.X_OK):
        missing(f"{DOVECOT} is missing (apt-get install dovecot-imapd)")
    server = Dovecot()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def imap_app(app, dovecot):
    app.config.update(dovecot.app_settings())
    return app


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _complaints_from(n: int) -> list[bytes]:
    return [message(sender=f"Customer {i} <c{i}@customer.example>", message_id=f"<imap{i}@customer.example>",
                    text=f"Complaint number {i}: the parcel arrived damaged.") for i in range(n)]


def test_poll_fetches_by_uid_processes_once_and_flags_after_commit(imap_app, dovecot):
    dovecot.append(*_complaints_from(2))
    report = mailbox.poll(now=NOW)
    assert (report.fetched, report.outcomes, report.error) == (2, {"created": 2}, "")
    assert dovecot.flagged_seen() == 2
    cursor = db.session.get(MailboxCursor, "INBOX")
    assert cursor.last_uid == 2
    # A reply to the acknowledgement and an auto-reply arrive later.
    ack = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "complaint_acknowledgement")
                            .order_by(OutboxMessage.id))
    dovecot.append(message(text="Here is the photo.", in_reply_to=ack.message_id),
                   message(subject="Out of office", headers={"Auto-Submitted": "auto-replied"}))
    report = mailbox.poll(now=NOW)
    assert (report.fetched, report.outcomes) == (2, {"appended": 1, "ignored": 1})
    assert mailbox.poll(now=NOW).fetched == 0  # nothing new: nothing fetched again
    assert (_count(Complaint), _count(InboundMessage)) == (2, 4)


class WorkerKilled(BaseException):
    """The process dies: nothing after this point runs (not even `except Exception`)."""


def test_a_worker_killed_between_fetch_and_commit_loses_nothing_and_doubles_nothing(imap_app, dovecot, monkeypatch):
    dovecot.append(*_complaints_from(5))
    real_commit, commits = db.session.commit, []

    def dies_before_the_third_commit():
        commits.append(1)
        if len(commits) == 3:
            db.session.rollback()  # what a dead process's open transaction becomes
            raise WorkerKilled()
        real_commit()

    monkeypatch.setattr(db.session, "commit", dies_before_the_third_commit)
    with pytest.raises(WorkerKilled):
        mailbox.poll(now=NOW)
    monkeypatch.setattr(db.session, "commit", real_commit)
    assert (_count(Complaint), dovecot.flagged_seen()) == (2, 2)  # the third was fetched, not committed
    report = mailbox.poll(now=NOW)  # the restarted worker
    assert (report.fetched, report.outcomes) == (3, {"created": 3})
    assert (_count(Complaint), _count(InboundMessage), dovecot.flagged_seen()) == (5, 5, 5)
    assert _count(OutboxMessage) == 5  # one acknowledgement each, none twice


def test_a_dovecot_restart_mid_poll_loses_nothing_and_doubles_nothing(imap_app, dovecot):
    dovecot.append(*_complaints_from(4))
    restarted = []

    def restart_after_the_second(uid: int) -> None:
        if uid == 2 and not restarted:
            restarted.append(uid)
            dovecot.restart()  # the poll's connection is cut under it

    report = mailbox.poll(now=NOW, on_message=restart_after_the_second)
    # The third was already fetched (one FETCH for the batch) and is committed; flagging it failed.
    assert report.fetched == 3 and "socket error" in report.error
    assert dovecot.flagged_seen() == 2
    report = mailbox.poll(now=NOW)  # flags the third, fetches only the fourth
    assert (report.fetched, report.outcomes, report.error) == (1, {"created": 1}, "")
    assert (_count(Complaint), _count(InboundMessage), dovecot.flagged_seen()) == (4, 4, 4)


def test_a_new_uidvalidity_starts_over_and_the_message_ids_keep_it_exact(imap_app, dovecot):
    imap_app.config["IMAP_FOLDER"] = "Care"
    client = dovecot.client()
    client.create_folder("Care")
    client.logout()
    first = _complaints_from(2)
    dovecot.append(*first, folder="Care")
    assert mailbox.poll(now=NOW).outcomes == {"created": 2}
    client = dovecot.client()
    client.delete_folder("Care")  # recreated: new UIDVALIDITY, UIDs from 1 again
    client.create_folder("Care")
    client.logout()
    dovecot.append(*first, message(sender="late@customer.example", text="A third complaint, about the invoice."),
                   folder="Care")
    report = mailbox.poll(now=NOW)
    assert (report.fetched, report.outcomes) == (3, {"ignored": 2, "created": 1})
    assert _count(Complaint) == 3


def test_the_worker_polls_with_the_other_jobs(imap_app, dovecot, runner):
    dovecot.append(*_complaints_from(1))
    result = runner.invoke(args=["mail", "poll", "--now", "2027-01-15T09:00"])
    assert result.exit_code == 0 and result.output == "fetched 1: created 1\n"
    assert db.session.scalar(select(func.count()).select_from(ComplaintEvent)) == 1
