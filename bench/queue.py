"""The staff queue at 1 000 and at 1 000 000 complaints: keyset pagination must keep it flat.

    python bench/queue.py [--large 1000000] [--budget 600] [--database-url postgresql+psycopg://…]

In one scratch PostgreSQL database (dropped at the end): 1 000 complaints are loaded (COPY, the
generator of bench/dashboard.py: spread over 18 months, ~5 % open, in every state), the queue is
measured; then complaints are added up to `--large` (bounded by `--budget` seconds; the size
reached is printed), the tables are analysed and the same requests are measured again. Requests
go through the WSGI app in-process, 60 times each after warm-up: the manager's open queue (first
page and the page after a cursor), an agent's "My complaints", and the overdue filter.
Printed: p50/p95 per request at both sizes and the ratio p95(large)/p95(1 000) against the goal
≤ 1.5×.
"""
from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's `queue`: take its folder off the import path
# before anything imports `queue` (psycopg does).
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_dashboard", HERE / "dashboard.py")
bench_dashboard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_dashboard)
DEFAULT_URL, analyze, copy_complaints = bench_dashboard.DEFAULT_URL, bench_dashboard.analyze, bench_dashboard.copy_complaints
load_people, make_app, p95 = bench_dashboard.load_people, bench_dashboard.make_app, bench_dashboard.p95
scratch_database, signed_in_client = bench_dashboard.scratch_database, bench_dashboard.signed_in_client
timed_requests = bench_dashboard.timed_requests

SMALL = 1_000


def queue_paths(client, people) -> list[tuple[str, str]]:
    first = client.get("/staff/complaints/").get_data(as_text=True)
    match = re.search(r'href="(/staff/complaints/\?[^"]*cursor=[^"]+)"', first)
    paths = [("queue, first page", "/staff/complaints/"), ("queue, overdue", "/staff/complaints/?overdue=1")]
    if match:
        paths.append(("queue, next page (cursor)", match.group(1).replace("&amp;", "&")))
    return paths


def measure(app, people, label: str) -> dict[str, list[float]]:
    manager = signed_in_client(app, people["manager"])
    agent = signed_in_client(app, "agent0@bench.example")
    results = {}
    for name, path in queue_paths(manager, people):
        results[name] = timed_requests(manager, path, n=60)
    results["agent, my complaints"] = timed_requests(agent, "/staff/complaints/mine", n=60)
    print(f"\n{label}")
    for name, samples in results.items():
        print(f"  {name:32} p50 {statistics.median(samples):7.1f} ms   p95 {p95(samples):7.1f} ms")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--budget", type=float, default=600, help="seconds for loading the large size")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    from platform_support.clock import utcnow
    url, drop = scratch_database(args.database_url, "bench_queue")
    try:
        app = make_app(url, Path(tempfile.mkdtemp()))
        app.config["RATELIMIT_ENABLED"] = False
        now = utcnow()
        people = load_people(app, customers=20_000)
        copy_complaints(app, 0, SMALL, now, people)
        analyze(app)
        small = measure(app, people, f"{SMALL} complaints")
        started, loaded = time.monotonic(), SMALL
        while loaded < args.large and time.monotonic() - started < args.budget:
            batch = min(100_000, args.large - loaded)
            copy_complaints(app, loaded, batch, now, people)
            loaded += batch
            print(f"  loaded {loaded} complaints ({time.monotonic() - started:.0f} s)", flush=True)
        if loaded < args.large:
            print(f"  budget of {args.budget:.0f} s used up at {loaded} complaints")
        analyze(app)
        large = measure(app, people, f"{loaded} complaints")
        print(f"\nratio p95({loaded}) / p95({SMALL}), goal ≤ 1.5×:")
        worst = 0.0
        for name in small:
            if name not in large:
                continue
            ratio = p95(large[name]) / max(p95(small[name]), 0.001)
            worst = max(worst, ratio)
            print(f"  {name:32} {ratio:5.2f}×  {'ok' if ratio <= 1.5 else 'OVER'}")
        print(f"worst ratio {worst:.2f}× — {'PASS' if worst <= 1.5 else 'FAIL'}")
        return 0
    finally:
        from extensions import db
        try:
            with app.app_context():
                db.engine.dispose()
        except Exception:  # noqa: BLE001
            pass
        drop()


if __name__ == "__main__":
    sys.exit(main())
