"""The complaint endpoints of /api/v1: auth, JSON errors with fields, cursor pages, Idempotency-Key."""
import re

import pytest

from complaints import actions
from staff.tokens import issue_api_token


@pytest.fixture
def tokens(staff):
    return {name: {"Authorization": f"Bearer {issue_api_token(getattr(staff, name))}"}
            for name in ("agent", "other_agent", "manager")}


def post_complaint(client, headers=None, **overrides):
    body = {"name": "Jan Kowalski", "email": "jan@example.com", "description": "The parcel arrived crushed.", **overrides}
    return client.post("/api/v1/complaints", json=body, headers=headers or {})


def test_filing_is_public_and_returns_reference_and_tracking_url(client):
    response = post_complaint(client, subject="Crushed", occurred_on="2025-01-10", preferred_channel="phone",
                              language="pl", phone="+48 600 000 000")
    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"C-[ACDEFGHJKLMNPQRTUVWXY3479]{8}", body["reference"]), body["reference"]
    assert "/track/" in body["tracking_url"]
    assert client.get(body["tracking_url"].replace("http://localhost", "")).status_code == 200


@pytest.mark.parametrize("body,field", [
    ({"email": "jan@example.com", "description": "x"}, "name"),
    ({"name": "Jan", "email": "not-an-email", "description": "x"}, "email"),
    ({"name": "Eve\r\nBcc: x@example.com", "email": "jan@example.com", "description": "x"}, "name"),
    ({"name": "Jan", "email": "jan@example.com", "description": 42}, "description"),
    ({"name": "Jan", "email": "jan@example.com", "description": "x" * 50_000}, "description"),
    ({"name": "Jan", "email": "jan@example.com", "description": "x", "occurred_on": "yesterday"}, "occurred_on"),
    ({"name": "Jan", "email": "jan@example.com", "description": "x", "language": "tlh"}, "language"),
    ({"name": "Jan", "email": "jan@example.com", "description": "x", "preferred_channel": "fax"}, "preferred_channel"),
    ({"name": "Jan", "email": "jan@example.com", "description": "   "}, "description"),
])
def test_bad_complaints_get_json_errors_with_fields(client, body, field):
    response = client.post("/api/v1/complaints", json=body)
    assert response.status_code == 400
    error = response.get_json()
    assert error["error"] and field in error["fields"], error


def test_non_json_bodies_are_refused_clearly(client):
    for data, content_type in (("name=Jan", "application/x-www-form-urlencoded"), ("[1,2]", "application/json"),
                               ("{not json", "application/json")):
        response = client.post("/api/v1/complaints", data=data, content_type=content_type)
        assert response.status_code == 400 and "JSON object" in response.get_json()["error"]


