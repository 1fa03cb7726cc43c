"""A NUL byte anywhere in a request (path, repeated query values, keys) is a 400, never a 500."""
import pytest


@pytest.mark.parametrize("url", [
    "/api/v1/complaints/C-%00", "/track/abc%00def", "/complain?lang=en&lang=%00", "/complain?%00=1",
])
def test_nul_in_path_or_query_is_refused(client, url):
    assert client.get(url).status_code == 400


def test_nul_in_api_reference_with_a_token_is_refused(client, staff):
    from staff.tokens import issue_api_token

    token = issue_api_token(staff.manager)
    response = client.get("/api/v1/complaints/%00", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
