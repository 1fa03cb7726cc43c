"""How long `POST /staff/password-reset` takes for an address with an account and for one without.

The page answers both the same; this measures whether the time tells them apart. Known and
unknown requests alternate (so load drifts hit both alike); each known address is used once (the
per-account cap of links per hour would otherwise make later known requests do less work).
Runs on a scratch SQLite file, or on a scratch PostgreSQL database with --database-url.

    python bench/password_reset_timing.py --requests 200
    python bench/password_reset_timing.py --requests 200 --answer-ms 0     # without the floor
    python bench/password_reset_timing.py --requests 200 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/ itself: its queue.py would shadow the standard library

from bench.scratch import scratch_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind")
    parser.add_argument("--database-url")
    parser.add_argument("--answer-ms", type=int, default=200,
                        help="PASSWORD_RESET_ANSWER_MS (0: the raw difference)")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from factory import create_app

    directory = Path(tempfile.mkdtemp())
    url, drop = scratch_database(args.database_url, directory, "bench_reset")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": directory, "SECRET_KEY": "bench" * 8,
                          "RATELIMIT_ENABLED": False, "PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_COST": 1024,
                          "PASSWORD_HASH_PARALLELISM": 1, "PASSWORD_RESET_ANSWER_MS": args.answer_ms})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            from staff.services import create_staff
            for i in range(args.requests):
                create_staff(email=f"agent{i}@bench.example", name=f"Agent {i}", role="agent",
                             password="bench password 2027", language=("en", "pl", "ru", "ro", "cs")[i % 5])
        client = app.test_client()
        page = client.get("/staff/password-reset").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        timings = {"known": [], "unknown": []}
        for i in range(args.requests):
            for kind, email in (("known", f"agent{i}@bench.example"), ("unknown", f"nobody{i}@bench.example")):
                started = time.perf_counter()
                response = client.post("/staff/password-reset", data={"csrf_token": token, "email": email})
                timings[kind].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 302, response.status_code
        with app.app_context():
            from sqlalchemy import func, select

            from extensions import db
            from notifications.models import OutboxMessage
            sent = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        assert sent == args.requests, sent
        for kind, values in timings.items():
            values.sort()
            print(f"{kind:8} n={len(values)} median {statistics.median(values):.2f} ms  "
                  f"p90 {values[int(len(values) * 0.9)]:.2f} ms")
        print(f"median difference {statistics.median(timings['known']) - statistics.median(timings['unknown']):+.2f} ms")
    finally:
        drop()


if __name__ == "__main__":
    main()
