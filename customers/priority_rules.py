"""Admin-editable rules: which segment's complaints start with which priority (and so which SLA)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from customers.models import SEGMENT_DIMENSIONS, SegmentPriorityRule
from customers.segments import SEGMENT_LABELS
from extensions import db
from platform_support.errors import ServiceError

PRIORITIES = ("urgent", "high", "normal", "low")  # the complaint priorities (complaints.models.PRIORITIES)


def all_rules() -> list[SegmentPriorityRule]:
    return list(db.session.scalars(select(SegmentPriorityRule).order_by(SegmentPriorityRule.position,
                                                                        SegmentPriorityRule.id)))


def save_rule(*, segment: str, priority: str, position: int) -> SegmentPriorityRule:
    """`segment` is "dimension:value", e.g. "category:devoted". Saving an existing segment updates it."""
    dimension, _sep, value = (segment or "").partition(":")
    errors: dict[str, list[str]] = {}
    if dimension not in SEGMENT_DIMENSIONS or value not in SEGMENT_LABELS[dimension]:
        errors["segment"] = [_("Choose a segment from the list.")]
    if priority not in PRIORITIES:
        errors["priority"] = [_("Choose a priority from the list.")]
    if not 0 <= (position or 0) <= 10_000:
        errors["position"] = [_("A whole number from 0 to 10000.")]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    rule = db.session.scalar(select(SegmentPriorityRule).where(SegmentPriorityRule.dimension == dimension,
                                                               SegmentPriorityRule.value == value))
    if rule is None:
        rule = SegmentPriorityRule(dimension=dimension, value=value)
        db.session.add(rule)
    rule.priority, rule.position = priority, position or 0
    db.session.commit()
    return rule


def delete_rule(rule_id: int) -> None:
    rule = db.session.get(SegmentPriorityRule, rule_id)
    if rule is not None:
        db.session.delete(rule)
        db.session.commit()
