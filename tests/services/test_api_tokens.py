"""API tokens (staff/tokens.py): expiry, scope, the once-a-minute last use, revocation — with `now` as a parameter."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from platform_support.errors import Conflict, NotFound, ServiceError
from platform_support.tokens import hash_secret
from staff import tokens
from staff.models import ApiToken
from tests.support.clock import NOW


def _row(db_session, secret: str) -> ApiToken:
    db_session.expire_all()
    return db_session.query(ApiToken).filter_by(token_hash=hash_secret(secret)).one()


def test_a_token_works_until_it_expires(staff, db_session):
    secret = tokens.issue_api_token(staff.agent, name="CRM sync", scope="read", now=NOW,
                                    expires_at=tokens.expiry_after(30, now=NOW))
    row = _row(db_session, secret)
    assert (row.name, row.scope, row.created_at, row.expires_at) == ("CRM sync", "read", NOW, NOW + timedelta(days=30))
    assert row.token_hash != secret and secret not in row.token_hash
    assert tokens.authenticate_token(secret, now=NOW + timedelta(days=30, seconds=-1)) is not None
    assert tokens.authenticate_token(secret, now=NOW + timedelta(days=30)) is None
    assert tokens.token_state(row, now=NOW + timedelta(days=30)) == "expired"
    assert tokens.authenticate_token(secret + "x", now=NOW) is None


def test_without_expiry_a_token_does_not_expire(staff):
    secret = tokens.issue_api_token(staff.agent, name="forever", now=NOW)
    assert tokens.authenticate_token(secret, now=NOW + timedelta(days=3650)) is not None


def test_last_use_is_written_at_most_once_a_minute(app, staff, db_session):
    from extensions import db

    secret = tokens.issue_api_token(staff.agent, name="busy", now=NOW)
    updates = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE"):
            updates.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        tokens.authenticate_token(secret, now=NOW)
        db_session.commit()
        assert len(updates) == 1 and _row(db_session, secret).last_used_at == NOW
        for seconds in (1, 30, 59):  # a busy integration: no write for these
            tokens.authenticate_token(secret, now=NOW + timedelta(seconds=seconds))
            db_session.commit()
        assert len(updates) == 1 and _row(db_session, secret).last_used_at == NOW
        tokens.authenticate_token(secret, now=NOW + timedelta(seconds=60))
        db_session.commit()
        assert len(updates) == 2 and _row(db_session, secret).last_used_at == NOW + timedelta(seconds=60)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_a_read_token_may_only_read(staff):
    read = _token(staff.agent, "read")
    write = _token(staff.agent, "write")
    assert [tokens.allows(read, m) for m in ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")] == \
        [True, True, True, False, False, False, False]
    assert all(tokens.allows(write, m) for m in ("GET", "POST", "PUT", "PATCH", "DELETE"))


def _token(user, scope: str) -> ApiToken:
    return tokens.authenticate_token(tokens.issue_api_token(user, name=scope, scope=scope, now=NOW), now=NOW)


def test_staff_revoke_their_own_tokens_and_admins_anyones(staff, db_session):
    mine = _token(staff.agent, "write")
    others = _token(staff.other_agent, "write")
    with pytest.raises(NotFound):
        tokens.revoke_token(staff.agent, others.id, now=NOW)  # another agent's token looks unknown
    assert tokens.revoke_token(staff.agent, mine.id, now=NOW).revoked_at == NOW
    with pytest.raises(Conflict):
        tokens.revoke_token(staff.agent, mine.id, now=NOW)
    assert tokens.revoke_token(staff.admin, others.id, now=NOW).revoked_at == NOW
    assert [t.name for t in tokens.tokens_of(staff.agent)] == ["write"]
    assert {t.staff_user_id for t in tokens.all_tokens()} == {staff.agent.id, staff.other_agent.id}


def test_revoke_all_ends_every_token_of_one_account_only(staff):
    secrets_ = [tokens.issue_api_token(staff.agent, name=f"t{i}", now=NOW) for i in range(3)]
    other = tokens.issue_api_token(staff.other_agent, name="other", now=NOW)
    assert tokens.revoke_all_tokens(staff.agent, now=NOW) == 3
    assert all(tokens.authenticate_token(s, now=NOW) is None for s in secrets_)
    assert tokens.authenticate_token(other, now=NOW) is not None
    assert tokens.revoke_all_tokens(staff.agent, now=NOW) == 0


def test_a_disabled_accounts_tokens_stop(staff, db_session):
    from staff.services import update_staff

    secret = tokens.issue_api_token(staff.agent, name="x", now=NOW)
    update_staff(staff.agent, name=staff.agent.name, role="agent", active=False)
    assert tokens.authenticate_token(secret, now=NOW) is None


@pytest.mark.parametrize("kwargs", [{"name": ""}, {"name": "  "}, {"name": "x" * 201}, {"name": "a\nb"},
                                    {"scope": "admin"}, {"expires_at": NOW}, {"expires_at": NOW - timedelta(days=1)}])
def test_bad_token_requests_are_refused_with_a_message(staff, kwargs):
    with pytest.raises(ServiceError) as refused:
        tokens.issue_api_token(staff.agent, **{"name": "ok", **kwargs}, now=NOW)
    assert refused.value.message


@pytest.mark.parametrize("days", [0, -1, 3651, True, "7"])
def test_expiry_days_out_of_range_are_refused(days):
    with pytest.raises(ServiceError):
        tokens.expiry_after(days, now=NOW)
