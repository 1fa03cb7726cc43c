"""Greetings on personal dates: the day in the customer's time zone, contact hours, opt-outs,
preferred channel, the monthly cap, one per customer/occasion/year, real SMTP delivery."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from customers.greetings import send_greetings
from customers.models import CustomerTask, Greeting, Organisation
from notifications.models import OutboxMessage
from notifications.services import queue_email
from tests.support.customers import customer, orders, recompute


def run(now):
    return send_greetings(now)


def outbox(db_session, who):
    return db_session.query(OutboxMessage).filter_by(customer_id=who.id).all()


def test_the_day_and_hours_are_the_customers_own(app, db_session):
    auckland = customer("Aroha", timezone="Pacific/Auckland", birthday=date(1990, 1, 16))   # UTC+13 in January
    la_today = customer("Lee", timezone="America/Los_Angeles", birthday=date(1985, 1, 15))  # UTC−8
    la_tomorrow = customer("Lou", timezone="America/Los_Angeles", birthday=date(1985, 1, 16))
    db_session.commit()
    # 21:00 UTC on 15 Jan = 10:00 on 16 Jan in Auckland, 13:00 on 15 Jan in Los Angeles.
    result = run(datetime(2027, 1, 15, 21, 0))
    assert result.emailed == 2
    assert len(outbox(db_session, auckland)) == 1 and len(outbox(db_session, la_today)) == 1
    assert outbox(db_session, la_tomorrow) == []
    # 10:00 UTC on 16 Jan = 02:00 in Los Angeles: Lou's birthday, but not inside contact hours yet.
    early = run(datetime(2027, 1, 16, 10, 0))
    assert early.emailed == 0 and early.waiting == 1
    assert run(datetime(2027, 1, 16, 18, 0)).emailed == 1  # 10:00 in Los Angeles
    assert len(outbox(db_session, la_tomorrow)) == 1


def test_once_per_customer_occasion_and_year(app, db_session):
    who = customer("Once", birthday=date(1970, 1, 15))
    db_session.commit()
    assert run(datetime(2027, 1, 15, 10, 0)).emailed == 1
    assert run(datetime(2027, 1, 15, 12, 0)).emailed == 0
    assert db_session.query(Greeting).filter_by(customer_id=who.id).count() == 1
    assert run(datetime(2028, 1, 15, 10, 0)).emailed == 1  # next year again


def test_opt_out_channel_and_cap(app, db_session, staff):
    app.config["AUTOMATED_MESSAGES_PER_MONTH"] = 1
    opted = customer("Opted", birthday=date(1970, 1, 15), greetings_opted_out_at=datetime(2026, 1, 1))
    phoner = customer("Phoner", birthday=date(1970, 1, 15), preferred_channel="phone", account_owner_id=staff.agent.id)
    busy = customer("Busy", birthday=date(1970, 1, 15))
    db_session.commit()
    queue_email(kind="survey_invitation", to_address=busy.email, template="greeting_birthday",
                context={"addressed_as": "Busy", "years": 1, "organisation": ""}, customer_id=busy.id,
                now=datetime(2027, 1, 1, 10, 0))
    db_session.commit()
    result = run(datetime(2027, 1, 15, 10, 0))
    assert (result.emailed, result.opted_out, result.tasks, result.capped) == (0, 1, 1, 1)
    assert outbox(db_session, opted) == [] and outbox(db_session, phoner) == []
    task = db_session.query(CustomerTask).filter_by(customer_id=phoner.id).one()
    assert task.owner_id == staff.agent.id and task.due_on == date(2027, 1, 15) and "Phoner" in task.title
    outcomes = dict(db_session.query(Greeting.customer_id, Greeting.outcome).all())
    assert outcomes == {opted.id: "opted_out", phoner.id: "task", busy.id: "capped"}


def test_two_occasions_on_one_day_respect_the_cap(app, db_session):
    app.config["AUTOMATED_MESSAGES_PER_MONTH"] = 1
    org = Organisation(name="Founders Ltd", founded_on=date(2000, 1, 15))
    db_session.add(org)
    db_session.flush()
    both = customer("Both", birthday=date(1970, 1, 15), organisation_id=org.id)
    db_session.commit()
    result = run(datetime(2027, 1, 15, 10, 0))
    assert result.emailed == 1 and result.capped == 1
    assert len(outbox(db_session, both)) == 1  # the birthday or the founding day, not both


def test_founding_day_and_first_deal_anniversary(app, db_session):
    org = Organisation(name="Acme", founded_on=date(2007, 1, 15))
    db_session.add(org)
    db_session.flush()
    contact = customer("Key Person", organisation_id=org.id)
    buyer = customer("Buyer")
    orders(buyer, (365 * 3 + 1, 100))  # first deal on 15 Jan 2024
    db_session.commit()
    recompute(app, datetime(2027, 1, 14, 2, 0))
    run(datetime(2027, 1, 15, 10, 0))
    kinds = {m.customer_id: m for m in db_session.query(OutboxMessage).all()}
    assert kinds[contact.id].kind == "greeting_founding_day" and "20 years of Acme" in kinds[contact.id].subject
    assert kinds[buyer.id].kind == "greeting_first_deal" and "3 years" in kinds[buyer.id].subject


def test_personal_salutation_language_and_leap_day(app, db_session):
    ivan = customer("Иван Иванов", patronymic="Петрович", language="ru", timezone="Europe/Moscow",
                    birthday=date(1988, 2, 29))
    db_session.commit()
    run(datetime(2027, 2, 28, 9, 0))  # no 29 February in 2027: greeted on the 28th
    message = db_session.query(OutboxMessage).filter_by(customer_id=ivan.id).one()
    assert message.language == "ru"
    assert "Иван Петрович" in message.text_body


def test_greeting_is_delivered_by_real_smtp(mail_app, smtp_server, db_session):
    from notifications.jobs import deliver_outbox_job
    who = customer("Ann", salutation="Dear Ms Smith", birthday=date(1990, 1, 15))
    db_session.commit()
    now = datetime(2027, 1, 15, 10, 0)
    run(now)
    deliver_outbox_job(now + timedelta(seconds=1))
    [message] = smtp_server.to(who.email)
    assert "Dear Ms Smith" in message["Subject"]
    assert message["Message-ID"]
