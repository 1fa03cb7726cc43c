"""Bulk-generate customers, orders and complaints for the segment benchmarks.

    python bench/generate.py --customers 100000 --orders 500000 [--complaints N] [--seed 1]
                             [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB | sqlite:///file]

The database is migrated first (Alembic). Customers get explicit ids after the current maximum,
so the orders can refer to them without a round trip. PostgreSQL: COPY through psycopg (text
rows written in large blocks); SQLite: executemany in chunks of 20 000 inside one transaction.
Order sizes are log-normal and customers' buying weights Pareto-distributed, so the ABC split
looks like a real customer base (a fifth of the customers make most of the revenue); ~10 % of
orders are paid late and ~4 % are unpaid. Deterministic for a given --seed.
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is first on the path, and a bench script named like a standard module
# (bench/queue.py) would shadow it for every import below: keep only the project root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

NOW = datetime(2027, 1, 15, 2, 0)
LANGUAGES = ("en", "pl", "ru", "ro", "cs")
ZONES = ("UTC", "Europe/Warsaw", "Europe/Moscow", "Europe/Bucharest", "Europe/Prague", "America/New_York")
CUSTOMER_COLUMNS = ("id", "external_id", "name", "email", "email_normalised", "phone", "language", "timezone",
                    "preferred_channel", "preferred_days", "job_title", "notes", "salutation", "patronymic",
                    "birthday", "is_partner", "disqualified", "created_at")
ORDER_COLUMNS = ("customer_id", "ordered_on", "amount", "currency", "due_on", "paid_on", "created_at")


def make_app(url: str, instance: Path):
    from flask_migrate import upgrade

    from config import TestConfig
    from factory import create_app
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=instance)
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


def customer_rows(first_id: int, count: int, rng: random.Random):
    created = NOW - timedelta(days=1200)
    for i in range(first_id, first_id + count):
        birthday = date(1950 + i % 50, 1 + i % 12, 1 + i % 28) if i % 3 else None
        yield (i, f"B{i}", f"Customer {i}", f"c{i}@bench.example", f"c{i}@bench.example", "", LANGUAGES[i % 5],
               ZONES[i % len(ZONES)], "email" if i % 10 else "phone", "", "", "", "", "", birthday,
               i % 997 == 0, False, created)


def order_rows(first_id: int, customers: int, count: int, rng: random.Random):
    # Pareto buying weights: a few customers order much more often than the rest.
    weights = [rng.paretovariate(1.16) for _ in range(customers)]
    buyers = rng.choices(range(first_id, first_id + customers), weights=weights, k=count)
    today = NOW.date()
    for customer_id in buyers:
        ordered = today - timedelta(days=int(rng.random() * 1095))
        amount = round(rng.lognormvariate(4.5, 1.0), 2)
        due = ordered + timedelta(days=30)
        roll = rng.random()
        paid = None if roll < 0.04 and due < today else due + timedelta(days=int(rng.random() * 40)) if roll < 0.14 \
            else due - timedelta(days=int(rng.random() * 20))
        if paid is not None and paid > today:
            paid = None
        yield (customer_id, ordered, amount, "EUR", due, paid, NOW)


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _copy(connection, table: str, columns: tuple, rows, block: int = 50_000) -> None:
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for n, row in enumerate(rows, 1):
                buffer.write("\t".join(map(_text, row)))
                buffer.write("\n")
                if n % block == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())


def _executemany(connection, table: str, columns: tuple, rows, chunk: int = 20_000) -> None:
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    cursor = connection.cursor()
    batch = []
    for row in rows:
        batch.append(tuple(v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
                           if isinstance(v, date) else v for v in row))
        if len(batch) >= chunk:
            cursor.executemany(statement, batch)
            batch = []
    if batch:
        cursor.executemany(statement, batch)


def _complaints_sql(postgres: bool) -> str:
    """Server-side: one complaint for every k-th customer, resolved with a root cause, set-based."""
    now = ":now"
    return f"""
        INSERT INTO complaints (reference, tracking_token_hash, customer_id, contact_name, contact_email, contact_phone,
            preferred_channel, language, subject, description, order_reference, desired_outcome, status, priority,
            created_at, updated_at, first_response_due_at, resolution_due_at, committed_action, resolution,
            root_cause_id, resolved_at, reopened_count, handling_minutes, contact_confirmed_at)
        SELECT 'G-' || c.id, 'g' || c.id, c.id, c.name, c.email, '', 'email', c.language, 'Late', 'It was late.', '', '',
               CASE WHEN c.id % 3 = 0 THEN 'new' ELSE 'resolved' END, 'normal',
               {now}, {now}, {now}, {now}, '', '',
               CASE WHEN c.id % 3 = 0 THEN NULL ELSE (SELECT MIN(id) FROM root_causes) END,
               CASE WHEN c.id % 3 = 0 THEN NULL ELSE {now} END, c.id % 2, 30, {now}
          FROM customers c WHERE c.id >= :first AND c.id < :first + :n AND c.id % :every = 0"""


def generate(url: str, customers: int, orders: int, complaints: int | None, seed: int, instance: Path) -> dict:
    import sqlalchemy as sa

    from extensions import db
    app = make_app(url, instance)
    rng = random.Random(seed)
    timings = {}
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        first_id = (db.session.scalar(sa.text("SELECT COALESCE(MAX(id), 0) FROM customers")) or 0) + 1
        db.session.remove()
        raw = db.engine.raw_connection()
        try:
            load = _copy if postgres else _executemany
            if not postgres:
                raw.driver_connection.execute("BEGIN IMMEDIATE")
            started = time.perf_counter()
            load(raw.driver_connection, "customers", CUSTOMER_COLUMNS,
                 customer_rows(first_id, customers, rng))
            timings["customers"] = time.perf_counter() - started
            started = time.perf_counter()
            load(raw.driver_connection, "orders", ORDER_COLUMNS, order_rows(first_id, customers, orders, rng))
            timings["orders"] = time.perf_counter() - started
            raw.driver_connection.commit() if postgres else raw.driver_connection.execute("COMMIT")
        finally:
            raw.close()
        started = time.perf_counter()
        every = max(customers // complaints, 1) if complaints else 20
        db.session.execute(sa.text(_complaints_sql(postgres)),
                           {"now": (NOW - timedelta(days=20)) if postgres else (NOW - timedelta(days=20)).isoformat(sep=" ", timespec="microseconds"), "first": first_id, "n": customers, "every": every})
        if postgres:
            db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('customers', 'id'), "
                                       "(SELECT MAX(id) FROM customers))"))
        db.session.commit()
        if postgres:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE customers"))
                connection.execute(sa.text("VACUUM ANALYZE orders"))
                connection.execute(sa.text("ANALYZE complaints"))
        timings["complaints+analyze"] = time.perf_counter() - started
        db.engine.dispose()
    return {k: round(v, 2) for k, v in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--orders", type=int, required=True)
    parser.add_argument("--complaints", type=int, default=None, help="about this many (default: customers / 20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'instance' / 'bench.sqlite3'}")
    args = parser.parse_args()
    import tempfile
    with tempfile.TemporaryDirectory() as instance:
        started = time.perf_counter()
        timings = generate(args.database_url, args.customers, args.orders, args.complaints, args.seed, Path(instance))
    print(f"generated {args.customers} customers, {args.orders} orders in {time.perf_counter() - started:.1f} s "
          f"({', '.join(f'{k} {v} s' for k, v in timings.items())})")


if __name__ == "__main__":
    main()


# --- Complaint texts for the search benchmark (bench/search.py) ------------------------------
# Real words of the five languages (with their diacritics) as the frequent head of a Zipf
# vocabulary, pseudo-words as its long tail; names mixed from per-language lists and syllables.
HEAD_WORDS = (
    "parcel delivery late broken refund courier damaged order invoice missing box screen replacement "
    "paczka dostawa opóźniona uszkodzony zwrot kurier zamówienie faktura brak żółty pudełko ekran wymiana "
    "посылка доставка задержка сломан возврат курьер заказ счёт ёлка коробка экран замена жёлтый "
    "colet livrare întârziere deteriorat rambursare curier comandă factură lipsă ecran înlocuire "
    "balík doručení zpoždění poškozený vrácení kurýr objednávka faktura chybí žluťoučký krabice obrazovka výměna"
).split()
FIRST_NAMES = ("Jan Anna Łukasz Zofia Piotr Małgorzata Иван Пётр Ольга Алёна Ion Maria Ștefan Ioana "
               "Jiří Kateřina Tomáš Lucie John Emily").split()
SURNAME_STEMS = ("Kowal Nowak Wiśniew Wójcik Kamiń Lewandow Иван Смирн Кузнец Попов Соколов Popesc Ionesc "
                 "Dumitr Stoica Novák Svobod Dvořák Černý Procház Smith Brown Taylor").split()
SURNAME_ENDS = ("ski ska czyk ek ов ова ин ина u escu ová á ý son er").split()
SYLLABLES = ("ka ro mi ta ne lo za pi ve su do ra li mo be ti na go pe lu").split()


def search_vocabulary(rng: random.Random, tail: int = 20_000) -> list[str]:
    words = list(HEAD_WORDS)
    seen = set(words)
    while len(words) < len(HEAD_WORDS) + tail:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def complaint_text(rng: random.Random, vocabulary: list[str], words: int) -> str:
    """`words` words drawn Zipf-like (rank r with weight 1/r): the head words are frequent."""
    n = len(vocabulary)
    return " ".join(vocabulary[min(int(rng.paretovariate(0.9)) - 1, n - 1) if rng.random() < 0.7
                               else rng.randrange(n)] for _ in range(words))


def person(i: int) -> tuple[str, str]:
    """A name and an e-mail for customer `i` (about 20 × 23 × 15 × 5 distinct surnames)."""
    first = FIRST_NAMES[i % len(FIRST_NAMES)]
    surname = SURNAME_STEMS[(i // 7) % len(SURNAME_STEMS)] + SURNAME_ENDS[(i // 161) % len(SURNAME_ENDS)]
    if (i // 2415) % 5:
        surname += SYLLABLES[(i // 2415) % len(SYLLABLES)]
    return f"{first} {surname}", f"customer{i}@mail{i % 50}.example"
