"""The dashboard's filters (date range, segment, root cause, owner) and who may use which.

Agents see their own part: the complaint charts restricted to complaints they own. Managers
and admins see everything and may filter by any owner.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from platform_support.parsing import bounded_date, bounded_int
from platform_support.errors import ServiceError
from reports.segment_queries import parse_segment
from staff.models import StaffUser

DEFAULT_DAYS = 365
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class ReportFilter:
    start: date
    end: date  # inclusive
    segment: str | None = None  # "<segmentation>:<value>", e.g. "abc:A"
    root_cause: str | None = None  # root-cause code
    owner_id: int | None = None
    period: str = "month"  # or "week" for satisfaction over time
    category: str | None = None  # intake category code (complaints.classification), or "none"
    tag: str | None = None
    field: str | None = None  # a custom field's code …
    field_value: str | None = None  # … and its value (empty: filled in at all)

    @property
    def is_classified(self) -> bool:
        """Narrowed by category, tag or custom field: counted live (the rollups do not have them)."""
        return bool(self.category or self.tag or self.field)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time())

    @property
    def end_at(self) -> datetime:
        """Exclusive upper bound."""
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time())

    @property
    def is_narrowed(self) -> bool:
        return bool(self.segment or self.root_cause or self.owner_id or self.is_classified)

    def query_args(self) -> dict:
        args = {"from": self.start.isoformat(), "to": self.end.isoformat(), "period": self.period}
        if self.segment:
            args["segment"] = self.segment
        if self.root_cause:
            args["root_cause"] = self.root_cause
        if self.owner_id:
            args["owner"] = str(self.owner_id)
        for name in ("category", "tag", "field", "field_value"):
            if getattr(self, name):
                args[name] = getattr(self, name)
        return args


def _parse_date(raw: str | None, field: str) -> date | None:
    if not raw:
        return None
    try:
        return bounded_date(raw)
    except ValueError:
        message = _("Enter a date as YYYY-MM-DD.")
        raise ServiceError(message, {field: [message]}) from None


def parse_filter(args, *, actor: StaffUser, now: datetime) -> ReportFilter:
    """Read the filter from query arguments; refuse nonsense with a clear message."""
    end = _parse_date(args.get("to"), "to") or now.date()
    start = _parse_date(args.get("from"), "from") or end - timedelta(days=DEFAULT_DAYS)
    if start > end:
        message = _("The start date must be before the end date.")
        raise ServiceError(message, {"from": [message]})
    if (end - start).days > MAX_DAYS:
        message = _("Choose a range of at most three years.")
        raise ServiceError(message, {"from": [message]})
    owner_raw = (args.get("owner") or "").strip()
    owner_id = None
    if owner_raw:
        owner_id = bounded_int(owner_raw, minimum=1)
        if owner_id is None:
            message = _("Choose an owner from the list.")
            raise ServiceError(message, {"owner": [message]})
    period = args.get("period") if args.get("period") in ("week", "month") else "month"
    segment = (args.get("segment") or "").strip()[:60] or None
    if segment and parse_segment(segment) is None:
        message = _("Choose a segment from the list.")
        raise ServiceError(message, {"segment": [message]})
    found = ReportFilter(start=start, end=end, segment=segment,
                         root_cause=(args.get("root_cause") or "").strip()[:50] or None,
                         owner_id=owner_id, period=period,
                         category=(args.get("category") or "").strip()[:50] or None,
                         tag=" ".join((args.get("tag") or "").split()).lower()[:50] or None,
                         field=(args.get("field") or "").strip().lower()[:50] or None,
                         field_value=(args.get("field_value") or "").strip()[:500] or None)
    return restrict_to_actor(found, actor)


def restrict_to_actor(found: ReportFilter, actor: StaffUser) -> ReportFilter:
    if actor.is_manager:
        return found
    return replace(found, owner_id=actor.id)
