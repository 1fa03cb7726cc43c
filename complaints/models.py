from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, false, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.lifecycle import OPEN_STATES, PRIORITIES, STATES
from extensions import db
from platform_support.columns import created_at_column
from platform_support.database import one_of

# How a complaint reached us: the public form, the JSON API, an e-mail, a phone call, a visit, or
# staff filing it on someone's behalf.
CHANNELS = ("web", "api", "email", "phone", "visit", "staff")


class RootCause(db.Model):
    """Admin-managed list; resolving a complaint requires one (seed 003: find the cause of every failure)."""

    __tablename__ = "root_causes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class SlaTarget(db.Model):
    """First-response and resolution targets per priority, editable by admins."""

    __tablename__ = "sla_targets"

    __table_args__ = (CheckConstraint(one_of("priority", PRIORITIES), name="priority"),)

    priority: Mapped[str] = mapped_column(String(20), primary_key=True)
    first_response_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    resolution_hours: Mapped[int] = mapped_column(Integer, nullable=False)


class SlaCategoryTarget(db.Model):
    """A category's own targets for a priority (business hours); without a row the priority's
    targets (SlaTarget) apply."""

    __tablename__ = "sla_category_targets"
    __table_args__ = (CheckConstraint(one_of("priority", PRIORITIES), name="priority"),)

    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True)
    priority: Mapped[str] = mapped_column(String(20), primary_key=True)
    first_response_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    resolution_hours: Mapped[int] = mapped_column(Integer, nullable=False)


ESCALATION_RECIPIENTS = ("owner", "team_lead", "managers")
SLA_CLOCKS = ("first_response", "resolution")


class SlaEscalationLevel(db.Model):
    """Who hears of a breach and when: level 1, 2, 3 (owner → team lead → managers by default),
    each `delay_minutes` of business time after the due date. Admin-editable; no rows = the defaults
    (complaints.escalation.DEFAULT_LEVELS)."""

    __tablename__ = "sla_escalation_levels"
    __table_args__ = (CheckConstraint(one_of("recipient", ESCALATION_RECIPIENTS), name="recipient"),)

    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(20), nullable=False)
    delay_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class SlaNotice(db.Model):
    """One row per warning (level 0) or escalation (level ≥ 1) sent for one due date of one clock:
    a pass of the job sends each once; a moved due date arms them again."""

    __tablename__ = "sla_notices"
    __table_args__ = (UniqueConstraint("complaint_id", "clock", "level", "due_at"),
                      CheckConstraint(one_of("clock", SLA_CLOCKS), name="clock"))

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False)
    clock: Mapped[str] = mapped_column(String(20), nullable=False)
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    due_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    recipients: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = created_at_column()


