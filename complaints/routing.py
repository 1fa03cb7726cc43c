"""Routing rules (issue 17): a new complaint reaches the right team, and an owner, without a
manager sorting it.

Rules are ordered; the first active rule whose conditions all hold (category, language, channel,
customer segment, priority, the customer's account owner — an empty condition holds for any
complaint) names the team and how the owner is chosen:

- `team`: the team only; its members take it from the queue.
- `account_owner`: the customer's account owner, when active and not marked away; otherwise as
  `fewest_open`.
- `round_robin`: the team's available members in turn (the rule remembers whom it gave the last
  one; the rule row is locked so two filings at once do not pick the same person).
- `fewest_open`: the available member with the fewest open complaints (ties: the team's order).

Members marked away (staff.teams.TeamMember.is_away) and inactive accounts are skipped; when
nobody is available the complaint goes to the team unowned. `route` runs inside the filing's
write transaction (complaints.filing), so the choice commits with the complaint.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from complaints import rule_cache
from complaints.lifecycle import OPEN_STATES, PRIORITIES
from complaints.models import ASSIGN_METHODS, CHANNELS, Category, Complaint, ComplaintEvent, RoutingRule
from customers.models import Customer, CustomerScore
from customers.segments import SEGMENT_LABELS
from extensions import db
from platform_support.errors import ServiceError
from staff.models import StaffUser
from staff.teams import Team, TeamMember

ASSIGN_LABELS = {"team": _l("Team only (members take it from the queue)"),
                 "account_owner": _l("The customer's account owner"),
                 "round_robin": _l("Round-robin among the team's members"),
                 "fewest_open": _l("The member with the fewest open complaints")}


@dataclass(frozen=True)
class Routed:
    """What a rule decided for a new complaint."""
    rule_id: int
    rule_name: str
    team_id: int
    team_name: str
    calendar_id: int | None
    owner: StaffUser | None
    how: str  # the method that chose the owner (may be the fallback), or "nobody_available"

    def detail(self) -> dict:
        return {"rule": self.rule_name, "rule_id": self.rule_id, "team": self.team_name,
                "owner": self.owner.name if self.owner else None, "how": self.how}


@dataclass(frozen=True)
class Facts:
    """What the conditions look at."""
    category_id: int | None
    language: str
    channel: str
    priority: str
    customer_id: int | None


def active_rules() -> list:
    """Snapshots of the active rules in order (complaints.rule_cache: no query on most filings)."""
    return rule_cache.rules("routing", lambda: select(RoutingRule).where(RoutingRule.active.is_(True))
                            .order_by(RoutingRule.position, RoutingRule.id))


def all_rules() -> list[RoutingRule]:
    return list(db.session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)))


def _customer_facts(customer_id: int | None) -> tuple[int | None, dict[str, str]]:
    """The customer's account owner and current segments (none for a newcomer)."""
    if customer_id is None:
        return None, {}
    row = db.session.execute(
        select(Customer.account_owner_id, CustomerScore.abc, CustomerScore.category, CustomerScore.stage)
        .outerjoin(CustomerScore, CustomerScore.customer_id == Customer.id).where(Customer.id == customer_id)).first()
    if row is None:
        return None, {}
    owner_id, abc, category, stage = row
    segments = {k: v for k, v in (("abc", abc), ("category", category), ("stage", stage)) if v}
    return owner_id, segments


def matches(rule: RoutingRule, facts: Facts, account_owner_id: int | None, segments: dict[str, str]) -> bool:
    if rule.category_id is not None and rule.category_id != facts.category_id:
        return False
    if rule.language and rule.language != facts.language:
        return False
    if rule.channel and rule.channel != facts.channel:
        return False
    if rule.priority and rule.priority != facts.priority:
        return False
    if rule.segment:
        dimension, _sep, value = rule.segment.partition(":")
        if segments.get(dimension) != value:
            return False
    if rule.has_account_owner is not None and rule.has_account_owner != (account_owner_id is not None):
        return False
    if rule.account_owner_id is not None and rule.account_owner_id != account_owner_id:
        return False
    return True


def _needs_customer(rules: list[RoutingRule]) -> bool:
    return any(r.segment or r.has_account_owner is not None or r.account_owner_id is not None
               or r.assign == "account_owner" for r in rules)


def _available(team: Team, today: date) -> list[StaffUser]:
    """Active members not away, in the team's order."""
    ordered = sorted(team.memberships, key=lambda m: (m.position, m.staff_user_id))
    return [m.staff_user for m in ordered if m.staff_user.active and not m.is_away(today)]


def _is_away_anywhere(staff_id: int, today: date) -> bool:
    return any(m.is_away(today) for m in db.session.scalars(select(TeamMember).where(TeamMember.staff_user_id == staff_id)))


def _fewest_open(members: list[StaffUser]) -> StaffUser | None:
    if not members:
        return None
    counts = dict(db.session.execute(
        select(Complaint.owner_id, func.count()).where(Complaint.owner_id.in_([m.id for m in members]),
                                                       Complaint.status.in_(OPEN_STATES))
        .group_by(Complaint.owner_id)).all())
    # min() keeps the first of equals: the team's order breaks ties.
    return min(members, key=lambda m: counts.get(m.id, 0))


