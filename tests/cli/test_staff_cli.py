"""`flask staff create` and `flask staff token`, and that the token opens the API."""
from staff.models import ApiToken, StaffUser
from staff.passwords import verify_password


def test_staff_create_then_token_opens_the_api(runner, client, db_session):
    result = runner.invoke(args=["staff", "create", "Ann@Example.com", "--name", "Ann Boss", "--role", "manager",
                                 "--password", "long enough password"])
    assert result.exit_code == 0, result.output
    assert "created manager ann@example.com" in result.output
    db_session.rollback()
    user = db_session.query(StaffUser).filter_by(email="ann@example.com").one()
    assert user.role == "manager" and verify_password(user.password_hash, "long enough password")
    assert "long enough password" not in user.password_hash

    token_result = runner.invoke(args=["staff", "token", "ann@example.com"])
    assert token_result.exit_code == 0, token_result.output
    token = token_result.output.strip()
    assert len(token) >= 22  # ≥128 bits
    db_session.rollback()
    assert db_session.query(ApiToken).one().token_hash != token  # stored hashed
    response = client.get("/api/v1/complaints", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["items"] == []


def test_staff_create_refuses_bad_input_with_a_message(runner, staff):
    duplicate = runner.invoke(args=["staff", "create", staff.agent.email, "--name", "X", "--password", "long enough password"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    short = runner.invoke(args=["staff", "create", "new@example.com", "--name", "X", "--password", "short"])
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    common = runner.invoke(args=["staff", "create", "new@example.com", "--name", "X", "--password", "password1234"])
    assert common.exit_code == 1 and "most commonly used" in common.output
    guessable = runner.invoke(args=["staff", "create", "new@example.com", "--name", "X", "--password", "zaq12wsxcde3"])
    assert guessable.exit_code == 1 and "too easy to guess" in guessable.output
    role = runner.invoke(args=["staff", "create", "new@example.com", "--name", "X", "--role", "boss", "--password", "x" * 20])
    assert role.exit_code == 2


def test_staff_token_for_unknown_account(runner):
    result = runner.invoke(args=["staff", "token", "ghost@example.com"])
    assert result.exit_code == 1 and "no active staff account" in result.output
