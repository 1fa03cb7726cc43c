"""All scheduled jobs, in one place.

Each job is a function `job(now) -> summary` that claims and does what is due at `now`; it is
short and safe to rerun (rows with due_at/status/dedupe keys are the truth). APScheduler only
decides when to call them; `flask --app wsgi jobs run-due --now …` calls them all once.
Jobs are listed in dependency order: those that create e-mails come before outbox delivery, so
one pass sends what it produced.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from complaints.jobs import escalate_overdue_complaints, fold_complaint_counts
from customers.greetings import send_greetings
from customers.jobs import recompute_segments_job
from notifications.jobs import deliver_outbox_job
from reports.aggregation import refresh_report_aggregates_job
from reports.alerts import check_trends_job
from surveys.jobs import dispatch_survey_invitations_job, plan_relationship_surveys_job
from webhooks.delivery import deliver_webhooks_job


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    run: Callable[[datetime], Any]
    trigger: str  # "interval" or "cron"
    trigger_args: dict


def scheduled_jobs(config) -> list[ScheduledJob]:
    return [
        ScheduledJob("escalate-overdue-complaints", escalate_overdue_complaints, "interval",
                     {"seconds": config["ESCALATION_INTERVAL_SECONDS"]}),
        # The queue's status counts are exact without it; folding keeps the pending deltas few.
        ScheduledJob("fold-complaint-counts", fold_complaint_counts, "interval", {"seconds": 60}),
        # Customers: segments nightly (first-deal dates for greetings come from it); greetings every
        # few minutes so each customer is greeted inside their own contact hours.
        ScheduledJob("recompute-segments", recompute_segments_job, "cron",
                     {"hour": config["SEGMENTS_RECOMPUTE_HOUR"], "minute": 0}),
        ScheduledJob("send-greetings", send_greetings, "interval",
                     {"minutes": config["GREETINGS_INTERVAL_MINUTES"]}),
        ScheduledJob("plan-relationship-surveys", plan_relationship_surveys_job, "interval", {"seconds": 3600}),
        ScheduledJob("dispatch-survey-invitations", dispatch_survey_invitations_job, "interval", {"seconds": 60}),
        # Reports: refresh the pre-aggregated tables, then look for negative trends (its e-mails
        # go out with the outbox delivery below).
        ScheduledJob("refresh-report-aggregates", refresh_report_aggregates_job, "interval",
                     {"seconds": config["REPORT_REFRESH_SECONDS"]}),
        ScheduledJob("check-negative-trends", check_trends_job, "interval", {"seconds": 3600}),
        ScheduledJob("deliver-outbox", deliver_outbox_job, "interval",
                     {"seconds": config["OUTBOX_INTERVAL_SECONDS"]}),
        ScheduledJob("deliver-webhooks", deliver_webhooks_job, "interval",
                     {"seconds": config["OUTBOX_INTERVAL_SECONDS"]}),
    ]
