"""The streamed exports: complaints, survey responses, customers with scores and segments.

Rows are read with a server-side cursor (`yield_per`, `stream_results`) so memory stays
constant at a million rows; the view wraps the generator in `stream_with_context`.
"""
from __future__ import annotations

from typing import Iterator

from flask_babel import gettext as _
from sqlalchemy import func, literal, select

from complaints.models import Category, Complaint, ComplaintFieldValue, ComplaintTag, CustomField, RootCause
from complaints.queries import narrow_by_classification, tied_to_visible, visible_to
from customers.models import Customer, Organisation
from extensions import db
from reports import segment_queries, survey_aggregation
from reports.filters import ReportFilter
from reports.models import CustomerValue
from staff.models import StaffUser
from surveys.models import SurveyResponse

BATCH = 1000


def _stream(query) -> Iterator:
    result = db.session.execute(query.execution_options(yield_per=BATCH, stream_results=True))
    try:
        yield from result
    finally:
        result.close()


def complaint_rows(filters: ReportFilter, *, actor) -> tuple[list[str], Iterator]:
    header = [_("Reference"), _("Received"), _("Status"), _("Priority"), _("Owner"), _("Customer"), _("E-mail"),
              _("Subject"), _("Root cause"), _("First response"), _("Resolved"), _("Handling minutes"),
              _("Category"), _("Tags"), _("Custom fields")]
    tags = (select(_joined(ComplaintTag.tag, ", ")).where(ComplaintTag.complaint_id == Complaint.id)
            .correlate(Complaint).scalar_subquery())
    fields = (select(_joined(CustomField.code + "=" + ComplaintFieldValue.value, "; "))
              .select_from(ComplaintFieldValue).join(CustomField, CustomField.id == ComplaintFieldValue.field_id)
              .where(ComplaintFieldValue.complaint_id == Complaint.id).correlate(Complaint).scalar_subquery())
    query = (visible_to(actor, select(Complaint.reference, Complaint.created_at, Complaint.status, Complaint.priority, StaffUser.name,
                    Complaint.contact_name, Complaint.contact_email, Complaint.subject, RootCause.code,
                    Complaint.first_responded_at, Complaint.resolved_at, Complaint.handling_minutes,
                    Category.code, tags, fields))
             .outerjoin(StaffUser, StaffUser.id == Complaint.owner_id)
             .outerjoin(RootCause, RootCause.id == Complaint.root_cause_id)
             .outerjoin(Category, Category.id == Complaint.category_id)
             .where(Complaint.created_at >= filters.start_at, Complaint.created_at < filters.end_at)
             .order_by(Complaint.id))
    if filters.owner_id:
        query = query.where(Complaint.owner_id == filters.owner_id)
    if filters.root_cause:
        query = query.where(RootCause.code == filters.root_cause)
    if filters.segment:
        members = segment_queries.customer_ids_in_segment(filters.segment)
        if members is not None:
            query = query.where(Complaint.customer_id.in_(members))
    query = narrow_by_classification(query, category=filters.category, tag=filters.tag, field=filters.field,
                                     field_value=filters.field_value)
    return header, _stream(query)


def _joined(column, separator: str):
    """The values of a correlated subquery as one text, in order (SQLite: group_concat,
    PostgreSQL: string_agg)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import aggregate_order_by
        return func.string_agg(column, aggregate_order_by(literal(separator), column))
    return func.group_concat(column, separator)


def customer_rows(filters: ReportFilter, *, actor) -> tuple[list[str], Iterator]:
    columns, extra = segment_queries.export_columns()
    header = [_("Customer id"), _("External id"), _("Name"), _("E-mail"), _("Organisation"), _("Language"),
              _("Revenue (12 months)"), _("Handling minutes (12 months)"), _("Revenue rank")] + columns
    query = (select(Customer.id, Customer.external_id, Customer.name, Customer.email, Organisation.name,
                    Customer.language, CustomerValue.revenue, CustomerValue.handling_minutes,
                    CustomerValue.revenue_rank, *extra)
             .outerjoin(Organisation, Organisation.id == Customer.organisation_id)
             .outerjoin(CustomerValue, CustomerValue.customer_id == Customer.id)
             .where(Customer.erased_at.is_(None)).order_by(Customer.id))
    query = segment_queries.join_export(query)
    if filters.segment:
        members = segment_queries.customer_ids_in_segment(filters.segment)
        if members is not None:
            query = query.where(Customer.id.in_(members))
    return header, _stream(query)


def survey_response_rows(filters: ReportFilter, *, actor) -> tuple[list[str], Iterator]:
    header = [_("Submitted"), _("Customer e-mail"), _("Complaint"), _("Question type"), _("Value"), _("Comment"),
              _("Language")]
    query = survey_aggregation.response_export_query(filters)
    return header, _stream(query.where(tied_to_visible(actor, SurveyResponse.complaint_id)))


EXPORTS = {"complaints": complaint_rows, "customers": customer_rows, "survey-responses": survey_response_rows}
