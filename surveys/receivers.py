"""Surveys react to complaint events (connected in factory.register_signal_receivers).

Receivers run inside the complaint's transaction, so the invitation row commits or rolls back
with the resolution (complaints never import surveys).
"""
from __future__ import annotations

from datetime import datetime

from surveys import planning


def on_complaint_resolved(_sender, *, complaint, now: datetime, **_extra) -> None:
    planning.schedule_after_resolution(complaint, now=now)


def on_complaint_reopened(_sender, *, complaint, now: datetime, **_extra) -> None:
    planning.cancel_for_reopened(complaint, now=now)


_connected = False


def connect() -> None:
    """Once per process (blinker signals are global; apps come and go in tests)."""
    global _connected
    if _connected:
        return
    from complaints import signals

    signals.complaint_resolved.connect(on_complaint_resolved)
    signals.complaint_reopened.connect(on_complaint_reopened)
    _connected = True
