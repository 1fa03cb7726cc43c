"""Admin-editable rules: which customer segment's complaints start with which priority (and so
which SLA targets). Complaints' policy over the customers' segments (customers sits below)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from complaints.lifecycle import PRIORITIES
from complaints.models import SegmentPriorityRule
from customers.models import SEGMENT_DIMENSIONS, CustomerScore
from customers.segments import SEGMENT_LABELS
from extensions import db
from platform_support.errors import ServiceError


def complaint_priority_expression(customer_id):
    """The priority a new complaint from this customer starts with, as a SQL expression (a scalar
    subquery) a caller folds into a query it runs anyway: the first admin rule (by position) that
    matches one of the customer's current segments; "normal" when none does or the customer has not
    been segmented yet. SLA targets follow from the priority. `customer_id` may be a value or a
    column (e.g. `Customer.id`, correlated)."""
    score = CustomerScore
    rule = SegmentPriorityRule
    matches = or_(and_(rule.dimension == "abc", rule.value == score.abc),
                  and_(rule.dimension == "category", rule.value == score.category),
                  and_(rule.dimension == "stage", rule.value == score.stage))
    first_rule = (select(rule.priority).join(score, matches).where(score.customer_id == customer_id)
                  .order_by(rule.position, rule.id).limit(1).scalar_subquery())
    return func.coalesce(first_rule, "normal")


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