def test_idempotency_key_makes_retries_safe(client, db_session):
    headers = {"Idempotency-Key": "3f1c6e0a-7b7e-4b5e-9a59-0d6c1f7a2b11"}
    first = post_complaint(client, headers)
    again = post_complaint(client, headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json() == again.get_json()
    # Another sender who happens to pick the same key gets a complaint (and link) of their own.
    stranger = post_complaint(client, headers, email="mallory@example.com")
    assert stranger.status_code == 201 and stranger.get_json()["tracking_url"] != first.get_json()["tracking_url"]
    assert post_complaint(client, {"Idempotency-Key": "short"}).status_code == 400
    assert post_complaint(client).status_code == 201  # no key: a new complaint


def test_staff_endpoints_need_a_valid_token(client, staff):
    for method, url in (("get", "/api/v1/complaints"), ("get", "/api/v1/complaints/C-1"),
                        ("post", "/api/v1/complaints/C-1/facts"), ("get", "/api/v1/root-causes")):
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
            response = getattr(client, method)(url, headers=headers, json={})
            assert response.status_code == 401, (url, headers)
            assert response.get_json()["error"] and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_staff_work_a_complaint_through_the_api(client, tokens, staff):
    reference = post_complaint(client).get_json()["reference"]
    manager = tokens["manager"]
    fact = client.post(f"/api/v1/complaints/{reference}/facts", json={"text": "Box crushed", "minutes": 5}, headers=manager)
    assert fact.status_code == 201 and fact.get_json()["facts"][0]["text"] == "Box crushed"
    assign = client.post(f"/api/v1/complaints/{reference}/assign", json={"owner": staff.agent.email}, headers=manager)
    assert assign.status_code == 200 and assign.get_json()["owner"]["name"] == "Agnes Agent"
    note = client.post(f"/api/v1/complaints/{reference}/updates", json={"message": "internal", "public": False},
                       headers=tokens["agent"])
    assert note.status_code == 201 and note.get_json()["events"][-1]["public"] is False
    update = client.post(f"/api/v1/complaints/{reference}/updates", json={"message": "On its way"}, headers=manager)
    assert update.get_json()["status"] == "in_progress"
    commit = client.post(f"/api/v1/complaints/{reference}/commitments",
                         json={"action": "Send a new one", "due_on": "2099-01-01"}, headers=manager)
    assert commit.get_json()["committed_action_due_on"] == "2099-01-01"
    codes = [rc["code"] for rc in client.get("/api/v1/root-causes", headers=manager).get_json()]
    assert "damaged_in_transit" in codes
    resolved = client.post(f"/api/v1/complaints/{reference}/resolve",
                           json={"resolution": "Replaced", "root_cause": "damaged_in_transit", "minutes": 3},
                           headers=manager)
    detail = resolved.get_json()
    assert detail["status"] == "resolved" and detail["root_cause"]["code"] == "damaged_in_transit"
    assert detail["handling_minutes"] == 8
    closed = client.post(f"/api/v1/complaints/{reference}/close", headers=manager)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    reopened = client.post(f"/api/v1/complaints/{reference}/reopen", json={"reason": "Broken again", "minutes": 2},
                           headers=manager)
    assert reopened.get_json()["status"] == "in_progress" and reopened.get_json()["handling_minutes"] == 10


def test_api_errors_for_refused_actions(client, tokens, staff):
    reference = post_complaint(client).get_json()["reference"]
    illegal = client.post(f"/api/v1/complaints/{reference}/close", headers=tokens["manager"])
    assert illegal.status_code == 400 and "cannot close" in illegal.get_json()["error"]
    no_cause = client.post(f"/api/v1/complaints/{reference}/resolve", json={"resolution": "x", "root_cause": "nope"},
                           headers=tokens["manager"])
    assert no_cause.status_code == 400 and "root_cause" in no_cause.get_json()["fields"]
    bad_minutes = client.post(f"/api/v1/complaints/{reference}/facts", json={"text": "x", "minutes": "ten"},
                              headers=tokens["agent"])
    assert bad_minutes.status_code == 400 and "minutes" in bad_minutes.get_json()["fields"]
    not_public_flag = client.post(f"/api/v1/complaints/{reference}/updates", json={"message": "x", "public": "yes"},
                                  headers=tokens["agent"])
    assert "public" in not_public_flag.get_json()["fields"]
    reassign = client.post(f"/api/v1/complaints/{reference}/assign", json={"owner": staff.other_agent.email},
                           headers=tokens["agent"])
    assert reassign.status_code == 403 and reassign.get_json()["error"]
    assert client.get("/api/v1/complaints/C-NOPE", headers=tokens["agent"]).status_code == 404


def test_agents_do_not_see_other_agents_complaints(client, tokens, staff):
    reference = post_complaint(client).get_json()["reference"]
    actions.assign_owner(reference, staff.other_agent.email, actor=staff.manager)
    response = client.get(f"/api/v1/complaints/{reference}", headers=tokens["agent"])
    assert response.status_code == 404 and response.get_json()["error"]
    assert client.get("/api/v1/complaints", headers=tokens["agent"]).get_json()["items"] == []
    assert client.get(f"/api/v1/complaints/{reference}", headers=tokens["other_agent"]).status_code == 200


def test_list_has_filters_and_cursor_pagination(client, tokens):
    references = {post_complaint(client, email=f"c{i}@example.com").get_json()["reference"] for i in range(5)}
    seen, cursor = [], None
    while True:
        url = "/api/v1/complaints?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=tokens["manager"]).get_json()
        assert len(page["items"]) <= 2
        seen += [item["reference"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and set(seen) == references
    assert client.get("/api/v1/complaints?status=resolved", headers=tokens["manager"]).get_json()["items"] == []
    assert len(client.get("/api/v1/complaints?owner=none&overdue=false", headers=tokens["manager"]).get_json()["items"]) == 5
    bad_limit = client.get("/api/v1/complaints?limit=100000", headers=tokens["manager"])
    assert bad_limit.status_code == 400 and "limit" in bad_limit.get_json()["fields"]
    bad_priority = client.get("/api/v1/complaints?priority=asap", headers=tokens["manager"])
    assert bad_priority.status_code == 400 and "priority" in bad_priority.get_json()["fields"]


def test_openapi_document_describes_the_complaint_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    for path in ("/complaints", "/complaints/{reference}", "/complaints/{reference}/facts",
                 "/complaints/{reference}/assign", "/complaints/{reference}/updates",
                 "/complaints/{reference}/resolve", "/root-causes"):
        assert path in document["paths"], path


def test_openapi_enums_are_the_lifecycle_states_and_priorities(client):
    from complaints.lifecycle import PRIORITIES, STATES

    document = client.get("/api/v1/openapi.json").get_json()
    summary = document["components"]["schemas"]["ComplaintSummary"]["properties"]
    assert summary["status"]["enum"] == list(STATES) and "waiting" in STATES
    assert summary["priority"]["enum"] == list(PRIORITIES)
    listing = {p["name"]: p["schema"] for p in document["paths"]["/complaints"]["get"]["parameters"]}
    assert listing["status"]["enum"] == ["open", "all", *STATES]
    assert listing["priority"]["enum"] == list(PRIORITIES)


def test_the_form_and_the_api_record_their_channel(client, db_session):
    import re

    from complaints.models import Complaint
    from tests.support.web import csrf_from

    api_reference = post_complaint(client).get_json()["reference"]
    page = client.get("/complain").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf_from(page), "submission_key": key, "name": "Eva", "email": "eva@example.com",
            "description": "Crushed", "preferred_channel": "email", "language": "en"}
    assert client.post("/complain", data=form).status_code in (200, 302, 303)
    channels = {c.contact_email: (c.reference == api_reference, c.channel) for c in db_session.query(Complaint)}
    assert channels == {"jan@example.com": (True, "api"), "eva@example.com": (False, "web")}


def test_list_searches_with_q_only_what_the_caller_may_see(client, tokens, staff):
    yellow = post_complaint(client, subject="Żółty kubek", email="y@example.com").get_json()["reference"]
    taken = post_complaint(client, subject="Żółta filiżanka", email="t@example.com").get_json()["reference"]
    post_complaint(client, subject="Blue cup", email="b@example.com")
    actions.assign_owner(taken, staff.other_agent.email, actor=staff.manager)

    def found(query, who="manager"):
        response = client.get(f"/api/v1/complaints?{query}", headers=tokens[who])
        assert response.status_code == 200, response.get_json()
        return [item["reference"] for item in response.get_json()["items"]]

    assert found("q=zolty") == [yellow]
    assert sorted(found("q=ZOLT")) == sorted([yellow, taken])
    assert found("q=zolt", "agent") == [yellow]                       # another agent's complaint stays hidden
    assert found("q=zolt&owner=none&priority=normal", "agent") == [yellow]
    assert found("q=zolt&status=closed") == []
    assert len(found("q=example.com&sort=-created&limit=2")) == 2
    bad_sort = client.get("/api/v1/complaints?sort=colour", headers=tokens["manager"])
    assert bad_sort.status_code == 400 and "sort" in bad_sort.get_json()["fields"]
    too_long = client.get("/api/v1/complaints?q=" + "a" * 600, headers=tokens["manager"])
    assert too_long.status_code == 400 and "q" in too_long.get_json()["fields"]
    parameters = {p["name"] for p in client.get("/api/v1/openapi.json").get_json()["paths"]["/complaints"]["get"]["parameters"]}
    assert {"q", "sort"} <= parameters
