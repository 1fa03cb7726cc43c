"""Business-hours SLA (issue 17): due-date computation rate, and the recompute after a calendar change.

    python bench/sla.py [--moments 300000] [--complaints 1000000 --database-url $PG] [--budget 600]

1. Due dates per second on one core: `complaints.sla.due_dates` (what filing calls: first response,
   resolution and the two warning moments) on the Warsaw calendar with Polish holidays, for random
   filing moments over a year. Baseline in the same run: the wall-clock arithmetic it replaced.
2. With --database-url (PostgreSQL): a scratch database, migrated; N open complaints (a third
   each on the default calendar, a Warsaw team and a Prague team) inserted set-based; then the
   default calendar's hours change through `sla_admin.save_default_calendar`, which recomputes
   every open complaint's due dates in one UPDATE. Timed end to end (spans rebuilt + UPDATE +
   commit); 2 000 random rows are checked against the Python arithmetic afterwards.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

NOW = datetime(2027, 1, 15, 9, 0)


def rate(moments: int) -> dict:
    from calendars.business_time import compile_calendar, holiday_dates, parse_hours
    from complaints.sla import due_dates

    clock = compile_calendar("Europe/Warsaw", parse_hours("mon-fri 08:00-12:00,13:00-17:00; sat 09:00-13:00"),
                             set(holiday_dates("PL", None, 2024, 2031)), 2025, 2030)
    rng = random.Random(17)
    starts = [datetime(2027, 1, 1) + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(moments)]
    hours = (8, 120)
    started = time.process_time()
    for start in starts:
        due_dates(clock, start, hours, percent=75)
    business = time.process_time() - started
    started = time.process_time()
    for start in starts:
        due_dates(None, start, hours, percent=75)
    wall = time.process_time() - started
    started = time.process_time()
    for start in starts:
        due_dates(clock, start, hours, percent=0)
    no_warnings = time.process_time() - started
    return {"moments": moments, "business_per_s": round(moments / business),
            "business_without_warnings_per_s": round(moments / no_warnings),
            "wall_clock_per_s": round(moments / wall), "spans": len(clock.starts)}


INSERT = """
INSERT INTO complaints (reference, tracking_token_hash, customer_id, contact_name, contact_email, contact_phone,
    preferred_channel, language, subject, description, order_reference, desired_outcome, status, priority, channel,
    version, created_at, updated_at, first_response_due_at, resolution_due_at, committed_action, resolution,
    reopened_count, handling_minutes, team_id, sla_paused_seconds)
SELECT 'B-' || g, 'b' || g, :customer, 'Bench', 'bench@example.com', '', 'email', 'en', 'Late', 'It was late.', '', '',
       (ARRAY['new', 'assigned', 'in_progress', 'waiting'])[1 + g % 4],
       (ARRAY['urgent', 'high', 'normal', 'low'])[1 + g % 4], 'web', 1,
       :start + make_interval(secs => (g::bigint * 7919) % (330 * 86400)), :start, :start, :start, '', '', 0, 0,
       (ARRAY[NULL, :warsaw, :prague]::int[])[1 + g % 3], (g % 5) * 1800
  FROM generate_series(1, :n) AS g
