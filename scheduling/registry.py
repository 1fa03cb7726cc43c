"""All scheduled jobs, in one place.

Each job is a function `job(now) -> summary` that claims and does what is due at `now`; it is
short and safe to rerun (rows with due_at/status/dedupe keys are the truth). APScheduler only
decides when to call them; `flask --app wsgi jobs run-due --now …` calls them all once.
Jobs are listed in dependency order: those that create e-mails come before outbox delivery, so
one pass sends what it produced.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime
from typing import Any, Callable

from flask import current_app

from complaints.jobs import escalate_overdue_complaints, extend_calendars, fold_complaint_counts, warn_before_breach
from complaints.jobs import close_unanswered_complaints, escalate_overdue_complaints, fold_complaint_counts
from complaints.staging import purge_staged_uploads
from customers.greetings import send_greetings
from customers.jobs import RECOMPUTE_SEGMENTS, recompute_segments_job
from extensions import db
from inbound.mailbox import poll_job
from notifications.jobs import deliver_outbox_job
from platform_support import job_requests
from reports.aggregation import refresh_report_aggregates_job
from reports.alerts import check_trends_job
from reports.digest import send_weekly_digests
from reports.themes import compute_themes_job
from surveys.jobs import dispatch_survey_invitations_job, plan_relationship_surveys_job
from webhooks.delivery import deliver_webhooks_job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    run: Callable[[datetime], Any]
    trigger: str  # "interval" or "cron"
    trigger_args: dict


def scheduled_jobs(config) -> list[ScheduledJob]:
    return [
        # E-mail in first: what customers wrote is on their complaints before anything else runs.
        ScheduledJob("poll-mailbox", poll_job, "interval", {"seconds": config["IMAP_INTERVAL_SECONDS"]}),
        ScheduledJob("escalate-overdue-complaints", escalate_overdue_complaints, "interval",
                     {"seconds": config["ESCALATION_INTERVAL_SECONDS"]}),
        # Business hours: owners warned before a breach; calendars' spans kept years ahead.
        ScheduledJob("warn-before-sla-breach", warn_before_breach, "interval",
                     {"seconds": config["ESCALATION_INTERVAL_SECONDS"]}),
        ScheduledJob("extend-calendars", extend_calendars, "cron", {"hour": 2, "minute": 40}),
        # Complaints that waited for the customer's answer longer than WAITING_AUTO_CLOSE_DAYS.
        ScheduledJob("close-unanswered-complaints", close_unanswered_complaints, "interval", {"seconds": 3600}),
        # The queue's status counts are exact without it; folding keeps the pending deltas few.
        ScheduledJob("fold-complaint-counts", fold_complaint_counts, "interval", {"seconds": 60}),
        # Customers: segments nightly (first-deal dates for greetings come from it); greetings every
        # few minutes so each customer is greeted inside their own contact hours.
        ScheduledJob(RECOMPUTE_SEGMENTS, recompute_segments_job, "cron",
                     {"hour": config["SEGMENTS_RECOMPUTE_HOUR"], "minute": 0}),
        # What staff asked for from a page (the quarterly review's "recompute now"): often, since
        # a person is waiting; a claim on an empty table costs nothing.
        ScheduledJob("run-requested-jobs", run_requested_jobs, "interval", {"seconds": 10}),
        ScheduledJob("send-greetings", send_greetings, "interval",
                     {"minutes": config["GREETINGS_INTERVAL_MINUTES"]}),
        ScheduledJob("plan-relationship-surveys", plan_relationship_surveys_job, "interval", {"seconds": 3600}),
        ScheduledJob("dispatch-survey-invitations", dispatch_survey_invitations_job, "interval", {"seconds": 60}),
        # Reports: refresh the pre-aggregated tables, then look for negative trends (its e-mails
        # go out with the outbox delivery below).
        ScheduledJob("refresh-report-aggregates", refresh_report_aggregates_job, "interval",
                     {"seconds": config["REPORT_REFRESH_SECONDS"]}),
        # Themes in what customers wrote since the last run (before the trend check: a theme's
        # sudden rise is one of its alerts).
        ScheduledJob("compute-themes", compute_themes_job, "interval", {"seconds": config["THEMES_INTERVAL_SECONDS"]}),
        ScheduledJob("check-negative-trends", check_trends_job, "interval", {"seconds": 3600}),
        # The weekly manager digest: hourly, sends once per manager and week from DIGEST_WEEKDAY/HOUR.
        ScheduledJob("send-weekly-digests", send_weekly_digests, "interval", {"seconds": 3600}),
        ScheduledJob("deliver-outbox", deliver_outbox_job, "interval",
                     {"seconds": config["OUTBOX_INTERVAL_SECONDS"]}),
        ScheduledJob("deliver-webhooks", deliver_webhooks_job, "interval",
                     {"seconds": config["OUTBOX_INTERVAL_SECONDS"]}),
        # Files kept from refused complaint forms that nobody filed within a day.
        ScheduledJob("purge-staged-uploads", purge_staged_uploads, "interval", {"seconds": 3600}),
    ]


# Jobs a person may ask for (platform_support.job_requests): name → the job.
REQUESTABLE: dict[str, Callable[[datetime], Any]] = {RECOMPUTE_SEGMENTS: recompute_segments_job}


def run_requested_jobs(now: datetime) -> dict:
    """Claim the queued job requests and run each job at `now`, recording how it ended."""
    ran = failed = 0
    for request_id, name in job_requests.claim_requests(now=now, lease_seconds=current_app.config["WORKER_LEASE_SECONDS"]):
        job = REQUESTABLE.get(name)
        try:
            if job is None:
                raise LookupError(f"no job named {name!r} may be requested")
            outcome = job(now)
        except Exception as exc:  # noqa: BLE001 - recorded on the request, logged; the next request runs
            db.session.rollback()
            log.exception("requested job %s failed", name)
            job_requests.finish_request(request_id, now=now, error=f"{type(exc).__name__}: {exc}")
            failed += 1
            continue
        summary = asdict(outcome) if is_dataclass(outcome) else outcome if isinstance(outcome, dict) else {}
        job_requests.finish_request(request_id, now=now, summary=summary)
        ran += 1
    return {"ran": ran, "failed": failed}
