"""`flask staff token EMAIL --name --scope --expires-days` and `flask staff revoke-tokens EMAIL`."""
from datetime import timedelta

from staff.models import ApiToken


def _token(runner, *args):
    result = runner.invoke(args=["staff", "token", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_token_with_name_scope_and_expiry(runner, client, staff, db_session):
    secret = _token(runner, staff.agent.email, "--name", "CRM sync", "--scope", "read", "--expires-days", "30")
    db_session.rollback()
    row = db_session.query(ApiToken).one()
    assert (row.name, row.scope) == ("CRM sync", "read")
    assert row.expires_at - row.created_at == timedelta(days=30)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/complaints", headers=headers).status_code == 200
    assert client.post("/api/v1/complaints/C-NOPE/facts", json={"text": "x"}, headers=headers).status_code == 403


def test_token_defaults_and_the_old_label_option_keep_working(runner, staff, db_session):
    _token(runner, staff.agent.email)
    _token(runner, staff.agent.email, "--label", "legacy")
    db_session.rollback()
    rows = db_session.query(ApiToken).order_by(ApiToken.id).all()
    assert [(r.name, r.scope, r.expires_at) for r in rows] == [("cli", "write", None), ("legacy", "write", None)]


def test_token_refuses_bad_options(runner, staff):
    assert runner.invoke(args=["staff", "token", staff.agent.email, "--scope", "admin"]).exit_code == 2
    assert runner.invoke(args=["staff", "token", staff.agent.email, "--expires-days", "0"]).exit_code == 2
    blank = runner.invoke(args=["staff", "token", staff.agent.email, "--name", " "])
    assert blank.exit_code == 1 and "name" in blank.output


def test_revoke_tokens_ends_every_token_of_the_account_at_once(runner, client, staff, db_session):
    email, other_email = staff.agent.email, staff.other_agent.email
    db_session.rollback()  # the test's read snapshot ends, as a separate process's would
    mine = [_token(runner, email, "--name", f"t{i}") for i in range(2)]
    other = _token(runner, other_email)
    result = runner.invoke(args=["staff", "revoke-tokens", email.upper()])
    assert result.exit_code == 0 and f"revoked 2 tokens of {email}" in result.output
    for secret in mine:
        assert client.get("/api/v1/complaints", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert client.get("/api/v1/complaints", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    again = runner.invoke(args=["staff", "revoke-tokens", email])
    assert again.exit_code == 0 and "revoked 0 tokens" in again.output
    unknown = runner.invoke(args=["staff", "revoke-tokens", "ghost@example.com"])
    assert unknown.exit_code == 1 and "no staff account" in unknown.output
