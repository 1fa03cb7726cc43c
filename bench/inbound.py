"""Received e-mails per second through the whole intake path (issue 15): parse, thread, store, notify.

    python bench/inbound.py [--messages 2000] [--database-url postgresql+psycopg://…] [--profile]

With --database-url a scratch database is created on that server (and dropped at the end);
without, a SQLite file. The app is migrated with Alembic; one manager account exists (the
notified staff of unowned complaints). Set-up (not timed): a quarter of the messages open
complaints by e-mail. Timed: `inbound.ingest.ingest` — what the IMAP poll and `mail ingest`
call — for the given number of raw messages, one transaction each, in this mix:

- 50 % replies to our acknowledgements (threaded by In-Reply-To), with quoted history and a
  signature to cut, in the five languages: appended as the customer's event, the manager told
  (an outbox row), the contact address confirmed;
- 40 % new complaints (no thread): language detected, filed through the filing service,
  acknowledged in the customer's thread;
- 10 % auto-replies (out of office): stored as ignored.

Printed: messages/s (goal ≥ 200 on PostgreSQL), and CPU per message of this process (parse,
match, ORM, rendering) and, on PostgreSQL, of its database backend (read from /proc). Bounded:
at most 20 000 messages.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue module: drop this folder from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_postgres  # noqa: E402

AT = datetime(2027, 1, 15, 9, 0)
LANGUAGE_TEXTS = {
    "en": "The kettle I bought last week leaks from the bottom and the switch does not light up.",
    "pl": "Czajnik kupiony w zeszłym tygodniu przecieka od spodu, a włącznik się nie świeci.",
    "ru": "Чайник, купленный на прошлой неделе, протекает снизу, и выключатель не светится.",
    "ro": "Fierbătorul cumpărat săptămâna trecută curge pe dedesubt și întrerupătorul nu se aprinde.",
    "cs": "Konvice koupená minulý týden teče ze spodu a vypínač nesvítí.",
}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries of the timed part")
    args = parser.parse_args()
    count = max(20, min(args.messages, 20_000))
    workdir = tempfile.mkdtemp(prefix="bench-inbound-")
    drop = lambda: None  # noqa: E731
    if args.database_url:
        url, drop = scratch_postgres(args.database_url, "bench_inbound")
    else:
        url = f"sqlite:///{workdir}/bench.sqlite3"
    try:
        os.environ.update({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "INSTANCE_PATH": workdir,
                           "RATELIMIT_ENABLED": "0", "INBOUND_AUTO_REPLIES_PER_HOUR": "1000000"})
        run(count, args.profile, postgresql=bool(args.database_url))
    finally:
        drop()


def run(count: int, profile: bool, *, postgresql: bool) -> None:
    import logging

    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from extensions import db
    from factory import create_app
    from inbound.ingest import ingest
    from notifications.models import OutboxMessage
    from staff.services import create_staff
    from tests.support.inbound import REPLY_FORMS, message, reply

    logging.disable(logging.INFO)
    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        create_staff(email="manager@example.com", name="Mara Manager", role="manager",
                     password="violet tractor harbour 1987")
        languages = list(LANGUAGE_TEXTS)
        forms = sorted(REPLY_FORMS)
        replies = count // 2
        robots = count // 10
        fresh = count - replies - robots
        # Set-up: complaints to reply to, opened by e-mail like the timed ones.
        threads = []
        for i in range(max(1, count // 4)):
            language = languages[i % len(languages)]
            outcome = ingest(message(sender=f"Setup {i} <setup{i}@customer.example>", subject=f"Problem {i}",
                                     text=LANGUAGE_TEXTS[language]), source="imap", now=AT)
            threads.append((f"setup{i}@customer.example", outcome.reference))
        acks = dict(db.session.execute(select(OutboxMessage.complaint_id, OutboxMessage.message_id)
                                       .where(OutboxMessage.kind == "complaint_acknowledgement")).all())
        references = dict(db.session.execute(text("SELECT reference, id FROM complaints")).all())
        raws = []
        for i in range(count):
            slot = i % 10
            if slot < 5 and len(raws) - sum(1 for r in raws if r[0] != "reply") < replies:
                address, reference = threads[i % len(threads)]
                raws.append(("reply", reply(forms[i % len(forms)], to_message_id=acks[references[reference]],
                                            sender=address)))
            elif slot == 9 and sum(1 for r in raws if r[0] == "robot") < robots:
                raws.append(("robot", message(sender=f"away{i}@customer.example", subject="Out of office",
                                              headers={"Auto-Submitted": "auto-replied"},
                                              text="I am out of the office until Monday.")))
            else:
                language = languages[i % len(languages)]
                raws.append(("new", message(sender=f"Customer {i} <c{i}@customer.example>", subject=f"Complaint {i}",
                                            text=f"{LANGUAGE_TEXTS[language]} (#{i})")))
        kinds = {kind: sum(1 for k, _raw in raws if k == kind) for kind in ("reply", "new", "robot")}
        backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar() if postgresql else None
        db.session.commit()

        outcomes: dict[str, int] = {}

        def timed():
            for offset, (_kind, raw) in enumerate(raws):
                outcome = ingest(raw, source="imap", now=AT + timedelta(minutes=10, microseconds=offset))
                outcomes[outcome.kind] = outcomes.get(outcome.kind, 0) + 1

        backend_cpu = cpu_seconds(backend) if backend else 0.0
        started, cpu = time.perf_counter(), time.process_time()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(timed)
            profiler.dump_stats(os.environ.get("BENCH_PROFILE_FILE", "/tmp/bench-inbound.prof"))
        else:
            timed()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        # The same backend served every ingest (one connection in the pool, used serially).
        same_backend = postgresql and db.session.execute(text("SELECT pg_backend_pid()")).scalar() == backend
        backend_cpu = cpu_seconds(backend) - backend_cpu if same_backend else None
        notified = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.kind == "complaint_customer_message"))
        load = os.getloadavg()
    print(f"database: {'PostgreSQL' if postgresql else 'SQLite'}; messages: {count} "
          f"({kinds['reply']} replies, {kinds['new']} new complaints, {kinds['robot']} auto-replies); outcomes {outcomes}")
    print(f"staff notified of replies: {notified} outbox rows")
    print(f"throughput: {count / seconds:.0f} messages/s ({seconds:.2f} s; goal >= 200/s on PostgreSQL)")
    line = f"CPU per message: app {1000 * cpu / count:.2f} ms"
    if backend_cpu is not None and postgresql:
        line += f", PostgreSQL backend {1000 * backend_cpu / count:.2f} ms"
    print(line + f"; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (2 cores, shared)")
    if profile:
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(int(os.environ.get("BENCH_TOP", "30")))


if __name__ == "__main__":
    main()
