"""The IMAP poll (IMAPClient): fetch by UID above the committed cursor, process each message in
its own transaction (which also advances the cursor), then mark it \\Seen — never before, and
nothing is ever deleted.

A crash between fetch and commit leaves the cursor before the message: the next poll fetches it
again. A crash after the commit but before the flag leaves an unflagged message behind the
cursor: it is not fetched again, and the next poll flags it. A changed UIDVALIDITY (the folder was recreated)
starts the cursor from 0; the Message-IDs already stored make the old messages no-ops.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from flask import current_app
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from extensions import db
from inbound.ingest import Outcome, Position, ingest
from inbound.models import MailboxCursor
from platform_support.clock import utcnow

log = logging.getLogger(__name__)
FETCH_CHUNK = 20  # messages per FETCH: bounded memory with 25 MB messages


@dataclass
class PollReport:
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    error: str = ""

    def count(self, outcome: Outcome) -> None:
        self.outcomes[outcome.kind] = self.outcomes.get(outcome.kind, 0) + 1


def imap_configured() -> bool:
    return bool(current_app.config.get("IMAP_HOST"))


def _connect() -> IMAPClient:
    config = current_app.config
    client = IMAPClient(config["IMAP_HOST"], port=config["IMAP_PORT"], ssl=config["IMAP_SSL"],
                        timeout=config["IMAP_TIMEOUT"])
    client.login(config["IMAP_USERNAME"] or "", config["IMAP_PASSWORD"] or "")
    return client


def poll(*, now: datetime | None = None, limit: int | None = None,
         on_message: Callable[[int], None] | None = None) -> PollReport:
    """One pass over the folder. `on_message(uid)` runs after each message is committed (the
    worker logs with it)."""
    report = PollReport()
    if not imap_configured():
        return report
    folder = current_app.config["IMAP_FOLDER"]
    client = None
    try:
        client = _connect()
        selected = client.select_folder(folder)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        cursor = db.session.get(MailboxCursor, folder)
        last_uid = cursor.last_uid if cursor is not None and cursor.uidvalidity == uidvalidity else 0
        db.session.rollback()  # no transaction held open during the network traffic
        if last_uid:
            # Committed by an earlier poll that lost its connection before the flag: flag them now.
            committed = client.search(["UNSEEN", "UID", f"1:{last_uid}"])
            if committed:
                client.add_flags(committed, [b"\\Seen"])
        # "n:*" always names the highest message, even below n: keep only the new ones.
        uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
        if limit is not None:
            uids = uids[:limit]
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start:start + FETCH_CHUNK]
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            for uid in chunk:
                data = fetched.get(uid)
                if data is None:  # expunged meanwhile by someone else
                    continue
                raw = data.get(b"BODY[]") or b""
                report.fetched += 1
                outcome = ingest(raw, source="imap", now=now or utcnow(),
                                 position=Position(folder, uidvalidity, uid))
                report.count(outcome)
                client.add_flags([uid], [b"\\Seen"])  # only now: what it produced is committed
                if on_message is not None:
                    on_message(uid)
    except (IMAPClientError, OSError) as exc:  # the server went away: the next poll goes on from the cursor
        db.session.rollback()
        report.error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("IMAP poll stopped: %s", report.error)
    finally:
        if client is not None:
            try:
                client.logout()
            except Exception:  # noqa: BLE001 - the connection is going away anyway
                pass
    return report


def poll_job(now: datetime) -> PollReport:
    """The scheduled job: one poll at `now`."""
    return poll(now=now)
