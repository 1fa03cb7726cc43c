"""Trigger rules (issue 17): conditions → actions, edited by admins, evaluated on filing and on
every change of a complaint, in the change's own transaction.

Every use case marks the complaints it changes (`changes.note_change`, called by
`changes.record_event` and by the filing); just before the transaction commits
(`before_commit`), the active rules run over each marked complaint in their order. A rule whose
conditions all hold takes its actions — set the priority (the SLA due dates follow), add a tag,
assign an owner, e-mail the owner / the team lead / the managers — and each action it takes is a
timeline entry naming the rule. Later rules see earlier rules' changes.

No loops: a rule acts at most once on a complaint (`trigger_firings`), and what rules change is
not noted as a change (it does not start another evaluation). An action that would change
nothing (the priority it sets is already the complaint's) is skipped silently, but the rule
still counts as fired.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from complaints import classification, rule_cache
from complaints.changes import announce_assignment, managers, record_event
from complaints.lifecycle import PRIORITIES, PRIORITY_LABELS, STATES
from complaints.models import (CHANNELS, NOTIFY_TARGETS, Category, Complaint, TriggerFiring, TriggerRule)
from complaints.sla import apply_sla
from extensions import db
from notifications.services import queue_email
from platform_support.clock import utcnow
from platform_support.errors import ServiceError
from staff.models import StaffUser
from staff.teams import Team

NOTIFY_LABELS = {"owner": _l("the owner (the managers when nobody owns it)"), "team_lead": _l("the team's lead"),
                 "managers": _l("the managers")}


def active_rules(*, filing: bool) -> list:
    """Snapshots of the active rules for that moment, in order (complaints.rule_cache)."""
    every = rule_cache.rules("triggers", lambda: select(TriggerRule).where(TriggerRule.active.is_(True))
                             .order_by(TriggerRule.position, TriggerRule.id))
    return [r for r in every if (r.on_filing if filing else r.on_change)]


def all_rules() -> list[TriggerRule]:
    return list(db.session.scalars(select(TriggerRule).order_by(TriggerRule.position, TriggerRule.id)))


def matches(rule: TriggerRule, complaint: Complaint) -> bool:
    if rule.category_id is not None and rule.category_id != complaint.category_id:
        return False
    for name in ("priority", "channel", "language", "status"):
        wanted = getattr(rule, name)
        if wanted and wanted != getattr(complaint, name):
            return False
    if rule.tag and rule.tag not in {t.tag for t in complaint.tags}:
        return False
    if rule.text_contains and rule.text_contains.lower() not in f"{complaint.subject}\n{complaint.description}".lower():
        return False
    return True


def _fired_rule_ids(complaint: Complaint) -> set[int]:
    if complaint.id is None:
        return set()
    return set(db.session.scalars(select(TriggerFiring.rule_id).where(TriggerFiring.complaint_id == complaint.id)))


def evaluate(complaint: Complaint, *, filed: bool, now: datetime) -> list[str]:
    """Run the rules over one complaint; the names of those that fired."""
    rules = [r for r in active_rules(filing=filed)]
    if not rules:
        return []
    done = _fired_rule_ids(complaint)
    fired = []
    for rule in rules:
        if rule.id in done or not matches(rule, complaint):
            continue
        _act(rule, complaint, now=now)
        db.session.add(TriggerFiring(rule_id=rule.id, complaint_id=complaint.id, fired_at=now))
        fired.append(rule.name)
    return fired


def _entry(complaint: Complaint, rule: TriggerRule, detail: dict, *, now: datetime) -> dict:
    """One action on the timeline: which rule, what it did (the page says it in the reader's
    language from `detail`)."""
    record_event(complaint, "rule_applied", now=now, public=False, detail={"rule": rule.name, "rule_id": rule.id, **detail})
    return detail


def _act(rule: TriggerRule, complaint: Complaint, *, now: datetime) -> None:
    taken: list[dict] = []
    assignee = None
    if rule.set_priority and rule.set_priority != complaint.priority:
        before = complaint.priority
        complaint.priority = rule.set_priority
        apply_sla(complaint, complaint.created_at)
        taken.append(_entry(complaint, rule, {"action": "set_priority", "from": before, "to": rule.set_priority}, now=now))
    if rule.add_tag and classification.add_tag(complaint, rule.add_tag):
        taken.append(_entry(complaint, rule, {"action": "add_tag", "tag": rule.add_tag}, now=now))
    person = db.session.get(StaffUser, rule.assign_to_id) if rule.assign_to_id else None
    if person is not None and person.active and complaint.owner_id != person.id \
            and complaint.status in ("new", "assigned", "in_progress", "waiting"):
        assignee = person
        previous = complaint.owner.name if complaint.owner else None
        complaint.owner = assignee
        if complaint.status == "new":
            complaint.status = "assigned"
        taken.append(_entry(complaint, rule, {"action": "assign", "owner": assignee.name, "previous_owner": previous},
                            now=now))
    recipients = _recipients(rule.notify, complaint) if rule.notify else []
    if assignee is not None and assignee not in recipients:
        recipients.append(assignee)  # the new owner hears of it
    if rule.notify:
        _entry(complaint, rule, {"action": "notify", "notify": rule.notify, "names": [p.name for p in recipients]}, now=now)
    if assignee is not None:   # its own e-mail is the rule notice below
        announce_assignment(complaint, assignee, now=now, template=None)
    for person in recipients:
        # Rendered in the recipient's language (the template says what each action did).
        queue_email(kind="complaint_rule_notice", to_address=person.email, to_name=person.name,
                    template="complaint_rule_notice", language=person.language,
                    context={"complaint": complaint, "rule": rule.name, "actions": taken,
                             "PRIORITY_LABELS": PRIORITY_LABELS}, staff_user_id=person.id,
                    complaint_id=complaint.id, dedupe_key=f"rule:{rule.id}:{complaint.id}:{person.id}", now=now)


def _recipients(target: str, complaint: Complaint) -> list[StaffUser]:
    if target == "owner":
        owner = complaint.owner if complaint.owner_id else None
        return [owner] if owner is not None and owner.active else list(managers())
    if target == "team_lead":
        team = db.session.get(Team, complaint.team_id) if complaint.team_id else None
        if team is not None and team.lead is not None and team.lead.active:
            return [team.lead]
    return list(managers())


def _before_commit(session: Session) -> None:
    noted = session.info.pop("changed_complaints", None)
    if not noted or not has_app_context() or session.info.get("triggers_running"):
        return
    if not active_rules(filing=True) and not active_rules(filing=False):
        return  # the usual case: no query, no flush
    session.info["triggers_running"] = True
    try:
        session.flush()  # ids of complaints filed through the ORM
        now = utcnow()
        for complaint, filed in noted.values():
            if complaint in session and complaint.id is not None:
                evaluate(complaint, filed=filed, now=getattr(complaint, "updated_at", None) or now)
    finally:
        session.info.pop("triggers_running", None)


def _forget(session: Session, *_args) -> None:
    session.info.pop("changed_complaints", None)
    session.info.pop("triggers_running", None)


def connect() -> None:
    """Once per process (factory.register_signal_receivers)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _forget)


