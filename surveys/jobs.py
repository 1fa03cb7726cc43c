"""Scheduled survey work (registered in scheduling/registry.py before outbox delivery)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from surveys import dispatch, planning


def plan_relationship_surveys_job(now: datetime) -> dict:
    return {"planned": planning.plan_relationship_surveys(now=now)}


def dispatch_survey_invitations_job(now: datetime) -> dict:
    """Everything due: keeps claiming batches until none is left; then reminders and expiry."""
    total = dispatch.DispatchReport()
    while True:
        report = dispatch.dispatch_due_invitations(now=now)
        for name, value in asdict(report).items():
            setattr(total, name, getattr(total, name) + value)
        if report.claimed == 0:
            break
    reminders = 0
    while True:
        sent = dispatch.send_due_reminders(now=now)
        reminders += sent
        if sent == 0:
            break
    return {**asdict(total), "reminders": reminders, "expired": dispatch.expire_invitations(now=now)}
