"""Full-text search over complaints: reference and order reference, subject, description, what the
customer wrote afterwards (tracking page, e-mail replies) and calls logged by staff, the contact's
name and e-mail. Case- and diacritic-insensitive ("zolty" finds "Żółty", "елка" finds "ёлка",
"zlutoucky" finds "žluťoučký"), ranked, and always narrowed by `queries.visible_to` (the caller
joins; this module only says which complaints match and how well).

Where the index lives: a table of its own, `complaint_search`, one row per complaint.
  PostgreSQL: `complaint_id` + a weighted `tsvector` (`to_tsvector('simple', unaccent(…))`) with a
  GIN index. SQLite: an FTS5 table (`unicode61 remove_diacritics 2`) whose rowid is the complaint id.
Neither is a model (SQLAlchemy has no type for either on the other database): the migration creates
them with the SQL below, and tests/database/test_migrations.py checks them beside the models.

Kept current by triggers, in the writing transaction, not by the service functions: the indexed
text is written by at least four code paths (filing, the tracking page, e-mail intake, the
customer-data erasure that overwrites it) plus the demo seed, imports and bench COPYs, and a
trigger cannot be forgotten by the next one — the same reasoning as the status counts
(`complaints/status_counts.py`). `unaccent` is only STABLE, so PostgreSQL allows neither a
generated column nor an expression index over it; a trigger is the way to keep a stored vector.
Filing pays one extra row (vector + GIN pending-list entry, see bench/RESULTS.md); an event fires
the refresh only when it carries customer text (`SEARCHED_EVENT` below), so staff notes cost nothing.

Ranking is bounded (complaints.queries._search_window): only the newest MAX_SEARCH_RESULTS matches
the viewer may see are ranked, and a whole e-mail address is matched as one (`email_address`).

Diacritics: `unaccent` folds ł→l and ё→е, FTS5's `remove_diacritics` does not (neither letter
decomposes in Unicode), so on SQLite the triggers fold `FOLD` first and `terms` folds the query
the same way — on both databases the same words find the same complaints.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from sqlalchemy import Float, Integer, any_, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.dialects import postgresql

from complaints.status_counts import NOBODY
from extensions import db

# Letters FTS5's remove_diacritics leaves alone but unaccent (and a reader) folds.
FOLD = {"ł": "l", "Ł": "L", "ё": "е", "Ё": "Е", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss"}
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# Events whose text is the customer's: their own messages (form follow-ups, tracking page,
# e-mail replies) and what staff wrote down of a phone call or a visit.
SEARCHED_EVENT = "(NEW.by_customer OR NEW.kind = 'call_logged') AND NEW.body <> ''"
_SEARCHED_EVENT_ROW = "(e.by_customer OR e.kind = 'call_logged')"

SEARCH_TABLE = "complaint_search"
TRIGGER_NAMES = ("tr_complaint_search_insert", "tr_complaint_search_update", "tr_complaint_search_delete",
                 "tr_complaint_search_event_insert", "tr_complaint_search_event_update",
                 "tr_complaint_search_event_delete", "tr_complaint_search_owner")
# PostgreSQL's row keeps the complaint's owner (NOBODY when unowned): the GIN index is on
# (owner_key, document) — btree_gin — so that an agent's search reads only the matches of the owners
# whose complaints the visibility rule shows them (queries.visible_owners), not every match.
OWNER_KEY = f"coalesce({{0}}.owner_id, {NOBODY})"
INDEX_NAME = "ix_complaint_search_owner_document"
NEWEST_INDEX_NAME = "ix_complaint_search_owner_newest"


def trigger_names(dialect: str) -> tuple[str, ...]:
    """PostgreSQL removes a deleted complaint's row by its foreign key (ON DELETE CASCADE); only its
    rows hold the owner (SQLite's FTS5 table is words only)."""
    skipped = {"tr_complaint_search_delete"} if dialect == "postgresql" else {"tr_complaint_search_owner"}
    return tuple(n for n in TRIGGER_NAMES if n not in skipped)


def terms(query: str | None) -> list[str]:
    """The words of a search box, folded like the index: letters and digits only (so nothing of
    the input reaches a query syntax), at most MAX_TERMS of at most MAX_TERM_LENGTH characters."""
    folded = "".join(FOLD.get(char, char) for char in (query or "")).lower()
    words = []
    for word in re.findall(r"[^\W_]+", folded):
        if word not in words:
            words.append(word[:MAX_TERM_LENGTH])
    # A single letter beside longer words narrows nothing and, as a prefix, matches nearly every
    # complaint (the "C" of "C-7KQ3…"): dropped then.
    longer = [w for w in words if len(w) > 1]
    return (longer or words)[:MAX_TERMS]


def email_address(query: str | None) -> str | None:
    """The search box holding one e-mail address alone: it is looked up as a whole (the contact
    address, by an index), not as four word prefixes of which "example" or "com" match nearly every
    complaint. Lower-cased; None for anything else."""
    candidate = (query or "").strip()
    if _EMAIL.fullmatch(candidate) and len(candidate) <= 254:
        return candidate.lower()
    return None


_EMAIL = re.compile(r"[^\s@<>(),;:\\\"\[\]]+@[^\s@<>(),;:\\\"\[\]]+\.[^\s@<>(),;:\\\"\[\].]+")


def _tsquery(words: list[str]):
    return func.to_tsquery(literal_column("'simple'"), func.unaccent(" & ".join(f"{w}:*" for w in words)))


def matches(words: list[str], dialect: str, *, ranked: bool = True, owners: tuple[int, ...] | None = None):
    """A subquery (complaint_id, rank) of the complaints containing every word (each as a word
    prefix: "zol" finds "Żółty"); lower rank is better on both databases. `ranked=False`: the
    complaint_id alone (PostgreSQL then computes no rank: `rank_of` ranks a bounded window).
    `owners` (PostgreSQL): only the complaints of these owners (NOBODY: unowned), with an
    owner_key column — an access path for the GIN index and the owners' walks, never the rule
    itself: the caller still joins `queries.visible_to`."""
    if dialect == "postgresql":
        index = table(SEARCH_TABLE, column("complaint_id", Integer), column("owner_key", Integer), column("document"))
        query = _tsquery(words)
        columns = [index.c.complaint_id.label("complaint_id")]
        if ranked:
            columns.append(_rank_postgresql(index.c.document, query).label("rank"))
        if len(words) > 1:
            # GIN reads every posting of a prefix it is given, and `order:*` is in most complaints:
            # the index is given the rarest word only, the others are checked on its rows
            # (ts_match_vq is @@ as a function, which no index serves).
            found = select(*columns).where(index.c.document.op("@@")(_tsquery([rarest(words)])),
                                           func.ts_match_vq(index.c.document, query))
        else:
            found = select(*columns).where(index.c.document.op("@@")(query))
        if owners is not None:
            found = found.add_columns(index.c.owner_key.label("owner_key")).where(index.c.owner_key.in_(owners))
        return found.subquery("matched")
    match = " AND ".join(f'"{w}"*' for w in words)
    return text(f"SELECT rowid AS complaint_id, bm25({SEARCH_TABLE}, 10.0, 8.0, 5.0, 2.0, 1.0) AS rank"
                f" FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :match").bindparams(match=match).columns(
        column("complaint_id", Integer), column("rank", Float)).subquery("matched")


# How many of the newest search rows `rarest` reads (~1.5 µs a word and row).
RAREST_SAMPLE = 500


def rarest(words: list[str]) -> str:
    """PostgreSQL: the word with the fewest matches among the newest RAREST_SAMPLE search rows
    (the longest of those tied: a longer prefix matches fewer words)."""
    index = table(SEARCH_TABLE, column("complaint_id", Integer), column("document"))
    newest = select(index.c.document).order_by(index.c.complaint_id.desc()).limit(RAREST_SAMPLE).subquery()
    counts = db.session.execute(select(*(func.count().filter(newest.c.document.op("@@")(_tsquery([word])))
                                         for word in words))).one()
    return min(zip(counts, (-len(word) for word in words), words))[2]


def _rank_postgresql(document, query):
    # ts_rank with the weights A (reference, subject) > B (name, e-mail) > C (description) > D (messages).
    return -func.ts_rank(literal_column("'{0.1, 0.3, 0.6, 1.0}'::float4[]"), document, query)


def rank_of(ids: list[int], words: list[str]):
    """PostgreSQL: (complaint_id, rank) of the complaints `ids` — ts_rank over those rows alone,
    not over every match."""
    index = table(SEARCH_TABLE, column("complaint_id", Integer), column("document"))
    # One array parameter, not an IN list of 301: the statement stays the same text (compiled
    # and converted once, not ~4 ms of Python per search).
    return select(index.c.complaint_id, _rank_postgresql(index.c.document, _tsquery(words)).label("rank")).where(
        index.c.complaint_id == any_(bindparam("ids", ids, type_=postgresql.ARRAY(Integer))))


# --- PostgreSQL -------------------------------------------------------------------------------
_TEXT_POSTGRESQL = "translate(unaccent(coalesce({0}, '')), '@.-_/+:', '       ')"


def _vector(expression: str, weight: str) -> str:
    return f"setweight(to_tsvector('simple', {_TEXT_POSTGRESQL.format(expression)}), '{weight}')"


def _document(row: str, messages: str) -> str:
    return " || ".join([
        _vector(f"{row}.reference || ' ' || {row}.order_reference || ' ' || {row}.subject", "A"),
        _vector(f"{row}.contact_name || ' ' || {row}.contact_email", "B"),
        _vector(f"{row}.description", "C"),
        _vector(messages, "D")])


_MESSAGES = (f"(SELECT string_agg(e.body, ' ' ORDER BY e.id) FROM complaint_events e"
             f" WHERE e.complaint_id = c.id AND {_SEARCHED_EVENT_ROW})")

_CREATE_POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",  # integer columns in a GIN index (trusted contrib)
    # No writes to the indexed text until the triggers exist (they come after the fill).
    "LOCK TABLE complaints, complaint_events IN SHARE ROW EXCLUSIVE MODE",
    f"""CREATE TABLE {SEARCH_TABLE} (
        complaint_id integer PRIMARY KEY REFERENCES complaints (id) ON DELETE CASCADE,
        owner_key integer NOT NULL DEFAULT {NOBODY},
        document tsvector NOT NULL)""",
    f"""CREATE FUNCTION complaint_search_refresh(target integer) RETURNS void LANGUAGE sql AS $$
        INSERT INTO {SEARCH_TABLE} (complaint_id, owner_key, document)
        SELECT c.id, {OWNER_KEY.format('c')}, {_document('c', _MESSAGES)} FROM complaints c WHERE c.id = target
        ON CONFLICT (complaint_id) DO UPDATE SET owner_key = excluded.owner_key, document = excluded.document
    $$""",
    # A filing: the vector from the new row alone (no events with text yet), no second lookup.
    f"""CREATE FUNCTION complaint_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO {SEARCH_TABLE} (complaint_id, owner_key, document)
            VALUES (NEW.id, {OWNER_KEY.format('NEW')}, {_document('NEW', "''")});
        ELSE
            PERFORM complaint_search_refresh(NEW.id);
        END IF;
        RETURN NULL;
    END $$""",
    # An assignment: the owner alone, the vector as it was.
    f"""CREATE FUNCTION complaint_search_owner() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE {SEARCH_TABLE} SET owner_key = {OWNER_KEY.format('NEW')} WHERE complaint_id = NEW.id;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION complaint_search_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM complaint_search_refresh(CASE WHEN TG_OP = 'DELETE' THEN OLD.complaint_id ELSE NEW.complaint_id END);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER tr_complaint_search_insert AFTER INSERT ON complaints
       FOR EACH ROW EXECUTE FUNCTION complaint_search_row()""",
    """CREATE TRIGGER tr_complaint_search_update AFTER UPDATE OF reference, order_reference, subject, description,
       contact_name, contact_email ON complaints FOR EACH ROW
       WHEN (ROW(OLD.reference, OLD.order_reference, OLD.subject, OLD.description, OLD.contact_name, OLD.contact_email)
            IS DISTINCT FROM ROW(NEW.reference, NEW.order_reference, NEW.subject, NEW.description, NEW.contact_name, NEW.contact_email))
       EXECUTE FUNCTION complaint_search_row()""",
    """CREATE TRIGGER tr_complaint_search_owner AFTER UPDATE OF owner_id ON complaints FOR EACH ROW
       WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id) EXECUTE FUNCTION complaint_search_owner()""",
    f"""CREATE TRIGGER tr_complaint_search_event_insert AFTER INSERT ON complaint_events
       FOR EACH ROW WHEN ({SEARCHED_EVENT}) EXECUTE FUNCTION complaint_search_event()""",
    """CREATE TRIGGER tr_complaint_search_event_update AFTER UPDATE OF body, kind, by_customer ON complaint_events
       FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.kind IS DISTINCT FROM NEW.kind
                          OR OLD.by_customer IS DISTINCT FROM NEW.by_customer)
       EXECUTE FUNCTION complaint_search_event()""",
    """CREATE TRIGGER tr_complaint_search_event_delete AFTER DELETE ON complaint_events
       FOR EACH ROW WHEN ((OLD.by_customer OR OLD.kind = 'call_logged') AND OLD.body <> '')
       EXECUTE FUNCTION complaint_search_event()""",
]
_DROP_POSTGRESQL = [
    "DROP TRIGGER IF EXISTS tr_complaint_search_event_delete ON complaint_events",
    "DROP TRIGGER IF EXISTS tr_complaint_search_event_update ON complaint_events",
    "DROP TRIGGER IF EXISTS tr_complaint_search_event_insert ON complaint_events",
    "DROP TRIGGER IF EXISTS tr_complaint_search_update ON complaints",
    "DROP TRIGGER IF EXISTS tr_complaint_search_insert ON complaints",
    "DROP TRIGGER IF EXISTS tr_complaint_search_owner ON complaints",
    "DROP FUNCTION IF EXISTS complaint_search_event()",
    "DROP FUNCTION IF EXISTS complaint_search_row()",
    "DROP FUNCTION IF EXISTS complaint_search_owner()",
    "DROP FUNCTION IF EXISTS complaint_search_refresh(integer)",
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
    # The extension stays: something else may use it, and dropping it needs more rights.
]
_FILL_POSTGRESQL = f"""INSERT INTO {SEARCH_TABLE} (complaint_id, owner_key, document)
    SELECT c.id, {OWNER_KEY.format('c')}, {_document('c', _MESSAGES)} FROM complaints c"""
