"""Issue 17: routing rules give a new complaint its team and owner at filing (account owner,
round-robin, fewest open; away members skipped), and trigger rules act on filing and on changes,
each action on the timeline with the rule's name, never looping."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from complaints import actions, classification, routing, triggers
from complaints.models import Complaint, TriggerFiring
from customers.models import Customer
from extensions import db
from notifications.models import OutboxMessage
from platform_support.errors import ServiceError
from staff.team_services import save_team, set_away
from tests.support.clock import NOW, TODAY
from tests.support.complaints import file
from tests.support.staff import staff_user

NAMES = {"en": "Delivery", "pl": "Dostawa", "ru": "Доставка", "ro": "Livrare", "cs": "Doručení"}


@pytest.fixture
def team(staff):
    third = staff_user("agent", email="tess@example.com", name="Tess Third")
    return save_team(name="Logistics", lead_id=staff.agent.id,
                     member_ids=[staff.agent.id, staff.other_agent.id, third.id])


def _events(reference, kind):
    complaint = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    return [e for e in complaint.events if e.kind == kind]


def test_without_rules_a_complaint_waits_unowned_in_the_queue(app):
    complaint = file().complaint
    assert (complaint.team_id, complaint.owner_id, complaint.status) == (None, None, "new")


def test_the_first_matching_rule_in_order_wins_and_conditions_must_all_hold(app, staff, team):
    classification.save_category(code="delivery", names=NAMES)
    other = save_team(name="Polish desk", member_ids=[staff.other_agent.id])
    routing.save_rule(name="Polish customers", team_id=other.id, assign="team", language="pl", position=1)
    routing.save_rule(name="Delivery by e-mail", team_id=team.id, assign="team", category="delivery",
                      channel="email", position=2)
    routing.save_rule(name="Delivery", team_id=team.id, assign="fewest_open", category="delivery", position=3)
    polish = file(language="pl", category="delivery").complaint
    assert polish.team_id == other.id and polish.owner_id is None and polish.status == "new"
    delivery = file(category="delivery", email="d@example.com").complaint
    assert delivery.team_id == team.id and delivery.owner_id is not None and delivery.status == "assigned"
    assert file(email="x@example.com").complaint.team_id is None  # no rule matches
    routed = _events(delivery.reference, "routed")[0]
    assert routed.detail["rule"] == "Delivery" and routed.detail["team"] == "Logistics" and not routed.public
    assigned = _events(delivery.reference, "assigned")[0]
    assert assigned.public and assigned.detail["rule"] == "Delivery"
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "complaint_routed_to_you"))
    assert mail.to_address == delivery.owner.email and "Delivery" in mail.text_body
    assert "/staff/complaints/" + delivery.reference in mail.html_body  # the branded layout, with its link


def test_round_robin_takes_turns_and_skips_members_marked_away(app, staff, team):
    routing.save_rule(name="Everything", team_id=team.id, assign="round_robin")
    owners = [file(email=f"c{n}@example.com").complaint.owner.email for n in range(4)]
    assert owners == ["agnes@example.com", "otto@example.com", "tess@example.com", "agnes@example.com"]
    set_away(team.id, staff.other_agent.id, away=True, until=TODAY + timedelta(days=3), today=TODAY)
    owners = [file(email=f"d{n}@example.com").complaint.owner.email for n in range(3)]
    assert owners == ["tess@example.com", "agnes@example.com", "tess@example.com"]
    # Back after the away period.
    later = NOW + timedelta(days=4)
    assert file(later, email="e@example.com").complaint.owner.email == "agnes@example.com"
    assert file(later, email="f@example.com").complaint.owner.email == "otto@example.com"


def test_fewest_open_counts_open_complaints_only(app, staff, team):
    for n in range(2):
        reference = file(email=f"a{n}@example.com").complaint.reference
        actions.assign_owner(reference, staff.agent.email, actor=staff.manager, now=NOW)
    reference = file(email="o@example.com").complaint.reference
    actions.assign_owner(reference, staff.other_agent.email, actor=staff.manager, now=NOW)
    routing.save_rule(name="Fewest", team_id=team.id, assign="fewest_open")
    assert file(email="new1@example.com").complaint.owner.email == "tess@example.com"  # 0 open
    # Tess now has one, Otto one, Agnes two: Otto comes before Tess in the team's order.
    assert file(email="new2@example.com").complaint.owner.email == "otto@example.com"
    set_away(team.id, staff.other_agent.id, away=True, today=TODAY)
    assert file(email="new3@example.com").complaint.owner.email == "tess@example.com"


def test_the_account_owner_gets_it_unless_away_and_the_condition_on_having_one(app, staff, team, db_session):
    filed = file(email="vip@example.com")
    customer = db_session.get(Customer, filed.complaint.customer_id)
    customer.account_owner_id = staff.other_agent.id
    db_session.commit()
    routing.save_rule(name="Key accounts", team_id=team.id, assign="account_owner", account_owner="set", position=1)
    routing.save_rule(name="Rest", team_id=team.id, assign="team", position=2)
    assert file(email="vip@example.com").complaint.owner_id == staff.other_agent.id
    unowned = file(email="nobody@example.com").complaint
    assert unowned.owner_id is None and _events(unowned.reference, "routed")[0].detail["rule"] == "Rest"
    set_away(team.id, staff.other_agent.id, away=True, today=TODAY)
    complaint = file(email="vip@example.com").complaint
    assert complaint.owner_id not in (None, staff.other_agent.id)  # fewest open among the others
    assert _events(complaint.reference, "routed")[0].detail["how"] == "fewest_open"


def test_nobody_available_leaves_it_with_the_team(app, staff, team):
    for membership in list(team.memberships):
        set_away(team.id, membership.staff_user_id, away=True, today=TODAY)
    routing.save_rule(name="All", team_id=team.id, assign="round_robin")
    complaint = file().complaint
    assert complaint.team_id == team.id and complaint.owner_id is None and complaint.status == "new"
    assert _events(complaint.reference, "routed")[0].detail["how"] == "nobody_available"


def test_routing_rules_refuse_nonsense(app, team):
    with pytest.raises(ServiceError) as refused:
        routing.save_rule(name="", team_id=None, assign="dice", segment="abc:Z", channel="fax", account_owner="x")
    assert set(refused.value.fields) == {"name", "team", "assign", "segment", "channel", "account_owner"}


def test_a_trigger_rule_acts_on_filing_and_its_actions_show_on_the_timeline(app, staff, db_session):
    triggers.save_rule(name="Legal threat", text_contains="lawyer", set_priority="urgent", add_tag="legal",
                       notify="managers", on_change=False)
    complaint = file(description="My lawyer will write to you.").complaint
    db_session.expire_all()
    complaint = db_session.get(Complaint, complaint.id)
    assert complaint.priority == "urgent" and [t.tag for t in complaint.tags] == ["legal"]
    entries = [e for e in complaint.events if e.kind == "rule_applied"]
    assert [e.detail["action"] for e in entries] == ["set_priority", "add_tag", "notify"]
    assert all(e.detail["rule"] == "Legal threat" for e in entries)
    assert complaint.resolution_due_at - complaint.created_at <= timedelta(hours=24)  # urgent SLA applied
    notices = list(db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "complaint_rule_notice")))
    assert {m.to_address for m in notices} == {"maria@example.com", "adam@example.com"}
    assert "Legal threat" in notices[0].subject and "priority set to Urgent" in notices[0].text_body
    assert notices[0].html_body
    assert file(description="All fine", email="b@example.com").complaint.priority == "normal"


def test_a_trigger_rule_on_change_runs_once_and_cannot_loop(app, staff, db_session):
    triggers.save_rule(name="VIP to Maria", tag="vip", assign_to=str(staff.manager.id), add_tag="escalated",
                       on_filing=False, position=1)
    # A rule whose own change (the tag it adds) would match it again.
    triggers.save_rule(name="Tag chain", tag="escalated", add_tag="escalated", set_priority="high",
                       on_filing=False, position=2)
    reference = file().complaint.reference
    classification.save_category(code="delivery", names=NAMES)
    classification.classify(reference, actor=staff.agent, tags="vip", now=NOW)
    complaint = db_session.scalar(select(Complaint).where(Complaint.reference == reference))
    assert complaint.owner_id == staff.manager.id and complaint.status == "assigned"
    assert complaint.priority == "high"  # the later rule saw the earlier rule's tag, in the same pass
    fired = [e.detail["rule"] for e in complaint.events if e.kind == "rule_applied"]
    assert fired == ["VIP to Maria", "VIP to Maria", "Tag chain"]
    # Further changes do not fire them again.
    actions.post_update(reference, "Looking into it", public=False, actor=staff.manager, now=NOW)
    actions.change_priority(reference, "low", actor=staff.manager, now=NOW)
    complaint = db_session.scalar(select(Complaint).where(Complaint.reference == reference))
    assert complaint.priority == "low"
    assert len([e for e in complaint.events if e.kind == "rule_applied"]) == 3
    assert db_session.scalar(select(func.count()).select_from(TriggerFiring)) == 2
    notice = db_session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "complaint_rule_notice"))
    assert notice.to_address == staff.manager.email  # the new owner is told


def test_a_refused_change_runs_no_rule(app, staff, db_session):
    triggers.save_rule(name="Any change", add_tag="touched", on_filing=False)
    reference = file().complaint.reference
    with pytest.raises(ServiceError):
        actions.resolve(reference, "Done", "no-such-cause", actor=staff.agent, now=NOW)
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(TriggerFiring)) == 0
    actions.record_fact(reference, "Parcel photographed", actor=staff.agent, now=NOW)
    assert db_session.scalar(select(func.count()).select_from(TriggerFiring)) == 1


def test_trigger_rules_refuse_nonsense(app):
    with pytest.raises(ServiceError) as refused:
        triggers.save_rule(name="x" * 101, priority="asap", on_filing=False, on_change=False, assign_to="999")
    assert set(refused.value.fields) == {"name", "priority", "on_filing", "assign_to", "set_priority"}
    with pytest.raises(ServiceError) as refused:
        triggers.save_rule(name="Nothing to do")
    assert set(refused.value.fields) == {"set_priority"}


def test_an_e_mailed_complaint_is_routed_and_triggered_too(app, staff, team, db_session):
    from inbound.complaint_side import file_from_email

    classification.save_category(code="delivery", names=NAMES, keywords="parcel")
    routing.save_rule(name="Delivery", team_id=team.id, assign="round_robin", category="delivery")
    triggers.save_rule(name="Mail intake", channel="email", add_tag="by-mail", on_change=False)
    complaint = file_from_email(name="Ann", email="ann@example.com", subject="Parcel lost", text="Where is it?",
                                files=[], language="en", now=NOW, acknowledge=True, acknowledgement_headers={},
                                notes=[]).complaint
    db_session.commit()
    db_session.expire_all()
    complaint = db_session.get(Complaint, complaint.id)
    assert complaint.category.code == "delivery" and complaint.team_id == team.id
    assert complaint.owner.email == "agnes@example.com" and [t.tag for t in complaint.tags] == ["by-mail"]


@pytest.mark.postgresql  # the rule row's lock orders concurrent filings (SQLite's writers queue on one lock)
def test_concurrent_round_robin_filings_take_turns(app, staff, team, db_session):
    """Another filing holds the rule row (its turn given to Agnes, not committed yet); ours waits
    for that lock and then gives the next turn to Otto — never Agnes twice."""
    import threading

    from complaints.models import RoutingRule

    rule = routing.save_rule(name="Turns", team_id=team.id, assign="round_robin")
    other = db.engine.connect()
    held = other.begin()
    other.execute(select(RoutingRule.id).where(RoutingRule.id == rule.id).with_for_update())
    other.execute(RoutingRule.__table__.update().where(RoutingRule.id == rule.id).values(last_owner_id=staff.agent.id))
    outcome = {}

    def file_one():
        with app.app_context():
            try:
                outcome["owner"] = file(email="race@example.com").complaint.owner.email
            except Exception as error:  # noqa: BLE001 — reported below
                outcome["error"] = error

    racer = threading.Thread(target=file_one)
    racer.start()
    try:
        with db.engine.connect() as probe:
            for _attempt in range(2000):
                waiting = probe.execute(db.text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar_one()
                probe.rollback()
                if waiting:
                    break
                racer.join(timeout=0.01)
                assert racer.is_alive(), outcome
        held.commit()
    finally:
        other.close()
        racer.join(timeout=60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["owner"] == "otto@example.com"


def test_a_filing_without_rules_reads_no_rule_table_and_a_saved_rule_applies_at_once(app, staff, team):
    from sqlalchemy import event

    file(email="warm@example.com")  # the first filing of this app reads the (empty) rule tables
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        file(email="cold@example.com")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "routing_rules" in s or "trigger_rules" in s or "trigger_firings" in s]
    routing.save_rule(name="All", team_id=team.id, assign="round_robin")  # forgets the cached snapshot
    assert file(email="next@example.com").complaint.team_id == team.id


def test_routing_and_trigger_assignments_announce_like_a_manual_one(app, staff, team, db_session):
    """A rule's assignment sends complaint_assigned (→ the complaint.assigned webhook), as assigning
    by hand does; the owner's e-mail names the rule."""
    import json

    from complaints import signals
    from webhooks.models import WebhookDelivery
    from webhooks.services import create_endpoint

    create_endpoint(url="https://hooks.example.com/assigned", events=["complaint.assigned"])
    db.session.commit()
    heard = []

    def listen(_sender, *, complaint, now, owner=None, **_extra):
        heard.append((complaint.reference, owner.email))

    signals.complaint_assigned.connect(listen)
    try:
        classification.save_category(code="delivery", names=NAMES)
        routing.save_rule(name="Delivery", team_id=team.id, assign="round_robin", category="delivery", position=1)
        routed = file(category="delivery").complaint
        triggers.save_rule(name="Lawyers to Maria", text_contains="lawyer", assign_to=str(staff.manager.id),
                           on_change=False)
        triggered = file(description="My lawyer will call.", email="l@example.com").complaint
        by_hand = file(email="h@example.com").complaint
        actions.assign_owner(by_hand.reference, staff.agent.email, actor=staff.manager, now=NOW)
    finally:
        signals.complaint_assigned.disconnect(listen)
    assert heard == [(routed.reference, routed.owner.email), (triggered.reference, staff.manager.email),
                     (by_hand.reference, staff.agent.email)]
    payloads = [json.loads(d.payload) for d in db_session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]
    assert [p["data"]["reference"] if "data" in p else p["reference"] for p in payloads] == \
        [routed.reference, triggered.reference, by_hand.reference]
    mails = list(db_session.scalars(select(OutboxMessage.kind).where(OutboxMessage.to_address == routed.owner.email)))
    assert "complaint_routed_to_you" in mails
