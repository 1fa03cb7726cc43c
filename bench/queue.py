"""The staff queue at 1 000 and at 1 000 000 complaints: keyset pagination must keep it flat.

    python bench/queue.py [--large 1000000] [--budget 600] [--database-url postgresql+psycopg://…]
                          [--keep bench_1m] [--no-refresh]

In one scratch PostgreSQL database (dropped at the end): 1 000 complaints are loaded (COPY, the
generator of bench/dashboard.py: spread over 18 months, ~5 % open, in every state), the queue is
measured; then complaints are added up to `--large` (bounded by `--budget` seconds; the size
reached is printed; with `--keep NAME` in that named database, kept for the next run — one loaded
by `bench/dashboard.py --keep NAME` is reused), the tables are analysed and the same requests are measured again. Requests
go through the WSGI app in-process, 60 times each after warm-up: the manager's open queue (first
page and the page after a cursor), every filter of the queue form alone and combined, and an
agent's "My complaints"; the report refresh job (which snapshots the resolved/closed counts) runs
first at both sizes, as the worker would. The view's parts (counts, page query, segment badges)
are also timed directly.
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
from types import SimpleNamespace  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_dashboard", HERE / "dashboard.py")
bench_dashboard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_dashboard)
DEFAULT_URL, analyze, copy_complaints = bench_dashboard.DEFAULT_URL, bench_dashboard.analyze, bench_dashboard.copy_complaints
kept_database, remigrate_reports = bench_dashboard.kept_database, bench_dashboard.remigrate_reports
people_in, loaded_sizes = bench_dashboard.people_in, bench_dashboard.loaded_sizes
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
    # Every filter the queue form offers, alone and combined.
    paths += [("queue, ?owner=agent0", "/staff/complaints/?owner=agent0%40bench.example"),
              ("queue, ?owner=none", "/staff/complaints/?owner=none"),
              ("queue, ?priority=urgent", "/staff/complaints/?priority=urgent"),
              ("queue, owner+urgent+overdue", "/staff/complaints/?owner=agent0%40bench.example&priority=urgent&overdue=1"),
              ("queue, ?status=in_progress", "/staff/complaints/?status=in_progress"),
              ("queue, ?status=all", "/staff/complaints/?status=all")]
    return paths


def time_parts(app, people, n: int = 30) -> None:
    """The queue view's parts called directly (no HTTP): where the request's time goes."""
    from sqlalchemy import select

    from complaints.queries import QueueFilter, counts_by_status, queue_page
    from customers.queries import segments_for
    from extensions import db
    from platform_support.clock import utcnow
    from staff.models import StaffUser
    with app.app_context():
        manager = db.session.scalar(select(StaffUser).where(StaffUser.email == people["manager"]))
        agent = db.session.scalar(select(StaffUser).where(StaffUser.email == "agent0@bench.example"))
        # Plain rows: the loop's rollback would expire ORM objects (one reload query per row).
        page = [SimpleNamespace(customer_id=c.customer_id) for c in queue_page(manager, QueueFilter(), now=utcnow())[0]]
        parts = {"counts_by_status (manager)": lambda: counts_by_status(manager),
                 "counts_by_status (agent, mine)": lambda: counts_by_status(agent, only_mine=True),
                 "queue_page (manager, open)": lambda: queue_page(manager, QueueFilter(), now=utcnow()),
                 "queue_page (agent, mine)": lambda: queue_page(agent, QueueFilter(owner="me"), now=utcnow()),
                 "segments_for (one page)": lambda: segments_for(page)}
        for name, call in parts.items():
            call()
            samples = []
            for _ in range(n):
                started = time.perf_counter()
                call()
                samples.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            print(f"  part {name:34} p50 {statistics.median(samples):7.1f} ms   p95 {p95(samples):7.1f} ms")


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
    time_parts(app, people)
    return results


def refresh(app, now) -> None:
    from platform_support.database import write_intent
    from reports.aggregation import refresh_report_aggregates
    with app.app_context(), write_intent():
        started = time.monotonic()
        refresh_report_aggregates(now, full=True)
        print(f"  report refresh (incl. status-count snapshot): {time.monotonic() - started:.1f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--budget", type=float, default=600, help="seconds for loading the large size")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", metavar="NAME", help="measure the large size in this named database (loaded "
                        "by an earlier run of this or bench/dashboard.py --keep NAME, or loaded now and kept)")
    parser.add_argument("--no-remigrate", dest="remigrate", action="store_false", help="with --keep: use the "
                        "kept database's schema as it is (already migrated by the current code)")
    parser.add_argument("--no-refresh", dest="refresh", action="store_false", help="skip the report refresh "
                        "job before measuring (the worker runs it; without its status-count snapshot the "
                        "resolved/closed badges are counted live)")
    args = parser.parse_args()

    from platform_support.clock import utcnow
    now = utcnow()
    url, drop = scratch_database(args.database_url, "bench_queue")
    try:
        app = make_app(url, Path(tempfile.mkdtemp()))
        app.config["RATELIMIT_ENABLED"] = False
        people = load_people(app, customers=20_000)
        copy_complaints(app, 0, SMALL, now, people)
        analyze(app)
        if args.refresh:
            refresh(app, now)
        small = measure(app, people, f"{SMALL} complaints")
        if args.keep:
            from extensions import db
            with app.app_context():
                db.engine.dispose()
            drop()
            url, existed = kept_database(args.database_url, args.keep)
            drop = lambda: None  # noqa: E731 - kept on purpose
            app = make_app(url, Path(tempfile.mkdtemp()))
            app.config["RATELIMIT_ENABLED"] = False
            if existed:
                if args.remigrate:
                    remigrate_reports(app)
                people, (loaded, _responses) = people_in(app), loaded_sizes(app)
            else:
                people, loaded = load_people(app, customers=20_000), 0
        else:
            loaded = SMALL
        started = time.monotonic()
        while loaded < args.large and time.monotonic() - started < args.budget:
            batch = min(100_000, args.large - loaded)
            copy_complaints(app, loaded, batch, now, people)
            loaded += batch
            print(f"  loaded {loaded} complaints ({time.monotonic() - started:.0f} s)", flush=True)
        if loaded < args.large:
            print(f"  budget of {args.budget:.0f} s used up at {loaded} complaints")
        analyze(app)
        if args.refresh:
            refresh(app, now)
        large = measure(app, people, f"{loaded} complaints")
        print(f"\nratio p95({loaded}) / p95({SMALL}), goal ≤ 1.5×:")
        worst = 0.0
        for name in small:
            if name not in large:
                continue
            ratio = p95(large[name]) / max(p95(small[name]), 0.001)
            worst = max(worst, ratio)
            # p50 ratio beside it: on a shared machine one slow sample moves a p95 of 60.
            median_ratio = statistics.median(large[name]) / max(statistics.median(small[name]), 0.001)
            print(f"  {name:32} {ratio:5.2f}×  {'ok' if ratio <= 1.5 else 'OVER'}   (p50 ratio {median_ratio:4.2f}×)")
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