# Built after the fill: one sorted GIN build instead of a million insertions. A multicolumn GIN
# serves a condition on either column alone as well (a manager's search: the document only).
_INDEX_POSTGRESQL = f"CREATE INDEX {INDEX_NAME} ON {SEARCH_TABLE} USING gin (owner_key, document)"
# An agent's search walks the complaints of the owners it may see newest first (queries._window_ids_postgresql):
# without it the walk read every complaint, visible or not, and handed a word frequent among the
# agent's complaints to the bitmap of all its matches (8 859 for "kal:*", 210 ms; walked: 7 ms).
_NEWEST_INDEX_POSTGRESQL = f"CREATE INDEX IF NOT EXISTS {NEWEST_INDEX_NAME} ON {SEARCH_TABLE} (owner_key, complaint_id)"


def create_newest_index(connection) -> None:
    """PostgreSQL: the (owner_key, complaint_id) index of the search rows (migration 0030, create_search)."""
    connection.execute(text(_NEWEST_INDEX_POSTGRESQL))


class OwnersReach(NamedTuple):
    floor: int  # the highest of the owners' `depth`-th newest complaint ids (0 where every owner has fewer)
    above: int  # their search rows above it (estimated where an owner has more than `depth`)
    total: int  # all their search rows (the same estimate)


