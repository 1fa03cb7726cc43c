"""Staff sessions kept on the server.

A signed-in browser holds one cookie, `staff_session`, with a random 256-bit id and nothing
else; the `staff_sessions` row keeps the id's SHA-256, the session's contents, when it began
and when it was last used. Ending a session (sign-out, "sign out everywhere", a password change
or reset, disabling the account, a timeout) sets `ended_at`, so a copy of the cookie taken
before is worthless at the very next request.

Visitors who are not signed in (the complaint form, the tracking and survey pages) keep Flask's
signed cookie for their CSRF token and language: a row per anonymous visit would let anyone
fill the table.

`sign_in(user, method=…)` is the one way a session begins — the password login and any other
sign-in method call it, then commit.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSession
from flask_login import login_user, logout_user
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from extensions import db
from platform_support.clock import utcnow
from platform_support.database import write_intent
from platform_support.sessions import CookieSessions
from platform_support.tokens import hash_secret, new_secret
from staff import signals
from staff.models import StaffSession, StaffUser
from staff.two_factor import needs_enrolment

log = logging.getLogger(__name__)

STAFF_SESSION_COOKIE = "staff_session"
# A use moves `last_seen_at` only when it is this much older: most requests write nothing.
TOUCH_SECONDS = 60
# Keys that survive a sign-out into the anonymous cookie (the "you are signed out" message).
_KEPT_AFTER_SIGN_OUT = ("_flashes", "lang")


class StaffSessionData(SecureCookieSession):
    """The Flask session of a signed-in staff member; its contents live in its row."""

    def __init__(self, initial=None, *, row_id: int, staff_user_id: int, touch: bool = False):
        super().__init__(initial)
        self.row_id = row_id
        self.staff_user_id = staff_user_id
        self.touch = touch


def session_state(created_at: datetime, last_seen_at: datetime, now: datetime, *,
                  idle_seconds: int, absolute_seconds: int) -> str:
    """'live', 'idle' (unused for longer than the idle timeout) or 'expired' (older than the
    absolute lifetime, however busy)."""
    if now - created_at > timedelta(seconds=absolute_seconds):
        return "expired"
    if now - last_seen_at > timedelta(seconds=idle_seconds):
        return "idle"
    return "live"


def _timeouts() -> dict:
    config = current_app.config
    return {"idle_seconds": config["SESSION_IDLE_SECONDS"], "absolute_seconds": config["PERMANENT_SESSION_LIFETIME"]}


def sign_in(user: StaffUser, *, method: str = "password", now: datetime | None = None) -> StaffSession:
    """Begin a fresh server-side session for `user` in this request (the caller commits).

    Whatever the browser's session held before (an attacker may have planted it) is dropped; a
    session this browser had is ended. The cookie is set when the response is sent."""
    now = now or utcnow()
    current_row = getattr(session, "row_id", None)
    if current_row is not None:
        end_session(current_row, now=now)
    session.clear()
    login_user(user)
    session.permanent = True
    if needs_enrolment(user):  # their role requires a second factor they have not set up yet
        session["must_enrol_two_factor"] = True
    sid = new_secret()
    # Housekeeping: this account's ended and long-expired rows go (a sign-in is rare enough).
    cutoff = now - timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    db.session.execute(delete(StaffSession).where(
        StaffSession.staff_user_id == user.id,
        or_(StaffSession.ended_at.is_not(None), StaffSession.created_at < cutoff)))
    row = StaffSession(staff_user_id=user.id, id_hash=hash_secret(sid), data="{}", created_at=now,
                       last_seen_at=now, method=method[:20],
                       ip_address=(request.remote_addr or "")[:45] if has_request_context() else "",
                       user_agent=request.user_agent.string[:300] if has_request_context() else "")
    db.session.add(row)
    db.session.flush()
    g.new_staff_session = (sid, row.id, now)
    signals.staff_signed_in.send(current_app._get_current_object(), user=user, method=method)
    return row


def current_session_id() -> int | None:
    new = g.get("new_staff_session")
    if new is not None:
        return new[1]
    return getattr(session, "row_id", None)


def end_session(row_id: int, *, now: datetime | None = None, staff_user_id: int | None = None) -> bool:
    """End one session (of `staff_user_id`, when given: staff end only their own). True if it was open."""
    statement = update(StaffSession).where(StaffSession.id == row_id, StaffSession.ended_at.is_(None))
    if staff_user_id is not None:
        statement = statement.where(StaffSession.staff_user_id == staff_user_id)
    return db.session.execute(statement.values(ended_at=now or utcnow())).rowcount > 0


def end_all_sessions(user: StaffUser, *, now: datetime | None = None, keep: int | None = None) -> int:
    """End every open session of `user` (but `keep`, the one in use, when given). In the caller's
    transaction: it ends together with the password change or the disabling that caused it."""
    statement = update(StaffSession).where(StaffSession.staff_user_id == user.id, StaffSession.ended_at.is_(None))
    if keep is not None:
        statement = statement.where(StaffSession.id != keep)
    return db.session.execute(statement.values(ended_at=now or utcnow())).rowcount


def sign_out(user: StaffUser, *, everywhere: bool = False, now: datetime | None = None) -> None:
    """End this session (or every session of the account); the caller commits."""
    now = now or utcnow()
    if everywhere:
        end_all_sessions(user, now=now)
    elif current_session_id() is not None:
        end_session(current_session_id(), now=now)
    signals.staff_signed_out.send(current_app._get_current_object(), user=user, everywhere=everywhere)
    logout_user()
    session.clear()


def open_sessions(user: StaffUser, *, now: datetime | None = None) -> list[StaffSession]:
    """The account's sessions that would still let a browser in, newest use first."""
    now = now or utcnow()
    timeouts = _timeouts()
    rows = db.session.scalars(select(StaffSession).where(
        StaffSession.staff_user_id == user.id, StaffSession.ended_at.is_(None))
        .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())).all()
    return [row for row in rows if session_state(row.created_at, row.last_seen_at, now, **timeouts) == "live"]