# --- administration ---------------------------------------------------------------------------

def save_rule(*, rule_id: int | None = None, name: str, position: int = 0, active: bool = True,
              on_filing: bool = True, on_change: bool = True, category: str = "", priority: str = "",
              channel: str = "", language: str = "", status: str = "", tag: str = "", text_contains: str = "",
              set_priority: str = "", add_tag: str = "", assign_to: str = "", notify: str = "") -> TriggerRule:
    """Create (rule_id None) or change a rule; at least one action and one moment (filing, change)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Enter a name of at most %(max)d characters.", max=100)]
    category_row = None
    if category:
        category_row = db.session.scalar(select(Category).where(Category.code == category[:50]))
        if category_row is None:
            errors["category"] = [_("Choose a category from the list.")]
    for field, value, allowed in (("priority", priority, PRIORITIES), ("set_priority", set_priority, PRIORITIES),
                                  ("channel", channel, CHANNELS), ("status", status, STATES),
                                  ("notify", notify, NOTIFY_TARGETS),
                                  ("language", language, current_app.config["LANGUAGES"])):
        if value and value not in allowed:
            errors[field] = [_("One of: %(choices)s.", choices=", ".join(allowed))]
    clean_tags = {}
    for field, value in (("tag", tag), ("add_tag", add_tag)):
        if value and value.strip():
            try:
                clean_tags[field] = classification.normalise_tags([value])[0]
            except ServiceError as exc:
                errors[field] = exc.fields["tags"]
    text_contains = (text_contains or "").strip()
    if len(text_contains) > 100:
        errors["text_contains"] = [_("Please keep it under %(max)d characters.", max=100)]
    person = None
    if assign_to:
        person = db.session.get(StaffUser, int(assign_to)) if str(assign_to).isdigit() else None
        if person is None or not person.active:
            errors["assign_to"] = [_("Choose an active staff member.")]
    if not (set_priority or clean_tags.get("add_tag") or person or notify) and "add_tag" not in errors:
        errors["set_priority"] = [_("Choose at least one action.")]
    if not (on_filing or on_change):
        errors["on_filing"] = [_("Choose when the rule runs: on filing, on each change, or both.")]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    rule = db.session.get(TriggerRule, rule_id) if rule_id else None
    if rule is None:
        rule = TriggerRule()
        db.session.add(rule)
    rule.name, rule.position, rule.active = name, position or 0, bool(active)
    rule.on_filing, rule.on_change = bool(on_filing), bool(on_change)
    rule.category_id = category_row.id if category_row else None
    rule.priority, rule.channel, rule.language, rule.status = priority or None, channel or None, language or None, status or None
    rule.tag, rule.add_tag = clean_tags.get("tag"), clean_tags.get("add_tag")
    rule.text_contains = text_contains or None
    rule.set_priority, rule.notify = set_priority or None, notify or None
    rule.assign_to_id = person.id if person else None
    db.session.commit()
    rule_cache.forget()
    return rule


def delete_rule(rule_id: int) -> None:
    rule = db.session.get(TriggerRule, rule_id)
    if rule is not None:
        db.session.delete(rule)
        db.session.commit()
    rule_cache.forget()
