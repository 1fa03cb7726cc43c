"""Staff account security as the views call it, with `now` given: two-factor codes (replay,
recovery codes), the per-account sign-in lock, password-reset links, the password rule on every
way a password is set."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from notifications.models import OutboxMessage
from platform_support.errors import ServiceError
from staff import password_reset, throttle, two_factor
from staff.models import PasswordResetToken, StaffSession
from staff.passwords import verify_password
from staff.services import change_password, create_staff, update_staff
from tests.conftest import NOW, StaffAccounts


# --- two-factor ---------------------------------------------------------------------------------

def _enrolled(user, now=NOW):
    secret = two_factor.new_totp_secret()
    codes = two_factor.enable(user, secret, two_factor.totp_code(secret, now), now=now)
    return secret, codes


def test_enrolment_needs_a_right_first_code_and_keeps_the_secret_sealed(staff, db_session):
    secret = two_factor.new_totp_secret()
    with pytest.raises(ServiceError):
        two_factor.enable(staff.agent, secret, "000000" if two_factor.totp_code(secret, NOW) != "000000" else "111111", now=NOW)
    assert not staff.agent.has_two_factor
    codes = two_factor.enable(staff.agent, secret, two_factor.totp_code(secret, NOW), now=NOW)
    assert staff.agent.has_two_factor and len(codes) == two_factor.RECOVERY_CODE_COUNT == len(set(codes))
    assert secret not in staff.agent.totp_secret_sealed


def test_a_totp_code_is_accepted_once_and_never_replayed(staff, db_session):
    secret, _codes = _enrolled(staff.agent)
    later = NOW + timedelta(seconds=60)
    code = two_factor.totp_code(secret, later)
    assert two_factor.verify_second_factor(staff.agent, code, now=later)
    db_session.commit()
    assert not two_factor.verify_second_factor(staff.agent, code, now=later)  # same code, same window
    assert not two_factor.verify_second_factor(staff.agent, code, now=later + timedelta(seconds=25))
    # An older step's code is refused too once a newer one was used.
    assert not two_factor.verify_second_factor(staff.agent, two_factor.totp_code(secret, NOW + timedelta(seconds=30)),
                                               now=later)
    nxt = later + timedelta(seconds=30)
    assert two_factor.verify_second_factor(staff.agent, two_factor.totp_code(secret, nxt), now=nxt)


def test_the_enrolment_code_cannot_be_used_to_sign_in(staff, db_session):
    secret, _codes = _enrolled(staff.agent)
    assert not two_factor.verify_second_factor(staff.agent, two_factor.totp_code(secret, NOW), now=NOW)


def test_recovery_codes_work_once_and_are_stored_hashed(staff, db_session):
    _secret, codes = _enrolled(staff.agent)
    assert two_factor.verify_second_factor(staff.agent, codes[0].upper().replace("-", " "), now=NOW)
    db_session.commit()
    assert not two_factor.verify_second_factor(staff.agent, codes[0], now=NOW)
    assert two_factor.remaining_recovery_codes(staff.agent) == two_factor.RECOVERY_CODE_COUNT - 1
    from staff.models import RecoveryCode
    stored = db_session.scalars(select(RecoveryCode.code_hash)).all()
    assert not any(code.replace("-", "") in stored for code in codes)
    new = two_factor.regenerate_recovery_codes(staff.agent, StaffAccounts.PASSWORD, now=NOW)
    assert not two_factor.verify_second_factor(staff.agent, codes[1], now=NOW)  # the old set is gone
    assert two_factor.verify_second_factor(staff.agent, new[1], now=NOW)


def test_a_role_requirement_is_stored_and_blocks_turning_it_off(staff, db_session):
    assert not two_factor.needs_enrolment(staff.agent)
    two_factor.set_role_requirements({"agent": True})
    assert two_factor.role_requirements() == {"agent": True, "manager": False, "admin": False}
    assert two_factor.needs_enrolment(staff.agent) and not two_factor.needs_enrolment(staff.manager)
    _enrolled(staff.agent)
    assert not two_factor.needs_enrolment(staff.agent)
    with pytest.raises(ServiceError):
        two_factor.disable(staff.agent, StaffAccounts.PASSWORD)
    _enrolled(staff.manager)
    two_factor.disable(staff.manager, StaffAccounts.PASSWORD)
    assert not staff.manager.has_two_factor


# --- per-account sign-in lock ---------------------------------------------------------------------

def test_failures_lock_an_address_for_a_while_known_or_not(app, staff, db_session):
    limit = app.config["LOGIN_ACCOUNT_MAX_FAILURES"]
    for email in (staff.agent.email, "nobody@example.com"):
        for attempt in range(limit - 1):
            throttle.record_failure(email, now=NOW + timedelta(seconds=attempt))
        db_session.commit()
        assert throttle.locked_for(email, now=NOW + timedelta(seconds=limit)) == 0
        throttle.record_failure(email.upper(), now=NOW + timedelta(seconds=limit))  # the address, as typed
        db_session.commit()
        assert throttle.locked_for(email, now=NOW + timedelta(seconds=limit + 1)) == 15
    assert throttle.locked_for(staff.manager.email, now=NOW + timedelta(seconds=limit + 1)) == 0
    after = NOW + timedelta(seconds=limit + app.config["LOGIN_ACCOUNT_LOCK_SECONDS"] + 1)
    assert throttle.locked_for(staff.agent.email, now=after) == 0


def test_failures_spread_wider_than_the_window_do_not_lock(app, staff, db_session):
    window = app.config["LOGIN_ACCOUNT_WINDOW_SECONDS"]
    for attempt in range(app.config["LOGIN_ACCOUNT_MAX_FAILURES"] * 2):
        throttle.record_failure(staff.agent.email, now=NOW + timedelta(seconds=attempt * (window // 3)))
        db_session.commit()
    assert throttle.locked_for(staff.agent.email, now=NOW + timedelta(seconds=10 * window)) == 0


# --- password reset ---------------------------------------------------------------------------------

def _reset_link(db_session, user) -> str:
    message = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "staff_password_reset",
                                                             OutboxMessage.to_address == user.email)
                                 .order_by(OutboxMessage.id.desc())).first()
    assert message is not None
    return message.text_body.split("/staff/password-reset/")[1].split()[0]


def test_a_reset_link_is_mailed_in_the_staff_members_language_and_stored_hashed(app, db_session):
    user = create_staff(email="pawel@example.com", name="Paweł", role="agent", password="correct horse battery",
                        language="pl")
    password_reset.request_reset("Pawel@Example.com", now=NOW)
    db_session.commit()
    message = db_session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "staff_password_reset"))
    assert message.language == "pl" and message.staff_user_id == user.id
    token = _reset_link(db_session, user)
    stored = db_session.scalar(select(PasswordResetToken))
    assert stored.token_hash != token and token not in stored.token_hash
    assert stored.expires_at - NOW <= timedelta(hours=1)


def test_unknown_and_disabled_addresses_get_nothing(app, staff, db_session):
    update_staff(staff.other_agent, name=staff.other_agent.name, role="agent", active=False)
    password_reset.request_reset("ghost@example.com", now=NOW)
    password_reset.request_reset(staff.other_agent.email, now=NOW)
    db_session.commit()
    assert db_session.scalars(select(OutboxMessage)).all() == []
    assert db_session.scalars(select(PasswordResetToken)).all() == []


def test_a_reset_link_works_once_within_the_hour_and_ends_every_session(app, staff, db_session):
    password_reset.request_reset(staff.agent.email, now=NOW)
    db_session.commit()
    token = _reset_link(db_session, staff.agent)
    db_session.add(StaffSession(staff_user_id=staff.agent.id, id_hash="a" * 64, data="{}", created_at=NOW,
                                last_seen_at=NOW))
    db_session.commit()
    with pytest.raises(ServiceError):  # the password rule holds here too
        password_reset.reset_password(token, "password1234", now=NOW + timedelta(minutes=5))
    password_reset.reset_password(token, "fresh plum orbit", now=NOW + timedelta(minutes=5))
    assert verify_password(staff.agent.password_hash, "fresh plum orbit")
    assert db_session.scalar(select(StaffSession.ended_at)) is not None
    with pytest.raises(ServiceError):
        password_reset.reset_password(token, "another fresh orbit", now=NOW + timedelta(minutes=6))


def test_a_reset_link_expires_after_an_hour(app, staff, db_session):
    password_reset.request_reset(staff.agent.email, now=NOW)
    db_session.commit()
    token = _reset_link(db_session, staff.agent)
    assert password_reset.valid_token(token, now=NOW + timedelta(minutes=59)) is not None
    assert password_reset.valid_token(token, now=NOW + timedelta(hours=1)) is None
    with pytest.raises(ServiceError):
        password_reset.reset_password(token, "fresh plum orbit", now=NOW + timedelta(hours=1, seconds=1))


def test_a_newer_link_used_invalidates_the_older_ones_and_links_per_hour_are_capped(app, staff, db_session):
    for minute in range(password_reset.LINKS_PER_HOUR + 2):
        password_reset.request_reset(staff.agent.email, now=NOW + timedelta(minutes=minute))
    db_session.commit()
    tokens = db_session.scalars(select(PasswordResetToken)).all()
    assert len(tokens) == password_reset.LINKS_PER_HOUR
    newest = _reset_link(db_session, staff.agent)
    password_reset.reset_password(newest, "fresh plum orbit", now=NOW + timedelta(minutes=10))
    assert db_session.scalar(select(PasswordResetToken).where(PasswordResetToken.used_at.is_(None))) is None


# --- the password rule everywhere a password is set -------------------------------------------------

def test_every_way_of_setting_a_password_refuses_a_common_one(app, staff, db_session):
    with pytest.raises(ServiceError):
        create_staff(email="new@example.com", name="New Person", role="agent", password="password1234")
    with pytest.raises(ServiceError):
        create_staff(email="new@example.com", name="New Person", role="agent", password="eleven char")
    with pytest.raises(ServiceError) as refused:
        change_password(staff.agent, StaffAccounts.PASSWORD, "qwertyuiop12")
    assert "new_password" in refused.value.fields


def test_the_same_code_sent_twice_at_once_has_one_winner(app, staff, db_session):
    import threading

    from extensions import db
    from platform_support.database import write_intent
    from staff.models import StaffUser

    secret, _codes = _enrolled(staff.agent)
    later = NOW + timedelta(seconds=60)
    code = two_factor.totp_code(secret, later)
    agent_id = staff.agent.id  # read here: the threads must not touch the test's own session
    db_session.commit()
    start, results = threading.Barrier(2, timeout=30), []

    def attempt():
        with app.app_context():  # as a request: a session of its own
            user = db.session.get(StaffUser, agent_id)
            db.session.commit()
            start.wait()
            with write_intent():  # a POST's transaction (SQLite: the write lock at BEGIN)
                results.append(two_factor.verify_second_factor(user, code, now=later))
                db.session.commit()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False, True]
