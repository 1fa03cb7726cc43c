"""Survey answers into the daily report tables (surveys.models, issue 7), set-based.

An answer counts on the day its response was submitted (or last saved, as the customer scores
do). "Complained" means the customer had a complaint resolved before answering: the recovery
comparison. CSAT counts 4–5 of 5 as satisfied; NPS 9–10 promoters and 0–6 detractors.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, delete, exists, func, insert, literal_column, select

from complaints.models import Complaint
from customers.models import Customer
from extensions import db
from reports.filters import ReportFilter
from reports.models import SurveyDaily, SurveyInvitationDaily
from reports.sql import day_of
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse


def _answered_at():
    return func.coalesce(SurveyResponse.submitted_at, SurveyResponse.updated_at)


def refresh(now: datetime, since: datetime | None) -> int:
    answered_at = _answered_at()
    day = day_of(answered_at)
    complained = exists().where(Complaint.customer_id == SurveyResponse.customer_id,
                                Complaint.resolved_at.is_not(None), Complaint.resolved_at < answered_at)
    # Inline constants: PostgreSQL must see the GROUP BY expression as the selected one.
    complained_flag = case((complained, literal_column("TRUE")), else_=literal_column("FALSE"))
    positive = case((and_(SurveyAnswer.qtype == "nps", SurveyAnswer.score >= 9), 1),
                    (and_(SurveyAnswer.qtype == "csat", SurveyAnswer.score >= 4), 1), else_=0)
    negative = case((and_(SurveyAnswer.qtype == "nps", SurveyAnswer.score <= 6), 1), else_=0)
    query = (select(day, SurveyAnswer.qtype, complained_flag, func.count(), func.sum(SurveyAnswer.score),
                    func.sum(SurveyAnswer.score * SurveyAnswer.score), func.sum(positive), func.sum(negative))
             .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
             .where(SurveyAnswer.qtype.in_(("nps", "csat", "ces")), SurveyAnswer.score.is_not(None),
                    answered_at <= now)
             .group_by(day, SurveyAnswer.qtype, complained_flag))
    removal = delete(SurveyDaily)
    if since is not None:
        query = query.where(answered_at >= since)
        removal = removal.where(SurveyDaily.day >= since.date())
    db.session.execute(removal)
    result = db.session.execute(insert(SurveyDaily).from_select(
        ["day", "metric", "complained", "n", "total", "total_sq", "promoters", "detractors"], query))

    sent_day = day_of(SurveyInvitation.sent_at)
    invitations = (select(sent_day, func.count(), func.sum(case((SurveyResponse.id.is_not(None), 1), else_=0)))
                   .outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
                   .where(SurveyInvitation.sent_at.is_not(None), SurveyInvitation.sent_at <= now)
                   .group_by(sent_day))
    removal = delete(SurveyInvitationDaily)
    if since is not None:
        invitations = invitations.where(SurveyInvitation.sent_at >= since)
        removal = removal.where(SurveyInvitationDaily.day >= since.date())
    db.session.execute(removal)
    db.session.execute(insert(SurveyInvitationDaily).from_select(["day", "sent", "answered"], invitations))
    return result.rowcount or 0


def response_export_query(filters: ReportFilter):
    """One row per answer of responses in range (same columns as `survey_source.response_export`)."""
    answered_at = _answered_at()
    query = (select(answered_at, Customer.email, Complaint.reference, SurveyAnswer.qtype,
                    func.coalesce(func.cast(SurveyAnswer.score, db.String), SurveyAnswer.choice),
                    SurveyAnswer.text, SurveyResponse.language)
             .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
             .outerjoin(Customer, Customer.id == SurveyResponse.customer_id)  # public link: may be anonymous
             .outerjoin(Complaint, Complaint.id == SurveyResponse.complaint_id)
             .where(answered_at >= filters.start_at, answered_at < filters.end_at)
             .order_by(SurveyResponse.id, SurveyAnswer.id))
    if filters.segment:
        from reports.segment_queries import customer_ids_in_segment
        query = query.where(SurveyResponse.customer_id.in_(customer_ids_in_segment(filters.segment)))
    return query
