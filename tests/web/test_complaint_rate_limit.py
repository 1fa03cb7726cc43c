"""Spam protection on the public intake: the rate limit answers 429 with a clear message."""
import pytest

from complaints.models import Complaint


@pytest.fixture
def app_settings():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "COMPLAINT_RATE_LIMIT": "2 per minute"}


def test_api_intake_is_rate_limited(client, db_session):
    body = {"name": "Jan", "email": "jan@example.com", "description": "Broken"}
    statuses = [client.post("/api/v1/complaints", json=body).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    limited = client.post("/api/v1/complaints", json=body)
    assert limited.status_code == 429 and limited.get_json()["error"]
    assert db_session.query(Complaint).count() == 2


def test_form_intake_is_rate_limited(browser, client, db_session):
    for _ in range(2):
        refused = browser.post_form("/complain", {"name": ""})  # refused input still counts
        assert refused.status_code == 200
    response = browser.post_form("/complain", {"name": ""})
    # Answered inside the form (tests/web/test_form_keeps_input.py checks the kept text).
    assert response.status_code == 429 and "several complaints in a short time" in response.get_data(as_text=True)
    assert client.get("/complain").status_code == 200  # reading the form is not limited