class ServerSessions(CookieSessions):
    """Flask's session interface: signed-in staff sessions from their row, everyone else's from
    the signed cookie (CookieSessions)."""

    def open_session(self, app, request):
        sid = request.cookies.get(STAFF_SESSION_COOKIE)
        if sid:
            found, ended_row = self._load(sid)
            if found is not None:
                return found
        anonymous = super().open_session(app, request)
        if sid and anonymous is not None:
            anonymous.drop_staff_cookie = True
            anonymous.ended_row_id = ended_row
        return anonymous

    def _load(self, sid: str) -> tuple[StaffSessionData | None, int | None]:
        if len(sid) > 100:
            return None, None
        # Its own short read, outside the request's transaction: a request that will write takes
        # SQLite's write lock at its first statement (platform_support.database), which has not
        # been declared yet while the session is opened.
        with db.engine.connect() as connection:
            row = connection.execute(select(
                StaffSession.id, StaffSession.staff_user_id, StaffSession.data, StaffSession.created_at,
                StaffSession.last_seen_at).where(StaffSession.id_hash == hash_secret(sid),
                                                 StaffSession.ended_at.is_(None))).first()
        if row is None:
            return None, None
        now = utcnow()
        if session_state(row.created_at, row.last_seen_at, now, **_timeouts()) != "live":
            return None, row.id
        try:
            data = self.serializer.loads(row.data)
        except ValueError:
            data = {}
        touch = now - row.last_seen_at >= timedelta(seconds=TOUCH_SECONDS)
        return StaffSessionData(data, row_id=row.id, staff_user_id=row.staff_user_id, touch=touch), None

    def save_session(self, app, session, response):
        new = g.pop("new_staff_session", None)
        if new is not None and "_user_id" in session:
            self._save_new(app, session, response, *new)
            return
        if isinstance(session, StaffSessionData):
            self._save_staff(app, session, response)
            return
        if getattr(session, "ended_row_id", None) is not None:  # timed out: record when it ended
            self._write(update(StaffSession).where(StaffSession.id == session.ended_row_id,
                                                   StaffSession.ended_at.is_(None)).values(ended_at=utcnow()))
        if getattr(session, "drop_staff_cookie", False):
            self._delete_staff_cookie(app, response)
        super().save_session(app, session, response)

    def _save_new(self, app, session, response, sid: str, row_id: int, began: datetime) -> None:
        self._write(update(StaffSession).where(StaffSession.id == row_id)
                    .values(data=self.serializer.dumps(dict(session))))
        response.set_cookie(
            STAFF_SESSION_COOKIE, sid, expires=began + timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"]),
            httponly=True, secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app),
            path=self.get_cookie_path(app), domain=self.get_cookie_domain(app))
        # The anonymous cookie goes: a signed-in browser carries the session id only.
        if app.config["SESSION_COOKIE_NAME"] in request.cookies:
            response.delete_cookie(app.config["SESSION_COOKIE_NAME"], domain=self.get_cookie_domain(app),
                                   path=self.get_cookie_path(app))
        response.vary.add("Cookie")

    def _save_staff(self, app, session: StaffSessionData, response) -> None:
        response.vary.add("Cookie")
        now = utcnow()
        if str(session.get("_user_id")) != str(session.staff_user_id):
            # Signed out (or Flask-Login's session protection dropped the user): the row ends;
            # a message for the next page moves to the anonymous cookie.
            self._write(update(StaffSession).where(StaffSession.id == session.row_id,
                                                   StaffSession.ended_at.is_(None)).values(ended_at=now))
            self._delete_staff_cookie(app, response)
            kept = SecureCookieSession({k: session[k] for k in _KEPT_AFTER_SIGN_OUT if k in session})
            if kept:
                kept.modified = True
                super().save_session(app, kept, response)
            return
        if session.modified or session.touch:
            # Never revives a session ended meanwhile (by "sign out everywhere" elsewhere).
            self._write(update(StaffSession).where(StaffSession.id == session.row_id, StaffSession.ended_at.is_(None))
                        .values(data=self.serializer.dumps(dict(session)), last_seen_at=now))

    def _delete_staff_cookie(self, app, response) -> None:
        response.delete_cookie(STAFF_SESSION_COOKIE, domain=self.get_cookie_domain(app), path=self.get_cookie_path(app),
                               secure=self.get_cookie_secure(app), httponly=True,
                               samesite=self.get_cookie_samesite(app))

    @staticmethod
    def _write(statement) -> None:
        """One small write after the view, committed on its own.

        A view commits its own work; what is left in the request's transaction is at most a read
        snapshot, which on SQLite cannot safely become a writer, so it is ended first and the
        write takes the write lock at BEGIN."""
        try:
            with write_intent():
                if not (db.session.new or db.session.dirty or db.session.deleted):
                    db.session.rollback()
                db.session.execute(statement)
                db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("staff session not saved")
