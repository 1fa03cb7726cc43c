"""`flask db upgrade` on an empty database builds exactly what the models describe, on SQLite and
on PostgreSQL: columns and types (Alembic's autogenerate comparison), every index with its
partial WHERE and INCLUDE columns and every constraint (compared with what `create_all` of the
models builds next to it), the count triggers, which fire, the full-text search objects (not
models: complaints/search.py creates them; they are checked apart, and fire), and the reference data."""
from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from config import TestConfig
from tests.support.clock import NOW

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")
TRIGGERS = {"tr_complaints_count_insert", "tr_complaints_count_update", "tr_complaints_count_delete"}
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _postgres_database() -> tuple[str, callable]:
    admin_url = sa.engine.make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"test_migrations_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="module", params=BACKENDS)
def migrated(request, tmp_path_factory):
    """A fresh database of each backend, brought to the head by the migrations alone."""
    from extensions import db
    from factory import create_app
    from flask_migrate import upgrade

    if request.param == "postgresql":
        url, drop = _postgres_database()
    else:
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'fresh.sqlite3'}", (lambda: None)
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=tmp_path_factory.mktemp("instance"))
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        yield app
        db.session.remove()
        db.engine.dispose()
    drop()


def test_columns_and_tables_match_the_models(migrated):
    from extensions import db

    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert [d for d in differences if not _is_search_object(d)] == []


def _is_search_object(difference) -> bool:
    """The search table (and on SQLite FTS5's shadow tables) are no model: test_search_* check them."""
    from complaints.search import SEARCH_TABLE

    table = difference[1] if difference[0] == "remove_table" else getattr(difference[1], "table", None)
    return difference[0] in ("remove_table", "remove_index") and table is not None and table.name.startswith(SEARCH_TABLE)


def _schema_objects(connection, schema: str) -> dict[str, str]:
    """Every index and constraint of `schema` as its database-normalised definition."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(sa.text(
            "SELECT 'index ' || indexname, indexdef FROM pg_indexes WHERE schemaname = :s AND tablename != 'alembic_version'"
            " UNION ALL SELECT 'constraint ' || c.conname, t.relname || ': ' || pg_get_constraintdef(c.oid)"
            " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
            " WHERE n.nspname = :s AND t.relname != 'alembic_version'"), {"s": schema})
    else:
        # SQLite keeps the statement as written: a table's constraints are in its CREATE TABLE.
        rows = connection.execute(sa.text(
            f"SELECT type || ' ' || name, sql FROM {schema}.sqlite_master"
            " WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"))
    return {name: re.sub(rf'\b{schema}\.|"{schema}"\.', "", definition or "") for name, definition in rows
            if "complaint_search" not in name}  # no model; checked by test_search_objects_exist_and_fire


def _clauses(statement: str) -> list[str]:
    """A SQLite CREATE TABLE's columns and constraints, sorted. Split at the commas outside
    parentheses: SQLAlchemy writes one clause per line, but a column added by ALTER TABLE … ADD
    COLUMN is appended to the stored statement on the same line."""
    head, _, body = statement.partition("(")
    # A table rebuilt by a batch migration keeps the quotes of its ALTER TABLE … RENAME: same table.
    clauses, depth, current = [], 0, ""
    for char in body.rstrip().removesuffix(")"):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            clauses.append(current)
            current = ""
        else:
            current += char
    return [head.strip().replace('"', "")] + sorted(" ".join(clause.split()) for clause in clauses + [current])


def test_indexes_and_constraints_match_the_models(migrated):
    """compare_metadata does not look at partial-index WHERE clauses, INCLUDE columns or CHECK
    constraints: build the models' schema next to the migrated one and compare the two."""
    from extensions import db

    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("CREATE SCHEMA models_check"))
        else:
            connection.execute(sa.text("ATTACH DATABASE ':memory:' AS models_check"))
        try:
            db.metadata.create_all(connection.execution_options(schema_translate_map={None: "models_check"}))
            migrated_objects = _schema_objects(connection, "public" if connection.dialect.name == "postgresql" else "main")
            model_objects = _schema_objects(connection, "models_check")
        finally:
            connection.rollback()
            if connection.dialect.name != "postgresql":
                connection.execute(sa.text("DETACH DATABASE models_check"))
    if db.engine.dialect.name == "sqlite":
        # Alembic's CREATE TABLE and create_all's may list the constraints in another order.
        migrated_objects = {k: _clauses(v) for k, v in migrated_objects.items()}
        model_objects = {k: _clauses(v) for k, v in model_objects.items()}
    assert migrated_objects.keys() == model_objects.keys()
    assert {k: v for k, v in migrated_objects.items() if model_objects[k] != v} == {}
    assert any("WHERE" in str(v) for v in migrated_objects.values())  # the comparison saw the partial indexes


def _triggers(connection) -> set[str]:
    if connection.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'complaints'::regclass AND NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'complaints'"
    return set(connection.execute(sa.text(query)).scalars())