def owners_reach(owners: tuple[int, ...], depth: int) -> OwnersReach:
    """PostgreSQL: how far back the owners' `depth` newest complaints reach. Above `floor` every
    owner has at most `depth` complaints, so a walk of their search rows above it reads at most
    `depth` rows per owner. An owner with more is assumed to file at the rate of its newest
    `depth` (its rows above the floor and in all, by proportion of the id range: one read of
    `depth` index entries per owner, not a count of all of them)."""
    rows = db.session.execute(text(  # one statement: the owner's count only where it has fewer than `depth`
        f"SELECT (SELECT max(complaint_id) FROM {SEARCH_TABLE}), reach.floor, CASE WHEN reach.floor IS NULL THEN"
        f" (SELECT count(*) FROM {SEARCH_TABLE} WHERE owner_key = o.owner) END"
        f" FROM unnest(CAST(:owners AS integer[])) AS o(owner) LEFT JOIN LATERAL"
        f" (SELECT complaint_id AS floor FROM {SEARCH_TABLE} WHERE owner_key = o.owner"
        f"  ORDER BY complaint_id DESC OFFSET :skip LIMIT 1) AS reach ON true").bindparams(
        owners=list(owners), skip=depth - 1)).all()
    newest = max((row[0] or 0 for row in rows), default=0)
    top = max((row[1] or 0 for row in rows), default=0)
    above = total = 0.0
    for _newest, floor, count in rows:
        if floor:
            above += depth * (newest - top) / max(newest - floor, 1)
            total += depth * newest / max(newest - floor, 1)
        else:  # fewer than `depth`: counted (that many index entries at most)
            above, total = above + (count or 0), total + (count or 0)
    return OwnersReach(top, round(above), round(total))


