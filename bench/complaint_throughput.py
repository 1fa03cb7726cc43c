"""Public complaint submissions per second through gunicorn, against a bare Flask INSERT endpoint.

    python bench/complaint_throughput.py [--seconds 10] [--clients 8] [--database-url postgresql+psycopg://…]

With --database-url, a scratch database is created on that server (and dropped at the end).

Both servers run under gunicorn with 2 workers on 127.0.0.1 against the same kind of database
(a fresh SQLite file in WAL mode by default, or the PostgreSQL URL given). The app is migrated with
Alembic and serves `POST /api/v1/complaints` (rate limit off: RATELIMIT_ENABLED=0); the baseline is
a bare Flask app doing one INSERT per request in one transaction, the least any complaint
endpoint must do. The same stdlib HTTP clients drive each for the same time. Printed: requests/s
of each and the ratio app/baseline (goal ≥ 0.5). Bounded: about 2 × seconds + 25 s in total.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue module: drop this folder from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_postgres  # noqa: E402
PYTHON_BIN = Path(sys.executable).parent

BARE_APP = textwrap.dedent('''
    """Baseline: one INSERT per request, same engine kind and SQLite settings as the app."""
    import os

    import sqlalchemy as sa
    from flask import Flask, jsonify, request
    from sqlalchemy import event

    engine = sa.create_engine(os.environ["BENCH_DATABASE_URL"])
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    metadata = sa.MetaData()
    rows = sa.Table("bench_inserts", metadata, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(200)), sa.Column("email", sa.String(254)), sa.Column("description", sa.Text))
    metadata.create_all(engine)
    app = Flask(__name__)

    @app.post("/insert")
    def insert():
        body = request.get_json()
        with engine.begin() as connection:
            new_id = connection.execute(rows.insert().values(name=body["name"], email=body["email"],
                                                             description=body["description"])).inserted_primary_key[0]
        return jsonify({"id": new_id}), 201
''')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start within {timeout}s")


def start_gunicorn(module: str, port: int, env: dict, cwd: Path, log: Path) -> subprocess.Popen:
    command = [str(PYTHON_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
               "--access-logfile", "/dev/null", module]
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    wait_until_up(port, process)
    return process


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)  # the gunicorn master and its own workers only
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def server_cpu(master_pid: int) -> float:
    """CPU seconds used so far by a gunicorn master and its workers (from /proc; NaN elsewhere)."""
    total = 0.0
    try:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that ended meanwhile
            if stat.parent.name == str(master_pid) or fields[1] == str(master_pid):
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")
    return total


def database_cpu(url: str, application_name: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving one side (by application_name;
    the server must run on this machine and its processes be readable, else NaN)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            pids = connection.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                                      {"name": application_name}).scalars().all()
    finally:
        engine.dispose()
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def drive(port: int, path: str, *, seconds: float, clients: int, warmup: float = 1.5) -> tuple[float, int, int]:
    """Each client thread posts complaints back to back; returns (requests/s, ok, failed) over the
    measured window (after a short warm-up)."""
    stop_at = time.monotonic() + warmup + seconds
    measure_from = time.monotonic() + warmup
    counts = {"ok": 0, "failed": 0}
    lock = threading.Lock()

    def client(number: int) -> None:
        sequence = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            sequence += 1
            body = json.dumps({"name": f"Bench Customer {number}", "email": f"bench{number}-{sequence}@example.com",
                               "description": "The parcel arrived crushed and the vase inside is broken. " * 4})
            try:
                connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                ok = response.status in (200, 201)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
            if time.monotonic() >= measure_from:
                with lock:
                    counts["ok" if ok else "failed"] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts["ok"] / seconds, counts["ok"], counts["failed"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per server")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a fresh SQLite file)")
    args = parser.parse_args()

    drop = None
    if args.database_url:
        # Never migrate the database named in the URL itself: a scratch database, dropped after.
        scratch_url, drop = scratch_postgres(args.database_url, "bench_complaints")
    try:
        run(args, scratch_url if args.database_url else None)
    finally:
        if drop is not None:
            drop()


def rows_written(url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                    for table in ("complaints", "complaint_events", "outbox_messages", "customers")}
    finally:
        engine.dispose()


def run(args, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-complaints-") as tmp:
        tmp_path = Path(tmp)
        # PostgreSQL: each side's connections carry its name, so their backends' CPU can be told apart.
        app_db = f"{database_url}?application_name=bench_app" if database_url else f"sqlite:///{tmp_path / 'app.sqlite3'}"
        bare_db = f"{database_url}?application_name=bench_bare" if database_url else f"sqlite:///{tmp_path / 'bare.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": app_db, "INSTANCE_PATH": str(tmp_path / "instance"),
               "SECRET_KEY": "bench-secret-key", "RATELIMIT_ENABLED": "0", "SCHEDULER_ENABLED": "0",
               "BASE_URL": "http://127.0.0.1", "PATH": f"{PYTHON_BIN}:{os.environ.get('PATH', '')}"}
        env.pop("REDIS_URL", None)
        migrate = subprocess.run([str(PYTHON_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
        if migrate.returncode != 0:
            raise SystemExit(f"migration failed:\n{migrate.stderr[-2000:]}")
        (tmp_path / "bare_app.py").write_text(BARE_APP)
        # Its table is created once here: two gunicorn workers creating it at the same moment race
        # on PostgreSQL (one fails to boot, and with it the whole baseline server).
        create = subprocess.run([sys.executable, "-c", "import bare_app"], cwd=tmp_path, capture_output=True,
                                text=True, timeout=60, env={**env, "BENCH_DATABASE_URL": bare_db})
        if create.returncode != 0:
            raise SystemExit(f"baseline table not created:\n{create.stderr[-2000:]}")

        servers, results, warmed = {}, {}, {}
        backends = {"bare Flask INSERT": "bench_bare", "complaint API": "bench_app"}
        try:
            for label, module, cwd, path, extra_env in (
                    ("bare Flask INSERT", "bare_app:app", tmp_path, "/insert", {"BENCH_DATABASE_URL": bare_db}),
                    ("complaint API", "wsgi:app", ROOT, "/api/v1/complaints", {})):
                port = free_port()
                servers[label] = (start_gunicorn(module, port, {**env, **extra_env}, cwd, tmp_path / f"{label[:4]}.log"),
                                  port, path)
            # Warm every worker (imports, first connection, statement and template caches) before
            # measuring: 3 s per server (1 s was not enough: on a busy machine the app's workers had
            # answered a handful of requests by then, so cold starts fell into the first round).
            for label, (_process, port, path) in servers.items():
                warmed[label] = drive(port, path, seconds=3.0, clients=args.clients, warmup=0.0)[1]
            # Alternate short rounds so that a change in machine load hits both sides alike.
            rounds = 2
            for _round in range(rounds):
                for label, (process, port, path) in servers.items():
                    cpu_before, client_before = server_cpu(process.pid), time.process_time()
                    database_before = database_cpu(database_url, backends[label]) if database_url else 0.0
                    rate, ok, failed = drive(port, path, seconds=args.seconds / rounds, clients=args.clients, warmup=0.0)
                    total = results.setdefault(label, [0.0, 0, 0, 0.0, 0.0, 0.0])
                    total[0] += rate / rounds
                    total[1] += ok
                    total[2] += failed
                    total[3] += server_cpu(process.pid) - cpu_before
                    total[4] += time.process_time() - client_before
                    if database_url:
                        total[5] += database_cpu(database_url, backends[label]) - database_before
        finally:
            for process, _port, _path in servers.values():
                stop(process)
        written = rows_written(app_db)

    database = "PostgreSQL" if args.database_url else "SQLite (WAL)"
    print(f"gunicorn -w 2, {args.clients} clients, {args.seconds:g} s each, {database}")
    for label, (rate, ok, failed, cpu, client_cpu, database_cpu_seconds) in results.items():
        # CPU per answered request (all requests of the round: ok and failed) — moves much less with
        # the machine's other load than the rate does, so it shows what a change saved.
        answered = max(ok + failed, 1)
        database = f", PostgreSQL {database_cpu_seconds * 1000 / answered:.2f} ms" if args.database_url else ""
        print(f"  {label:<18} {rate:8.1f} requests/s  ({ok} ok, {failed} failed)  CPU per request: "
              f"server {cpu * 1000 / answered:.2f} ms, client {client_cpu * 1000 / answered:.2f} ms{database}")
    print("  warm-up requests: " + ", ".join(f"{label} {count}" for label, count in warmed.items()))
    # Every accepted submission (warm-up included) left its complaint, event, e-mail and file.
    print("  app rows: " + ", ".join(f"{table} {count}" for table, count in written.items()))
    ratio = results["complaint API"][0] / results["bare Flask INSERT"][0] if results["bare Flask INSERT"][0] else 0.0
    print(f"  ratio complaint API / bare INSERT: {ratio:.2f}  (goal >= 0.5)")


if __name__ == "__main__":
    main()
