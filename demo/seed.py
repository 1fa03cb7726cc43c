"""Generate 18 months of varied demo data relative to `now`, deterministic for a given seed.

Customers of every kind (loyal A buyers, medium B, sporadic C, difficult, "dead", prospects,
partners), their orders, complaints in every state with facts, owners, root causes and events,
survey invitations and answers with comments in en/pl/ru/ro/cs, and staff accounts. Then the
segment recompute runs twice (a quarter ago and now, so the transition matrix has moves), the
report tables are refreshed and the trend check runs once. Only an empty database is filled.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from complaints.models import CannedResponse, Complaint, ComplaintEvent, RootCause, SlaTarget
from customers.models import Customer, Order, Organisation
from demo import texts
from extensions import db
from platform_support.errors import ServiceError
from staff.models import StaffUser
from staff.services import create_staff
from surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse

DEMO_PASSWORD = "demo password 2027"
STAFF = [("manager@demo.example", "Marta Manager", "manager", "pl"),
         ("ana.agent@demo.example", "Ana Agent", "agent", "ro"),
         ("boris.agent@demo.example", "Boris Agent", "agent", "ru"),
         ("clara.agent@demo.example", "Clara Agent", "agent", "en"),
         ("david.agent@demo.example", "David Agent", "agent", "cs")]
LANGUAGES = ("en", "pl", "ru", "ro", "cs")
# kind: (share of customers, orders per year, typical amount, late payment chance, complaints per year)
KINDS = {
    "loyal": (0.10, 14, 2400, 0.02, 0.8),
    "medium": (0.25, 6, 700, 0.05, 0.6),
    "sporadic": (0.35, 1.5, 250, 0.25, 0.4),
    "difficult": (0.08, 5, 900, 0.45, 4.0),
    "dead": (0.07, 0, 300, 0.8, 0.5),
    "prospect": (0.05, 0, 0, 0, 0.1),
    "new": (0.10, 4, 500, 0.05, 0.3),
}
MONTHS = 18


@dataclass
class SeedSummary:
    staff: list[tuple[str, str, str]] = field(default_factory=list)
    organisations: int = 0
    customers: int = 0
    orders: int = 0
    complaints: int = 0
    events: int = 0
    survey_responses: int = 0
    transitions: int = 0
    alerts: int = 0


def database_is_empty() -> bool:
    for model in (Customer, Complaint, Order, SurveyResponse):
        if db.session.scalar(select(func.count()).select_from(model)):
            return False
    return True


def _token(seed: int, *parts) -> str:
    return hashlib.sha256(f"demo:{seed}:{':'.join(map(str, parts))}".encode()).hexdigest()


def _reference(rng: random.Random) -> str:
    return "C-" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))


def seed_demo(*, now: datetime, seed: int = 2027, customers: int = 600) -> SeedSummary:
    if not database_is_empty():
        raise ServiceError(_("The database already has customers, complaints or orders; demo data is only "
                             "loaded into an empty database."))
    rng = random.Random(seed)
    summary = SeedSummary()
    staff = _staff(summary)
    _canned_responses(staff, now)
    start = now - timedelta(days=int(MONTHS * 30.4))
    people = _customers(rng, seed, customers, start, now, summary)
    _orders(rng, people, start, now, summary)
    complaints = _complaints(rng, seed, people, staff, start, now, summary)
    _surveys(rng, seed, people, complaints, start, now, summary)
    db.session.commit()
    _derive(now, summary)
    return summary


# Prepared answers for the complaint page's composer: shared ones (no owner) and one agent's own.
CANNED = [
    (None, "en", "Replacement on its way", "{salutation}\n\nThank you for your patience. A replacement for your order "
     "(complaint {reference}) is on its way; {owner} will keep you posted."),
    (None, "en", "We need a photo", "{salutation}\n\nTo settle complaint {reference} quickly, could you send us a photo "
     "of the damage? Just reply to this e-mail. We plan to resolve it by {due_date}."),
    (None, "pl", "Wymiana w drodze", "{salutation}\n\nDziękujemy za cierpliwość. Wymiana (reklamacja {reference}) jest "
     "już w drodze; {owner} będzie Państwa informować."),
    (3, "en", "Courier claim (note)", "Courier claim opened for {reference}; photos attached to the claim."),
]


def _canned_responses(staff: list[StaffUser], now: datetime) -> None:
    for owner, language, title, body in CANNED:
        db.session.add(CannedResponse(owner_staff_id=None if owner is None else staff[owner].id, language=language,
                                      title=title, body=body, created_at=now, updated_at=now))


def _staff(summary: SeedSummary) -> list[StaffUser]:
    accounts = []
    for email, name, role, language in STAFF:
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            user = create_staff(email=email, name=name, role=role, password=DEMO_PASSWORD, language=language)
            summary.staff.append((email, role, DEMO_PASSWORD))
        accounts.append(user)
    return accounts


def _pick_kind(rng: random.Random) -> str:
    roll, running = rng.random(), 0.0
    for kind, (share, *_rest) in KINDS.items():
        running += share
        if roll < running:
            return kind
    return "sporadic"


def _customers(rng, seed, count, start, now, summary) -> list[dict]:
    organisations = []
    for name in texts.ORGANISATIONS:
        organisation = Organisation(name=name, founded_on=date(rng.randint(1990, 2018), rng.randint(1, 12),
                                                               rng.randint(1, 28)), created_at=start)
        db.session.add(organisation)
        organisations.append(organisation)
    db.session.flush()
    summary.organisations = len(organisations)
    people = []
    for i in range(count):
        language = LANGUAGES[i % len(LANGUAGES)] if rng.random() < 0.8 else rng.choice(LANGUAGES)
        first, last = rng.choice(texts.FIRST_NAMES[language]), rng.choice(texts.LAST_NAMES[language])
        kind = _pick_kind(rng)
        organisation = rng.choice(organisations) if rng.random() < 0.4 else None
        email = f"{_token(seed, 'mail', i)[:10]}.{i}@customers.example"
        joined = start + timedelta(days=rng.randint(0, 60)) if kind != "new" else now - timedelta(days=rng.randint(20, 150))
        customer = Customer(
            external_id=f"DEMO-{i:05d}", name=f"{first} {last}", email=email, email_normalised=email,
            phone=f"+4{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            organisation_id=organisation.id if organisation else None, job_title="Purchasing" if organisation else "",
            language=language, timezone=texts.TIMEZONES[language],
            preferred_channel=rng.choice(("email", "email", "email", "phone", "in_person")),
            patronymic=rng.choice(texts.PATRONYMICS) if language == "ru" else "",
            birthday=date(rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.6 else None,
            is_partner=kind == "loyal" and rng.random() < 0.15, disqualified=kind == "prospect" and rng.random() < 0.2,
            created_at=joined)
        db.session.add(customer)
        people.append({"customer": customer, "kind": kind, "joined": joined, "language": language})
    db.session.flush()
    summary.customers = len(people)
    return people


def _orders(rng, people, start, now, summary) -> None:
    rows = []
    for person in people:
        _share, per_year, amount, late_chance, _complaints = KINDS[person["kind"]]
        first_day = person["joined"]
        last_day = now - timedelta(days=400) if person["kind"] == "dead" else now
        if person["kind"] == "dead":
            per_year = 3
        days = max((last_day - first_day).days, 1)
        expected = per_year * days / 365
        for _n in range(int(expected) + (1 if rng.random() < expected % 1 else 0)):
            ordered = (first_day + timedelta(days=rng.randint(0, days))).date()
            due = ordered + timedelta(days=30)
            late = rng.random() < late_chance
            paid = None if (late and rng.random() < 0.3) else due + timedelta(days=rng.randint(5, 60) if late else -rng.randint(0, 20))
            if paid is not None and paid > now.date():
                paid = None
            rows.append({"customer_id": person["customer"].id, "ordered_on": ordered,
                         "amount": Decimal(str(round(max(amount * rng.lognormvariate(0, 0.5), 15), 2))),
                         "currency": "EUR", "due_on": due, "paid_on": paid, "created_at": now})
    if rows:
        db.session.execute(insert(Order), rows)
    summary.orders = len(rows)


def _sla(now) -> dict[str, tuple[int, int]]:
    return {t.priority: (t.first_response_hours, t.resolution_hours) for t in db.session.scalars(select(SlaTarget))}


def _complaints(rng, seed, people, staff, start, now, summary) -> list[dict]:
    causes = {rc.code: rc.id for rc in db.session.scalars(select(RootCause))}
    sla = _sla(now)
    agents = [s for s in staff if s.role == "agent"]
    manager = next(s for s in staff if s.role == "manager")
    made = []
    for person in people:
        rate = KINDS[person["kind"]][4]
        days = max((now - person["joined"]).days, 1)
        expected = rate * days / 365
        for _n in range(int(expected) + (1 if rng.random() < expected % 1 else 0)):
            made.append((person, person["joined"] + timedelta(days=rng.uniform(0, days))))
    # A recent surge of late deliveries, so the trend check has something real to find.
    surge_people = rng.sample(people, 16)
    last_week = datetime.combine(now.date() - timedelta(days=now.weekday() + 7), datetime.min.time())
    for person in surge_people:
        made.append((person, last_week + timedelta(days=rng.uniform(0.1, 6.9))))
    made.sort(key=lambda item: item[1])
    complaints = []
    for index, (person, created) in enumerate(made):
        created = created.replace(microsecond=0)
        customer = person["customer"]
        language = person["language"]
        surge = person in surge_people and created >= last_week
        cause_code, subject, description = ("late_delivery", *texts.COMPLAINTS[language][0][1:]) if surge else \
            rng.choice(texts.COMPLAINTS[language])
        priority = "high" if person["kind"] == "loyal" else rng.choice(("normal", "normal", "normal", "low", "high", "urgent"))
        first_hours, resolution_hours = sla.get(priority, (8, 120))
        age_days = (now - created).total_seconds() / 86400
        status = _status_for(rng, age_days)
        owner = rng.choice(agents) if status != "new" else None
        complaint = Complaint(
            reference=_reference(rng), tracking_token_hash=_token(seed, "track", index), customer_id=customer.id,
            contact_name=customer.name, contact_email=customer.email, contact_phone=customer.phone,
            preferred_channel=customer.preferred_channel, language=language, subject=subject,
            description=description, status=status, priority=priority, owner_id=owner.id if owner else None,
            created_at=created, updated_at=created, first_response_due_at=created + timedelta(hours=first_hours),
            resolution_due_at=created + timedelta(hours=resolution_hours), contact_confirmed_at=created)
        db.session.add(complaint)
        events = [dict(kind="created", public=True, by_customer=True, created_at=created, minutes=0, body="", detail={})]
        minutes = 0
        moment = created
        if owner is not None:
            # Most first answers are quick; difficult customers' complaints and busy weeks slip.
            late = rng.random() < (0.25 if person["kind"] == "difficult" else 0.08)
            moment = created + timedelta(hours=first_hours * (rng.uniform(1.1, 3) if late else rng.uniform(0.05, 0.9)))
            moment = min(moment, now - timedelta(minutes=5))
            complaint.first_responded_at = moment
            step = rng.randint(5, 20)
            minutes += step
            events.append(dict(kind="assigned", public=True, actor_staff_id=manager.id, created_at=moment, minutes=step,
                               body="", detail={"owner": owner.name, "from": "new", "to": "assigned"}))
            for fact in rng.sample(texts.FACTS, rng.randint(1, 3)):
                moment = min(moment + timedelta(hours=rng.uniform(1, 20)), now - timedelta(minutes=4))
                step = rng.randint(5, 45)
                minutes += step
                events.append(dict(kind="fact", public=False, actor_staff_id=owner.id, created_at=moment,
                                   minutes=step, body=fact, detail={}))
            if status != "assigned":
                moment = min(moment + timedelta(hours=rng.uniform(2, 30)), now - timedelta(minutes=3))
                step = rng.randint(5, 30)
                minutes += step
                # (A waiting complaint's last update asked the customer something.)
                events.append(dict(kind="progress_update", public=True, actor_staff_id=owner.id, created_at=moment,
                                   minutes=step, body=rng.choice(texts.UPDATES),
                                   detail={"to": "waiting"} if status == "waiting" else {}))
        if status in ("resolved", "closed"):
            slow = rng.random() < (0.3 if person["kind"] == "difficult" else 0.12)
            resolved = created + timedelta(hours=resolution_hours * (rng.uniform(1.05, 2.5) if slow else rng.uniform(0.1, 0.95)))
            resolved = max(resolved, moment + timedelta(minutes=30))
            resolved = min(resolved, now - timedelta(minutes=2))
            step = rng.randint(10, 60) * (3 if person["kind"] == "difficult" else 1)
            minutes += step
            complaint.resolved_at = resolved
            complaint.root_cause_id = causes.get(cause_code) or causes["other"]
            complaint.resolution = rng.choice(texts.RESOLUTIONS)
            events.append(dict(kind="resolved", public=True, actor_staff_id=owner.id, created_at=resolved, minutes=step,
                               body=complaint.resolution, detail={"root_cause": cause_code, "from": "in_progress",
                                                                  "to": "resolved"}))
            if status == "closed":
                complaint.closed_at = min(resolved + timedelta(days=rng.uniform(1, 10)), now - timedelta(minutes=1))
                events.append(dict(kind="closed", public=True, actor_staff_id=owner.id, created_at=complaint.closed_at,
                                   minutes=0, body="", detail={"from": "resolved", "to": "closed"}))
            moment = complaint.closed_at or resolved
        complaint.handling_minutes = minutes
        complaint.updated_at = moment
        complaints.append({"complaint": complaint, "person": person, "events": events})
    db.session.flush()
    event_rows = []
    for item in complaints:
        for event in item["events"]:
            event_rows.append({"complaint_id": item["complaint"].id, "by_customer": event.pop("by_customer", False),
                               "actor_staff_id": event.pop("actor_staff_id", None), **event})
    db.session.execute(insert(ComplaintEvent), event_rows)
    summary.complaints, summary.events = len(complaints), len(event_rows)
    return complaints


def _status_for(rng: random.Random, age_days: float) -> str:
    """Old complaints are settled; recent ones are spread over every open state."""
    if age_days > 45:
        return rng.choices(("closed", "resolved", "in_progress"), (0.75, 0.23, 0.02))[0]
    if age_days > 10:
        return rng.choices(("closed", "resolved", "in_progress", "waiting", "assigned"), (0.35, 0.38, 0.14, 0.06, 0.07))[0]
    return rng.choices(("new", "assigned", "in_progress", "waiting", "resolved"), (0.3, 0.3, 0.2, 0.05, 0.15))[0]


def _survey(code: str) -> tuple[Survey, list[SurveyQuestion]]:
    survey = db.session.scalar(select(Survey).where(Survey.code == code))
    if survey is None:  # the migration installs the default surveys; an emptied database may lack them
        from surveys.defaults import install
        install(db.session.connection())
        survey = db.session.scalar(select(Survey).where(Survey.code == code))
    questions = list(db.session.scalars(select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id)
                                        .order_by(SurveyQuestion.position)))
    return survey, questions


def _mood_scores(rng: random.Random, mood: float) -> dict[str, int]:
    """Answers that hang together: one underlying mood (0 unhappy … 1 delighted) per response."""
    def scaled(low, high):
        value = low + (high - low) * min(max(rng.gauss(mood, 0.18), 0), 1)
        return int(round(value))
    return {"nps": scaled(0, 10), "csat": scaled(1, 5), "ces": scaled(1, 7)}


def _surveys(rng, seed, people, complaints, start, now, summary) -> None:
    after, after_questions = _survey("after_complaint")
    relation, relation_questions = _survey("relationship")
    invitations = []
    for item in complaints:
        complaint = item["complaint"]
        if complaint.resolved_at is None or complaint.resolved_at > now - timedelta(days=2) or rng.random() > 0.75:
            continue
        on_time = complaint.resolved_at <= complaint.resolution_due_at
        mood = (0.9 if on_time else 0.6) + (-0.2 if item["person"]["kind"] == "difficult" else 0.0)
        invitations.append((after, after_questions, item["person"], complaint,
                            complaint.resolved_at + timedelta(days=1), mood))
    for person in people:
        if person["kind"] in ("prospect",):
            continue
        moment = person["joined"] + timedelta(days=rng.randint(30, 120))
        base = {"loyal": 0.95, "medium": 0.85, "sporadic": 0.78, "difficult": 0.5, "dead": 0.45, "new": 0.8}[person["kind"]]
        period = 0
        while moment < now - timedelta(days=3):
            invitations.append((relation, relation_questions, person, None, moment, base, period))
            moment += timedelta(days=91 + rng.randint(-10, 10))
            period += 1
    count = 0
    for index, entry in enumerate(invitations):
        survey, questions, person, complaint, sent_at, mood = entry[:6]
        # The last month was worse: the trend check should notice.
        if sent_at > now - timedelta(days=28):
            mood -= 0.12
        sent_at = sent_at.replace(microsecond=0)
        answered = rng.random() < (0.55 if complaint is not None else 0.4)
        kind = "complaint" if complaint is not None else "relationship"
        invitation = SurveyInvitation(
            dedupe_key=f"{kind}:{complaint.id}:1" if complaint is not None else
            f"relationship:{person['customer'].id}:{entry[6]}",
            survey_id=survey.id, customer_id=person["customer"].id, complaint_id=complaint.id if complaint else None,
            kind=kind, period=entry[6] if complaint is None else None, status="answered" if answered else "expired",
            due_at=sent_at, sent_at=sent_at, expires_at=sent_at + timedelta(days=30), attempts=1,
            token_nonce=_token(seed, "nonce", index)[:32], token_hash=_token(seed, "survey", index), created_at=sent_at)
        db.session.add(invitation)
        if not answered:
            continue
        answered_at = min(sent_at + timedelta(hours=rng.uniform(1, 96)), now - timedelta(minutes=1))
        response = SurveyResponse(invitation=invitation, survey_id=survey.id, customer_id=person["customer"].id,
                                  complaint_id=complaint.id if complaint else None, language=person["language"],
                                  created_at=answered_at, updated_at=answered_at, submitted_at=answered_at)
        db.session.add(response)
        scores = _mood_scores(rng, mood)
        comments = texts.COMMENTS[person["language"]]
        for question in questions:
            if question.qtype in scores:
                response.answers.append(SurveyAnswer(question_id=question.id, qtype=question.qtype,
                                                     score=scores[question.qtype]))
            elif question.qtype == "text" and rng.random() < 0.5:
                pool = comments["idea"] if complaint is None else (comments["good"] if mood > 0.55 else comments["bad"])
                response.answers.append(SurveyAnswer(question_id=question.id, qtype="text", text=rng.choice(pool)))
        count += 1
        if index % 500 == 0:
            db.session.flush()
    db.session.flush()
    summary.survey_responses = count


def _derive(now: datetime, summary: SeedSummary) -> None:
    """Segments (a quarter ago and now, so there are transitions), report tables, themes, trend check."""
    from customers.recompute import recompute_all
    from reports.aggregation import refresh_report_aggregates
    from reports.alerts import check_trends
    from reports.themes import compute_themes

    recompute_all(now - timedelta(days=91), current_app.config)
    result = recompute_all(now, current_app.config)
    summary.transitions = result.transitions
    refresh_report_aggregates(now, full=True)
    compute_themes(now)  # the dashboard's "What customers write about" (and its theme_rise alerts)
    summary.alerts = len(check_trends(now))
