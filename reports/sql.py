"""Dialect-aware SQL expressions for grouping dates by week and month (SQLite and PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import Date, Integer, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class week_start(FunctionElement):
    """Monday of the week containing a date column."""
    type = Date()
    inherit_cache = True
    name = "week_start"


class month_start(FunctionElement):
    """First day of the month containing a date column."""
    type = Date()
    inherit_cache = True
    name = "month_start"


@compiles(week_start)
def _week_sqlite(element, compiler, **kw):
    # Going back six days and then forward to the next Monday lands on this week's Monday.
    return f"date({compiler.process(element.clauses, **kw)}, '-6 days', 'weekday 1')"


@compiles(month_start)
def _month_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(week_start, "postgresql")
def _week_pg(element, compiler, **kw):
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "postgresql")
def _month_pg(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


def period_start(column, period: str):
    return month_start(column) if period == "month" else week_start(column)


def day_of(column):
    """The calendar date of a timestamp column."""
    return func.date(column)


class hours_between(FunctionElement):
    """Whole hours from the first timestamp to the second."""
    type = Integer()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between)
def _hours_sqlite(element, compiler, **kw):
    start, end = [compiler.process(c, **kw) for c in element.clauses]
    return f"CAST((julianday({end}) - julianday({start})) * 24 AS INTEGER)"


@compiles(hours_between, "postgresql")
def _hours_pg(element, compiler, **kw):
    start, end = [compiler.process(c, **kw) for c in element.clauses]
    return f"CAST(floor(extract(epoch from ({end} - {start})) / 3600) AS INTEGER)"
