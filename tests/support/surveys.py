"""Helpers shared by the survey tests: default surveys, a resolved complaint, one scheduler pass."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from complaints import actions, filing
from complaints.filing import NewComplaint

NOW = datetime(2027, 1, 15, 9, 0)  # a Friday, 09:00 UTC


def install_default_surveys(db_session) -> None:
    from surveys import defaults
    defaults.install(db_session.connection(), now=NOW)
    db_session.commit()


def resolved_complaint(staff, *, email="jan@example.com", name="Jan Kowalski", now=NOW, **customer_fields):
    filed = filing.file_complaint(
        NewComplaint(name=name, email=email, description="The parcel arrived crushed."),
        submission_key=secrets.token_urlsafe(16), now=now)
    reference = filed.complaint.reference if hasattr(filed, "complaint") else filed.reference
    if customer_fields:
        from extensions import db
        from customers.services import find_customer_by_email
        customer = find_customer_by_email(email)
        for key, value in customer_fields.items():
            setattr(customer, key, value)
        db.session.commit()
    return actions.resolve(reference, "Refunded in full", "damaged_in_transit", actor=staff.agent, now=now)


def run_due(app, now):
    from scheduling.runner import run_due as run
    return run(app, now)


def survey_links(message) -> dict[str, str]:
    """score → path of the one-click links in a received e-mail (text part)."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    return {m.group(2): m.group(1) for m in re.finditer(r"http://localhost(/survey/[\w-]+\?score=(\d+))", text)}


def survey_mails(smtp_server, address):
    return [m for m in smtp_server.to(address) if m["List-Unsubscribe"]]
