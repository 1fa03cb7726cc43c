"""The staff queue at 1 000 and at 1 000 000 complaints: keyset pagination must keep it flat.

    python bench/queue.py [--large 1000000] [--budget 600] [--database-url postgresql+psycopg://…]
                          [--keep bench_1m] [--no-remigrate] [--no-refresh]

Two PostgreSQL databases: a scratch one with 1 000 complaints (COPY, the generator of
bench/dashboard.py), and a second scratch one (or, with `--keep NAME`, that named database, kept
for the next run — one loaded by `bench/dashboard.py --keep NAME` is reused) loaded up to
`--large` complaints (bounded by `--budget` seconds; the size reached is printed); scratch ones
are dropped at the end. Both are analysed and the worker's jobs (count fold, report refresh) run
on both, as the worker would. Requests go through the WSGI app in-process, 60 times each after
warm-up, alternating between the two databases request by request (so a busy moment of the
machine falls on both sizes alike): the manager's open queue (first page and the page after a
cursor), every filter of the queue form alone and combined, and an agent's queue and "My
complaints". The view's parts (counts, page query, segment badges) are also timed directly.

The two sizes show the same pages (the goal is about the queue not growing with the number of
complaints, so the comparison keeps what one page shows fixed): the large database is 18 months
of complaints (~5 % open, 20 agents), where every request fills its page of 50; the 1 000 are one
month of a small service's complaints (~60 % open, all handled by agent 0), so that every request
fills its page there too — with the large database's shape, 1 000 complaints hold ~45 open ones
and a filtered page showed 0–15 rows. Rows per page are printed beside the times.
Printed: p50/p95 per request at both sizes, then a table of p95 at 1 000, p95 at the large size
and their ratio against the goal ≤ 1.5×.
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
kept_database, migrate_kept = bench_dashboard.kept_database, bench_dashboard.migrate_kept
people_in, loaded_sizes = bench_dashboard.people_in, bench_dashboard.loaded_sizes
load_people, make_app, p95 = bench_dashboard.load_people, bench_dashboard.make_app, bench_dashboard.p95
scratch_database, signed_in_client = bench_dashboard.scratch_database, bench_dashboard.signed_in_client

SMALL = 1_000
# The 1 000-complaint service: one month, one agent (see the module docstring).
SMALL_SHAPE = {"days": 30, "agents": 1}


def queue_paths(client) -> list[tuple[str, str]]:
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


def page_rows(client, path: str) -> int:
    return client.get(path).get_data(as_text=True).count('<td><a href="/staff/complaints/')


def one_request(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    response.get_data()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def measure_both(sizes: dict[str, tuple], n: int = 60) -> dict[str, dict[str, list[float]]]:
    """The same requests against both databases, interleaved request by request (the order
    alternating each round), so that whatever else the machine does falls on both sizes alike."""
    clients, paths = {}, {}
    for size, (app, people) in sizes.items():
        manager = signed_in_client(app, people["manager"])
        agent = signed_in_client(app, "agent0@bench.example")
        clients[size] = (manager, agent)
        paths[size] = {name: (manager, path) for name, path in queue_paths(manager)}
        paths[size]["agent, queue"] = (agent, "/staff/complaints/")
        paths[size]["agent, my complaints"] = (agent, "/staff/complaints/mine")
    names = [name for name in next(iter(paths.values())) if all(name in p for p in paths.values())]
    results = {size: {} for size in sizes}
    rows = {size: {} for size in sizes}
    order = list(sizes)
    for name in names:
        for size in order:
            client, path = paths[size][name]
            rows[size][name] = page_rows(client, path)
            for _ in range(3):
                one_request(client, path)
            results[size][name] = []
        for round_ in range(n):
            for size in order if round_ % 2 == 0 else reversed(order):
                client, path = paths[size][name]
                results[size][name].append(one_request(client, path))
    for size, (app, people) in sizes.items():
        print(f"\n{size} complaints")
        for name, samples in results[size].items():
            print(f"  {name:32} p50 {statistics.median(samples):7.1f} ms   p95 {p95(samples):7.1f} ms   "
                  f"{rows[size][name]:3d} rows")
        time_parts(app, people)
    return results, rows


def worker_jobs(app, now) -> None:
    """What the worker does before anyone looks: fold the count deltas, refresh the reports."""
    from complaints.status_counts import fold_counts
    from platform_support.database import write_intent
    from reports.aggregation import refresh_report_aggregates
    with app.app_context(), write_intent():
        started = time.monotonic()
        folded = fold_counts(now)
        refresh_report_aggregates(now, full=True)
        print(f"  worker jobs (fold {folded} count deltas, report refresh): {time.monotonic() - started:.1f} s",
              flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--budget", type=float, default=600, help="seconds for loading the large size")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", metavar="NAME", help="measure the large size in this named database (loaded "
                        "by an earlier run of this or bench/dashboard.py --keep NAME, or loaded now and kept)")
    parser.add_argument("--no-remigrate", dest="remigrate", action="store_false", help="with --keep: use the "
                        "kept database's schema as it is (already migrated by the current code)")
    parser.add_argument("--no-refresh", dest="refresh", action="store_false", help="skip the worker's jobs "
                        "(count fold, report refresh) before measuring; the counts are exact either way")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per request kind and size")
    args = parser.parse_args()

    from platform_support.clock import utcnow
    now = utcnow()
    apps, drops = [], []
    try:
        url, drop = scratch_database(args.database_url, "bench_queue_small")
        drops.append(drop)
        small_app = make_app(url, Path(tempfile.mkdtemp()))
        apps.append(small_app)
        small_app.config["RATELIMIT_ENABLED"] = False
        small_people = load_people(small_app, customers=20_000)
        copy_complaints(small_app, 0, SMALL, now, small_people, days=SMALL_SHAPE["days"],
                        agents=small_people["agents"][:SMALL_SHAPE["agents"]])
        analyze(small_app)
        if args.refresh:
            worker_jobs(small_app, now)

        if args.keep:
            url, existed = kept_database(args.database_url, args.keep)
        else:
            (url, drop), existed = scratch_database(args.database_url, "bench_queue_large"), False
            drops.append(drop)
        app = make_app(url, Path(tempfile.mkdtemp()))
        apps.append(app)
        app.config["RATELIMIT_ENABLED"] = False
        if existed:
            if args.remigrate:
                migrate_kept(app)
            people, (loaded, _responses) = people_in(app), loaded_sizes(app)
        else:
            people, loaded = load_people(app, customers=20_000), 0
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
            worker_jobs(app, now)

        results, rows = measure_both({SMALL: (small_app, small_people), loaded: (app, people)}, n=args.requests)
        small, large = results[SMALL], results[loaded]
        print(f"\np95 at {SMALL} vs {loaded} complaints, goal ratio ≤ 1.5× (p50 ratio beside it: on a shared "
              f"machine one slow sample moves a p95 of {args.requests}):")
        print(f"  {'request':32} {'p95 ' + str(SMALL):>10} {'p95 ' + str(loaded):>13} {'ratio':>7}        "
              f"{'p50 ratio':>9}  rows")
        worst = 0.0
        for name in small:
            ratio = p95(large[name]) / max(p95(small[name]), 0.001)
            worst = max(worst, ratio)
            median_ratio = statistics.median(large[name]) / max(statistics.median(small[name]), 0.001)
            print(f"  {name:32} {p95(small[name]):7.1f} ms {p95(large[name]):10.1f} ms {ratio:6.2f}×  "
                  f"{'ok  ' if ratio <= 1.5 else 'OVER'}  {median_ratio:8.2f}×  {rows[SMALL][name]}/{rows[loaded][name]}")
        print(f"worst ratio {worst:.2f}× — {'PASS' if worst <= 1.5 else 'FAIL'}")
        return 0
    finally:
        from extensions import db
        for app in apps:
            try:
                with app.app_context():
                    db.engine.dispose()
            except Exception:  # noqa: BLE001, S110 - the scratch databases are dropped either way
                pass
        for drop in drops:
            drop()


if __name__ == "__main__":
    sys.exit(main())
