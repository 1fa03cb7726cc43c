"""The privacy pages and rules: the erase page (counts, confirmation, open complaints), the
retention policy, the complete export zip, and who may change the sensitive parts of a file."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from audit.models import AuditEntry
from customers import privacy
from customers.models import Customer, Interaction
from tests.support.clock import NOW
from tests.support.complaints import complaint_row, file
from tests.support.customers import customer, orders

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _file():
    return file(NOW - timedelta(days=5), name="Petra Private", email="petra@example.com", subject="Scratched table",
                description="Deep scratch.")


def test_erase_page_counts_and_asks_for_confirmation(browser, staff, db_session):
    filed = _file()
    from complaints import actions
    actions.resolve(filed.reference, "Replaced", "damaged_in_transit", actor=staff.manager, now=NOW - timedelta(days=4))
    who = db_session.scalar(sa.select(Customer).where(Customer.email == "petra@example.com"))
    db_session.commit()
    browser.login(staff.manager)
    page = browser.get(f"/staff/customers/{who.id}/erase").get_data(as_text=True)
    assert "Complaints: contact data and texts" in page and "E-mails sent to the customer" in page
    assert "Erase personal data" in page and 'name="erase-confirm"' in page
    # Without the box ticked nothing happens, and the page says why.
    refused = browser.post_form(f"/staff/customers/{who.id}/erase", {"erase-reason": "asked by phone"})
    assert refused.status_code == 400 and "asked by phone" in refused.get_data(as_text=True)  # nothing typed is lost
    db_session.rollback()
    assert db_session.get(Customer, who.id).erased_at is None
    done = browser.post_form(f"/staff/customers/{who.id}/erase", {"erase-confirm": "y"})
    assert done.status_code == 302
    db_session.rollback()
    assert db_session.get(Customer, who.id).erased_at is not None
    entry = db_session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "customer.erased"))
    assert entry.target["customer_id"] == str(who.id) and entry.actor == staff.manager.email


def test_open_complaint_blocks_unless_a_manager_gives_a_reason(browser, staff, db_session):
    _file()
    who = db_session.scalar(sa.select(Customer).where(Customer.email == "petra@example.com"))
    db_session.commit()
    browser.login(staff.manager)
    page = browser.get(f"/staff/customers/{who.id}/erase").get_data(as_text=True)
    assert "This customer has an open complaint." in page
    refused = browser.post_form(f"/staff/customers/{who.id}/erase", {"erase-confirm": "y"})
    assert refused.status_code == 400
    db_session.rollback()
    assert db_session.get(Customer, who.id).erased_at is None
    # An agent calling the service is refused even with a reason.
    import pytest
    from platform_support.errors import ServiceError
    with pytest.raises(ServiceError):
        privacy.erase_customer(who.id, actor=staff.agent, now=NOW, reason="because")
    db_session.rollback()
    done = browser.post_form(f"/staff/customers/{who.id}/erase",
                             {"erase-confirm": "y", "erase-reason": "Court order 12/2027"})
    assert done.status_code == 302
    db_session.rollback()
    entry = db_session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "customer.erased"))
    assert entry.target["reason"] == "Court order 12/2027" and entry.target["open_complaints"] == "1"


def test_retention_proposes_only_the_long_inactive(app, db_session):
    months = app.config["RETENTION_MONTHS"]
    new = customer("Brand New", created_at=NOW - timedelta(days=3))  # never ordered: not proposed
    old_no_orders = customer("Old Silent", created_at=NOW - timedelta(days=months * 31 + 40))
    old_buyer = customer("Old Buyer", created_at=NOW - timedelta(days=2000))
    orders(old_buyer, (months * 31 + 10, 100))
    recent_buyer = customer("Recent Buyer", created_at=NOW - timedelta(days=2000))
    orders(recent_buyer, (30, 100))
    complained = customer("Recent Complainer", created_at=NOW - timedelta(days=2000))
    orders(complained, (months * 31 + 10, 100))
    complaint_row(complained, age_days=20, status="closed")
    talked = customer("Recently Called", created_at=NOW - timedelta(days=2000))
    db_session.add(Interaction(customer_id=talked.id, kind="call", occurred_at=NOW - timedelta(days=10),
                               created_at=NOW - timedelta(days=10), minutes=3, body="Called"))
    db_session.commit()
    proposed = [c.name for c, _at in privacy.erasure_candidates(now=NOW, months=months)]
    assert proposed == ["Old Silent", "Old Buyer"]  # oldest last activity first


def test_export_zip_is_complete(app, browser, staff, db_session):
    from complaints import actions, tracking
    from complaints.uploads import Upload
    from extensions import db
    filed = _file()
    tracking.add_customer_message(filed.tracking_token, "Here is a photo.", [Upload("table.png", PNG)],
                                  now=NOW - timedelta(days=4))
    actions.post_update(filed.reference, "We will replace it.", public=True, actor=staff.manager, now=NOW - timedelta(days=3))
    actions.post_update(filed.reference, "Internal: supplier fault", public=False, actor=staff.manager,
                        now=NOW - timedelta(days=3))
    who = db.session.scalar(sa.select(Customer).where(Customer.email == "petra@example.com"))
    who.surveys_opted_out_at = NOW - timedelta(days=1)
    orders(who, (10, 50))
    db_session.add(Interaction(customer_id=who.id, kind="call", occurred_at=NOW - timedelta(days=2),
                               created_at=NOW - timedelta(days=2), minutes=4, body="Called about the table"))
    db_session.commit()
    browser.login(staff.manager)
    response = browser.get(f"/staff/customers/{who.id}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    document = json.loads(archive.read("customer.json"))
    assert document["customer"]["email"] == "petra@example.com"
    assert document["consents"]["surveys_opted_out_at"]
    assert len(document["orders"]) == 1 and document["interactions"][0]["body"] == "Called about the table"
    (only,) = document["complaints"]
    texts = [m["text"] for m in only["messages"]]
    assert "Here is a photo." in texts and "We will replace it." in texts
    assert "Internal: supplier fault" not in json.dumps(document)  # internal notes are not the customer's data
    assert "complaint_progress_update" in {e["kind"] for e in document["emails"]}
    (attachment,) = only["attachments"]
    assert archive.read(attachment["file"]) == PNG and attachment["file"] in document["files"]
    assert "survey_answers" in document


def test_sensitive_fields_are_for_managers_and_every_edit_is_audited(browser, staff, db_session):
    who = customer("Flag Person", email="flag@example.com")
    db_session.commit()
    form = {"file-name": "Flag Person", "file-email": "other@example.com", "file-language": "en",
            "file-timezone": "UTC", "file-preferred_channel": "email", "file-account_owner": "0",
            "file-is_partner": "y", "file-phone": "+48 600 100 200"}
    browser.login(staff.agent)
    page = browser.get(f"/staff/customers/{who.id}").get_data(as_text=True)
    assert 'name="file-is_partner"' not in page and 'name="file-email"' not in page
    assert browser.post_form(f"/staff/customers/{who.id}", form, action=f"/staff/customers/{who.id}/edit").status_code == 302
    db_session.rollback()
    kept = db_session.get(Customer, who.id)
    assert kept.email == "flag@example.com" and kept.is_partner is False and kept.phone == "+48 600 100 200"
    entry = db_session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "customer.edited"))
    assert entry.target["changes"]["phone"] == ["", "+48 600 100 200"] and entry.actor == staff.agent.email
    # The service refuses an agent's sensitive change whatever sends it.
    import pytest
    from customers import records
    from platform_support.errors import PermissionDenied
    with pytest.raises(PermissionDenied):
        records.update_customer(who.id, {"name": "Flag Person", "timezone": "UTC", "language": "en"}, is_partner=True,
                                actor=staff.agent, now=NOW)
    db_session.rollback()
    browser.login(staff.manager)
    assert browser.post_form(f"/staff/customers/{who.id}", form, action=f"/staff/customers/{who.id}/edit").status_code == 302
    db_session.rollback()
    changed = db_session.get(Customer, who.id)
    assert changed.email == "other@example.com" and changed.is_partner is True
    last = db_session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "customer.edited")
                              .order_by(AuditEntry.id.desc())).first()
    assert last.target["changes"]["email"] == ["flag@example.com", "other@example.com"]
    assert last.target["changes"]["is_partner"] == ["False", "True"]
