"""E-mails to staff about their own account (password reset), queued when staff announces them."""
from __future__ import annotations

from notifications.services import queue_email
from staff import signals

# Kinds whose body holds a secret link: the "sent mail" pages never show their text.
SECRET_KINDS = frozenset({"staff_password_reset"})


def _password_reset_requested(_sender, *, user, url: str, expires_at, **_kwargs) -> None:
    queue_email(kind="staff_password_reset", to_address=user.email, to_name=user.name,
                template="staff_password_reset", context={"user": user, "url": url, "expires_at": expires_at},
                language=user.language, staff_user_id=user.id)


def connect() -> None:
    signals.password_reset_requested.connect(_password_reset_requested)