"""


STUDY_UPDATE = ("UPDATE {table} SET first_response_due_at = first_response_due_at + interval '1 second', "
                "resolution_due_at = resolution_due_at + interval '1 second', "
                "first_response_warn_at = first_response_warn_at + interval '1 second', "
                "resolution_warn_at = resolution_warn_at + interval '1 second' "
                "WHERE status IN ('new', 'assigned', 'in_progress', 'waiting')")


def index_study(db, sa) -> dict:
    """Why the bare UPDATE of the four due columns is slow: the same UPDATE on copies of the loaded
    table (LIKE … INCLUDING ALL: every index) — all indexes; without the indexes that contain
    resolution_due_at; both at fillfactor 100 and 70 — with the share of HOT updates (a row whose
    changed columns are in no index is updated in place on its page, no index entry at all)."""
    due_indexes = list(db.session.scalars(sa.text(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'complaints' AND indexdef LIKE '%resolution_due_at%'")))
    all_indexes = db.session.scalar(sa.text("SELECT count(*) FROM pg_indexes WHERE tablename = 'complaints'"))
    figures = {"indexes": all_indexes, "indexes_with_resolution_due_at": due_indexes}
    for label, fillfactor, keep_due in (("all_indexes_ff100", 100, True), ("all_indexes_ff70", 70, True),
                                        ("no_due_indexes_ff100", 100, False), ("no_due_indexes_ff70", 70, False)):
        table = f"study_{label}"
        db.session.execute(sa.text(f"CREATE TABLE {table} (LIKE complaints INCLUDING ALL) WITH (fillfactor = {fillfactor})"))
        db.session.execute(sa.text(f"INSERT INTO {table} SELECT * FROM complaints"))
        if not keep_due:
            for name in db.session.scalars(sa.text(
                    "SELECT indexname FROM pg_indexes WHERE tablename = :t AND indexdef LIKE '%resolution_due_at%'"),
                    {"t": table}).all():
                db.session.execute(sa.text(f'DROP INDEX "{name}"'))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text(f"VACUUM ANALYZE {table}"))
        started, cpu = time.perf_counter(), time.process_time()
        rows = db.session.execute(sa.text(STUDY_UPDATE.format(table=table))).rowcount
        hot = db.session.scalar(sa.text("SELECT pg_stat_get_xact_tuples_hot_updated(CAST(:t AS regclass))"), {"t": table})
        db.session.commit()
        figures[label] = {"update_s": round(time.perf_counter() - started, 2), "rows": rows, "hot": hot}
        db.session.execute(sa.text(f"DROP TABLE {table}"))
        db.session.commit()
    return figures


def recompute(url: str, complaints: int, study: bool = False) -> dict:
    import sqlalchemy as sa

    from bench.generate import make_app
    from bench.scratch import scratch_postgres

    scratch, drop = scratch_postgres(url, "bench_sla")
    try:
        app = make_app(scratch, Path(tempfile.mkdtemp()))
        with app.app_context():
            from complaints import sla_admin
            from complaints.models import Complaint
            from complaints.sla import due_dates, sla_hours
            from customers.models import Customer
            from extensions import db
            from staff import team_services

            timings = {}
            sla_admin.save_default_calendar(timezone="Europe/Bucharest", hours="mon-fri 09:00-17:00",
                                            holiday_country="RO", now=NOW)
            warsaw, _ = sla_admin.save_calendar(name="Warsaw", timezone="Europe/Warsaw", hours="mon-fri 09:00-17:00",
                                                holiday_country="PL", now=NOW)
            prague, _ = sla_admin.save_calendar(name="Prague", timezone="Europe/Prague",
                                                hours="mon-fri 08:00-12:00,13:00-16:00", holiday_country="CZ", now=NOW)
            teams = [team_services.save_team(name=n, calendar_id=c.id) for n, c in (("Warsaw", warsaw), ("Prague", prague))]
            customer = Customer(name="Bench", email="bench@example.com", email_normalised="bench@example.com")
            db.session.add(customer)
            db.session.commit()
            started = time.perf_counter()
            # Bulk load without the count triggers (they are not what is measured here).
            db.session.execute(sa.text("SET session_replication_role = replica"))
            db.session.execute(sa.text(INSERT), {"customer": customer.id, "start": NOW - timedelta(days=300),
                                                 "n": complaints, "warsaw": teams[0].id, "prague": teams[1].id})
            db.session.execute(sa.text("SET session_replication_role = DEFAULT"))
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE complaints"))
                connection.execute(sa.text("ANALYZE calendar_spans"))
            timings["insert_s"] = round(time.perf_counter() - started, 1)
            if study:
                timings.update(index_study(db, sa))
                db.engine.dispose()
                return timings
            started = time.perf_counter()
            _, moved = sla_admin.save_default_calendar(timezone="Europe/Bucharest", hours="mon-sat 08:00-18:00",
                                                       holiday_country="RO", now=NOW)
            timings["default_calendar_change_s"] = round(time.perf_counter() - started, 2)
            timings["default_moved"] = moved
            started = time.perf_counter()
            _, moved = sla_admin.save_calendar(name="Warsaw", timezone="Europe/Warsaw", hours="mon-fri 08:00-16:00",
                                               holiday_country="PL", calendar_id=warsaw.id, now=NOW)
            timings["team_calendar_change_s"] = round(time.perf_counter() - started, 2)
            timings["team_moved"] = moved
            started = time.perf_counter()
            from complaints.sla import recompute_open_due_dates
            moved = recompute_open_due_dates(None)
            db.session.commit()
            timings["all_calendars_recompute_s"] = round(time.perf_counter() - started, 2)
            timings["all_moved"] = moved   # 0: everything already current
            # Baseline: the bare UPDATE of the same four columns of every open complaint (what any
            # recompute must at least write).
            started = time.perf_counter()
            db.session.execute(sa.text(
                "UPDATE complaints SET first_response_due_at = first_response_due_at + interval '1 second', "
                "resolution_due_at = resolution_due_at + interval '1 second', "
                "first_response_warn_at = first_response_warn_at + interval '1 second', "
                "resolution_warn_at = resolution_warn_at + interval '1 second' "
                "WHERE status IN ('new', 'assigned', 'in_progress', 'waiting')"))
            db.session.commit()
            timings["baseline_bare_update_all_s"] = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            timings["after_baseline_moved"] = recompute_open_due_dates(None)
            db.session.commit()
            timings["recompute_after_baseline_s"] = round(time.perf_counter() - started, 2)
            # Check a sample against the Python arithmetic.
            from calendars import services as calendar_services
            rng = random.Random(3)
            ids = rng.sample(range(1, complaints + 1), 2000)
            wrong = 0
            for complaint in db.session.scalars(sa.select(Complaint).where(Complaint.reference.in_([f"B-{i}" for i in ids]))):
                clock = calendar_services.clock_of(calendar_services.default_calendar() if complaint.team_id is None
                                                   else (warsaw if complaint.team_id == teams[0].id else prague))
                expected = due_dates(clock, complaint.created_at, sla_hours(complaint.priority),
                                     paused_seconds=complaint.sla_paused_seconds, percent=75)
                got = {k: getattr(complaint, k) for k in expected}
                if got != expected and wrong < 3:
                    print("MISMATCH", complaint.reference, complaint.priority, complaint.team_id, complaint.created_at,
                          complaint.sla_paused_seconds, {k: (got[k], expected[k]) for k in got if got[k] != expected[k]})
                wrong += got != expected
            timings["checked"], timings["wrong"] = 2000, wrong
            db.engine.dispose()
            return timings
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moments", type=int, default=300_000)
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--budget", type=int, default=600, help="seconds; the run stops past it")
    parser.add_argument("--index-study", action="store_true",
                        help="instead of the recompute: the bare UPDATE with and without the due indexes, fillfactor 100/70")
    args = parser.parse_args()
    import signal
    signal.alarm(args.budget)
    figures = rate(args.moments)
    print(f"due dates (4 moments each): {figures['business_per_s']:,}/s business time, "
          f"{figures['business_without_warnings_per_s']:,}/s without warnings, "
          f"{figures['wall_clock_per_s']:,}/s wall clock (baseline); {figures['spans']} spans", flush=True)
    if args.database_url:
        result = recompute(args.database_url, args.complaints, args.index_study)
        print(f"PostgreSQL, {args.complaints:,} open complaints: {result}", flush=True)


if __name__ == "__main__":
    main()