# --- SQLite -----------------------------------------------------------------------------------
def _fold_sqlite(expression: str) -> str:
    for letter, plain in FOLD.items():
        expression = f"replace({expression}, '{letter}', '{plain}')"
    return expression


_SQLITE_MESSAGES = (f"coalesce((SELECT group_concat(e.body, ' ') FROM complaint_events e"
                    f" WHERE e.complaint_id = c.id AND {_SEARCHED_EVENT_ROW}), '')")


def _sqlite_values(row: str, messages: str) -> str:
    return ", ".join([f"{row}.id", _fold_sqlite(f"{row}.reference || ' ' || {row}.order_reference"),
                      _fold_sqlite(f"{row}.subject"), _fold_sqlite(f"{row}.contact_name || ' ' || {row}.contact_email"),
                      _fold_sqlite(f"{row}.description"), _fold_sqlite(messages)])


_COLUMNS_SQLITE = "rowid, reference, subject, who, description, messages"


def _refresh_sqlite(target: str) -> str:
    return (f"DELETE FROM {SEARCH_TABLE} WHERE rowid = {target};"
            f" INSERT INTO {SEARCH_TABLE} ({_COLUMNS_SQLITE}) SELECT {_sqlite_values('c', _SQLITE_MESSAGES)}"
            f" FROM complaints c WHERE c.id = {target};")


