"""Operations with real processes: gunicorn with two workers answers /metrics for both
(prometheus-client's multiprocess mode), a real `flask worker` writes its heartbeat and job runs
(seen by /readyz and /metrics of the web processes) and logs each job with its duration, and a
bad setting stops gunicorn's start-up with the message naming it."""
from __future__ import annotations

import json
import subprocess
import time
import urllib.request

import pytest

from tests.faults.support import BIN, ROOT, Gunicorn, database, env_for, migrate, record

pytestmark = pytest.mark.slow
TOKEN = "fault-metrics-token-0123456789"


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _count(text: str, endpoint: str) -> float:
    for line in text.splitlines():
        if line.startswith("complaint_care_request_duration_seconds_count") and f'endpoint="{endpoint}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_two_web_workers_one_worker_process(request, tmp_path):
    url = database(request, tmp_path)
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = env_for(url, tmp_path / "instance", METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=metrics_dir,
                  LOG_FORMAT="json")
    migrate(env)
    web = Gunicorn(env, 2, tmp_path)
    worker_log = open(tmp_path / "worker.log", "w")
    worker = None
    try:
        pids = set()
        for _ in range(20):
            with urllib.request.urlopen(f"{web.url}/complain", timeout=30) as response:
                assert response.status == 200 and response.headers["X-Request-ID"]
        auth = {"Authorization": f"Bearer {TOKEN}"}
        # Whichever worker answers the scrape, it reports the requests of both.
        scrapes = [_get(f"{web.url}/metrics", auth) for _ in range(6)]
        assert all(status == 200 for status, _ in scrapes)
        assert [_count(text, "complaints_public.complain") for _, text in scrapes] == [20.0] * 6
        assert _get(f"{web.url}/metrics")[0] == 403

        status, body = _get(f"{web.url}/readyz")
        assert status == 200 and json.loads(body)["checks"]["worker"]["status"] == "never_seen"

        worker = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "worker"], cwd=ROOT, env=env,
                                  stdout=worker_log, stderr=subprocess.STDOUT)
        started = time.monotonic()
        deadline = started + 60
        seen = None
        while time.monotonic() < deadline:
            body = json.loads(_get(f"{web.url}/readyz")[1])
            if body["checks"]["worker"]["status"] == "ok":
                text = _get(f"{web.url}/metrics", auth)[1]
                if 'complaint_care_job_last_success_timestamp_seconds{job="deliver-outbox"}' in text:
                    seen = time.monotonic() - started
                    break
            time.sleep(0.5)  # waiting for a real process to do its first pass, not a test clock
        assert seen is not None, (tmp_path / "worker.log").read_text()[-3000:]
        assert "complaint_care_worker_last_heartbeat_timestamp_seconds{worker=" in text
        record("operations", {"worker_first_pass_visible_s": round(seen, 2)})
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=15)
        worker_log.close()
        web.stop()
    job_lines = [json.loads(line) for line in (tmp_path / "worker.log").read_text().splitlines()
                 if line.startswith("{") and '"complaint_care.jobs"' in line]
    deliveries = [line for line in job_lines if line.get("job") == "deliver-outbox"]
    assert deliveries and deliveries[0]["outcome"] == "success" and deliveries[0]["duration_seconds"] >= 0
    assert "job deliver-outbox finished in" in deliveries[0]["message"]


def test_a_bad_setting_stops_gunicorn_with_the_message(request, tmp_path):
    env = env_for(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path / "instance", TRUSTED_PROXIES="all of them")
    result = subprocess.run([str(BIN / "gunicorn"), "-w", "1", "-b", "127.0.0.1:0", "wsgi:app"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "TRUSTED_PROXIES='all of them' is not valid: use an integer from 0 to 10" in result.stderr
