"""Themes over 100 000 customer texts (goal: first run < 60 s), then an incremental run.

    python bench/themes.py [--texts 100000] [--new 1000] [--seed 1] [--database-url sqlite:///file | postgresql+psycopg://…]

Plants complaint descriptions in en/pl/ru/ro/cs: per language four topics (late delivery,
damaged goods, refund, rude staff) written from fragments in varied order, plus one text in six
that is about nothing in particular. Times `reports.themes.compute_themes` over all of them (the
first run), then over `--new` more (incremental: only those are read), and prints both, with the
themes found per language. The database is a fresh SQLite file unless --database-url is given
(a PostgreSQL URL: a scratch database on that server, dropped afterwards).
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.generate import NOW, _copy, _executemany, customer_rows, make_app  # noqa: E402
from bench.scratch import scratch_postgres  # noqa: E402

TOPICS = {
    "en": [["the parcel arrived two weeks late", "delivery was delayed again", "the courier never came on time",
            "late delivery without any notice"],
           ["the box was crushed", "the screen arrived cracked", "damaged goods in a torn package",
            "the product was broken on arrival"],
           ["I am still waiting for my refund", "the money was not returned", "refund promised a month ago",
            "please return my payment"],
           ["the staff member was rude", "nobody at the hotline was polite", "the consultant shouted at me",
            "unfriendly and rude service"]],
    "pl": [["przesyłka dotarła z opóźnieniem", "dostawa opóźniona o tydzień", "kurier spóźnił się znowu",
            "paczka przyszła po terminie"],
           ["karton był zgnieciony", "ekran przyszedł pęknięty", "towar uszkodzony w transporcie",
            "produkt dotarł uszkodzony"],
           ["nadal czekam na zwrot pieniędzy", "pieniądze nie zostały zwrócone", "zwrot obiecany miesiąc temu",
            "proszę o zwrot płatności"],
           ["konsultant był niegrzeczny", "obsługa na infolinii była nieuprzejma", "pracownik na mnie krzyczał",
            "nieprzyjemna i niemiła obsługa"]],
    "cs": [["zásilka dorazila se zpožděním", "doručení se zpozdilo o týden", "kurýr přijel pozdě",
            "balík přišel po termínu"],
           ["krabice byla zmačkaná", "displej dorazil prasklý", "zboží poškozené při přepravě",
            "výrobek dorazil poškozený"],
           ["stále čekám na vrácení peněz", "peníze nebyly vráceny", "vrácení slíbené před měsícem",
            "prosím o vrácení platby"],
           ["operátor byl nezdvořilý", "obsluha na lince byla nepříjemná", "zaměstnanec na mě křičel",
            "neochotná a hrubá obsluha"]],
    "ru": [["посылка пришла с опозданием", "доставка задержалась на неделю", "курьер опять опоздал",
            "заказ доставили позже срока"],
           ["коробка была смята", "экран пришёл треснутым", "товар повреждён при доставке",
            "изделие пришло повреждённым"],
           ["я до сих пор жду возврата денег", "деньги так и не вернули", "возврат обещали месяц назад",
            "прошу вернуть оплату"],
           ["сотрудник был груб", "оператор горячей линии был невежлив", "консультант на меня кричал",
            "грубое и неприятное обслуживание"]],
    "ro": [["coletul a ajuns cu întârziere", "livrarea a întârziat o săptămână", "curierul a întârziat din nou",
            "comanda a sosit după termen"],
           ["cutia era strivită", "ecranul a sosit crăpat", "marfa deteriorată la transport",
            "produsul a ajuns deteriorat"],
           ["încă aștept rambursarea banilor", "banii nu au fost returnați", "rambursare promisă acum o lună",
            "vă rog să returnați plata"],
           ["angajatul a fost nepoliticos", "operatorul de la linie a fost nepoliticos", "consultantul a țipat la mine",
            "servire neplăcută și nepoliticoasă"]],
}
FILLER = ["order", "zamówienie", "objednávka", "заказ", "comanda", "today", "wczoraj", "včera", "вчера", "ieri",
          "number", "numer", "číslo", "номер", "număr", "thanks", "dziękuję", "děkuji", "спасибо", "mulțumesc"]
COLUMNS = ("reference", "tracking_token_hash", "customer_id", "contact_name", "contact_email", "contact_phone",
           "preferred_channel", "language", "subject", "description", "order_reference", "desired_outcome", "status",
           "priority", "created_at", "updated_at", "first_response_due_at", "resolution_due_at", "committed_action",
           "resolution", "reopened_count", "handling_minutes", "contact_confirmed_at")


def text_for(rng: random.Random, language: str) -> str:
    if rng.random() < 1 / 6:  # about nothing in particular
        return " ".join(rng.choice(FILLER) for _ in range(rng.randint(4, 9))).capitalize() + "."
    topic = rng.choice(TOPICS[language])
    parts = rng.sample(topic, rng.randint(1, 3)) + [rng.choice(FILLER) for _ in range(rng.randint(0, 3))]
    rng.shuffle(parts)
    return ", ".join(parts).capitalize() + "."


def complaint_rows(first: int, count: int, customers: int, rng: random.Random, start):
    languages = list(TOPICS)
    for i in range(first, first + count):
        language = rng.choice(languages)
        at = start + timedelta(minutes=i % 40000)
        yield (f"B-{i}", f"b{i}", 1 + i % customers, "Bench", "bench@example.com", "", "email", language, "Bench",
               text_for(rng, language), "", "", "new", "normal", at, at, at, at, "", "", 0, 0, at)


def _load(app, table: str, columns: tuple, rows) -> None:
    """Plant rows the fast way of each database: COPY on PostgreSQL, executemany on SQLite."""
    from extensions import db
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            if db.engine.dialect.name == "postgresql":
                _copy(raw.driver_connection, table, columns, rows)
                raw.driver_connection.commit()
            else:
                raw.driver_connection.execute("BEGIN IMMEDIATE")
                _executemany(raw.driver_connection, table, columns, rows)
                raw.driver_connection.execute("COMMIT")
        finally:
            raw.close()


def insert(app, first: int, count: int, customers: int, seed: int, start) -> None:
    _load(app, "complaints", COLUMNS, complaint_rows(first, count, customers, random.Random(seed), start))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="bench-themes-"))
    drop = lambda: None  # noqa: E731
    if args.database_url and not args.database_url.startswith("sqlite"):
        url, drop = scratch_postgres(args.database_url, "bench_themes")
    else:
        url = args.database_url or f"sqlite:///{instance / 'themes.db'}"
    try:
        run(url, instance, args)
    finally:
        drop()


def run(url: str, instance: Path, args) -> None:
    app = make_app(url, instance)
    from extensions import db
    from reports import themes
    from reports.models import Theme
    customers = 2000
    from bench.generate import CUSTOMER_COLUMNS
    _load(app, "customers", CUSTOMER_COLUMNS, customer_rows(1, customers, random.Random(args.seed)))
    with app.app_context():
        print(f"database: {db.engine.dialect.name}", flush=True)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("SELECT setval(pg_get_serial_sequence('customers', 'id'), :n)"), {"n": customers})
            db.session.commit()
    started = time.perf_counter()
    insert(app, 1, args.texts, customers, args.seed, NOW - timedelta(days=40))
    print(f"planted {args.texts} texts in {time.perf_counter() - started:.1f} s (not part of the figure)", flush=True)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("SELECT setval(pg_get_serial_sequence('complaints', 'id'), "
                                       "(SELECT MAX(id) FROM complaints))"))
            db.session.commit()
        started = time.perf_counter()
        outcome = themes.compute_themes(NOW)
        first = time.perf_counter() - started
        print(f"first run: {args.texts} texts in {first:.1f} s (goal < 60 s) — read {outcome.read}, "
              f"{outcome.new_themes} themes, {outcome.pending} pending", flush=True)
        for language in TOPICS:
            found = db.session.execute(db.select(Theme.label, Theme.size).where(Theme.language == language)
                                       .order_by(Theme.size.desc())).all()
            print(f"  {language}: {len(found)} themes: " + "; ".join(f"{label} ({size})" for label, size in found[:6]))
        db.session.remove()
    insert(app, args.texts + 1, args.new, customers, args.seed + 1, NOW - timedelta(hours=2))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE complaints"))
        started = time.perf_counter()
        outcome = themes.compute_themes(NOW + timedelta(hours=1))
        later = time.perf_counter() - started
        print(f"incremental run: {args.new} new texts in {later:.2f} s — read {outcome.read}, assigned {outcome.assigned}, "
              f"reconsidered {outcome.reconsidered} pending, {outcome.new_themes} new themes", flush=True)


if __name__ == "__main__":
    main()
