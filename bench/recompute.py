"""Segment recompute at growing customer counts on PostgreSQL (goal: 1 M customers, 5 M orders < 10 s).

    python bench/recompute.py [--sizes 100000,1000000] [--orders-per-customer 5] [--budget 1500]
                              [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

For each size: a scratch database (dropped at the end) is migrated and filled by
`bench/generate.py` (COPY), then the recompute runs twice — a first scoring at NOW and a second
30 days later, which records the segment transitions — and each is timed per step. The baseline
of the same run is one full read of the orders (`SELECT count(*), sum(amount) FROM orders`): the
least any set-based recompute must do; the ratio shows what the grouping, ranking and writing add.
Printed per size: seconds, seconds per 100 000 customers (flat = linear growth), and the ratio;
then the seconds of each step of both runs and the CPU seconds of the database's backends (the
recompute uses two connections: on two free cores its wall time is below its CPU time).
A size whose generation would not fit into what is left of `--budget` seconds is skipped and said so.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is first on the path, and a bench script named like a standard module
# (bench/queue.py) would shadow it for every import below: keep only the project root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.generate import NOW, generate

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def scratch_database(admin_url: str):
    import uuid

    import sqlalchemy as sa
    admin = sa.create_engine(sa.engine.make_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"bench_segments_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def measure(url: str, instance: Path) -> dict:
    import sqlalchemy as sa

    from bench.generate import make_app
    from customers.recompute import recompute_all
    from extensions import db
    from platform_support.database import write_intent
    app = make_app(url, instance)
    with app.app_context(), write_intent():
        # The recompute works on two pooled connections of its own: count every backend of the database.
        watcher = sa.create_engine(sa.engine.make_url(url), poolclass=sa.pool.NullPool)

        def backends() -> list[int]:
            with watcher.connect() as connection:
                return list(connection.scalars(sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")))

        started = time.perf_counter()
        db.session.execute(sa.text("SELECT count(*), sum(amount) FROM orders")).one()
        db.session.commit()
        baseline = time.perf_counter() - started
        cpu, started = BackendCPU(backends()), time.perf_counter()
        first = recompute_all(NOW, app.config)
        first_seconds, first_cpu = time.perf_counter() - started, cpu.used(backends())
        cpu, started = BackendCPU(backends()), time.perf_counter()
        second = recompute_all(NOW + timedelta(days=30), app.config)
        second_seconds, second_cpu = time.perf_counter() - started, cpu.used(backends())
        db.session.remove()
        db.engine.dispose()
        watcher.dispose()
    return {"baseline": baseline, "first": first_seconds, "second": second_seconds, "first_steps": first.seconds_by_step,
            "second_steps": second.seconds_by_step, "transitions": second.transitions, "customers": first.customers,
            "first_cpu": first_cpu, "second_cpu": second_cpu}


class BackendCPU:
    """CPU seconds used by the PostgreSQL backends of the database between two readings
    (`cpu = BackendCPU(backends())`, then `cpu.used(backends())`), connections opened in between
    included, parallel workers not; NaN when the server's processes are not readable here. On a
    shared machine this moves much less than the wall clock, so it shows what a change saved."""

    def __init__(self, pids: list[int]):
        self.before = {pid: self.seconds(pid) for pid in pids}

    @staticmethod
    def seconds(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def used(self, pids: list[int]) -> float:
        return sum(self.seconds(pid) - self.before.get(pid, 0.0) for pid in pids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--orders-per-customer", type=int, default=5)
    parser.add_argument("--budget", type=float, default=1500, help="seconds for the whole run")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    deadline = time.monotonic() + args.budget
    generation_rate = None  # seconds per customer, learnt from the previous size
    print("customers  orders     generate  recompute(1st)  recompute(2nd)  s/100k(2nd)  baseline  ratio  transitions")
    for size in (int(s) for s in args.sizes.split(",")):
        left = deadline - time.monotonic()
        if generation_rate is not None and generation_rate * size * 1.5 > left:
            print(f"{size:>9}  skipped: generating it would take ~{generation_rate * size:.0f} s, {left:.0f} s left")
            continue
        url, drop = scratch_database(args.database_url)
        try:
            with tempfile.TemporaryDirectory() as instance:
                started = time.perf_counter()
                generate(url, size, size * args.orders_per_customer, None, 1, Path(instance))
                generated = time.perf_counter() - started
                generation_rate = generated / size
                result = measure(url, Path(instance))
        finally:
            drop()
        per_100k = result["second"] * 100_000 / size
        print(f"{size:>9}  {size * args.orders_per_customer:>9}  {generated:>7.1f} s  {result['first']:>12.2f} s  "
              f"{result['second']:>12.2f} s  {per_100k:>9.2f} s  {result['baseline']:>6.2f} s  "
              f"{result['second'] / max(result['baseline'], 1e-9):>5.1f}  {result['transitions']:>11}")
        print(f"           steps (1st): {result['first_steps']}")
        print(f"           steps (2nd): {result['second_steps']}")
        print(f"           database backends' CPU: 1st {result['first_cpu']:.2f} s, 2nd {result['second_cpu']:.2f} s "
              f"(2nd {result['second_cpu'] * 100_000 / size:.2f} s per 100 k)")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
