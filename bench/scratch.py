"""A scratch PostgreSQL database for one benchmark run, dropped afterwards (also on failure).

    url, drop = scratch_postgres(admin_url, "bench_ops")
    try: ... finally: drop()
"""
from __future__ import annotations

import uuid
from pathlib import Path


def scratch_postgres(url: str, prefix: str):
    """(URL of a new empty database on the server of `url`, a function that drops it)."""
    import sqlalchemy as sa

    admin_url = sa.engine.make_url(url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def scratch_database(url: str | None, directory: Path, prefix: str):
    """A scratch PostgreSQL database when `url` is given, else a SQLite file in `directory`."""
    if not url:
        return f"sqlite:///{directory / 'bench.sqlite3'}", lambda: None
    return scratch_postgres(url, prefix)
