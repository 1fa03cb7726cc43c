"""Segments as the reports read them: `customers.models.CustomerScore` (the latest recompute's
segments per customer) and `SegmentTransition` (who moved, with the figures that say why)."""
from __future__ import annotations

from sqlalchemy import func, literal, select, union_all

from complaints.models import RootCause
from customers.models import SEGMENT_DIMENSIONS, Customer, CustomerScore, SegmentTransition
from customers.segments import DIMENSION_LABELS, SEGMENT_LABELS, segment_label, transition_reasons
from extensions import db


def _column(dimension: str):
    return {"abc": CustomerScore.abc, "category": CustomerScore.category, "stage": CustomerScore.stage}.get(dimension)


def parse_segment(segment: str | None) -> tuple[str, str] | None:
    if not segment or ":" not in segment:
        return None
    dimension, value = segment.split(":", 1)
    if dimension not in SEGMENT_DIMENSIONS or value not in SEGMENT_LABELS[dimension]:
        return None
    return dimension, value


def customer_ids_in_segment(segment: str):
    """A SELECT of the ids of customers currently in "<dimension>:<value>" (None: no such segment,
    which the filter parser has already refused)."""
    parsed = parse_segment(segment)
    if parsed is None:
        return select(CustomerScore.customer_id).where(literal(False))
    dimension, value = parsed
    return select(CustomerScore.customer_id).where(_column(dimension) == value)


def segment_choices() -> list[tuple[str, str]]:
    return [(f"{dimension}:{value}", f"{DIMENSION_LABELS[dimension]}: {label}")
            for dimension in SEGMENT_DIMENSIONS for value, label in SEGMENT_LABELS[dimension].items()]


def distribution_select():
    """Customers per segment of every segmentation: one UNION ALL of three GROUP BYs (what the
    refresh job stores in `report_segment_counts`)."""
    return union_all(*[select(literal(dimension).label("dimension"), _column(dimension).label("value"),
                              func.count().label("customers")).group_by(_column(dimension))
                       for dimension in SEGMENT_DIMENSIONS])


def distribution_rows() -> list[list]:
    from reports.models import SegmentCount
    found = {(d, v): n for d, v, n in db.session.execute(
        select(SegmentCount.dimension, SegmentCount.value, SegmentCount.customers))}
    rows = []
    for dimension in SEGMENT_DIMENSIONS:
        for value in SEGMENT_LABELS[dimension]:
            if found.get((dimension, value)):
                rows.append([str(DIMENSION_LABELS[dimension]), segment_label(dimension, value), found[(dimension, value)]])
    return rows


def _last_run(dimension: str):
    return db.session.scalar(select(func.max(SegmentTransition.changed_at)).where(SegmentTransition.dimension == dimension))


def transition_rows(dimension: str) -> tuple[list[list], list[str]]:
    """Moves recorded by the last recompute (each recompute stamps its transitions with its `now`;
    it compares with the recompute before it)."""
    if dimension not in SEGMENT_DIMENSIONS:
        dimension = "abc"
    last = _last_run(dimension)
    if last is None:
        return [], []
    query = (select(SegmentTransition.from_value, SegmentTransition.to_value, func.count())
             .where(SegmentTransition.dimension == dimension, SegmentTransition.changed_at == last)
             .group_by(SegmentTransition.from_value, SegmentTransition.to_value)
             .order_by(SegmentTransition.from_value, SegmentTransition.to_value))
    return [[f, t, n] for f, t, n in db.session.execute(query)], [last.isoformat()]


def labelled_transition_rows(dimension: str) -> tuple[list[list], list[list[str]], list[str]]:
    """`transition_rows` with the segment names in the reader's language (what the chart and its
    table show) and, apart, the (from, to) values the drill-down link takes."""
    rows, runs = transition_rows(dimension)
    dimension = dimension if dimension in SEGMENT_DIMENSIONS else "abc"
    labelled = [[segment_label(dimension, f), segment_label(dimension, t), n] for f, t, n in rows]
    return labelled, [[f, t] for f, t, _n in rows], runs


def movers(dimension: str, from_value: str, to_value: str, *, limit: int = 200) -> list[dict]:
    if dimension not in SEGMENT_DIMENSIONS:
        return []
    last = _last_run(dimension)
    if last is None:
        return []
    query = (select(SegmentTransition, Customer.name, RootCause.name)
             .join(Customer, Customer.id == SegmentTransition.customer_id)
             .outerjoin(RootCause, RootCause.id == SegmentTransition.top_root_cause_id)
             .where(SegmentTransition.dimension == dimension, SegmentTransition.changed_at == last,
                    SegmentTransition.from_value == from_value, SegmentTransition.to_value == to_value)
             .order_by(Customer.name).limit(limit))
    return [{"customer_id": t.customer_id, "name": name, "from_value": segment_label(dimension, t.from_value),
             "to_value": segment_label(dimension, t.to_value), "at": t.changed_at,
             "reasons": transition_reasons(t, cause)} for t, name, cause in db.session.execute(query)]


def export_columns():
    """Extra (header labels, selected columns) for the customer export: scores and segments."""
    from flask_babel import gettext as _
    return ([_("Satisfaction score"), _("Loyalty score"), _("ABC class"), _("Category"), _("Lifecycle stage")],
            [CustomerScore.satisfaction, CustomerScore.loyalty, CustomerScore.abc, CustomerScore.category,
             CustomerScore.stage])


def join_export(query):
    return query.outerjoin(CustomerScore, CustomerScore.customer_id == Customer.id)