def _round_robin(rule: RoutingRule, members: list[StaffUser]) -> StaffUser | None:
    if not members:
        return None
    # The rule row locked until the commit: concurrent filings take turns (SQLite: the write lock).
    last = db.session.scalar(select(RoutingRule.last_owner_id).where(RoutingRule.id == rule.id).with_for_update())
    ids = [m.id for m in members]
    chosen = members[(ids.index(last) + 1) % len(members)] if last in ids else members[0]
    db.session.execute(update(RoutingRule).where(RoutingRule.id == rule.id).values(last_owner_id=chosen.id))
    return chosen


def route(facts: Facts, *, today: date) -> Routed | None:
    """The first matching rule's team and owner (None: no rule matched, or no rules)."""
    rules = active_rules()
    if not rules:
        return None
    account_owner_id, segments = _customer_facts(facts.customer_id) if _needs_customer(rules) else (None, {})
    for rule in rules:
        if not matches(rule, facts, account_owner_id, segments):
            continue
        team = db.session.get(Team, rule.team_id)
        if team is None or not team.active:
            continue  # a retired team: the next rule
        members = _available(team, today)
        owner, how = None, rule.assign
        if rule.assign == "account_owner":
            candidate = db.session.get(StaffUser, account_owner_id) if account_owner_id else None
            if candidate is not None and candidate.active and not _is_away_anywhere(candidate.id, today):
                owner = candidate
            else:
                owner, how = _fewest_open(members), "fewest_open"
        elif rule.assign == "round_robin":
            owner = _round_robin(rule, members)
        elif rule.assign == "fewest_open":
            owner = _fewest_open(members)
        if rule.assign != "team" and owner is None:
            how = "nobody_available"
        return Routed(rule.id, rule.name, team.id, team.name, team.calendar_id, owner, how)
    return None


def record_routing(complaint: Complaint, routed: Routed, *, now) -> None:
    """The timeline of a routed complaint: an internal "routed" entry naming the rule, the team and
    how the owner was chosen, a public "assigned" entry (the tracking page names the person
    responsible), and what every assignment announces (changes.announce_assignment: the owner's
    e-mail, naming the rule, and the complaint_assigned signal). The complaint's row already has
    team and owner."""
    from complaints.changes import announce_assignment

    db.session.add(ComplaintEvent(complaint_id=complaint.id, kind="routed", public=False, body="",
                                  detail=routed.detail(), by_customer=False, minutes=0, created_at=now))
    if routed.owner is None:
        return
    db.session.add(ComplaintEvent(complaint_id=complaint.id, kind="assigned", public=True, body="",
                                  detail={"owner": routed.owner.name, "previous_owner": None, "from": "new",
                                          "to": "assigned", "rule": routed.rule_name},
                                  by_customer=False, minutes=0, created_at=now))
    announce_assignment(complaint, routed.owner, now=now, template="complaint_routed_to_you",
                        context={"rule": routed.rule_name, "team": routed.team_name})


# --- administration ---------------------------------------------------------------------------

def save_rule(*, rule_id: int | None = None, name: str, team_id: int | None, assign: str, position: int = 0,
              active: bool = True, category: str = "", language: str = "", channel: str = "", segment: str = "",
              priority: str = "", account_owner: str = "", languages=("en", "pl", "ru", "ro", "cs")) -> RoutingRule:
    """Create (rule_id None) or change a rule. `account_owner`: "" any, "set" has one, "none"
    has none, or a staff member's id (that person is the account owner)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Enter a name of at most %(max)d characters.", max=100)]
    team = db.session.get(Team, team_id) if team_id else None
    if team is None:
        errors["team"] = [_("Choose a team.")]
    if assign not in ASSIGN_METHODS:
        errors["assign"] = [_("One of: %(choices)s.", choices=", ".join(ASSIGN_METHODS))]
    category_row = None
    if category:
        category_row = db.session.scalar(select(Category).where(Category.code == category[:50]))
        if category_row is None:
            errors["category"] = [_("Choose a category from the list.")]
    if language and language not in languages:
        errors["language"] = [_("One of: %(choices)s.", choices=", ".join(languages))]
    if channel and channel not in CHANNELS:
        errors["channel"] = [_("One of: %(choices)s.", choices=", ".join(CHANNELS))]
    if priority and priority not in PRIORITIES:
        errors["priority"] = [_("Choose a priority from the list.")]
    if segment:
        dimension, _sep, value = segment.partition(":")
        if value not in SEGMENT_LABELS.get(dimension, {}):
            errors["segment"] = [_("Choose a segment from the list.")]
    has_owner, owner_id = None, None
    if account_owner in ("set", "none"):
        has_owner = account_owner == "set"
    elif account_owner:
        owner = db.session.get(StaffUser, int(account_owner)) if account_owner.isdigit() else None
        if owner is None:
            errors["account_owner"] = [_("Choose a staff member.")]
        else:
            owner_id = owner.id
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    rule = db.session.get(RoutingRule, rule_id) if rule_id else None
    if rule is None:
        rule = RoutingRule()
        db.session.add(rule)
    rule.name, rule.team_id, rule.assign, rule.position, rule.active = name, team.id, assign, position or 0, bool(active)
    rule.category_id = category_row.id if category_row else None
    rule.language, rule.channel, rule.priority = language or None, channel or None, priority or None
    rule.segment = segment or None
    rule.has_account_owner, rule.account_owner_id = has_owner, owner_id
    db.session.commit()
    rule_cache.forget()
    return rule


def delete_rule(rule_id: int) -> None:
    rule = db.session.get(RoutingRule, rule_id)
    if rule is not None:
        db.session.delete(rule)
        db.session.commit()
    rule_cache.forget()
