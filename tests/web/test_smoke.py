def test_complaint_form_renders(client):
    response = client.get("/complain")
    assert response.status_code == 200
    assert b"csrf_token" in response.data
    assert "Content-Security-Policy" in response.headers