class SegmentPriorityRule(db.Model):
    """Admin-editable: a complaint from a customer in this segment (`customers.models.SEGMENT_DIMENSIONS`)
    starts with this priority. The first matching rule by position wins (devoted / A first)."""

    __tablename__ = "segment_priority_rules"
    __table_args__ = (UniqueConstraint("dimension", "value"),
                      CheckConstraint(one_of("priority", PRIORITIES), name="priority"))

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension: Mapped[str] = mapped_column(String(10), nullable=False)
    value: Mapped[str] = mapped_column(String(16), nullable=False)
    priority: Mapped[str] = mapped_column(String(20), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


# The kinds of a custom field (validated by complaints.classification.parse_field_value).
FIELD_KINDS = ("text", "choice", "date", "number")
CATEGORY_LANGUAGES = ("en", "pl", "ru", "ro", "cs")


class Category(db.Model):
    """Admin-managed intake category, named in every language of the product: the customer picks
    one on the public form, e-mailed complaints get one by `keywords`, staff may change it."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    name_pl: Mapped[str] = mapped_column(String(200), nullable=False)
    name_ru: Mapped[str] = mapped_column(String(200), nullable=False)
    name_ro: Mapped[str] = mapped_column(String(200), nullable=False)
    name_cs: Mapped[str] = mapped_column(String(200), nullable=False)
    # E-mail intake: words or phrases, one per line; the first category (by position) whose
    # keyword occurs in the subject or text is given to an e-mailed complaint.
    keywords: Mapped[str] = mapped_column(Text, nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    fields: Mapped[list[CustomField]] = relationship(
        back_populates="category", order_by="(CustomField.position, CustomField.id)", cascade="all, delete-orphan")

    def name_in(self, language: str) -> str:
        return getattr(self, f"name_{language}", None) or self.name_en

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip().lower() for k in self.keywords.splitlines() if k.strip()]


class CustomField(db.Model):
    """A field staff fill in on complaints of one category (text, choice, date or number)."""

    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("category_id", "code"),
                      CheckConstraint(one_of("kind", FIELD_KINDS), name="kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(50), nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    # For "choice": the allowed values, one per line.
    choices: Mapped[str] = mapped_column(Text, nullable=False, default="")
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Asked of the customer too (public form, POST /api/v1/complaints); else staff fill it in.
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())

    category: Mapped[Category] = relationship(back_populates="fields")

    @property
    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]


class ComplaintTag(db.Model):
    """A label staff put on a complaint (free words, lower case)."""

    __tablename__ = "complaint_tags"
    __table_args__ = (Index("ix_complaint_tags_tag", "tag", "complaint_id"),)

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True)


class ComplaintFieldValue(db.Model):
    """A custom field's value on a complaint, stored as normalised text (ISO date, plain decimal)."""

    __tablename__ = "complaint_field_values"
    __table_args__ = (Index("ix_complaint_field_values_field", "field_id", "value"),)

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("custom_fields.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), nullable=False)

    field: Mapped[CustomField] = relationship()


class Complaint(db.Model):
    __tablename__ = "complaints"
    __table_args__ = (
        # The staff queue: open complaints by due time, keyset-paginated on (due, id).
        Index("ix_complaints_queue", "status", "resolution_due_at", "id"),
        Index("ix_complaints_owner_queue", "owner_id", "status", "resolution_due_at", "id"),
        Index("ix_complaints_created", "created_at"),
        # Search by a whole e-mail address (complaints.search.email_address).
        Index("ix_complaints_contact_email", text("lower(contact_email)")),
        # The queue's other orders over open complaints (complaints.queries.SORTS), keyset on (key, id).
        Index("ix_complaints_open_created", "created_at", "id", postgresql_where=text(one_of("status", OPEN_STATES)),
              sqlite_where=text(one_of("status", OPEN_STATES))),
        Index("ix_complaints_open_updated", "updated_at", "id", postgresql_where=text(one_of("status", OPEN_STATES)),
              sqlite_where=text(one_of("status", OPEN_STATES))),
        Index("ix_complaints_open_priority_due", "priority", "resolution_due_at", "id",
              postgresql_where=text(one_of("status", OPEN_STATES)), sqlite_where=text(one_of("status", OPEN_STATES))),
        # The database refuses a state, priority or channel the code does not know.
        CheckConstraint(one_of("status", STATES), name="status"),
        CheckConstraint(one_of("priority", PRIORITIES), name="priority"),
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    tracking_token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # Double submit of the same form (same hidden key) yields one complaint.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), nullable=False, index=True)

    contact_name: Mapped[str] = mapped_column(String(200), nullable=False)
    contact_email: Mapped[str] = mapped_column(String(254), nullable=False)
    contact_phone: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    preferred_channel: Mapped[str] = mapped_column(String(20), nullable=False, default="email")
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")

    subject: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False)
    order_reference: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    occurred_on: Mapped[date | None] = mapped_column(Date)
    desired_outcome: Mapped[str] = mapped_column(Text, nullable=False, default="")

    status: Mapped[str] = mapped_column(String(20), nullable=False, default="new")
    priority: Mapped[str] = mapped_column(String(20), nullable=False, default="normal")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20), nullable=False, default="web", server_default=text("'web'"))
    # For optimistic concurrency (a change names the version it saw); not used yet.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default=text("1"))

    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
    first_response_due_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    resolution_due_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    first_responded_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_response_escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution_escalated_at: Mapped[datetime | None] = mapped_column(DateTime)

    committed_action: Mapped[str] = mapped_column(Text, nullable=False, default="")
    committed_action_due_on: Mapped[date | None] = mapped_column(Date)

    resolution: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Indexed (partially, where set) by reports.models' ix_complaints_root_cause_created.
    root_cause_id: Mapped[int | None] = mapped_column(ForeignKey("root_causes.id", ondelete="RESTRICT"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reopened_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    handling_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # When the contact address was shown to be the filer's (the e-mailed link opened, a reply, or
    # entered by staff); until then the complaint does not count in that customer's scores.
    contact_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Business hours (issue 17): the team whose calendar counts the SLA time (none: the default
    # calendar; routing sets it), when the complaint began waiting for the customer, the business
    # seconds it has waited so far (the due dates move by them), and the pre-breach warning moments.
    # No database foreign key: SQLite cannot add one to a table without rebuilding it (and its
    # triggers). Teams are never deleted, only deactivated (staff.teams).
    team_id: Mapped[int | None] = mapped_column(Integer, index=True)
    waiting_since: Mapped[datetime | None] = mapped_column(DateTime)
    sla_paused_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    first_response_warn_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution_warn_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A reopened complaint's resolution clock counts from its reopening (NULL: from created_at).
    resolution_clock_from: Mapped[datetime | None] = mapped_column(DateTime)
    # The intake category (the customer's pick, the e-mail keyword rules or staff); may be none.
    # No foreign key: SQLite adds one only by rebuilding `complaints` (which drops the count
    # triggers and cascades the drop to every event); categories are never deleted, only
    # deactivated (complaints.classification), so the reference cannot dangle.
    category_id: Mapped[int | None] = mapped_column(Integer)

    customer = relationship("Customer")
    owner = relationship("StaffUser")
    team = relationship("Team", primaryjoin="foreign(Complaint.team_id) == Team.id")
    root_cause: Mapped[RootCause | None] = relationship()
    category: Mapped[Category | None] = relationship(primaryjoin="foreign(Complaint.category_id) == Category.id")
    tags: Mapped[list[ComplaintTag]] = relationship(order_by="ComplaintTag.tag", cascade="all, delete-orphan")
    field_values: Mapped[list[ComplaintFieldValue]] = relationship(cascade="all, delete-orphan")
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="complaint", order_by="Attachment.id", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    def is_overdue(self, now: datetime) -> bool:
        if not self.is_open:
            return False
        if self.first_responded_at is None and self.first_response_due_at < now:
            return True
        return self.resolution_due_at < now


class ComplaintEvent(db.Model):
    """One row per thing that happened; the tracking page shows the public ones."""

    __tablename__ = "complaint_events"
    __table_args__ = (Index("ix_complaint_events_complaint", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Structured detail, e.g. {"from": "new", "to": "assigned", "owner": "Ann"}.
    detail: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    by_customer: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = created_at_column()

    complaint: Mapped[Complaint] = relationship(back_populates="events")
    actor = relationship("StaffUser")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="event")


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False, index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_events.id", ondelete="SET NULL"))
    # Random, server-chosen; the original name is only ever shown, never used as a path.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by_customer: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = created_at_column()

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")
    event: Mapped[ComplaintEvent | None] = relationship(back_populates="attachments")


class SavedView(db.Model):
    """A named queue view: filters (status, owner, priority, overdue, search words) and a sort.
    Personal (only its owner sees it) or shared with every staff member; only its owner (or an
    admin) changes or removes it."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("owner_id", "name"),
                      Index("ix_saved_views_shared", "shared", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    filters: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    sort: Mapped[str] = mapped_column(String(20), nullable=False, default="due")
    created_at: Mapped[datetime] = created_at_column()

    owner = relationship("StaffUser")

class ComplaintTask(db.Model):
    """A call the owner is to make (seed 000: customers say how they want to be reached): the
    customer prefers the phone or a visit, so every e-mail to them is followed by a call. Done and
    undone by the owner (complaints.tasks)."""

    __tablename__ = "complaint_tasks"
    __table_args__ = (Index("ix_complaint_tasks_complaint", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False)
    # What the call is about: the kind of the e-mail that went out (complaints.labels.TASK_TOPICS).
    topic: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    complaint: Mapped[Complaint] = relationship()
    done_by = relationship("StaffUser")


# How a routing rule picks the owner within its team (complaints.routing).
ASSIGN_METHODS = ("team", "account_owner", "round_robin", "fewest_open")
# Whom a trigger rule's "notify" action e-mails (complaints.triggers).
NOTIFY_TARGETS = ("owner", "team_lead", "managers")


class RoutingRule(db.Model):
    """Ordered: the first active rule whose conditions all hold (an empty condition holds for any
    complaint) gives a new complaint its team and, by `assign`, its owner — at filing, in the
    filing's transaction."""

    __tablename__ = "routing_rules"
    __table_args__ = (CheckConstraint(one_of("assign", ASSIGN_METHODS), name="assign"),
                      CheckConstraint(one_of("priority", PRIORITIES), name="priority"),
                      CheckConstraint(one_of("channel", CHANNELS), name="channel"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Conditions (NULL: any).
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    language: Mapped[str | None] = mapped_column(String(8))
    channel: Mapped[str | None] = mapped_column(String(20))
    segment: Mapped[str | None] = mapped_column(String(30))  # "dimension:value", e.g. "abc:A"
    priority: Mapped[str | None] = mapped_column(String(20))
    # True: the customer has an account owner; False: has none.
    has_account_owner: Mapped[bool | None] = mapped_column(Boolean)
    account_owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    # Outcome.
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False)
    assign: Mapped[str] = mapped_column(String(20), nullable=False, default="team")
    # Round-robin: whom this rule gave the last complaint.
    last_owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    category: Mapped[Category | None] = relationship()
    team = relationship("Team")
    account_owner = relationship("StaffUser", foreign_keys=[account_owner_id])


class TriggerRule(db.Model):
    """Conditions → actions, evaluated on filing and on each change (complaints.triggers). A rule
    acts at most once on a complaint (`trigger_firings`), so no rule can loop."""

    __tablename__ = "trigger_rules"
    __table_args__ = (CheckConstraint(one_of("priority", PRIORITIES), name="priority"),
                      CheckConstraint(one_of("set_priority", PRIORITIES), name="set_priority"),
                      CheckConstraint(one_of("channel", CHANNELS), name="channel"),
                      CheckConstraint(one_of("status", STATES), name="status"),
                      CheckConstraint(one_of("notify", NOTIFY_TARGETS), name="notify"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    on_filing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    on_change: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Conditions (NULL: any).
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    priority: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str | None] = mapped_column(String(20))
    tag: Mapped[str | None] = mapped_column(String(50))  # the complaint has this tag
    text_contains: Mapped[str | None] = mapped_column(String(100))  # in the subject or description, any case
    # Actions (NULL: not this one).
    set_priority: Mapped[str | None] = mapped_column(String(20))
    add_tag: Mapped[str | None] = mapped_column(String(50))
    assign_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    notify: Mapped[str | None] = mapped_column(String(20))

    category: Mapped[Category | None] = relationship()
    assign_to = relationship("StaffUser", foreign_keys=[assign_to_id])


class TriggerFiring(db.Model):
    """A trigger rule acted on a complaint (once per rule and complaint)."""

    __tablename__ = "trigger_firings"

    rule_id: Mapped[int] = mapped_column(ForeignKey("trigger_rules.id", ondelete="CASCADE"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)
    fired_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)



class CannedResponse(db.Model):
    """A prepared answer staff insert into a reply or note: shared ones (no owner) are managed by
    admins, personal ones by the agent who owns them. One language each; placeholders such as
    {name} or {reference} are filled in per complaint by `complaints.canned.fill`."""

    __tablename__ = "canned_responses"
    __table_args__ = (Index("ix_canned_responses_owner_language", "owner_staff_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()

    owner = relationship("StaffUser")


class ComplaintPresence(db.Model):
    """Who has a complaint open right now, and whether they are typing: one row per viewer,
    refreshed by the page's short polling, ignored once `seen_at` is older than
    `complaints.presence.EXPIRY`."""

    __tablename__ = "complaint_presence"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    typing_at: Mapped[datetime | None] = mapped_column(DateTime)

    staff = relationship("StaffUser")
