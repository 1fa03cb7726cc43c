"""How cheap the operations paths are: in-process requests (Flask test client, no network) to
/healthz, /readyz and /metrics after one pass of every job (so job_runs and a heartbeat exist),
on a scratch SQLite file or a scratch PostgreSQL database. Prints p50/p95 per path in ms.

    python bench/operations.py --requests 500
    python bench/operations.py --requests 500 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/ itself: its queue.py would shadow the standard library

from bench.scratch import scratch_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from config import TestConfig
    from factory import create_app
    from scheduling.runner import run_due

    with tempfile.TemporaryDirectory() as scratch:
        url, drop = scratch_database(args.database_url, Path(scratch), "bench_ops")
        try:
            settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
            settings.update(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=Path(scratch) / "instance",
                            METRICS_TOKEN="bench-token-0123456789")
            app = create_app(settings)
            with app.app_context():
                upgrade(directory=str(ROOT / "migrations"))
            run_due(app, datetime(2027, 1, 15, 9, 0))
            client = app.test_client()
            headers = {"Authorization": "Bearer bench-token-0123456789"}
            for path in ("/healthz", "/readyz", "/metrics"):
                for _ in range(20):  # warm-up
                    client.get(path, headers=headers)
                times = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    response = client.get(path, headers=headers)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                times.sort()
                print(f"{path:10s} p50 {statistics.median(times):6.2f} ms   p95 {times[int(len(times) * 0.95)]:6.2f} ms"
                      f"   ({args.requests} requests, {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})")
            with app.app_context():
                from extensions import db
                db.engine.dispose()
        finally:
            drop()


if __name__ == "__main__":
    main()
