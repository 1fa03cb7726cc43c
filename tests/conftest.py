"""Fixtures: a real database per test (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
the Flask test client, staff accounts, and a real SMTP server (aiosmtpd) that records what arrives.

Each test session migrates its databases once with Alembic (so the migrations are what is
tested) and empties every table between tests. On PostgreSQL each session works in a database
of its own, so parallel runs on one server do not meet. A test marked `postgresql` runs on
PostgreSQL only. Test data (factories, the one NOW) lives in tests/support/.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from config import TestConfig
from tests.support.clock import NOW  # noqa: F401 — re-exported: older tests import it from here
from tests.support.external import in_ci, require_module
from tests.support.mail import ReceivedMail, free_port
from tests.support.staff import StaffAccounts
from tests.support.web import Browser, IsolatedClient, csrf_from  # noqa: F401 — re-exported

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
NO_POSTGRESQL = "needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pytest_configure(config):
    if in_ci() and "postgresql" not in BACKENDS:
        raise pytest.UsageError(f"CI=true runs every test on PostgreSQL too, but TEST_DATABASE_URL is not set ({NO_POSTGRESQL})")
    config.addinivalue_line("markers", "postgresql: needs PostgreSQL (row locks, SKIP LOCKED, its DDL); "
                                       "runs on the PostgreSQL backend only")


def pytest_collection_modifyitems(config, items):
    """A `postgresql` test is not collected for SQLite when PostgreSQL is there to run it; without
    TEST_DATABASE_URL it is skipped with the reason (CI=true without it is a usage error)."""
    keep, dropped = [], []
    for item in items:
        backend = getattr(item, "callspec", None) and item.callspec.params.get("database_url")
        if item.get_closest_marker("postgresql") and backend == "sqlite":
            if "postgresql" in BACKENDS:
                dropped.append(item)
                continue
            item.add_marker(pytest.mark.skip(reason=NO_POSTGRESQL))
        keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def _postgres_database(request) -> str:
    admin_url = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
    if admin_url.drivername == "postgresql":
        admin_url = admin_url.set(drivername="postgresql+psycopg")
    name = f"test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"),
                {"n": name})
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    request.addfinalizer(drop)
    return admin_url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """Pages and e-mails under test use the current translations: compile any .po newer than its
    .mo (the install step does the same; a plain `pytest` run does not go through it)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parent.parent / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalogue = read_po(source, locale=po.parent.parent.name)
            with mo.open("wb") as target:
                write_mo(target, catalogue)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """One migrated database per backend for the whole session."""
    if request.param == "postgresql":
        url = _postgres_database(request)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    from factory import create_app
    from flask_migrate import upgrade

    app = create_app(_settings(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        from extensions import db
        db.engine.dispose()
    return url


def _settings(url: str, instance: Path, **overrides) -> dict:
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=instance, **overrides)
    return settings


def _postgres_tables_in_use(connection, tables) -> list[str]:
    """Tables with rows or with an id sequence that has moved: one query finds the few a test
    touched (a TRUNCATE … RESTART IDENTITY CASCADE of all 35 tables took ~0.65 s per test)."""
    exists = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
    serial = _serial_columns(tables)
    moved = (f" UNION SELECT v.t FROM (VALUES {serial}) AS v(t, c) JOIN pg_sequences s"
             " ON s.schemaname || '.' || s.sequencename = pg_get_serial_sequence(v.t, v.c)"
             " WHERE s.last_value IS NOT NULL") if serial else ""
    return sorted(connection.execute(sa.text(exists + moved)).scalars())


def _serial_columns(tables, only=None) -> str:
    """`('table', 'column'), …` of the primary-key columns that may own an id sequence."""
    return ", ".join(f"('{t.name}', '{c.name}')" for t in tables for c in t.primary_key.columns
                     if (only is None or t.name in only) and isinstance(c.type, sa.Integer)
                     and len(t.primary_key.columns) == 1)


def _empty_all_tables(db) -> None:
    from complaints import reference_data

    tables = [t for t in db.metadata.sorted_tables]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Same end state as TRUNCATE … RESTART IDENTITY of every table (empty, ids from 1), but
            # a DELETE of the few tables in use is cheap where TRUNCATE costs file operations.
            in_use = set(_postgres_tables_in_use(connection, tables))
            for table in reversed(tables):
                if table.name in in_use:
                    connection.execute(table.delete())
            serial = _serial_columns(tables, in_use)
            if serial:
                connection.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence(v.t, v.c), 1, false) FROM (VALUES {serial}) AS v(t, c)"
                    " WHERE pg_get_serial_sequence(v.t, v.c) IS NOT NULL"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())
        # Deleting complaints made their count triggers append −1 deltas (complaints/status_counts.py),
        # whatever order the loop emptied the counter tables in.
        for name in ("complaint_count_deltas", "complaint_counts"):
            connection.execute(db.metadata.tables[name].delete())
        reference_data.install(connection)


@pytest.fixture
def app_settings() -> dict:
    """Override in a test module (or parametrize) to change configuration for its apps."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_settings):
    from extensions import db
    from factory import create_app

    app = create_app(_settings(database_url, tmp_path / "instance", **app_settings))
    with app.app_context():
        _empty_all_tables(db)
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    ctx.pop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    from extensions import db
    return db.session


@pytest.fixture
def staff(app) -> StaffAccounts:
    return StaffAccounts()


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1; `.messages` holds what arrived (email.message objects)."""
    aiosmtpd = require_module("aiosmtpd.controller", "aiosmtpd is not installed (pip install .[test])")
    handler = ReceivedMail()
    handler.port = free_port()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def mail_app(app, smtp_server):
    """The app pointed at the test SMTP server."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    return app
