"""Database glue that depends on the dialect: SQLite pragmas and write locking, row claiming."""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from sqlalchemy import Table, TextClause, bindparam, event, text
from sqlalchemy.engine import Engine
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


@contextmanager
def reading_only():
    """Transactions begun in this block only read (SQLite: a plain BEGIN, no write lock), even in
    a request that writes — for a lookup done before the write transaction (the complaint filing)."""
    token = _write_intent.set(False)
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




def one_of(column: str, values) -> str:
    """SQL `column IN ('a', 'b')` for a CHECK constraint or a partial index's WHERE, from a tuple
    of fixed words defined in the code (never user input)."""
    if not all(re.fullmatch(r"[a-z_]+", value) for value in values):
        raise ValueError(f"not plain lowercase words: {values!r}")
    return f"{column} IN ({', '.join(repr(value) for value in values)})"



def insert_unless_taken(connection, table: Table, given: dict, *, unique_column: str, returning: tuple[str, ...]):
    """INSERT one row of `table`, ON CONFLICT (`unique_column`) DO NOTHING RETURNING `returning`:
    the row back, or None when that value is taken (NULLs never conflict). A column `given` leaves
    out gets what a Core INSERT would give it: its Python default, else its server default or NULL."""
    values = dict(given)
    for column in table.c:
        if column.key not in values and column.default is not None and not column.primary_key:
            values[column.key] = column.default.arg(None) if column.default.is_callable else column.default.arg
    statement = _insert_unless_taken(table, tuple(values), unique_column, tuple(returning))
    return connection.execute(statement, values).first()


@lru_cache(maxsize=256)
def _insert_unless_taken(table: Table, columns: tuple[str, ...], unique_column: str,
                         returning: tuple[str, ...]) -> TextClause:
    """The same text on SQLite and PostgreSQL, with the columns' types on its binds. Text because
    SQLAlchemy cannot cache the compiled form of a dialect INSERT … ON CONFLICT (it would compile
    it on every execution); built once per table and set of columns, compiled once per dialect by
    the engine's cache."""
    names = [table.c[key].name for key in columns]
    sql = (f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(':' + key for key in columns)}) "
           f"ON CONFLICT ({unique_column}) DO NOTHING RETURNING {', '.join(table.c[key].name for key in returning)}")
    return text(sql).bindparams(*[bindparam(key, type_=table.c[key].type) for key in columns]).columns(
        *[table.c[key] for key in returning])
