"""/healthz, /readyz, /metrics, request ids and JSON logs, TRUSTED_PROXIES — through the test
client against the real database (SQLite, and PostgreSQL with TEST_DATABASE_URL)."""
from __future__ import annotations

import io
import json
import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from audit.models import AuditEntry
from notifications.models import OutboxMessage
from operations import metrics
from operations.job_runs import beat, record_job_run
from operations.logs import configure_logging
from operations.models import JobRun
from scheduling.registry import ScheduledJob
from scheduling.runner import _run_job
from tests.support.clock import NOW
from tests.support.surveys import install_default_surveys, resolved_complaint, run_due

TOKEN = "metrics-token-0123456789abcdef"


# --- health and readiness -------------------------------------------------------------------

def test_healthz_answers_without_touching_session_or_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_reports_the_database_and_a_worker_never_seen(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["worker"]["status"] == "never_seen"
    assert "Set-Cookie" not in response.headers


def test_readyz_says_when_the_worker_heartbeat_is_old(client, db_session):
    beat(datetime(2000, 1, 1), worker_id="old-host:1")  # long before any wall clock this test meets
    body = client.get("/readyz").get_json()
    assert body["status"] == "ok"  # the web process can serve; the operator is told about the worker
    assert body["checks"]["worker"]["status"] == "stale"
    assert "is the worker running?" in body["checks"]["worker"]["detail"]


def test_worker_check_is_ok_with_a_fresh_heartbeat(app, db_session):
    from operations.views import _worker_check

    beat(NOW - timedelta(seconds=40), worker_id="host:2")
    assert _worker_check(NOW)["status"] == "ok"
    assert _worker_check(NOW + timedelta(seconds=app.config["WORKER_HEARTBEAT_STALE_SECONDS"] + 41))["status"] == "stale"


@pytest.mark.parametrize("unreachable", ["sqlite:////nonexistent-folder/none.sqlite3",
                                         "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"])
def test_readyz_is_503_when_the_database_cannot_be_reached(tmp_path, unreachable):
    from factory import create_app
    from tests.conftest import _settings

    app = create_app(_settings(unreachable, tmp_path / "instance"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["checks"]["database"]["status"] == "unavailable"
    assert app.test_client().get("/healthz").status_code == 200  # alive, only not ready


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True, "PUBLIC_RATE_LIMIT": "1 per minute"}])
def test_operations_paths_are_not_rate_limited(client, app_settings):
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    assert client.get("/track/not-a-token").status_code == 404
    assert client.get("/track/not-a-token").status_code == 429  # the limiter itself is on


# --- metrics --------------------------------------------------------------------------------

def test_metrics_do_not_exist_unless_configured(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


@pytest.mark.parametrize("app_settings", [{"METRICS_TOKEN": TOKEN}])
def test_metrics_need_the_token(client, app_settings):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 403
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("app_settings", [{"METRICS_ALLOWED_NETWORKS": metrics_networks}
                                          for metrics_networks in [(__import__("ipaddress").ip_network("10.1.0.0/16"),)]])
def test_metrics_from_allowed_networks_only(client, app_settings):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.0.1"}).status_code == 403
    assert client.get("/metrics").status_code == 403  # the test client's 127.0.0.1


@pytest.mark.parametrize("app_settings", [{"METRICS_TOKEN": TOKEN}])
def test_request_latency_is_measured_by_endpoint(client, app_settings):
    client.get("/complain")
    client.get("/complain")
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    counts = [line for line in text.splitlines()
              if line.startswith("complaint_care_request_duration_seconds_count")
              and 'endpoint="complaints_public.complain"' in line and 'method="GET"' in line]
    assert counts and float(counts[0].rsplit(" ", 1)[1]) >= 2
    assert 'endpoint="operations.metrics"' not in text  # scrapes do not count themselves


def _sample(text: str, name: str, labels: str = "") -> float:
    for line in text.splitlines():
        if line.startswith(name + (("{" + labels + "}") if labels else " ")):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name}{{{labels}}} not in\n{text}")


def test_backlog_and_job_figures_come_from_the_database(app, db_session, staff):
    install_default_surveys(db_session)
    resolved_complaint(staff)  # acknowledgement + resolution e-mails queued; a survey invitation planned
    queued = db_session.scalar(select(__import__("sqlalchemy").func.count()).select_from(OutboxMessage))
    db_session.execute(update(OutboxMessage).where(OutboxMessage.id == db_session.scalar(
        select(OutboxMessage.id).limit(1))).values(status="parked"))
    db_session.commit()
    later = NOW + timedelta(days=2)  # the invitation is due by then
    text = metrics.exposition(later, None)[0].decode()
    assert _sample(text, "complaint_care_outbox_parked") == 1
    assert _sample(text, "complaint_care_outbox_pending") == queued - 1
    assert _sample(text, "complaint_care_survey_invitations_due") == 1
    assert _sample(metrics.exposition(NOW, None)[0].decode(), "complaint_care_survey_invitations_due") == 0

    db_session.rollback()  # end this test's read transaction: the pass writes on sessions of its own
    run_due(app, later)  # every job once: each run recorded, the worker's heartbeat written
    text = metrics.exposition(later, None)[0].decode()
    names = [row.job_name for row in db_session.scalars(select(JobRun)).all()]
    assert "deliver-outbox" in names and "dispatch-survey-invitations" in names
    assert _sample(text, "complaint_care_job_duration_seconds_count", 'job="deliver-outbox"') == 1
    assert _sample(text, "complaint_care_job_last_success_timestamp_seconds", 'job="deliver-outbox"') == \
        (later - datetime(1970, 1, 1)).total_seconds()
    assert _sample(text, "complaint_care_job_failures_total", 'job="deliver-outbox"') == 0
    assert _sample(text, "complaint_care_survey_invitations_due") == 0  # dispatched by the pass
    assert "complaint_care_worker_last_heartbeat_timestamp_seconds{worker=" in text


