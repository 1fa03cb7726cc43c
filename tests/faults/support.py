"""Real processes for the fault tests: a migrated database of their own, gunicorn, `flask` CLI runs.

Everything listens on 127.0.0.1 only; every wait is bounded.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from tests.support.external import missing

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def database(request, tmp_path) -> str:
    """PostgreSQL (a database of its own) when TEST_DATABASE_URL is set, else an SQLite file."""
    if os.environ.get("TEST_DATABASE_URL"):
        from tests.conftest import _postgres_database
        return _postgres_database(request)
    return f"sqlite:///{tmp_path / 'fault.sqlite3'}"


def env_for(url: str, instance: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DATABASE_URL=url, INSTANCE_PATH=str(instance), SECRET_KEY="fault-test-secret", APP_ENV="development",
               RATELIMIT_ENABLED="0", PYTHONPATH=str(ROOT), BASE_URL="http://127.0.0.1")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def migrate(env: dict) -> None:
    result = flask(env, "db", "upgrade")
    assert result.returncode == 0, result.stderr[-2000:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)  # process start-up, not a test clock
    raise TimeoutError(f"nothing listens on {port}")


class Gunicorn:
    def __init__(self, env: dict, workers: int, tmp_path: Path):
        if not (BIN / "gunicorn").exists():
            missing("gunicorn is not installed (pip install .[test])")
        self.port = free_port()
        self.log = open(tmp_path / "gunicorn.log", "w")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "30",
             "--graceful-timeout", "5", "wsgi:app"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port)
        self.url = f"http://127.0.0.1:{self.port}"
        self.wait_for_workers(workers)

    def wait_for_workers(self, count: int, timeout: float = 60) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) >= count:
                return pids
            time.sleep(0.1)  # process start-up, not a test clock
        raise TimeoutError(f"gunicorn did not start {count} workers")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.log.close()


def post_json(url: str, body: dict, headers: dict | None = None, timeout: float = 30) -> tuple[int, dict | None]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (OSError, urllib.error.URLError, ConnectionError):
        return 0, None  # connection reset / refused: the client saw no answer


def engine(url: str) -> sa.Engine:
    return sa.create_engine(url)


def record(name: str, figures: dict) -> None:
    """Print the figures (run with -s to see them; they are copied into bench/RESULTS.md)."""
    print(f"\nFAULT-FIGURES {name}: " + json.dumps(figures, sort_keys=True))
