"""Column helpers shared by the models of every domain."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column

from platform_support.clock import utcnow


def created_at_column() -> Mapped[datetime]:
    # A callable default: evaluated per row, never once at import.
    return mapped_column(DateTime, default=utcnow, nullable=False)