_CREATE_SQLITE = [
    f"""CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(reference, subject, who, description, messages,
        tokenize = 'unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER tr_complaint_search_insert AFTER INSERT ON complaints BEGIN
        INSERT INTO {SEARCH_TABLE} ({_COLUMNS_SQLITE}) VALUES ({_sqlite_values('NEW', "''")});
    END""",
    f"""CREATE TRIGGER tr_complaint_search_update AFTER UPDATE OF reference, order_reference, subject, description,
        contact_name, contact_email ON complaints
        WHEN OLD.reference IS NOT NEW.reference OR OLD.order_reference IS NOT NEW.order_reference
          OR OLD.subject IS NOT NEW.subject OR OLD.description IS NOT NEW.description
          OR OLD.contact_name IS NOT NEW.contact_name OR OLD.contact_email IS NOT NEW.contact_email BEGIN
        {_refresh_sqlite('NEW.id')}
    END""",
    f"""CREATE TRIGGER tr_complaint_search_delete AFTER DELETE ON complaints BEGIN
        DELETE FROM {SEARCH_TABLE} WHERE rowid = OLD.id;
    END""",
    f"""CREATE TRIGGER tr_complaint_search_event_insert AFTER INSERT ON complaint_events WHEN {SEARCHED_EVENT} BEGIN
        {_refresh_sqlite('NEW.complaint_id')}
    END""",
    f"""CREATE TRIGGER tr_complaint_search_event_update AFTER UPDATE OF body, kind, by_customer ON complaint_events
        WHEN OLD.body IS NOT NEW.body OR OLD.kind IS NOT NEW.kind OR OLD.by_customer IS NOT NEW.by_customer BEGIN
        {_refresh_sqlite('NEW.complaint_id')}
    END""",
    f"""CREATE TRIGGER tr_complaint_search_event_delete AFTER DELETE ON complaint_events
        WHEN (OLD.by_customer OR OLD.kind = 'call_logged') AND OLD.body <> '' BEGIN
        {_refresh_sqlite('OLD.complaint_id')}
    END""",
]
_DROP_SQLITE = [f"DROP TRIGGER IF EXISTS {name}" for name in reversed(TRIGGER_NAMES)] + [
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}"]
_FILL_SQLITE = (f"INSERT INTO {SEARCH_TABLE} ({_COLUMNS_SQLITE})"
                f" SELECT {_sqlite_values('c', _SQLITE_MESSAGES)} FROM complaints c")


