"""One outbox row written with one prepared Core INSERT on the caller's connection, for a hot path
that renders its e-mail before its write transaction and must keep that transaction short (the
filing of a complaint): no ORM object, no flush. The row comes from `services.outbox_values`, as
for `services.queue_many` (which inserts a batch job's rows through the session)."""
from __future__ import annotations

from notifications.models import OutboxMessage

_INSERT = OutboxMessage.__table__.insert()


def insert(connection, values: dict) -> None:
    """Add the row (no dedupe key: the caller knows the message is new) to the caller's transaction."""
    connection.execute(_INSERT, values)