def test_a_failing_job_is_recorded_and_logged_with_its_duration(app, db_session, caplog):
    def broken(now):
        raise RuntimeError("the relay is on fire")

    with caplog.at_level(logging.INFO, logger="complaint_care.jobs"), pytest.raises(RuntimeError):
        _run_job(app, ScheduledJob("broken-job", broken, "interval", {}), NOW)
    _run_job(app, ScheduledJob("broken-job", lambda now: "ok", "interval", {}), NOW + timedelta(minutes=1))
    db_session.rollback()
    run = db_session.get(JobRun, "broken-job")
    assert (run.runs_total, run.failures_total) == (2, 1)
    assert run.last_failure_at == NOW and run.last_success_at == NOW + timedelta(minutes=1)
    assert "RuntimeError: the relay is on fire" in run.last_error
    logged = [r for r in caplog.records if r.name == "complaint_care.jobs"]
    assert logged[0].job == "broken-job" and logged[0].outcome == "failure" and logged[0].duration_seconds >= 0


def test_job_runs_add_up(app, db_session):
    record_job_run("tally", started_at=NOW, duration=0.5)
    record_job_run("tally", started_at=NOW + timedelta(minutes=1), duration=1.5)
    run = db_session.get(JobRun, "tally")
    assert (run.runs_total, run.duration_seconds_total, run.last_duration_seconds) == (2, 2.0, 1.5)


# --- request ids and logs -------------------------------------------------------------------

def test_request_id_is_kept_when_sane_and_made_up_otherwise(client):
    assert client.get("/healthz", headers={"X-Request-ID": "edge-4f1c2a9b"}).headers["X-Request-ID"] == "edge-4f1c2a9b"
    for hostile in ("short", "a" * 200, "abc def ghi jkl", "x\"} {\"level\":\"forged\"", "<script>alert(1)</script>"):
        answered = client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
        assert answered != hostile and len(answered) == 32
    first, second = (client.get("/healthz").headers["X-Request-ID"] for _ in range(2))
    assert first != second


def test_json_logs_are_one_object_per_line_with_the_request_id(app, client):
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    try:
        client.get("/complain", headers={"X-Request-ID": "trace-12345678"})
        with app.test_request_context("/", headers={"X-Request-ID": "ignored-outside-hooks"}):
            logging.getLogger("complaint_care.test").warning("outside a handled request: %s", "ünïcode")
    finally:
        configure_logging("INFO", "text")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    request_line = next(line for line in lines if line["logger"] == "complaint_care.request")
    assert request_line["request_id"] == "trace-12345678" and request_line["status"] == 200
    assert request_line["endpoint"] == "complaints_public.complain" and request_line["duration_ms"] >= 0
    assert {"time", "level", "message"} <= request_line.keys()
    other = next(line for line in lines if line["logger"] == "complaint_care.test")
    assert other["message"] == "outside a handled request: ünïcode" and other["request_id"] == "-"


# --- TRUSTED_PROXIES --------------------------------------------------------------------------

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "care.example.com",
             # Over HTTPS (as the proxy says) CSRF also checks that the form came from our own origin.
             "Referer": "https://care.example.com/staff/login"}


@pytest.mark.parametrize("app_settings", [{"TRUSTED_PROXIES": 1}])
def test_behind_one_trusted_proxy_the_audit_log_sees_the_client(browser, staff, db_session, app_settings):
    page = browser.client.get("/staff/login", headers=FORWARDED)
    assert page.status_code == 200
    from tests.support.web import csrf_from
    refused = browser.client.post("/staff/login", headers=FORWARDED, data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "email": staff.agent.email, "password": "wrong password"})
    assert "Wrong e-mail or password" in refused.get_data(as_text=True), refused.get_data(as_text=True)[-3000:]
    db_session.rollback()  # a fresh snapshot: the request wrote on its own session
    entry = db_session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.ip_address == "203.0.113.7"


@pytest.mark.parametrize("app_settings", [{"TRUSTED_PROXIES": 0}])
def test_without_trusted_proxies_forwarded_headers_are_ignored(browser, staff, db_session, app_settings):
    from tests.support.web import csrf_from
    page = browser.client.get("/staff/login", headers=FORWARDED)
    browser.client.post("/staff/login", headers=FORWARDED, data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "email": staff.agent.email, "password": "wrong password"})
    db_session.rollback()  # a fresh snapshot: the request wrote on its own session
    entry = db_session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.ip_address == "127.0.0.1"  # a client cannot choose its own address  # a client cannot choose its own address


@pytest.mark.parametrize("app_settings", [{"TRUSTED_PROXIES": 1, "RATELIMIT_ENABLED": True,
                                           "PUBLIC_RATE_LIMIT": "2 per minute"}])
def test_rate_limits_count_per_client_behind_the_proxy(client, app_settings):
    first = {"X-Forwarded-For": "198.51.100.1"}
    assert [client.get("/track/x", headers=first).status_code for _ in range(3)] == [404, 404, 429]
    # Another client behind the same proxy has its own budget; a forged extra hop changes nothing.
    assert client.get("/track/x", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 404
    assert client.get("/track/x", headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.1"}).status_code == 429


@pytest.mark.parametrize("app_settings", [{"TRUSTED_PROXIES": 1}])
def test_scheme_and_host_come_from_the_proxy(app, app_settings):
    from flask import request

    @app.get("/_where")
    def _where():
        return f"{request.scheme} {request.host} {request.remote_addr}"

    assert app.test_client().get("/_where", headers=FORWARDED).get_data(as_text=True) == \
        "https care.example.com 203.0.113.7"
