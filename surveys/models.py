"""Survey definitions, invitations (scheduled e-mails), responses with raw answers, follow-up alerts.

Texts a customer reads are stored per language as JSON `{"en": "...", "pl": "..."}`; English is
the fallback (see `surveys.texts`). Scores are never stored: they are derived from raw answers.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from platform_support.columns import created_at_column

SURVEY_KINDS = ("complaint", "relationship")
QUESTION_TYPES = ("nps", "csat", "ces", "choice", "text")
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

# scheduled → sending (claimed, leased) → sent → answered | expired
# scheduled → capped (frequency cap, reason kept) | opted_out | cancelled (reopened, inactive survey…)
INVITATION_STATUSES = ("scheduled", "sending", "sent", "answered", "expired", "capped", "opted_out", "cancelled")
ALERT_STATUSES = ("open", "done", "dismissed")


class Survey(db.Model):
    __tablename__ = "surveys"
    __table_args__ = (Index("uq_surveys_public_token", "public_token", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    intro: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Public link (receipts, counters, QR code): /s/<public_token>; None = no public link.
    public_token: Mapped[str | None] = mapped_column(String(32))
    public_anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()

    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan")


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "position", name="uq_survey_questions_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    qtype: Mapped[str] = mapped_column(String(10), nullable=False)
    text: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # Single choice: a list of {"value": "...", "label": {"en": "...", …}}.
    choices: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Branching: {"question": earlier question's id, "min": n | None, "max": n | None} — the question
    # is shown (and may be required) only when that earlier answer is in range (surveys.answering.shown).
    show_if: Mapped[dict | None] = mapped_column(JSON)
    # A question removed from a survey with answers is retired, not deleted: raw answers stay.
    retired: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    survey: Mapped[Survey] = relationship(back_populates="questions")


class SurveyInvitation(db.Model):
    __tablename__ = "survey_invitations"
    __table_args__ = (
        Index("ix_survey_invitations_due", "status", "due_at"),
        Index("ix_survey_invitations_reminder", "status", "reminder_due_at"),
        Index("ix_survey_invitations_customer", "customer_id", "kind", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # complaint:<id>:<resolution n> or relationship:<customer>:<period>: a twin trigger is a no-op.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False, index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    period: Mapped[int | None] = mapped_column(Integer)  # relationship surveys: the period number
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="scheduled")
    status_reason: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    due_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The link token is HMAC(SECRET_KEY, id + nonce) so a reminder can repeat the same link;
    # only its SHA-256 is stored.
    token_nonce: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_clicked_at: Mapped[datetime | None] = mapped_column(DateTime)
    click_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reminder_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminder_note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = created_at_column()

    survey: Mapped[Survey] = relationship()
    customer = relationship("Customer")
    complaint = relationship("Complaint")
    response: Mapped[SurveyResponse | None] = relationship(back_populates="invitation", uselist=False)


class SurveyResponse(db.Model):
    """One per invitation; editable until submitted. Answers count once confirmed (saved)."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_updated", "updated_at", "id"),
                      UniqueConstraint("survey_id", "respondent_key", name="uq_survey_responses_respondent"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for an answer through the survey's public link (no invitation; no customer when anonymous).
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("survey_invitations.id", ondelete="CASCADE"),
                                                      unique=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False, index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10), nullable=False, default="email", server_default="email")
    # Public link: SHA-256 of the respondent id in the signed cookie (one answer per browser).
    respondent_key: Mapped[str | None] = mapped_column(String(64))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="SET NULL"), index=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)

    invitation: Mapped[SurveyInvitation] = relationship(back_populates="response")
    survey: Mapped[Survey] = relationship()
    customer = relationship("Customer")
    complaint = relationship("Complaint")
    answers: Mapped[list[SurveyAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id", name="uq_survey_answers_question"),
                      Index("ix_survey_answers_question_score", "question_id", "score"))

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), nullable=False)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), nullable=False)
    qtype: Mapped[str] = mapped_column(String(10), nullable=False)
    score: Mapped[int | None] = mapped_column(Integer)
    choice: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()


class SurveyAlert(db.Model):
    """Closed loop: an unhappy answer (any survey) → a "contact the customer" task for a named person."""

    __tablename__ = "survey_alerts"
    __table_args__ = (Index("ix_survey_alerts_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"),
                                             unique=True, nullable=False)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="SET NULL"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    reasons: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = created_at_column()
    # Acknowledged: a person has taken the loop on (before closing it with a note).
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    response: Mapped[SurveyResponse] = relationship()
    complaint = relationship("Complaint")
    customer = relationship("Customer")
    owner = relationship("StaffUser", foreign_keys=[owner_id])
    closed_by = relationship("StaffUser", foreign_keys=[closed_by_id])
    acknowledged_by = relationship("StaffUser", foreign_keys=[acknowledged_by_id])
