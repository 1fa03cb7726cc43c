"""Outbox delivery against a real SMTP server (aiosmtpd): what arrives, retries, parking, escalations."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints import filing, links, sla
from notifications.delivery import deliver_outbox
from notifications.models import OutboxMessage
from platform_support.database import write_intent
from tests.support import complaints
from tests.support.clock import NOW
from tests.support.mail import ReceivedMail, free_port


def file(name="Jan Kowalski", email="jan@example.com"):
    return complaints.file(name=name, email=email, description="The vase broke.")


def deliver(now=NOW):
    with write_intent():
        return deliver_outbox(now=now)


def rows(db_session):
    db_session.rollback()
    return list(db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_acknowledgement_arrives_with_text_part_reference_link_and_stable_message_id(mail_app, smtp_server, db_session):
    filed = file()
    (queued,) = rows(db_session)
    report = deliver()
    assert (report.claimed, report.sent) == (1, 1)
    (mail,) = smtp_server.messages
    assert mail["To"] == "Jan Kowalski <jan@example.com>"
    assert mail["Message-ID"] == queued.message_id
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = links.link_url(filed.complaint.reference)  # the signed link: opening it confirms the address
    assert filed.complaint.reference in text and link in text and "truly sorry" in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert link in html
    (sent,) = rows(db_session)
    assert sent.status == "sent" and sent.sent_at == NOW and sent.attempts == 1
    assert deliver(NOW + timedelta(hours=1)).claimed == 0  # nothing is sent twice


def test_a_message_whose_worker_died_is_sent_again_with_the_same_message_id(mail_app, smtp_server, db_session):
    file()
    (message,) = rows(db_session)
    message.status, message.lease_until, message.attempts = "sending", NOW + timedelta(minutes=5), 1
    db_session.commit()
    assert deliver(NOW).claimed == 0  # the lease still holds
    assert deliver(NOW + timedelta(minutes=6)).sent == 1  # the lease ran out: taken again
    assert smtp_server.messages[0]["Message-ID"] == message.message_id


def test_crlf_in_a_name_cannot_add_headers(mail_app, smtp_server, db_session, monkeypatch):
    monkeypatch.setattr(filing, "check_new_complaint", lambda new, now, **_: {})  # past the filing's rules
    file(name="Eve\r\nBcc: victim@example.com")
    deliver()
    (mail,) = smtp_server.messages
    assert mail["Bcc"] is None and "victim@example.com" not in str(mail["To"]).split("<")[-1]


def test_without_smtp_mail_stays_in_the_outbox(app, db_session):
    file()
    assert deliver().claimed == 0
    assert [m.status for m in rows(db_session)] == ["queued"]


class RefusingServer:
    """A real SMTP server that answers DATA with a temporary (4xx) or permanent (5xx) failure."""

    def __init__(self, reply):
        self.reply = reply
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        return self.reply


@pytest.fixture
def refusing_smtp(app):
    from aiosmtpd.controller import Controller

    controllers = []

    def start(reply):
        handler = RefusingServer(reply)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_BASE_SECONDS=60)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def test_temporary_failure_is_retried_with_backoff_then_parked(refusing_smtp, db_session):
    server = refusing_smtp("451 4.3.0 Mailbox busy, try again later")
    file()
    report = deliver(NOW)
    assert (report.claimed, report.retried, report.parked) == (1, 1, 0)
    (message,) = rows(db_session)
    assert message.status == "queued" and message.attempts == 1
    assert message.next_attempt_at == NOW + timedelta(seconds=60) and "451" in message.last_error

    assert deliver(NOW + timedelta(seconds=59)).claimed == 0  # not yet due
    assert deliver(NOW + timedelta(seconds=60)).retried == 1
    (message,) = rows(db_session)
    assert message.attempts == 2 and message.next_attempt_at == NOW + timedelta(seconds=60 + 120)  # doubled

    report = deliver(NOW + timedelta(seconds=180))
    assert report.parked == 1  # MAIL_MAX_ATTEMPTS = 3
    (message,) = rows(db_session)
    assert message.status == "parked" and message.attempts == 3 and server.attempts == 3
    assert deliver(NOW + timedelta(days=1)).claimed == 0  # parked stays parked until an admin retries


def test_permanent_failure_is_parked_at_once(refusing_smtp, db_session):
    refusing_smtp("550 5.1.1 No such user")
    file()
    assert deliver(NOW).parked == 1
    (message,) = rows(db_session)
    assert message.status == "parked" and message.attempts == 1 and "550" in message.last_error


def test_unreachable_server_is_a_temporary_failure(app, db_session):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    file()
    assert deliver(NOW).retried == 1
    (message,) = rows(db_session)
    assert message.status == "queued" and message.attempts == 1


def test_escalation_job_mails_managers_once_per_breach(mail_app, smtp_server, staff, runner, db_session):
    complaint = file().complaint
    first_hours, _resolution_hours = sla.sla_hours("normal")
    late = (NOW + timedelta(hours=first_hours, minutes=5)).isoformat()
    for _ in range(2):  # the clock firing twice is harmless
        result = runner.invoke(args=["jobs", "run-due", "--now", late])
        assert result.exit_code == 0, result.output
    escalations = [m for m in smtp_server.messages if complaint.reference in m["Subject"]
                   and m["To"] != "Jan Kowalski <jan@example.com>"]
    assert sorted(m["To"] for m in escalations) == ["Adam Admin <adam@example.com>", "Maria Manager <maria@example.com>"]
    body = escalations[0].get_body(preferencelist=("plain",)).get_content()
    assert "first response" in body.lower() and f"/staff/complaints/{complaint.reference}" in body
    # The acknowledgement went out in the same pass (jobs that create mail run before delivery).
    assert any(m["To"] == "Jan Kowalski <jan@example.com>" for m in smtp_server.messages)


class SelectiveServer(ReceivedMail):
    """Accepts every recipient except those starting with "nobody" (550, a permanent failure);
    counts the connections (one EHLO each)."""

    def __init__(self):
        super().__init__()
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_large_batch_goes_over_parallel_connections_each_message_once(app, db_session):
    from aiosmtpd.controller import Controller

    handler = SelectiveServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_CONNECTIONS=4, WORKER_BATCH_SIZE=500)
        total, refused = 230, {7, 120, 229}
        db_session.add_all([OutboxMessage(
            kind="test", to_address=f"{'nobody' if n in refused else 'c'}{n}@example.com", to_name=f"Customer {n}",
            subject=f"Message {n}", text_body=f"Body {n}\n", html_body=f"<p>Body {n}</p>", extra_headers={},
            message_id=f"<m{n}@example.com>", language="en", status="queued", next_attempt_at=NOW, created_at=NOW)
            for n in range(total)])
        db_session.commit()
        report = deliver(NOW)
        assert (report.claimed, report.sent, report.parked, report.retried) == (total, total - 3, 3, 0)
        received = [m["Message-ID"] for m in handler.messages]
        assert sorted(received) == sorted(f"<m{n}@example.com>" for n in range(total) if n not in refused)
        assert 1 < handler.connections <= 4  # 230 messages: several connections in parallel, kept after a refusal
        by_status = {}
        for message in rows(db_session):
            by_status.setdefault(message.status, set()).add(message.message_id)
        assert by_status["parked"] == {f"<m{n}@example.com>" for n in refused}
        assert len(by_status["sent"]) == total - 3 and set(by_status) == {"sent", "parked"}
        assert deliver(NOW + timedelta(hours=1)).claimed == 0  # nothing left, nothing twice
    finally:
        controller.stop()


def test_a_small_batch_goes_over_one_connection_in_order(mail_app, smtp_server, db_session):
    mail_app.config.update(SMTP_CONNECTIONS=4)
    for n in range(5):
        file(email=f"c{n}@example.com")
    deliver(NOW)
    assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages] == [f"c{n}@example.com" for n in range(5)]


class PlainSevenBitServer(ReceivedMail):
    """A relay that does not announce 8BITMIME; keeps the raw bytes of what arrived."""

    def __init__(self):
        super().__init__()
        self.raw = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [line for line in responses if "8BITMIME" not in line.upper()]

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.original_content or envelope.content)
        return await super().handle_DATA(server, session, envelope)


class RawServer(PlainSevenBitServer):
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses


@pytest.mark.parametrize("announces_8bit", [True, False])
def test_non_ascii_text_goes_8bit_only_to_a_relay_that_announced_8bitmime(app, db_session, announces_8bit):
    from aiosmtpd.controller import Controller

    handler = RawServer() if announces_8bit else PlainSevenBitServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        file(name="Иван Петров", email="ivan@example.com")
        assert deliver(NOW).sent == 1
    finally:
        controller.stop()
    (raw,) = handler.raw
    (mail,) = handler.messages
    encodings = {part["Content-Transfer-Encoding"] for part in mail.walk() if not part.is_multipart()}
    if announces_8bit:
        assert encodings <= {"8bit", "7bit"} and "8bit" in encodings and not raw.isascii()
        assert "Иван Петров".encode() in raw  # as typed, not as =D0=98…
    else:
        assert "quoted-printable" in encodings and raw.isascii()
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Dear Иван Петров," in text  # decodes to the same text either way
    assert mail["To"].addresses[0].display_name == "Иван Петров"
