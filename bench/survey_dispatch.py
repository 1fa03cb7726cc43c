"""Survey invitations dispatched per second to a local SMTP sink, against raw SMTP sending.

    python bench/survey_dispatch.py [--invitations 2000] [--database-url postgresql+psycopg://…]

Seeds N customers with one due relationship-survey invitation each in a fresh database
(SQLite file in WAL mode by default; or the PostgreSQL URL given — a scratch database is created
and dropped), then times one scheduler pass of the two jobs that matter: `dispatch-survey-
invitations` (claim with lease, contact window, frequency cap, token, rendering text + HTML in the
customer's language, outbox row) and `deliver-outbox` (claim, SMTP, record). The SMTP server is an
aiosmtpd Sink in its own process on 127.0.0.1. The baseline, in the same run, sends N pre-built
messages of the same size over one smtplib connection to the same sink: the cost of SMTP alone.
Printed: invitations/s end to end (goal ≥ 500/s), each phase, and the ratio app/baseline.
Bounded: N is capped at 20 000; each phase stops with an error after 300 s.
"""
from __future__ import annotations

import argparse
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue module: drop this folder from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_postgres  # noqa: E402
AT = datetime(2027, 1, 18, 10, 0)  # a Monday, inside the default contact window


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                             "-l", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return sink
        except OSError:
            time.sleep(0.05)
    sink.kill()
    raise SystemExit("SMTP sink did not start")


def baseline(port: int, count: int, sample: EmailMessage) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        for n in range(count):
            del sample["To"]
            sample["To"] = f"c{n}@example.com"
            smtp.send_message(sample)
    return time.perf_counter() - started


def baseline_wire(port: int, count: int, sample: EmailMessage) -> float:
    """The ceiling: the same message flattened once, then only the SMTP dialogue per message."""
    raw = sample.as_bytes(policy=sample.policy.clone(linesep="\r\n"))
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        for n in range(count):
            smtp.sendmail("complaints@localhost", [f"c{n}@example.com"], raw)
    return time.perf_counter() - started


def profiled(enabled: bool, label: str, function, *args):
    if not enabled:
        return function(*args)
    import cProfile
    import pstats

    profile = cProfile.Profile()
    result = profile.runcall(function, *args)
    print(f"--- profile: {label}")
    pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invitations", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries of each phase")
    args = parser.parse_args()
    count = max(1, min(args.invitations, 20_000))
    port = free_port()
    sink = start_sink(port)
    drop = None
    workdir = tempfile.mkdtemp(prefix="bench-surveys-")
    if args.database_url:
        url, drop = scratch_postgres(args.database_url, "bench_surveys")
    else:
        url = f"sqlite:///{workdir}/bench.sqlite3"
    try:
        os.environ.update({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "INSTANCE_PATH": workdir,
                           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "RATELIMIT_ENABLED": "0",
                           "WORKER_BATCH_SIZE": "500"})
        from flask_migrate import upgrade

        from extensions import db
        from factory import create_app
        from notifications.delivery import build_email
        from notifications.jobs import deliver_outbox_job
        from notifications.models import OutboxMessage
        from platform_support.database import write_intent
        from surveys.jobs import dispatch_survey_invitations_job
        from tests.support.surveys import seed_due_invitations

        logging_off()
        app = create_app()
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            # The migration installed the default surveys; the seeder installs them again, so clear first.
            db.session.execute(db.text("DELETE FROM survey_questions"))
            db.session.execute(db.text("DELETE FROM surveys"))
            db.session.commit()
            with write_intent():
                seed_due_invitations(db.session, count, now=AT, period_days=app.config["RELATIONSHIP_SURVEY_PERIOD_DAYS"])
        with app.app_context(), write_intent():
            started, cpu = time.perf_counter(), time.process_time()
            dispatched = profiled(args.profile, "dispatch", dispatch_survey_invitations_job, AT)
            dispatch_seconds, dispatch_cpu = time.perf_counter() - started, time.process_time() - cpu
            db.session.remove()
        with app.app_context(), write_intent():
            started, cpu, sink_cpu = time.perf_counter(), time.process_time(), cpu_seconds(sink.pid)
            delivered = profiled(args.profile, "delivery", deliver_outbox_job, AT)
            deliver_seconds, deliver_cpu = time.perf_counter() - started, time.process_time() - cpu
            deliver_sink_cpu = cpu_seconds(sink.pid) - sink_cpu
            sample = build_email(db.session.scalars(db.select(OutboxMessage).limit(1)).one())
            db.session.remove()
        if dispatched["sent"] != count or delivered.sent != count:
            raise SystemExit(f"expected {count} sent, got dispatch={dispatched} delivery={delivered}")
        base_seconds = baseline(port, count, sample)
        wire_seconds = baseline_wire(port, count, sample)
        total = dispatch_seconds + deliver_seconds
        backend = "postgresql" if args.database_url else "sqlite"
        print(f"survey dispatch bench ({backend}, {count} invitations, SMTP sink on 127.0.0.1)")
        print(f"  dispatch (plan → outbox):   {count / dispatch_seconds:8.0f} invitations/s  ({dispatch_seconds:.2f} s)")
        print(f"  delivery (outbox → SMTP):   {count / deliver_seconds:8.0f} messages/s     ({deliver_seconds:.2f} s)")
        print(f"  end to end:                 {count / total:8.0f} invitations/s  (goal ≥ 500/s)")
        print(f"  baseline raw smtplib:       {count / base_seconds:8.0f} messages/s     ({base_seconds:.2f} s)")
        print(f"  ratio app/baseline:         {base_seconds / total:8.2f}")
        print(f"  raw smtplib, bytes built once: {count / wire_seconds:5.0f} messages/s     ({wire_seconds:.2f} s)  (SMTP + sink alone)")
        print(f"  CPU per invitation: dispatch {1000 * dispatch_cpu / count:.2f} ms, delivery {1000 * deliver_cpu / count:.2f} ms"
              f" (app, all threads), sink {1000 * deliver_sink_cpu / count:.2f} ms; SMTP connections {app.config['SMTP_CONNECTIONS']};"
              f" load average {os.getloadavg()[0]:.1f}")
    finally:
        sink.terminate()
        sink.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
        if drop is not None:
            from extensions import db as _db
            try:
                _db.engine.dispose()
            except Exception:  # noqa: BLE001 - no app context left; the DROP forces anyway
                pass
            drop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to compare the app's and the sink's work."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def logging_off() -> None:
    import logging
    logging.disable(logging.INFO)


if __name__ == "__main__":
    main()
