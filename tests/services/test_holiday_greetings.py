"""Seasonal greetings (seed 002, issue 18): the customer's country's holidays, their own time zone
and hours, the monthly cap, dead/disqualified files left out, one greeting per holiday even when
the job runs twice, and delivery through the outbox to a real SMTP server."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from customers.greetings import send_greetings
from customers.models import CustomerTask, Greeting
from notifications.models import OutboxMessage
from notifications.services import queue_email
from tests.support.customers import customer, orders, recompute, scores


def kinds(db_session, who) -> list[str]:
    return sorted(m.kind for m in db_session.query(OutboxMessage).filter_by(customer_id=who.id))


def test_which_holiday_follows_the_country(app, db_session):
    pl = customer("Jan Kowalski", country="PL", language="pl", timezone="Europe/Warsaw", salutation="Panie Janie")
    cz = customer("Petra Nováková", language="cs", timezone="Europe/Prague")  # no country: Czech → CZ
    ro = customer("Ion Popescu", country="RO", language="ro", timezone="Europe/Bucharest")
    other = customer("Jane Doe", timezone="Europe/London")  # English, no country, no default: New Year only
    db_session.commit()
    # 24 Dec 2027 10:00 UTC: Christmas Eve in Poland and Czechia; Romania's Christmas is the 25th
    # (inside the two-day lead); nobody else's.
    run = send_greetings(datetime(2027, 12, 24, 10, 0))
    assert kinds(db_session, pl) == ["greeting_christmas"] and kinds(db_session, cz) == ["greeting_christmas"]
    assert kinds(db_session, ro) == ["greeting_christmas"] and kinds(db_session, other) == []
    assert run.emailed == 3
    message = db_session.query(OutboxMessage).filter_by(customer_id=pl.id).one()
    assert message.language == "pl" and "Panie Janie" in message.subject and message.html_body
    # Orthodox Easter in Romania (2 May 2027), Easter Sunday in Poland (28 March), Easter Monday in Czechia.
    send_greetings(datetime(2027, 3, 27, 10, 0))
    assert "greeting_easter" in kinds(db_session, pl) and "greeting_easter" not in kinds(db_session, ro)
    assert "greeting_easter" in kinds(db_session, cz)
    send_greetings(datetime(2027, 5, 1, 10, 0))
    assert "greeting_easter" in kinds(db_session, ro)
    # New Year for everyone, the one before it on 31 December counts as 2028's.
    send_greetings(datetime(2027, 12, 31, 12, 0))
    assert "greeting_new_year" in kinds(db_session, other)
    assert db_session.scalar(select(Greeting.year).where(Greeting.customer_id == other.id)) == 2028


def test_default_country_for_files_without_one(app, db_session):
    app.config["DEFAULT_COUNTRY"] = "RO"
    ru = customer("Мария Иванова", language="ru", timezone="Europe/Chisinau")
    db_session.commit()
    send_greetings(datetime(2027, 5, 2, 9, 0))  # Orthodox Easter in Romania
    assert kinds(db_session, ru) == ["greeting_easter"]


def test_runs_twice_greets_once_and_the_next_year_again(app, db_session):
    who = customer("Twice", country="PL", timezone="Europe/Warsaw")
    db_session.commit()
    now = datetime(2027, 12, 23, 10, 0)
    assert send_greetings(now).emailed == 1
    assert send_greetings(now).emailed == 0
    assert send_greetings(now + timedelta(days=1)).emailed == 0  # still inside the window
    assert kinds(db_session, who) == ["greeting_christmas"]
    assert db_session.query(Greeting).filter_by(customer_id=who.id, occasion="christmas").count() == 1
    send_greetings(datetime(2028, 12, 23, 10, 0))
    assert kinds(db_session, who) == ["greeting_christmas", "greeting_christmas"]


def test_a_racing_twin_that_claimed_first_wins(app, db_session):
    who = customer("Raced", country="CZ", timezone="Europe/Prague")
    db_session.add(Greeting(customer_id=who.id, occasion="christmas", year=2027, outcome="emailed",
                            created_at=datetime(2027, 12, 23, 9, 0)))
    db_session.commit()
    assert send_greetings(datetime(2027, 12, 23, 10, 0)).emailed == 0
    assert kinds(db_session, who) == []


def test_own_hours_time_zone_and_cap(app, db_session, staff):
    app.config["AUTOMATED_MESSAGES_PER_MONTH"] = 1
    night = customer("Night Owl", country="PL", timezone="America/Los_Angeles")  # 02:00 there
    busy = customer("Busy", country="PL", timezone="Europe/Warsaw")
    phoner = customer("Phoner", country="PL", timezone="Europe/Warsaw", preferred_channel="phone",
                      account_owner_id=staff.agent.id)
    opted = customer("Opted", country="PL", greetings_opted_out_at=datetime(2026, 1, 1))
    db_session.commit()
    queue_email(kind="survey_invitation", to_address=busy.email, template="greeting_christmas",
                context={"addressed_as": "Busy"}, customer_id=busy.id, now=datetime(2027, 12, 10, 10, 0))
    db_session.commit()
    run = send_greetings(datetime(2027, 12, 23, 10, 0))
    assert (run.emailed, run.capped, run.tasks, run.opted_out, run.waiting) == (0, 1, 1, 1, 1)
    task = db_session.query(CustomerTask).filter_by(customer_id=phoner.id).one()
    assert task.owner_id == staff.agent.id and "Christmas" in task.title
    assert kinds(db_session, busy) == ["survey_invitation"] and kinds(db_session, opted) == []
    assert send_greetings(datetime(2027, 12, 23, 18, 0)).emailed == 1  # 10:00 in Los Angeles
    assert kinds(db_session, night) == ["greeting_christmas"]


def test_dead_and_disqualified_files_get_no_holiday_greetings(app, db_session):
    dead = customer("Dead Buyer", country="PL")
    orders(dead, (300, 15), due_after=14, unpaid=True)
    barred = customer("Barred", country="PL", disqualified=True)
    fresh = customer("Fresh", country="PL")
    orders(customer("Big Buyer", email=None, preferred_channel="email"), (10, 50_000))
    db_session.commit()
    recompute(app)
    assert scores(dead).category == "dead"
    send_greetings(datetime(2027, 12, 23, 10, 0))
    greeted = set(db_session.scalars(select(OutboxMessage.customer_id).where(OutboxMessage.kind.like("greeting%"))))
    assert greeted == {fresh.id}
    assert barred.id not in greeted


def test_holiday_greeting_is_delivered_by_real_smtp(mail_app, smtp_server, db_session):
    from notifications.jobs import deliver_outbox_job
    who = customer("Ion", country="RO", language="ro", salutation="Domnule Popescu", timezone="Europe/Bucharest")
    db_session.commit()
    now = datetime(2027, 12, 24, 10, 0)
    send_greetings(now)
    deliver_outbox_job(now + timedelta(seconds=1))
    [message] = smtp_server.to(who.email)
    assert "Domnule Popescu" in message["Subject"]
    assert message.is_multipart()
