"""The staff complaint page with a long conversation: p95 of GET /staff/complaints/<ref> < 60 ms.

    python bench/complaint_page.py [--entries 300] [--requests 200] [--database-url postgresql+psycopg://…]

One complaint with `--entries` thread entries made through the service functions, as the product
makes them (customer messages on the tracking page, replies — each with its e-mail —, internal
notes, facts, priority changes), a shared and a personal canned response, a second complaint of
the same customer; the customer has scores. The page is requested in-process through the WSGI app
(test client, a signed-in manager), after warm-up, `--requests` times in both thread orders.
Baseline in the same run: `GET /staff/password` (a small staff page: login, session, layout).
Printed: load average, entries shown, p50/p95 of both, the ratio, and the goal.
SQLite by default (a file in a temporary folder); `--database-url` takes a PostgreSQL server on
which a scratch database is created and dropped.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/queue.py is named like the standard library's `queue`: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_database  # noqa: E402

PASSWORD = "bench password 2027"
GOAL_MS = 60.0
START = datetime(2027, 1, 4, 8, 0)


def make_app(url: str, instance: Path):
    from flask_migrate import upgrade

    from config import TestConfig
    from factory import create_app
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=instance, WTF_CSRF_ENABLED=False)
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


def load(app, entries: int) -> str:
    """The complaint and its conversation; returns its reference."""
    from complaints import actions, canned, filing, tracking
    from customers.models import CustomerScore
    from extensions import db
    from platform_support.database import write_intent
    from staff.services import create_staff

    with app.app_context(), write_intent():
        manager = create_staff(email="maria@bench.example", name="Maria Manager", role="manager", password=PASSWORD)
        agent = create_staff(email="agnes@bench.example", name="Agnes Agent", role="agent", password=PASSWORD)
        admin = create_staff(email="adam@bench.example", name="Adam Admin", role="admin", password=PASSWORD)
        db.session.commit()
        new = filing.NewComplaint(name="Jan Kowalski", email="jan@bench.example", subject="Broken vase",
                                  description="The vase arrived in pieces; the box was crushed. " * 4,
                                  order_reference="ORD-1042")
        filed = filing.file_complaint(new, now=START)
        filing.file_complaint(filing.NewComplaint(name="Jan Kowalski", email="jan@bench.example",
                                                  description="An earlier order was late."), now=START - timedelta(days=40))
        reference = filed.complaint.reference
        db.session.add(CustomerScore(customer_id=filed.complaint.customer_id, computed_at=START, abc="A",
                                     category="core", stage="repeat", satisfaction=71.5, loyalty=64.0, nps_last=8))
        db.session.commit()
        canned.save(admin, title="Replacement on its way", language="en", shared=True, body="{salutation}\n{reference}", now=START)
        canned.save(manager, title="Mine", language="en", shared=False, body="{name}", now=START)
        now = START
        actions.assign_owner(reference, agent.email, actor=manager, now=now)
        text = "We checked the courier's photos and the packing list; a replacement is being prepared. " * 2
        for number in range(entries - 2):
            now += timedelta(minutes=7)
            kind = number % 5
            if kind == 0:
                tracking.add_customer_message(filed.tracking_token, f"Any news? ({number}) " + text, now=now)
            elif kind == 1:
                actions.post_update(reference, f"Reply {number}: " + text, public=True, actor=agent, minutes=3, now=now)
            elif kind == 2:
                actions.post_update(reference, f"Note {number}: " + text, public=False, actor=agent, minutes=1, now=now)
            elif kind == 3:
                actions.record_fact(reference, f"Fact {number}: the box was dented on the left.", actor=agent, now=now)
            else:
                actions.change_priority(reference, "high" if number % 10 == 4 else "normal", actor=agent, now=now)
        db.session.remove()
    return reference


def timed(client, path: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(int(round(0.95 * len(ordered))) - 1, 0)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url, drop = scratch_database(args.database_url, Path(folder), "bench_page")
        try:
            app = make_app(url, Path(folder) / "instance")
            started = time.perf_counter()
            reference = load(app, args.entries)
            print(f"database: {url.split('@')[-1] if '@' in url else 'SQLite file'}; loaded in {time.perf_counter() - started:.1f} s")
            client = app.test_client()
            assert client.post("/staff/login", data={"email": "maria@bench.example", "password": PASSWORD}).status_code == 302
            path = f"/staff/complaints/{reference}"
            html = client.get(path).get_data(as_text=True)
            shown = html.count('class="entry entry-')
            print(f"entries on the page: {shown} (of {args.entries} asked), {len(html) / 1024:.0f} KiB of HTML")
            timed(client, path, 10)
            timed(client, "/staff/password", 10)
            print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            page, newest, baseline = [], [], []
            for _ in range(args.requests // 10):  # interleaved, so a busy moment falls on all alike
                page += timed(client, path, 5)
                newest += timed(client, path + "?order=newest", 5)
                baseline += timed(client, "/staff/password", 3)
            print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            rows = [("complaint page, oldest first", page), ("complaint page, newest first", newest),
                    ("baseline GET /staff/password", baseline)]
            for name, samples in rows:
                print(f"{name:32s} p50 {statistics.median(samples):6.1f} ms   p95 {p95(samples):6.1f} ms   (n={len(samples)})")
            worst = max(p95(page), p95(newest))
            print(f"worst p95 {worst:.1f} ms vs goal < {GOAL_MS:.0f} ms: {'met' if worst < GOAL_MS else 'NOT met'}; "
                  f"{worst / p95(baseline):.1f} x the baseline's p95")
            with app.app_context():
                from extensions import db
                db.engine.dispose()
        finally:
            drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
