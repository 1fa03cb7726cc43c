"""Named locks that keep a piece of work from overlapping itself across processes.

On PostgreSQL a transaction-scoped advisory lock: a second caller waits until the first commits
or rolls back, then runs on the committed result (no duplicate-key races between two refreshes
or two workers). On SQLite every writer already holds the database's one write lock
(`BEGIN IMMEDIATE`, see platform_support.database), so there is nothing more to take.
"""
from __future__ import annotations

import hashlib

import sqlalchemy as sa


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (pg_advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def hold_for_transaction(session, name: str) -> None:
    """Wait for, then hold until the end of the current transaction, the lock called `name`."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
