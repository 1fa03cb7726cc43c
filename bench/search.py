"""Queue search and queue sorts at 1 M complaints (issue 16), on PostgreSQL or SQLite.

    python bench/search.py [--complaints 1000000] [--database-url postgresql+psycopg://…/postgres | --sqlite]
                           [--budget 900] [--requests 40] [--keep NAME]

Loads a scratch database (dropped at the end; PostgreSQL: `--keep NAME` keeps / reuses a named one)
with `--complaints` complaints written in five languages (bench/generate.py: Zipf vocabulary with
real Polish, Russian, Romanian and Czech words in its head, 10 000+ distinct names, one e-mail
per customer), a fifth of them with a customer message (a complaint_events row) — through COPY or
executemany, the search index dropped first and built once at the end, set-based (`--with-triggers`:
the triggers fire for every row as for filings; the load rate printed then includes them).
Loading stops at `--budget` seconds; the size reached is printed.

Then, through the WSGI app in-process (whole pages: search + total + counts + saved views +
rendering), as the manager and as an agent (unowned + own complaints only):
  search: a surname, a full name, an e-mail, a reference, a rare word, a frequent word (in ~10 %
          of the complaints: the worst case — every match is ranked), two words, a diacritic-
          folded word ("zolty" for "żółty"), a 3-letter prefix — each kind over several
          different terms, `--requests` times;
  sorts:  the open queue in every offered order (first page and the page after its cursor),
          and "All" states by newest.
Printed: p50/p95 per request kind, the load average before and after (the machine is shared).
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from urllib.parse import quote  # noqa: E402


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _load("generate")
scratch = _load("scratch")

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench password 2027"
AGENTS = 20
NOW = datetime(2027, 1, 15, 9, 0)
SLA = {"urgent": (2, 24), "high": (4, 48), "normal": (8, 120), "low": (24, 240)}
COLUMNS = ("reference", "tracking_token_hash", "customer_id", "contact_name", "contact_email", "contact_phone",
           "preferred_channel", "language", "subject", "description", "order_reference", "desired_outcome", "status",
           "priority", "owner_id", "channel", "created_at", "updated_at", "first_response_due_at", "resolution_due_at",
           "first_responded_at", "committed_action", "resolution", "reopened_count", "handling_minutes")
EVENT_COLUMNS = ("complaint_id", "kind", "public", "body", "detail", "by_customer", "minutes", "created_at")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def make_app(url: str):
    from flask_migrate import upgrade

    from config import TestConfig
    from factory import create_app
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=Path(tempfile.mkdtemp()), WTF_CSRF_ENABLED=False,
                    RATELIMIT_ENABLED=False)
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


def complaint_rows(start: int, count: int, customers: int, agents: list[int], vocabulary, rng):
    priorities = ("normal", "normal", "normal", "high", "low", "urgent")
    for i in range(start, start + count):
        created = NOW - timedelta(seconds=rng.randint(60, 540 * 86400))
        priority = priorities[(i // len(agents)) % 6]
        first_h, resolution_h = SLA[priority]
        age_days = (NOW - created).days
        roll = rng.random()
        if age_days > 30:
            status = "closed" if roll < 0.8 else "resolved" if roll < 0.985 else "in_progress"
        else:
            status = ("new", "assigned", "in_progress", "resolved", "closed")[int(roll * 5)]
        owner = None if status == "new" else agents[i % len(agents)]
        customer = 1 + (i * 7919) % customers
        name, email = generate.person(customer)
        subject = generate.complaint_text(rng, vocabulary, rng.randint(2, 6))
        description = generate.complaint_text(rng, vocabulary, rng.randint(15, 60))
        updated = created + timedelta(hours=rng.randint(0, 200))
        yield (f"B-{i:09d}", f"{i:064x}", customer, name, email, "", "email", generate.LANGUAGES[i % 5], subject,
               description, f"ORD-{i * 31 % 10_000_000:07d}", "", status, priority, owner, "web", created,
               min(updated, NOW), created + timedelta(hours=first_h), created + timedelta(hours=resolution_h),
               None if status == "new" else created + timedelta(hours=1), "", "", 0, rng.randint(5, 240))


def load(app, complaints: int, budget: float, rng: random.Random, bulk: bool = True) -> int:
    """Staff, customers, complaints and customer messages; returns the complaints loaded."""
    from sqlalchemy import text

    from extensions import db
    from staff.services import create_staff
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        create_staff(email="manager@bench.example", name="Bench Manager", role="manager", password=PASSWORD)
        agents = [create_staff(email=f"agent{i}@bench.example", name=f"Agent {i:02d}", role="agent",
                               password=PASSWORD).id for i in range(AGENTS)]
        # Reading `.id` after the commit began a transaction: closed, or its snapshot would keep the
        # final VACUUM from marking any loaded page all-visible (no index-only scans: an agent's
        # owners_floor took 66 ms instead of 1.2 ms).
        db.session.close()
        customers = max(1000, complaints // 5)
        named = ((i, generate.person(i)) for i in range(1, customers + 1))
        rows = ((i, f"B{i}", name, email, email, "", generate.LANGUAGES[i % 5], "UTC", "email", "", "", "", "", "",
                 None, False, False, NOW - timedelta(days=900)) for i, (name, email) in named)
        vocabulary = generate.search_vocabulary(rng)
        from complaints import search
        if bulk:  # as a bulk import would: the search index built once at the end, set-based
            with db.engine.begin() as connection:
                search.drop_search(connection)
        raw = db.engine.raw_connection()
        write = generate._copy if postgres else generate._executemany
        try:
            write(raw.driver_connection if postgres else raw, "customers", generate.CUSTOMER_COLUMNS, rows)
            raw.commit()
            started, loaded = time.monotonic(), 0
            while loaded < complaints and time.monotonic() - started < budget:
                batch = min(50_000, complaints - loaded)
                write(raw.driver_connection if postgres else raw, "complaints", COLUMNS,
                      complaint_rows(loaded, batch, customers, agents, vocabulary, rng))
                first = raw.cursor()
                first.execute("SELECT min(id) FROM complaints WHERE reference >= %s" if postgres else
                              "SELECT min(id) FROM complaints WHERE reference >= ?", (f"B-{loaded:09d}",))
                first_id = first.fetchone()[0]
                events = ((first_id + k, "customer_message", True, generate.complaint_text(rng, vocabulary, 20),
                           "{}", True, 0, NOW) for k in range(0, batch, 5))
                write(raw.driver_connection if postgres else raw, "complaint_events", EVENT_COLUMNS, events)
                raw.commit()
                loaded += batch
                elapsed = time.monotonic() - started
                print(f"  loaded {loaded} complaints + {loaded // 5} messages ({elapsed:.0f} s, "
                      f"{loaded / elapsed:.0f} complaints/s{'' if bulk else ' with their search rows'})", flush=True)
        finally:
            raw.close()
        if loaded < complaints:
            print(f"  budget of {budget:.0f} s used up at {loaded} complaints")
        if bulk:
            started = time.monotonic()
            with db.engine.begin() as connection:
                search.create_search(connection)
            print(f"  search index built for {loaded} complaints in {time.monotonic() - started:.0f} s", flush=True)
        from complaints.status_counts import recount
        with db.engine.begin() as connection:
            recount(connection)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))
        return loaded


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/staff/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def search_terms(app, rng: random.Random) -> dict[str, list[str]]:
    """Several concrete terms per kind, taken from the loaded data."""
    from sqlalchemy import text

    from extensions import db
    with app.app_context():
        total = db.session.scalar(text("SELECT max(id) FROM complaints"))
        sample = db.session.execute(text("SELECT reference, contact_name, contact_email, description FROM complaints"
                                         " WHERE id IN (" + ",".join(str(rng.randint(1, total)) for _ in range(40))
                                         + ")")).all()
    words = [w for row in sample for w in row.description.split()]
    tail = [w for w in words if w not in generate.HEAD_WORDS]
    return {
        "surname": [row.contact_name.split()[1] for row in sample[:8]],
        "full name": [row.contact_name for row in sample[8:16]],
        "e-mail": [row.contact_email for row in sample[16:24]],
        "reference": [row.reference for row in sample[24:32]],
        "rare word": tail[:8],
        "frequent word": ["parcel", "delivery", "paczka", "посылка", "colet", "balík", "late", "broken"],
        "two words": [f"{a} {b}" for a, b in zip(tail[8:16], ["refund", "kurier", "заказ", "livrare", "ekran",
                                                                "order", "zwrot", "krabice"])],
        "folded word": ["zolty", "opozniona", "елка", "schet", "intarziere", "zlutoucky", "kuryr", "doruceni"],
        "prefix": [w[:3] for w in tail[16:24]],
    }


def timed(client, path: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path)
        response.get_data()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def wanted(name: str, only: list[str] | None) -> bool:
    return not only or any(name.startswith(prefix) for prefix in only)


def measure_service(app, terms: dict[str, list[str]], requests: int, only=None) -> dict[str, list[float]]:
    """The database part alone, as the page calls it: one page of results + its total
    (`queue_page_with_total`; search: all states, like the search box), or one page in a sort (open queue)."""
    from sqlalchemy import select

    from complaints.queries import SORTS, QueueFilter, queue_page, queue_page_with_total
    from extensions import db
    from staff.models import StaffUser
    results: dict[str, list[float]] = {}
    with app.app_context():
        for who in ("manager", "agent0"):
            actor = db.session.scalar(select(StaffUser).where(StaffUser.email == f"{who}@bench.example"))
            calls = {f"query: search {kind} ({who})": [
                (lambda v=v: queue_page_with_total(actor, QueueFilter(q=v, status="all"), now=NOW)) for v in values if v]
                for kind, values in terms.items()}
            calls.update({f"query: sort {sort} ({who})": [lambda sort=sort: queue_page(actor, QueueFilter(sort=sort), now=NOW)]
                          for sort in SORTS if sort != "relevance"})
            for name, variants in calls.items():
                if not wanted(name, only):
                    continue
                for call in variants:
                    call()
                    db.session.rollback()
                samples = []
                for round_ in range(requests):
                    started = time.perf_counter()
                    variants[round_ % len(variants)]()
                    samples.append((time.perf_counter() - started) * 1000)
                    db.session.rollback()
                results[name] = samples
                print(f"  {name:52} p50 {statistics.median(samples):7.1f} ms   p95 {p95(samples):7.1f} ms", flush=True)
    return results


def measure(app, requests: int, rng: random.Random, only=None) -> dict[str, list[float]]:
    from complaints.queries import SORTS
    manager, agent = signed_in(app, "manager@bench.example"), signed_in(app, "agent0@bench.example")
    terms = search_terms(app, rng)
    results = measure_service(app, terms, requests, only)
    if only and all(prefix.startswith("query: ") for prefix in only):
        return results
    for who, client in (("manager", manager), ("agent", agent)):
        for kind, values in terms.items():
            if not wanted(f"search {kind} ({who})", only):
                continue
            paths = [f"/staff/complaints/?q={quote(v)}" for v in values if v]
            for path in paths:
                client.get(path)  # warm
            samples = []
            for round_ in range(requests):
                samples += timed(client, paths[round_ % len(paths)], 1)
            results[f"search {kind} ({who})"] = samples
            print(f"  search {kind} ({who}): p50 {statistics.median(samples):.1f} ms p95 {p95(samples):.1f} ms", flush=True)
    for who, client in (("manager", manager), ("agent", agent)):
        for sort in [s for s in SORTS if s != "relevance" and wanted(f"sort {s} ({who})", only)]:
            first = f"/staff/complaints/?sort={sort}"
            page = client.get(first).get_data(as_text=True)
            match = re.search(r'href="(/staff/complaints/\?[^"]*cursor=[^"]+)"', page)
            results[f"sort {sort} ({who})"] = timed(client, first, requests)
            if match:
                results[f"sort {sort}, next page ({who})"] = timed(client, match.group(1).replace("&amp;", "&"), requests)
        if wanted(f"sort -created, all states ({who})", only):
            results[f"sort -created, all states ({who})"] = timed(client, "/staff/complaints/?status=all&sort=-created", requests)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=PG)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--budget", type=float, default=900, help="seconds for loading")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per kind")
    parser.add_argument("--with-triggers", action="store_true", help="load with the search triggers firing per "
                        "row (as filings do; slower) instead of building the index once after the load")
    parser.add_argument("--keep", metavar="NAME", help="load into / reuse this named database (PostgreSQL) or "
                        "file (SQLite: NAME.sqlite3 in the system's temporary directory), kept afterwards")
    parser.add_argument("--load-only", action="store_true", help="load (or reuse) and stop before measuring")
    parser.add_argument("--only", metavar="PREFIX", action="append", help="measure only the request kinds whose "
                        "name starts with PREFIX (repeatable; e.g. 'query: search')")
    args = parser.parse_args()
    rng = random.Random(1)
    print(f"load average before: {os.getloadavg()}")
    directory = Path(tempfile.mkdtemp())
    drop, existed = (lambda: None), False
    if args.sqlite and args.keep:
        path = Path(tempfile.gettempdir()) / f"{args.keep}.sqlite3"
        existed = path.exists()
        url = f"sqlite:///{path}"
    elif args.sqlite:
        url = f"sqlite:///{directory / 'search.sqlite3'}"
    elif args.keep:
        import sqlalchemy as sa
        admin = sa.create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            existed = bool(connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": args.keep}))
            if not existed:
                connection.execute(sa.text(f'CREATE DATABASE "{args.keep}"'))
        url = sa.engine.make_url(args.database_url).set(database=args.keep).render_as_string(hide_password=False)
    else:
        url, drop = scratch.scratch_postgres(args.database_url, "bench_search")
    app = None
    try:
        app = make_app(url)
        if existed:
            from sqlalchemy import text

            from extensions import db
            with app.app_context():
                loaded = db.session.scalar(text("SELECT count(*) FROM complaints"))
        else:
            loaded = load(app, args.complaints, args.budget, rng, bulk=not args.with_triggers)
        if args.load_only:
            print(f"loaded {loaded} complaints; kept as {url}")
            return 0
        print(f"measuring at {loaded} complaints ({'SQLite' if args.sqlite else 'PostgreSQL'}), "
              f"load average {os.getloadavg()}", flush=True)
        results = measure(app, args.requests, rng, args.only)
        for name, samples in results.items():
            print(f"  {name:52} p50 {statistics.median(samples):7.1f} ms   p95 {p95(samples):7.1f} ms")
        for layer in ("query: ", ""):
            for kind in ("search", "sort"):
                groups = {name: v for name, v in results.items() if name.startswith(layer + kind)}
                if groups:
                    overall = p95([x for v in groups.values() for x in v])
                    worst = max(p95(v) for v in groups.values())
                    print(f"{layer or 'page: '}{kind} p95 over every kind {overall:.1f} ms (worst kind {worst:.1f} ms)")
        print(f"load average after: {os.getloadavg()}")
        return 0
    finally:
        if app is not None:
            from extensions import db
            with app.app_context():
                db.engine.dispose()
        drop()


if __name__ == "__main__":
    sys.exit(main())