def test_count_triggers_exist_and_fire(migrated):
    from complaints.models import Complaint
    from complaints.status_counts import complaint_count_deltas, status_counts
    from extensions import db
    from staff.models import StaffUser

    with db.engine.connect() as connection:
        triggers = _triggers(connection)
    assert TRIGGERS <= triggers
    if db.engine.dialect.name == "postgresql":
        assert "tr_complaints_count_truncate" in triggers

    session = db.session
    agent = StaffUser(email="agnes@example.com", name="Agnes", role="agent", password_hash="x")
    session.add(agent)
    complaints = _complaints(3)
    assert status_counts(None)["new"] == 3
    complaints[0].status = "assigned"
    complaints[0].owner_id = agent.id
    session.flush()
    assert (status_counts(None)["new"], status_counts(None)["assigned"]) == (2, 1)
    assert status_counts((agent.id,))["assigned"] == 1
    complaints[1].owner_id = agent.id  # an owner change alone moves the count to the owner
    session.flush()
    mine = status_counts((agent.id,))
    assert (mine["new"], mine["assigned"], status_counts((0,))["new"]) == (1, 1, 1)
    session.delete(complaints[2])
    session.flush()
    assert status_counts(None)["new"] == 1 and status_counts((0,))["new"] == 0
    session.execute(sa.update(Complaint).values(subject="untouched counts"))  # neither status nor owner
    deltas = session.scalar(sa.select(sa.func.count()).select_from(complaint_count_deltas))
    assert deltas == 3 + 2 + 2 + 1
    session.rollback()


def _complaints(n: int):
    """n new complaints of one customer, flushed in the test's session."""
    from complaints.models import Complaint
    from customers.models import Customer
    from extensions import db

    customer = Customer(name="Jan Kowalski", email="jan@example.com", email_normalised="jan@example.com")
    db.session.add(customer)
    db.session.flush()
    complaints = [Complaint(reference=f"C-{i}", tracking_token_hash=f"{i:064d}", customer_id=customer.id,
                            contact_name="Jan", contact_email="jan@example.com", description="Crushed parcel",
                            first_response_due_at=NOW + timedelta(hours=8),
                            resolution_due_at=NOW + timedelta(days=5)) for i in range(n)]
    db.session.add_all(complaints)
    db.session.flush()
    return complaints


@pytest.mark.parametrize("column,value", [("status", "pending"), ("priority", "critical"), ("channel", "fax")])
def test_the_database_refuses_an_unknown_state_priority_or_channel(migrated, column, value):
    from complaints.models import Complaint
    from extensions import db

    (complaint,) = _complaints(1)
    assert (complaint.channel, complaint.version) == ("web", 1)
    with pytest.raises(sa.exc.IntegrityError, match="(?i)check"):
        db.session.execute(sa.update(Complaint).values({column: value}))
    db.session.rollback()


def test_reference_data_is_installed(migrated):
    from complaints import reference_data
    from extensions import db

    with db.engine.connect() as connection:
        root_causes = set(connection.execute(sa.text("SELECT code FROM root_causes")).scalars())
        sla = set(connection.execute(sa.text("SELECT priority FROM sla_targets")).scalars())
        rules = set(connection.execute(sa.text("SELECT dimension, value FROM segment_priority_rules")).tuples())
        surveys = set(connection.execute(sa.text("SELECT code FROM surveys")).scalars())
        questions = connection.scalar(sa.text("SELECT count(*) FROM survey_questions"))
    assert root_causes == {code for code, _name, _order in reference_data.ROOT_CAUSES}
    assert sla == {priority for priority, _first, _resolution in reference_data.SLA_HOURS}
    assert rules == {("category", "devoted"), ("abc", "A")}
    assert len(surveys) == 2 and questions > 0


def test_downgrade_to_base_removes_everything(migrated):
    from extensions import db
    from flask_migrate import downgrade, upgrade

    downgrade(directory=MIGRATIONS, revision="base")
    try:
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) == {"alembic_version"}
    finally:
        upgrade(directory=MIGRATIONS)


def test_search_objects_exist_and_fire(migrated):
    """The search index the migration made: GIN over a tsvector (PostgreSQL) or FTS5 with
    remove_diacritics 2 (SQLite), and triggers that keep it current on filing, on a change of the
    indexed text, on a customer's message, and on delete — diacritics folded the same on both."""
    from complaints import search
    from complaints.models import ComplaintEvent
    from extensions import db

    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            index = connection.scalar(sa.text("SELECT indexdef FROM pg_indexes WHERE tablename = 'complaint_search'"
                                              " AND indexname = 'ix_complaint_search_owner_document'"))
            assert "USING gin (owner_key, document)" in index
            triggers = set(connection.execute(sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
        else:
            ddl = connection.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'complaint_search'"))
            assert "fts5" in ddl and "remove_diacritics 2" in ddl
            triggers = set(connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    assert set(search.trigger_names(db.engine.dialect.name)) <= triggers

    def found(words: str) -> list[str]:
        matched = search.matches(search.terms(words), db.engine.dialect.name)
        return sorted(db.session.execute(sa.select(matched.c.complaint_id)).scalars())

    first, second = _complaints(2)
    first.subject = "Żółty kubek"
    db.session.flush()
    assert found("zolty KUBEK") == [first.id] and found("crushed") == [first.id, second.id]
    db.session.add(ComplaintEvent(complaint_id=second.id, kind="customer_message", public=True, by_customer=True,
                                  body="Příliš žluťoučký kůň, ёлка", created_at=NOW))
    db.session.add(ComplaintEvent(complaint_id=first.id, kind="internal_note", public=False, body="ёлка internal",
                                  created_at=NOW))
    db.session.flush()
    assert found("zlutoucky kun") == [second.id] and found("елка") == [second.id]
    db.session.delete(first)
    db.session.flush()
    assert found("crushed") == [second.id]
    db.session.rollback()