def forget_deleted_text() -> None:
    """After an erasure: SQLite's FTS5 keeps a deleted row's words in its index segments until they
    are merged (secure-delete needs SQLite 3.42), so merge them now — within the erasing transaction —
    and the person's words are gone from every table. PostgreSQL's row holds its own tsvector, which
    the triggers already rewrote."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES('optimize')"))


def create_search(connection) -> None:
    """The search table, its index and triggers, filled from the complaints already there (a
    migration calls this, and a bulk load may `drop_search` first and call it after; like the
    count triggers, a SQLite rebuild of `complaints` drops the triggers: call it again after
    `drop_search`). In one transaction: PostgreSQL locks out writers until the triggers exist,
    SQLite's write transaction does so anyway."""
    if connection.dialect.name == "postgresql":
        table, functions_and_triggers = _CREATE_POSTGRESQL[:4], _CREATE_POSTGRESQL[4:]
        for statement in table:
            connection.execute(text(statement))
        connection.execute(text(_FILL_POSTGRESQL))
        connection.execute(text(_INDEX_POSTGRESQL))
        create_newest_index(connection)
        for statement in functions_and_triggers:
            connection.execute(text(statement))
        return
    connection.execute(text(_CREATE_SQLITE[0]))
    connection.execute(text(_FILL_SQLITE))
    for statement in _CREATE_SQLITE[1:]:
        connection.execute(text(statement))


def drop_search(connection) -> None:
    for statement in _DROP_POSTGRESQL if connection.dialect.name == "postgresql" else _DROP_SQLITE:
        connection.execute(text(statement))
