"""One failing job does not stop a pass: the others run (the outbox is delivered), the failure is
reported by name, and `jobs run-due` exits non-zero at the end. Two refreshes at once on
PostgreSQL do not collide (one waits for the other)."""
from __future__ import annotations

import json
import threading

import pytest

from tests.security.conftest import file_complaint
from tests.support.clock import NOW


@pytest.fixture
def refresh_that_fails(monkeypatch):
    """Fault injection: the report refresh raises as a broken query would."""
    import scheduling.registry as registry

    def broken(now):
        raise RuntimeError("simulated failure of the report refresh")

    monkeypatch.setattr(registry, "refresh_report_aggregates_job", broken)


def test_run_due_runs_every_job_when_one_fails_and_exits_non_zero(mail_app, smtp_server, runner, refresh_that_fails):
    file_complaint(email="keep-going@example.com", now=NOW)
    result = runner.invoke(args=["jobs", "run-due", "--now", NOW.isoformat()])
    assert result.exit_code == 1
    report = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert report["jobs"]["refresh-report-aggregates"]["error"].startswith("RuntimeError: simulated failure")
    assert "failed jobs: refresh-report-aggregates" in result.output
    # The jobs after the failed one ran: the acknowledgement reached the SMTP server.
    assert smtp_server.to("keep-going@example.com")
    assert "error" not in json.dumps(report["jobs"]["deliver-outbox"])


def test_run_due_exits_zero_when_every_job_succeeds(mail_app, smtp_server, runner):
    result = runner.invoke(args=["jobs", "run-due", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output


def test_two_report_refreshes_at_once_both_succeed(app, database_url):
    """On PostgreSQL the refresh holds an advisory lock for its transaction; without it, parallel
    refreshes failed with a unique-key violation about 3 times in 5."""
    from extensions import db
    from reports.aggregation import refresh_report_aggregates

    for index in range(20):
        file_complaint(email=f"refresh{index}@example.com", now=NOW)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def refresh():
        with app.app_context():
            try:
                start.wait()
                refresh_report_aggregates(NOW, full=True)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    for _round in range(3):
        threads = [threading.Thread(target=refresh) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
