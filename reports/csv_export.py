"""CSV writing that is safe to open in a spreadsheet and streams in constant memory.

A cell starting with = + - @ (or tab / carriage return, which some spreadsheets skip before
reading a formula) is prefixed with an apostrophe so it is shown as text, never evaluated
(OWASP "CSV injection"). Numbers are written as numbers, so negative amounts stay numeric.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Iterator

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value)
    if text.startswith(DANGEROUS_FIRST):
        return "'" + text
    return text


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """Yield the CSV text in chunks of about 500 rows (each chunk one string)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        count += 1
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()
