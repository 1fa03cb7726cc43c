"""Every complaint use case called directly, with `now` given: the rules without HTTP."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from complaints import actions, filing, jobs, links, sla, tracking, uploads
from complaints.models import Complaint, ComplaintEvent, SlaTarget
from complaints.queries import QueueFilter, counts_by_status, queue_page
from customers.models import Customer
from notifications.models import OutboxMessage
from platform_support import file_store
from platform_support.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tests.support.clock import NOW
from tests.support.complaints import file

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def outbox(db_session, **filters):
    return list(db_session.scalars(select(OutboxMessage).filter_by(**filters).order_by(OutboxMessage.id)))


def events(db_session, complaint):
    return list(db_session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
                                   .order_by(ComplaintEvent.id)))


# --- filing ------------------------------------------------------------------------------------

def test_filing_starts_sla_clocks_links_customer_and_queues_acknowledgement(app, db_session):
    filed = file()
    complaint = filed.complaint
    assert filed.created and complaint.status == "new" and complaint.priority == "normal"
    first_hours, resolution_hours = sla.sla_hours("normal")
    assert complaint.first_response_due_at == NOW + timedelta(hours=first_hours)
    assert complaint.resolution_due_at == NOW + timedelta(hours=resolution_hours)
    assert complaint.customer.email_normalised == "jan@example.com"
    assert filed.tracking_url.startswith(app.config["BASE_URL"] + "/track/")
    # Only the hash of the token is stored.
    assert filed.tracking_token not in complaint.tracking_token_hash
    (ack,) = outbox(db_session, kind="complaint_acknowledgement")
    assert complaint.reference in ack.text_body and links.link_url(complaint.reference) in ack.text_body
    assert filed.tracking_url not in ack.text_body  # the page's link proves nothing (complaints.contact)
    assert "truly sorry" in ack.text_body and "What happens next" in ack.text_body
    assert [e.kind for e in events(db_session, complaint)] == ["created"]


def test_second_complaint_from_same_address_reuses_the_customer_file(app, db_session):
    first = file().complaint
    second = file(email="JAN@example.com ", description="Again.").complaint
    assert first.customer_id == second.customer_id
    assert db_session.query(Customer).count() == 1


def test_same_submission_key_returns_the_first_complaint_and_link(app, db_session):
    new = filing.NewComplaint(name="Jan", email="jan@example.com", description="Broken")
    first = filing.file_complaint(new, submission_key="k" * 40, now=NOW)
    again = filing.file_complaint(new, submission_key="k" * 40, now=NOW + timedelta(seconds=3))
    assert not again.created and again.complaint.id == first.complaint.id
    assert again.tracking_token == first.tracking_token
    assert db_session.query(Complaint).count() == 1
    assert len(outbox(db_session, kind="complaint_acknowledgement")) == 1


def test_acknowledgement_dates_are_in_the_customers_time_zone(app, db_session):
    from customers.services import find_or_create_customer_by_email
    customer = find_or_create_customer_by_email(email="ewa@example.com", name="Ewa")
    customer.timezone = "Asia/Tokyo"  # UTC+9, no daylight saving
    db_session.commit()
    complaint = file(email="ewa@example.com", name="Ewa", now=datetime(2027, 1, 15, 20, 0)).complaint
    (ack,) = outbox(db_session, kind="complaint_acknowledgement")
    # First response due 04:00 UTC on 16 January: 13:00 the same day in Tokyo.
    assert complaint.first_response_due_at == datetime(2027, 1, 16, 4, 0)
    # Minutes, no seconds, and the zone named (the customer may read it elsewhere).
    assert "Jan 16, 2027, 1:00\u202fPM (Asia/Tokyo)" in ack.text_body or "Jan 16, 2027, 1:00 PM (Asia/Tokyo)" in ack.text_body
    assert "4:00" not in ack.text_body and ":00:00" not in ack.text_body


def test_attachment_type_is_sniffed_not_trusted(app):
    with pytest.raises(ServiceError) as refused:
        file(attachments=[uploads.Upload("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")])
    assert "attachments" in refused.value.fields
    with pytest.raises(ServiceError):
        file(attachments=[uploads.Upload("page.png", b"<html><script>alert(1)</script></html>")])
    complaint = file(attachments=[uploads.Upload("../../evil.html", PNG)]).complaint
    (stored,) = complaint.attachments
    assert stored.content_type == "image/png" and stored.stored_name.endswith(".png")
    assert "/" not in stored.stored_name and stored.original_name == "evil.html"  # path parts dropped
    assert file_store.read(stored.stored_name) == PNG  # in the database (ATTACHMENT_STORE's default)


def test_attachment_size_and_count_limits(app, app_settings):
    app.config.update(UPLOAD_MAX_BYTES=100, UPLOAD_MAX_FILES=2)
    with pytest.raises(ServiceError, match="too large"):
        file(attachments=[uploads.Upload("big.png", PNG + b"\x00" * 100)])
    with pytest.raises(ServiceError):
        file(attachments=[uploads.Upload(f"{i}.png", PNG) for i in range(3)])


# --- staff side --------------------------------------------------------------------------------

def test_full_lifecycle_records_events_minutes_and_emails(app, staff, db_session):
    complaint = file().complaint
    ref = complaint.reference
    later = NOW + timedelta(hours=1)
    actions.record_fact(ref, "Courier photo shows a crushed box", actor=staff.agent, minutes=5, now=later)
    actions.assign_owner(ref, staff.agent.email, actor=staff.agent, minutes=1, now=later)
    assert complaint.status == "assigned" and complaint.first_responded_at == later
    actions.post_update(ref, "We are sending a replacement.", public=True, actor=staff.agent, minutes=10, now=later)
    actions.post_update(ref, "Customer sounds upset; be gentle", public=False, actor=staff.agent, minutes=2, now=later)
    actions.commit_action(ref, "Replace the vase", date(2027, 1, 20), actor=staff.agent, minutes=3, now=later)
    actions.change_priority(ref, "high", actor=staff.agent, minutes=1, now=later)
    actions.resolve(ref, "Replacement delivered", "damaged_in_transit", actor=staff.agent, minutes=7, now=later)
    assert complaint.status == "resolved" and complaint.resolved_at == later
    actions.reopen(ref, "The replacement was broken too", actor=staff.agent, minutes=4, now=later)
    assert complaint.status == "in_progress" and complaint.reopened_count == 1 and complaint.resolved_at is None
    actions.resolve(ref, "Refunded", "damaged_in_transit", actor=staff.agent, now=later)
    actions.close(ref, actor=staff.agent, minutes=1, now=later)
    assert complaint.status == "closed" and complaint.closed_at == later

    kinds = [(e.kind, e.public) for e in events(db_session, complaint)]
    assert kinds == [("created", True), ("fact", False), ("assigned", True), ("progress_update", True),
                     ("internal_note", False), ("action_committed", True), ("priority_changed", False),
                     ("resolved", True), ("reopened", True), ("resolved", True), ("closed", True)]
    assert complaint.handling_minutes == 5 + 1 + 10 + 2 + 3 + 1 + 7 + 4 + 1
    customer_mail = outbox(db_session, to_address="jan@example.com")
    assert [m.kind for m in customer_mail] == [
        "complaint_acknowledgement", "complaint_owner_assigned", "complaint_progress_update",
        "complaint_action_committed", "complaint_resolved", "complaint_reopened", "complaint_resolved"]
    assert "Agnes Agent" in customer_mail[1].text_body
    assert all("be gentle" not in m.text_body and "Courier photo" not in m.text_body for m in customer_mail)


def test_illegal_transition_is_refused_with_a_clear_message(app, staff):
    ref = file().complaint.reference
    with pytest.raises(ServiceError, match="You cannot close a complaint that is New"):
        actions.close(ref, actor=staff.manager, now=NOW)
    actions.resolve(ref, "Done", "other", actor=staff.manager, now=NOW)
    with pytest.raises(ServiceError, match="You cannot record a fact a complaint that is Resolved|cannot record a fact"):
        actions.record_fact(ref, "late fact", actor=staff.manager, now=NOW)


def test_resolve_requires_an_active_root_cause_and_text(app, staff):
    ref = file().complaint.reference
    with pytest.raises(ServiceError) as no_cause:
        actions.resolve(ref, "Done", "", actor=staff.manager, now=NOW)
    assert "root_cause" in no_cause.value.fields
    with pytest.raises(ServiceError) as unknown:
        actions.resolve(ref, "Done", "no-such-cause", actor=staff.manager, now=NOW)
    assert "root_cause" in unknown.value.fields
    with pytest.raises(ServiceError) as empty:
        actions.resolve(ref, "   ", "other", actor=staff.manager, now=NOW)
    assert "resolution" in empty.value.fields


def test_minutes_must_be_sensible(app, staff):
    ref = file().complaint.reference
    for minutes in (-1, 24 * 60 + 1):
        with pytest.raises(ServiceError) as refused:
            actions.record_fact(ref, "x", actor=staff.agent, minutes=minutes, now=NOW)
        assert "minutes" in refused.value.fields


def test_commit_action_needs_a_future_date(app, staff):
    ref = file().complaint.reference
    with pytest.raises(ServiceError) as past:
        actions.commit_action(ref, "Refund", NOW.date() - timedelta(days=1), actor=staff.agent, now=NOW)
    assert "due_on" in past.value.fields
    with pytest.raises(ServiceError):
        actions.commit_action(ref, "Refund", None, actor=staff.agent, now=NOW)


def test_agents_take_unowned_complaints_managers_reassign(app, staff, db_session):
    ref = file().complaint.reference
    with pytest.raises(PermissionDenied):
        actions.assign_owner(ref, staff.other_agent.email, actor=staff.agent, now=NOW)
    actions.assign_owner(ref, staff.agent.email, actor=staff.agent, now=NOW)
    # Now the complaint is Agnes's: Otto, who tried to take it too, is told who was first.
    with pytest.raises(Conflict, match="Already taken by Agnes Agent"):
        actions.assign_owner(ref, staff.other_agent.email, actor=staff.other_agent, now=NOW)
    actions.assign_owner(ref, staff.other_agent.email, actor=staff.manager, now=NOW)
    complaint = db_session.scalar(select(Complaint).where(Complaint.reference == ref))
    assert complaint.owner_id == staff.other_agent.id
    to_otto = outbox(db_session, kind="complaint_assigned_to_you", to_address=staff.other_agent.email)
    assert len(to_otto) == 1
    with pytest.raises(ServiceError, match="already owns"):
        actions.assign_owner(ref, staff.other_agent.email, actor=staff.manager, now=NOW)
    with pytest.raises(ServiceError) as unknown:
        actions.assign_owner(ref, "nobody@example.com", actor=staff.manager, now=NOW)
    assert "owner" in unknown.value.fields


def test_customer_message_notifies_owner_or_else_managers(app, staff, db_session):
    filed = file()
    tracking.add_customer_message(filed.tracking_token, "Here is the receipt", now=NOW)
    to_managers = outbox(db_session, kind="complaint_customer_message")
    assert {m.to_address for m in to_managers} == {staff.manager.email, staff.admin.email}
    actions.assign_owner(filed.complaint.reference, staff.agent.email, actor=staff.agent, now=NOW)
    tracking.add_customer_message(filed.tracking_token, "And a photo", [uploads.Upload("p.png", PNG)], now=NOW)
    latest = outbox(db_session, kind="complaint_customer_message")[-1]
    assert latest.to_address == staff.agent.email and "And a photo" in latest.text_body
    with pytest.raises(ServiceError):
        tracking.add_customer_message(filed.tracking_token, "   ", now=NOW)
    with pytest.raises(NotFound):
        tracking.add_customer_message("not-a-token", "hello", now=NOW)


def test_priority_change_recomputes_targets_from_filing_time(app, staff, db_session):
    complaint = file().complaint
    db_session.merge(SlaTarget(priority="urgent", first_response_hours=1, resolution_hours=8))
    db_session.commit()
    actions.change_priority(complaint.reference, "urgent", actor=staff.manager, now=NOW + timedelta(hours=2))
    assert complaint.first_response_due_at == NOW + timedelta(hours=1)
    assert complaint.resolution_due_at == NOW + timedelta(hours=8)
    with pytest.raises(ServiceError):
        actions.change_priority(complaint.reference, "whenever", actor=staff.manager, now=NOW)


# --- escalation ---------------------------------------------------------------------------------

def test_escalation_emails_managers_once_per_breach(app, staff, db_session):
    complaint = file().complaint
    first_hours, resolution_hours = sla.sla_hours("normal")
    assert jobs.escalate_overdue(now=NOW + timedelta(hours=first_hours - 1)) == 0
    after_first = NOW + timedelta(hours=first_hours, minutes=1)
    assert jobs.escalate_overdue(now=after_first) == 1
    assert jobs.escalate_overdue(now=after_first + timedelta(hours=1)) == 0  # same breach: once
    mails = outbox(db_session, kind="complaint_escalation")
    assert sorted(m.to_address for m in mails) == sorted([staff.manager.email, staff.admin.email])
    assert all(staff.agent.email != m.to_address for m in mails)
    after_resolution = NOW + timedelta(hours=resolution_hours, minutes=1)
    assert jobs.escalate_overdue(now=after_resolution) == 1  # the second kind of breach
    assert jobs.escalate_overdue(now=after_resolution) == 0
    assert len(outbox(db_session, kind="complaint_escalation")) == 4
    assert [e.kind for e in events(db_session, complaint)].count("escalated") == 2


def test_reopen_starts_a_fresh_resolution_clock_that_can_escalate_again(app, staff, db_session):
    complaint = file().complaint
    _first, resolution_hours = sla.sla_hours("normal")
    late = NOW + timedelta(hours=resolution_hours + 1)
    jobs.escalate_overdue(now=late)
    actions.resolve(complaint.reference, "Done", "other", actor=staff.manager, now=late)
    actions.reopen(complaint.reference, "Not done", actor=staff.manager, now=late)
    assert complaint.resolution_escalated_at is None
    assert jobs.escalate_overdue(now=late + timedelta(hours=resolution_hours + 1)) == 1


def test_resolved_complaints_do_not_escalate(app, staff):
    complaint = file().complaint
    actions.resolve(complaint.reference, "Done", "other", actor=staff.manager, now=NOW + timedelta(minutes=5))
    assert jobs.escalate_overdue(now=NOW + timedelta(days=60)) == 0


# --- queue ----------------------------------------------------------------------------------------

def test_queue_filters_keyset_pages_and_counts(app, staff):
    refs = [file(now=NOW + timedelta(minutes=i), description=f"Problem {i}").complaint.reference for i in range(7)]
    actions.assign_owner(refs[0], staff.agent.email, actor=staff.agent, now=NOW)
    actions.assign_owner(refs[1], staff.other_agent.email, actor=staff.manager, now=NOW)
    actions.change_priority(refs[2], "urgent", actor=staff.manager, now=NOW)
    actions.resolve(refs[3], "Done", "other", actor=staff.manager, now=NOW)

    seen, cursor = [], None
    while True:
        page, cursor = queue_page(staff.manager, QueueFilter(status="all"), now=NOW, limit=3, cursor=cursor)
        seen += [c.reference for c in page]
        if cursor is None:
            break
    assert sorted(seen) == sorted(refs) and len(seen) == len(set(seen))

    agent_view, _ = queue_page(staff.agent, QueueFilter(), now=NOW)
    assert refs[1] not in [c.reference for c in agent_view] and refs[0] in [c.reference for c in agent_view]
    mine, _ = queue_page(staff.agent, QueueFilter(owner="me"), now=NOW)
    assert [c.reference for c in mine] == [refs[0]]
    unowned, _ = queue_page(staff.manager, QueueFilter(owner="none"), now=NOW)
    assert refs[0] not in [c.reference for c in unowned]
    urgent, _ = queue_page(staff.manager, QueueFilter(priority="urgent"), now=NOW)
    assert [c.reference for c in urgent] == [refs[2]]
    resolved, _ = queue_page(staff.manager, QueueFilter(status="resolved"), now=NOW)
    assert [c.reference for c in resolved] == [refs[3]]
    overdue, _ = queue_page(staff.manager, QueueFilter(overdue=True), now=NOW + timedelta(hours=200))
    assert refs[3] not in [c.reference for c in overdue] and len(overdue) == 6
    assert queue_page(staff.manager, QueueFilter(overdue=True), now=NOW)[0] == []

    # Sorted by due time: the urgent one first.
    open_queue, _ = queue_page(staff.manager, QueueFilter(), now=NOW)
    assert open_queue[0].reference == refs[2]

    assert counts_by_status(staff.manager) == {"new": 4, "assigned": 2, "in_progress": 0, "waiting": 0,
                                               "resolved": 1, "closed": 0}
    assert counts_by_status(staff.agent)["assigned"] == 1
    assert counts_by_status(staff.agent, only_mine=True) == {"new": 0, "assigned": 1, "in_progress": 0,
                                                              "waiting": 0, "resolved": 0, "closed": 0}


def test_garbage_cursor_is_refused_not_the_first_page(app, staff):
    file()
    with pytest.raises(ServiceError) as refused:
        queue_page(staff.manager, QueueFilter(), now=NOW, cursor="not-a-cursor")
    assert "cursor" in refused.value.fields
