"""Staff pages of the customer file through the test client: list, file, edit, interaction log,
organisation, quarterly review, priority rules (and the complaint priority they set), erasure."""
from __future__ import annotations

from datetime import datetime, timedelta

from complaints.models import SegmentPriorityRule
from customers.models import Customer, CustomerScore, Interaction
from tests.support.clock import NOW
from tests.support.complaints import complaint_row, file
from tests.support.customers import customer, orders, recompute


def test_list_search_badges_and_pareto_share(browser, staff, app, db_session):
    big, small = customer("Alpha Big"), customer("Zeta Small")
    orders(big, (10, 900), (100, 100))
    orders(small, (10, 50))
    db_session.commit()
    recompute(app, NOW)
    browser.login(staff.agent)
    page = browser.get("/staff/customers/").get_data(as_text=True)
    assert "Alpha Big" in page and "Zeta Small" in page
    assert "badge-abc-a" in page and "95.2%" in page  # Alpha's own cumulative share of 1 050
    only_c = browser.get("/staff/customers/?abc=C").get_data(as_text=True)
    assert "Zeta Small" in only_c and "Alpha Big" not in only_c
    assert "Alpha Big" in browser.get("/staff/customers/?q=alpha").get_data(as_text=True)


def test_keyset_pages_do_not_repeat_or_skip(browser, staff, db_session):
    for number in range(60):
        customer(f"Person {number:02d}")
    db_session.commit()
    browser.login(staff.agent)
    first = browser.get("/staff/customers/").get_data(as_text=True)
    assert "Person 49" in first and "Person 50" not in first
    import re
    next_url = re.search(r'href="(/staff/customers/\?cursor=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = browser.get(next_url).get_data(as_text=True)
    assert "Person 50" in second and "Person 59" in second and "Person 49" not in second


def test_file_page_edit_and_interaction_log(browser, staff, app, db_session):
    who = customer("Olga Ivanova", language="ru")
    file(name="Olga Ivanova", email=who.email, description="Wrong size.")
    orders(who, (5, 100))
    db_session.commit()
    recompute(app, NOW)
    browser.login(staff.agent)
    url = f"/staff/customers/{who.id}"
    page = browser.get(url).get_data(as_text=True)
    assert "Recommended treatment" in page and "Make the first experience perfect" in page
    assert "Complaint C" in page and "E-mail: " in page  # complaint event and acknowledgement on the timeline
    browser.login(staff.manager)  # partner flag, opt-outs, e-mail: managers (tests/web/test_privacy.py)
    response = browser.post_form(url, {"file-name": "Olga Ivanova", "file-salutation": "Ольга Петровна",
                                       "file-patronymic": "Петровна", "file-email": "olga@example.com",
                                       "file-language": "ru", "file-timezone": "Europe/Moscow",
                                       "file-preferred_channel": "phone", "file-organisation": "Romashka",
                                       "file-preferred_hour_start": "10", "file-preferred_hour_end": "16",
                                       "file-birthday": "1979-03-08", "file-greetings_opt_out": "y",
                                       "file-is_partner": "y", "file-account_owner": str(staff.agent.id)},
                                 action=f"{url}/edit")
    assert response.status_code == 302
    db_session.rollback()
    saved = db_session.get(Customer, who.id)
    assert saved.salutation == "Ольга Петровна" and saved.organisation.name == "Romashka" and saved.is_partner
    assert saved.greetings_opted_out_at is not None and saved.preferred_hour_start == 10
    bad = browser.post_form(url, {"file-name": "Olga", "file-timezone": "Nowhere/Land", "file-language": "ru",
                                  "file-preferred_channel": "email", "file-account_owner": "0"},
                            action=f"{url}/edit", follow_redirects=True)
    assert "time zone name" in bad.get_data(as_text=True)
    logged = browser.post_form(url, {"contact-kind": "call", "contact-minutes": "20",
                                     "contact-body": "Agreed a discount on the next order."},
                               action=f"{url}/interactions", follow_redirects=True)
    text = logged.get_data(as_text=True)
    assert "Contact logged." in text and "Agreed a discount" in text
    db_session.rollback()
    assert db_session.query(Interaction).filter_by(customer_id=who.id).one().minutes == 20
    org_page = browser.get(f"/staff/customers/organisations/{saved.organisation_id}").get_data(as_text=True)
    assert "Olga Ivanova" in org_page
    recompute(app, NOW)
    assert db_session.get(CustomerScore, who.id).stage == "partner"


def test_quarterly_review_lists_moves_and_time_vs_revenue(browser, staff, app, db_session):
    now = NOW
    who = customer("Mover")
    orders(who, (5, 100))
    db_session.add(Interaction(customer_id=who.id, kind="call", occurred_at=now - timedelta(hours=1), minutes=30,
                               body="Call"))
    db_session.commit()
    recompute(app, now - timedelta(minutes=5))
    orders(who, (1, 100))
    recompute(app, now)
    browser.login(staff.manager)
    quarter = f"{now.year}Q{(now.month - 1) // 3 + 1}"
    page = browser.get(f"/staff/customers/review?quarter={quarter}").get_data(as_text=True)
    assert "first-time customer → repeat customer" in page
    assert "Mover" in page and ">30<" in page
    # An upward move names only what went up, in the customer's numbers — never a fall-back sentence.
    assert "thresholds crossed by time passing" not in page

    # Staff add the real reason (seed 000); it shows beside the system's reasons.
    from sqlalchemy import select

    from customers.models import SegmentTransition
    move = db_session.scalars(select(SegmentTransition).where(SegmentTransition.dimension == "stage")).one()
    refused = browser.post_form(f"/staff/customers/review?quarter={quarter}", {"reason": "other", "note": ""},
                                action=f"/staff/customers/review/moves/{move.id}/reason")
    assert refused.status_code == 302
    db_session.rollback()
    assert db_session.get(SegmentTransition, move.id).staff_reason is None
    saved = browser.post_form(f"/staff/customers/review?quarter={quarter}",
                              {"reason": "competitor_prices", "note": "Cheaper offer from a rival"},
                              action=f"/staff/customers/review/moves/{move.id}/reason")
    assert saved.status_code == 302
    page = browser.get(f"/staff/customers/review?quarter={quarter}").get_data(as_text=True)
    assert "reason recorded by staff: competitor prices: Cheaper offer from a rival" in page
    db_session.rollback()
    assert db_session.get(SegmentTransition, move.id).staff_reason_by_id == staff.manager.id
    assert browser.post_form(f"/staff/customers/review?quarter={quarter}", {"reason": "competitor_prices"},
                             action="/staff/customers/review/moves/999999/reason").status_code == 404


def test_segment_rules_set_the_priority_of_a_new_complaint(browser, staff, app, db_session):
    vip = customer("Vip", email="vip@example.com")
    orders(vip, (10, 1000), (50, 1000))
    db_session.commit()
    recompute(app, NOW)
    browser.login(staff.admin)
    response = browser.post_form("/admin/priority-rules", {"segment": "abc:A", "priority": "urgent",
                                                                     "position": "5"})
    assert response.status_code == 302
    db_session.rollback()
    assert db_session.query(SegmentPriorityRule).one().priority == "urgent"
    filed = file(name="Vip", email="vip@example.com", description="Late again.")
    db_session.commit()
    assert filed.complaint.priority == "urgent"
    plain = file(name="New", email="new@example.com", description="Hello.")
    assert plain.complaint.priority == "normal"
    queue = browser.get("/staff/complaints/").get_data(as_text=True)
    assert "badge-abc-a" in queue


def test_only_managers_export_and_erase(browser, staff, db_session):
    who = customer("Private")
    db_session.commit()
    browser.login(staff.agent)
    assert browser.get("/admin/priority-rules").status_code == 403
    assert browser.get(f"/staff/customers/{who.id}/export.zip").status_code == 403
    assert browser.get(f"/staff/customers/{who.id}/erase").status_code == 403
    assert browser.get("/staff/customers/erasure").status_code == 403
    assert browser.get("/staff/customers/999999").status_code == 404


def test_erase_keeps_aggregates(browser, staff, app, db_session):
    dead = customer("Dead Beat", phone="+1 555", birthday=datetime(1970, 1, 1).date())
    orders(dead, (400, 10), due_after=10, unpaid=True)
    complaint_row(dead, age_days=300, status="closed")
    db_session.commit()
    recompute(app, NOW)
    browser.login(staff.admin)
    response = browser.post_form(f"/staff/customers/{dead.id}/erase", {"erase-confirm": "y"})
    assert response.status_code == 302
    db_session.rollback()
    erased = db_session.get(Customer, dead.id)
    assert erased.erased_at is not None and erased.email is None and erased.phone == "" and erased.birthday is None
    assert "Dead Beat" not in erased.name
    from complaints.models import Complaint
    assert db_session.query(Complaint).filter_by(customer_id=dead.id).one().contact_email == "erased@invalid"
    audit = db_session.query(Interaction).filter_by(customer_id=dead.id, kind="audit").one()
    assert "Adam Admin" in audit.body
    recompute(app, NOW)
    assert db_session.get(CustomerScore, dead.id).orders_total == 1  # aggregates kept
    assert db_session.get(CustomerScore, dead.id).stage == "former"


def test_refused_customer_forms_keep_what_was_typed_and_show_every_error(browser, staff, app, db_session):
    who = customer("Olga Ivanova", language="ru")
    db_session.commit()
    browser.login(staff.manager)
    url = f"/staff/customers/{who.id}"
    bad = browser.post_form(url, {"file-name": "Olga", "file-notes": "A long note I typed carefully",
                                  "file-timezone": "Nowhere/Land", "file-language": "ru",
                                  "file-email": "not an address", "file-birthday": "1979-02-30",
                                  "file-preferred_channel": "email", "file-account_owner": "0"},
                            action=f"{url}/edit")
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "A long note I typed carefully" in html  # the text is kept
    assert html.count('class="field-error"') >= 2  # every error, each beside its field
    assert "time zone name" in html
    refused = browser.post_form(url, {"contact-kind": "call", "contact-minutes": "99999",
                                      "contact-body": "What the customer said on the phone"},
                                action=f"{url}/interactions")
    assert refused.status_code == 400
    assert "What the customer said on the phone" in refused.get_data(as_text=True)
