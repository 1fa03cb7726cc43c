"""Database glue that depends on the dialect: SQLite pragmas and write locking, row claiming."""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

# Set for work that will write (unsafe HTTP methods, scheduled jobs, CLI commands).
_write_intent: ContextVar[bool] = ContextVar("sqlite_write_intent", default=False)


def declare_write_intent():
    """The transactions that follow in this context will write: take SQLite's write lock at BEGIN.
    Returns a token for `end_write_intent` (a request resets it in teardown)."""
    return _write_intent.set(True)


def end_write_intent(token) -> None:
    _write_intent.reset(token)


@contextmanager
def write_intent():
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE so a write transaction never fails half-way.

    pysqlite's own transaction handling is switched off (isolation_level=None) and we emit BEGIN
    ourselves, as SQLAlchemy's documentation recommends. A transaction declared as writing
    (`declare_write_intent`: POST/PUT/PATCH/DELETE requests, jobs, CLI) starts with BEGIN
    IMMEDIATE, taking the write lock first, so concurrent writers queue on the busy timeout
    instead of failing at their first write after a read (SQLITE_BUSY_SNAPSHOT). Reads start a
    plain deferred transaction and never block writers (WAL).
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Straight on the driver (as exec_driver_sql would send it, without its ~40 µs of Python:
        # every write request pays this once).
        statement = "BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN"
        driver = connection.connection.driver_connection
        try:
            driver.execute(statement)
        except engine.dialect.loaded_dbapi.Error as error:  # e.g. "database is locked": as SQLAlchemy raises it
            raise DBAPIError.instance(statement, (), error, engine.dialect.loaded_dbapi.Error,
                                      dialect=engine.dialect) from error


def is_postgresql(engine_or_session) -> bool:
    bind = getattr(engine_or_session, "bind", None) or engine_or_session
    return bind.dialect.name == "postgresql"


class DriverConnection(NamedTuple):
    dialect: object
    dbapi_connection: object


@contextmanager
def driver_connection(engine: Engine):
    """A pooled DBAPI connection outside any SQLAlchemy transaction, for `DriverStatement`s. On
    SQLite (autocommit, see `configure_sqlite`) each statement is its own read: no BEGIN, no lock."""
    raw = engine.raw_connection()
    try:
        yield DriverConnection(engine.dialect, raw)
    finally:
        raw.close()


def one_of(column: str, values) -> str:
    """SQL `column IN ('a', 'b')` for a CHECK constraint or a partial index's WHERE, from a tuple
    of fixed words defined in the code (never user input)."""
    if not all(re.fullmatch(r"[a-z_]+", value) for value in values):
        raise ValueError(f"not plain lowercase words: {values!r}")
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def insert_columns(table) -> tuple[str, ...]:
    """Every column of `table` but its generated key: what an INSERT `DriverStatement` is compiled
    for (the caller gives them all, so a column added to the model fails loudly until it does)."""
    return tuple(column.name for column in table.c if not column.primary_key)


class DriverStatement:
    """A Core statement compiled once per dialect and run straight on the DBAPI cursor of the
    caller's connection, in that connection's transaction.

    For the few statements of the hottest path (a public complaint: lookup and INSERTs). A
    SQLAlchemy execution of even a cached statement spends 40–60 µs of Python (cache key,
    execution context, result wrapper) — more than SQLite needs to run a small INSERT; here it is a
    few µs. Values go through the column types' own bind processors, as SQLAlchemy would send them
    (SQLite datetimes as text, JSON serialised), so the ORM reads the rows back exactly the same.
    Result columns come back as the driver gives them: select only plain types (ints, text).

    An INSERT is compiled for exactly `columns`; every bind must be supplied by the caller (no
    Python-side defaults are applied here). Driver errors are raised as SQLAlchemy's exceptions
    (e.g. `sqlalchemy.exc.IntegrityError`), like any other execution.
    """

    def __init__(self, statement, columns: tuple[str, ...] | list[str] | None = None):
        self.statement = statement
        self.columns = list(columns) if columns else None
        self._plans: dict = {}

    def _plan(self, dialect):
        plan = self._plans.get(dialect)
        if plan is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.columns)
            if compiled.literal_execute_params or any(bind.expanding for bind in compiled.binds.values()):
                raise ValueError("DriverStatement takes plain binds only (no IN lists)")
            names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
            steps = []
            for name in names:
                bind = compiled.binds[name]
                processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
                # Binds the statement carries its own value for (literals); None: the caller's.
                fixed = bind.value if (bind.value is not None and not bind.required) else None
                if fixed is not None and processor is not None:
                    fixed = processor(fixed)
                steps.append((name, processor, fixed))
            plan = self._plans[dialect] = (compiled.string, compiled.positional, tuple(steps))
        return plan

    def _run(self, connection, values: dict):
        """The cursor after executing with `values` on a SQLAlchemy Connection or a
        `DriverConnection` (from `driver_connection`)."""
        if isinstance(connection, Connection):
            dialect, dbapi_connection = connection.dialect, connection.connection
        else:
            dialect, dbapi_connection = connection
        sql, positional, steps = self._plan(dialect)
        if positional:
            params = tuple(fixed if fixed is not None else (processor(values[name]) if processor else values[name])
                           for name, processor, fixed in steps)
        else:
            params = {name: fixed if fixed is not None else (processor(values[name]) if processor else values[name])
                      for name, processor, fixed in steps}
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(sql, params)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
        return cursor

    def run(self, connection, values: dict) -> None:
        self._run(connection, values).close()

    def first(self, connection, values: dict) -> tuple | None:
        """The first row (the rest are read and dropped: SQLite finishes a statement only then)."""
        cursor = self._run(connection, values)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return rows[0] if rows else None

    def scalar(self, connection, values: dict):
        row = self.first(connection, values)
        return None if row is None else row[0]
