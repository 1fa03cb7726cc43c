from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from platform_support.columns import created_at_column
from platform_support.database import one_of

ROLES = ("agent", "manager", "admin")
ROLE_RANK = {"agent": 1, "manager": 2, "admin": 3}


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="agent")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en")
    # Opt-in to the weekly manager digest (reports/digest.py); only managers and admins receive it.
    weekly_digest: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    created_at: Mapped[datetime] = created_at_column()
    # Two-factor sign-in: the TOTP secret sealed with a key derived from SECRET_KEY
    # (platform_support.sealing), set once the first code was confirmed; the last time step
    # accepted, so a code cannot be replayed inside its window.
    totp_secret_sealed: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="staff_user", cascade="all, delete-orphan")

    def get_id(self) -> str:
        return str(self.id)

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret_sealed is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def has_role(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role]

    @property
    def is_manager(self) -> bool:
        return self.has_role("manager")

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")


# "read": GET/HEAD/OPTIONS only; "write": every method the account's role allows.
TOKEN_SCOPES = ("read", "write")


class ApiToken(db.Model):
    """An API token: only its SHA-256 is kept (staff/tokens.py issues, checks and revokes them)."""
    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(one_of("scope", TOKEN_SCOPES), name="scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    scope: Mapped[str] = mapped_column(String(10), nullable=False, default="write", server_default=text("'write'"))
    created_at: Mapped[datetime] = created_at_column()
    # Moved at most once a minute (staff.tokens.TOUCH_INTERVAL): a busy integration rarely writes.
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    staff_user: Mapped[StaffUser] = relationship(back_populates="tokens")


class StaffSession(db.Model):
    """A signed-in staff session, kept on the server. The cookie carries only a random id; the
    row keeps its SHA-256, so a copy of this table lets nobody sign in. Ending a session is
    setting `ended_at`: the next request with that cookie is anonymous."""
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The Flask session's contents (Flask's tagged JSON, as its cookie would hold them).
    data: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    method: Mapped[str] = mapped_column(String(20), nullable=False, default="password")
    ip_address: Mapped[str] = mapped_column(String(45), nullable=False, default="")
    user_agent: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    staff_user: Mapped[StaffUser] = relationship()

    __table_args__ = (Index("ix_staff_sessions_user_ended", "staff_user_id", "ended_at"),)


class PasswordResetToken(db.Model):
    """A password-reset link: single use, valid until `expires_at`; only the token's hash is kept."""
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    staff_user: Mapped[StaffUser] = relationship()


class RecoveryCode(db.Model):
    """A single-use two-factor recovery code (random, so its SHA-256 suffices)."""
    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class RoleSecurity(db.Model):
    """Per-role sign-in policy an administrator edits (Admin → Sign-in security)."""
    __tablename__ = "role_security"

    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    require_two_factor: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class LoginThrottle(db.Model):
    """Failed sign-ins per typed e-mail address (its SHA-256), whether or not an account has it:
    a lock then tells nothing about which addresses exist."""
    __tablename__ = "login_throttle"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_failed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
