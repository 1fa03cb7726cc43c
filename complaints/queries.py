"""Who may see which complaint, enforced in the query itself (not after loading).

THE visibility rule, in one place: agents see complaints nobody owns yet and their own; managers
and admins see everyone's. `visible_to` narrows a query over complaints; `tied_to_visible`
narrows any other table whose rows belong to a complaint (survey answers, invitations, e-mails,
timeline entries). Every page, API list, export, search, timeline and chart goes through them.
"""
from __future__ import annotations

import math

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (ColumnElement, Numeric, Select, and_, bindparam, case, cast, false, func, literal, or_, select,
                        text, true, union_all)
from sqlalchemy.orm import selectinload

from complaints import search
from complaints.lifecycle import OPEN_STATES, PRIORITIES, STATES
from complaints.models import Category, Complaint, ComplaintFieldValue, ComplaintTag, CustomField
from complaints.status_counts import NOBODY, status_counts
from extensions import db
from platform_support.errors import NotFound, ServiceError
from platform_support.parsing import bounded_datetime, bounded_int
from staff.models import StaffUser


def visible_owners(actor: StaffUser) -> tuple[int, ...] | None:
    """The rule itself: whose complaints the actor sees — None for everyone's, else these owners'
    (NOBODY: the unowned). The condition below, `is_visible_to`, the status counts and the search
    index's owner column (complaints.search) all read it from here."""
    return None if actor.is_manager else (NOBODY, actor.id)


def visibility_condition(actor: StaffUser) -> ColumnElement[bool]:
    """The rule as a WHERE condition on `complaints`."""
    owners = visible_owners(actor)
    if owners is None:
        return true()
    return or_(false(), *(Complaint.owner_id.is_(None) if owner == NOBODY else Complaint.owner_id == owner
                          for owner in owners))


def visible_to(actor: StaffUser, query: Select | None = None) -> Select:
    query = query if query is not None else select(Complaint)
    if actor.is_manager:
        return query
    return query.where(visibility_condition(actor))


def tied_to_visible(actor: StaffUser, complaint_id_column, *, untied_visible: bool = True) -> ColumnElement[bool]:
    """A condition for rows of another table that may belong to a complaint: visible when the
    complaint is (rows without a complaint, e.g. relationship-survey answers, when `untied_visible`)."""
    if actor.is_manager:
        return true()
    tied = complaint_id_column.in_(select(Complaint.id).where(visibility_condition(actor)))
    return or_(complaint_id_column.is_(None), tied) if untied_visible else tied


def is_visible_to(complaint: Complaint, actor: StaffUser) -> bool:
    """The same rule as visible_to, for a complaint already loaded."""
    owners = visible_owners(actor)
    return owners is None or (complaint.owner_id or NOBODY) in owners


def lock_complaint(reference: str) -> Complaint | None:
    """The complaint row, locked until the end of the transaction and read fresh: a staff action
    checks the state it expects on this, so of two people acting at once one wins and the other
    is told what happened (PostgreSQL: FOR UPDATE; SQLite: the write transaction already holds
    the database's write lock)."""
    return db.session.scalar(select(Complaint).where(Complaint.reference == (reference or "")[:20])
                             .with_for_update().execution_options(populate_existing=True))


def get_visible_complaint(reference: str, actor: StaffUser) -> Complaint:
    complaint = db.session.scalar(visible_to(actor).where(Complaint.reference == (reference or "")[:20]))
    if complaint is None:
        raise NotFound(_("No complaint with this reference is visible to you."))
    return complaint


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None  # a state, "open" (default) or "all"
    owner: str | None = None  # "me", "none", or a staff e-mail
    priority: str | None = None
    overdue: bool = False
    q: str | None = None  # search words (complaints.search)
    sort: str | None = None  # a key of SORTS; default "due", or "relevance" with q
    category: str | None = None  # an intake category's code, or "none" (issue 17)
    tag: str | None = None
    field: str | None = None  # a custom field's code …
    field_value: str | None = None  # … and the value it has (empty: any value)

    @property
    def is_classified(self) -> bool:
        return bool(self.category or (self.tag or "").strip() or (self.field or "").strip())


# The queue's orders: key → (column, descending). Each is keyset-paginated on (column, id) and
# walks an index in order (complaints.models / status_counts: open-partial ones for the working
# queue, full ones for "All"); "priority" is urgent first, then by due time, one index range per
# priority; "relevance" (search only) is the search rank, paged by position.
SORTS = {
    "due": (Complaint.resolution_due_at, False),
    "-due": (Complaint.resolution_due_at, True),
    "-created": (Complaint.created_at, True),
    "created": (Complaint.created_at, False),
    "-updated": (Complaint.updated_at, True),
    "updated": (Complaint.updated_at, False),
    "priority": (Complaint.resolution_due_at, False),
    "relevance": (None, False),
}
SORT_LABELS = {
    "due": _l("Due soonest"), "-due": _l("Due latest"), "-created": _l("Newest first"), "created": _l("Oldest first"),
    "-updated": _l("Recently active"), "updated": _l("Least recently active"), "priority": _l("Most urgent first"),
    "relevance": _l("Best match"),
}
# Search results are ranked, not keyed: the newest this many matches the viewer may see, ranked
# (`_search_window`); refine the words for others.
MAX_SEARCH_RESULTS = 300
# Totals are counted up to this many (an index range, a few ms); beyond: "10 000+".
COUNT_CAP = 10_000


def effective_sort(filters: QueueFilter) -> str:
    words = search.terms(filters.q)
    if filters.sort in SORTS and (filters.sort != "relevance" or words):
        return filters.sort
    return "relevance" if words else "due"


def _bad_cursor():
    message = _("Invalid cursor: use the link of the previous page.")
    return ServiceError(message, {"cursor": [message]})


def _cursor_parts(cursor: str | None, sort: str = "due"):
    """A cursor is the last row's sort key and id ("priority" adds the priority, "relevance" is
    the position); it means nothing without the sort of the request that made it."""
    if not cursor:
        return None
    if sort == "relevance":
        try:
            offset = bounded_int(cursor, minimum=1, maximum=MAX_SEARCH_RESULTS)
        except ValueError:
            offset = None
        if offset is None:
            raise _bad_cursor()
        return offset
    priority = None
    if sort == "priority":
        priority, _sep, cursor = cursor.partition("_")
        if priority not in PRIORITIES:
            raise _bad_cursor()
    due, _sep, ident = cursor.partition("_")
    try:
        position = bounded_datetime(due), bounded_int(ident, minimum=1)
    except ValueError:
        position = None, None
    if None in position:
        raise _bad_cursor()
    return position if sort != "priority" else (priority, *position)


def make_cursor(complaint: Complaint, sort: str = "due") -> str:
    column, _descending = SORTS.get(sort) or SORTS["due"]
    key = f"{getattr(complaint, column.key).isoformat()}_{complaint.id}"
    return f"{complaint.priority}_{key}" if sort == "priority" else key


def _after(column, descending: bool, value, ident: int):
    """Rows after (value, id) in the order (column, id) — written so that an index on `column`
    alone still bounds the range (the first term)."""
    if descending:
        return and_(column <= value, or_(column < value, and_(column == value, Complaint.id < ident)))
    return and_(column >= value, or_(column > value, and_(column == value, Complaint.id > ident)))


def filtered(actor: StaffUser, filters: QueueFilter, *, now: datetime) -> Select:
    """The complaints of a queue view the actor may see, unordered (search narrows, not ranks)."""
    return _filtered(actor, filters, now=now)[0]


def _filtered(actor: StaffUser, filters: QueueFilter, *, now: datetime):
    """(query, matched, owners): the view's query; the search's subquery (None without words or for
    an e-mail address); the owners whose complaints the actor may see there (None: everyone's)."""
    # One's own complaints are visible to everyone: without the redundant "unowned or mine" OR,
    # "My complaints" walks the (owner, due) index in order instead of sorting.
    query = select(Complaint) if filters.owner == "me" else visible_to(actor)
    if filters.status in STATES:
        query = query.where(Complaint.status == filters.status)
    elif filters.status != "all":
        query = query.where(_is_open())
    owners = visible_owners(actor)  # narrowed by the owner filter: for the search index's access path
    if filters.owner == "me":
        query = query.where(Complaint.owner_id == actor.id)
        owners = (actor.id,)
    elif filters.owner == "none":
        query = query.where(Complaint.owner_id.is_(None))
        owners = (NOBODY,)
    elif filters.owner:
        owner_id = db.session.scalar(select(StaffUser.id).where(StaffUser.email == filters.owner.strip().lower()))
        # An unknown owner owns nothing (comparing with None would list the unowned complaints).
        query = query.where(Complaint.owner_id == owner_id) if owner_id is not None else query.where(false())
        owners = tuple(o for o in (owner_id,) if o is not None and (owners is None or o in owners))
    if filters.priority in PRIORITIES:
        query = query.where(Complaint.priority == filters.priority)
    if filters.overdue:
        query = query.where(_is_open(), or_(
            Complaint.resolution_due_at < now,
            and_(Complaint.first_responded_at.is_(None), Complaint.first_response_due_at < now)))
    query = narrow_by_classification(query, category=filters.category, tag=filters.tag, field=filters.field,
                                     field_value=filters.field_value)
    words = search.terms(filters.q)
    if not words:
        return query, None, owners
    address = search.email_address(filters.q)
    if address is not None:  # one whole address: the contact's, by its index (no rank: all equal)
        return query.where(func.lower(Complaint.contact_email) == address), None, owners
    dialect = db.session.get_bind().dialect.name
    # PostgreSQL ranks only the window (`_search_window`); SQLite's bm25 costs nothing until a row is read.
    # `owners` lets PostgreSQL's GIN (owner_key, document) hand over only the matches the rule (and
    # the owner filter) leave; the rule itself is still in `query` (visible_to).
    matched = search.matches(words, dialect, ranked=dialect != "postgresql", owners=owners)
    return query.join(matched, matched.c.complaint_id == Complaint.id), matched, owners


def queue_page(actor: StaffUser, filters: QueueFilter, *, now: datetime, limit: int = 50,
               cursor: str | None = None) -> tuple[list[Complaint], str | None]:
    """One page of the queue in the view's order, keyset-paginated (search by relevance: by position)."""
    sort = effective_sort(filters)
    position = _cursor_parts(cursor, sort)
    if sort == "relevance":
        return _relevance_page(actor, filters, now=now, offset=position or 0, limit=limit)[:2]
    query, _matched, _owners = _filtered(actor, filters, now=now)
    query = query.options(selectinload(Complaint.tags))  # the queue shows them
    if sort == "priority":
        return _priority_page(query, position, limit)
    column, descending = SORTS[sort]
    if position is not None:
        query = query.where(_after(column, descending, *position))
    query = _walk_open_index(query, filters, sort)
    order = (column.desc(), Complaint.id.desc()) if descending else (column, Complaint.id)
    rows = list(db.session.scalars(query.order_by(*order).limit(limit + 1)))
    next_cursor = make_cursor(rows[limit - 1], sort) if len(rows) > limit else None
    return rows[:limit], next_cursor


def queue_page_with_total(actor: StaffUser, filters: QueueFilter, *, now: datetime, limit: int = 50,
                          cursor: str | None = None) -> tuple[list[Complaint], str | None, int, bool]:
    """`queue_page` and `count_matching` together, as the queue page shows them: a search by
    relevance counts its window, which it has read already (one query instead of two)."""
    sort = effective_sort(filters)
    if sort == "relevance":
        return _relevance_page(actor, filters, now=now, offset=_cursor_parts(cursor, sort) or 0, limit=limit)
    rows, next_cursor = queue_page(actor, filters, now=now, limit=limit, cursor=cursor)
    return (rows, next_cursor, *count_matching(actor, filters, now=now))


def _search_window(actor: StaffUser, filters: QueueFilter, *, now: datetime) -> list[tuple[int, float]]:
    """(id, rank) of the newest MAX_SEARCH_RESULTS + 1 complaints that match and that the actor
    may see (the view's filters and the visibility rule inside the same query). Ranking is bounded
    by this window, not by the number of matches (a word in every complaint ranked a million
    documents before)."""
    query, matched, owners = _filtered(actor, filters, now=now)
    if matched is None:  # an e-mail address: all equal
        return [(ident, 0.0) for ident in _address_window_ids(query, MAX_SEARCH_RESULTS + 1)]
    if db.session.get_bind().dialect.name == "postgresql":
        ids = _window_ids_postgresql(query, matched=matched, owners=owners)
        ranks = dict(db.session.execute(search.rank_of(ids, search.terms(filters.q))).all()) if ids else {}
        return [(ident, ranks[ident]) for ident in ids if ident in ranks]  # newest first, as the window
    # SQLite: FTS5 hands its matches newest first (ORDER BY rowid DESC) and bm25 is computed for
    # the rows read only.
    window = query.with_only_columns(Complaint.id, matched.c.rank).order_by(matched.c.complaint_id.desc())
    return [tuple(row) for row in db.session.execute(window.limit(MAX_SEARCH_RESULTS + 1))]


def _address_window_ids(query: Select, limit: int) -> list[int]:
    """The newest complaints sent from one address: few, so found by the address's index and then
    sorted — `id + 0` keeps either planner from walking the primary key backwards instead,
    which it did at 1 M (650 ms) while the new index had no statistics yet."""
    return list(db.session.scalars(query.with_only_columns(Complaint.id).order_by((Complaint.id + 0).desc()).limit(limit)))


# PostgreSQL reads a search's window newest first in steps. Where the rule shows everyone's
# complaints (a manager): a short walk back over the newest FIRST_LOOK complaints measures how
# common the words are; the rest comes from whichever the cost model says is cheaper — a walk on
# (WALK_US a complaint walked) or a GIN bitmap (POSTING_US for every match of the words, whatever
# the range, plus MATCH_US a match inside the range) — over a range expected to hold the rest
# (RANGE_MARGIN ×), and only then from a bitmap over everything older. Where the rule shows some
# owners' complaints only (an agent), the walks count those owners' complaints
# (search.owners_reach) instead of all: an agent sees ~6 % of them, so counting all made a word
# common in the agent's complaints look rare and sent it to the bitmap.
FIRST_LOOK = 2_000
WALK_US, POSTING_US, MATCH_US = 4.8, 0.8, 6.0  # measured at 1 M (bench/HISTORY.md 2026-12-04 21:30)
RANGE_MARGIN = 2
# An agent's walks go over the visible owners' search rows ((owner_key, complaint_id) index, read
# with the search row: OWNERS_WALK_US a row); the GIN bitmap there reads every posting of the
# owners (OWNERS_POSTING_US a row: a prefix match cannot skip through them) plus MATCH_US a match.
# After the first look (OWNERS_FIRST_LOOK per owner) up to OWNERS_WALKS walks, each over the
# rows expected to hold the rest (RANGE_MARGIN ×), while the model says a walk is cheaper.
OWNERS_FIRST_LOOK = 1_000
OWNERS_WALK_US, OWNERS_POSTING_US = 2.3, 0.23  # measured at 1 M (bench/HISTORY.md 2026-12-04 22:30)
OWNERS_WALKS = 2


def _window_ids_postgresql(query: Select, limit: int | None = None, *, matched=None,
                           owners: tuple[int, ...] | None = None) -> list[int]:
    """The ids of the newest `limit` complaints of a search query (`matched`: its search subquery,
    `owners`: the owners the rule shows, None for all). The planner cannot be left to
    choose between walking backwards and a bitmap of all matches: it estimates a word prefix it
    has no statistics for at a few thousand matches when it has 70 000 (a bitmap of them all then
    took 0.9 s). So the first look measures how frequent the words are and the steps after it
    are chosen by cost. Bitmaps off during the walks, no parallel workers (this transaction):
    a walk that stops after a few hundred rows gains nothing from them, and their start costs more
    on a busy machine."""
    limit = limit or MAX_SEARCH_RESULTS + 1
    ids_query = query.with_only_columns(Complaint.id).order_by(Complaint.id.desc())
    db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    db.session.execute(text("SET LOCAL jit = off"))  # the walks' estimates (as if read to the end) start a 20 ms JIT
    db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    if owners is not None and matched is not None:
        return _owners_window_ids(ids_query, limit, matched, owners)

    def above(low: int, high: int | None = None):  # on both sides of the join where there is one, so
        # a bitmap can AND the search rows' primary key range (PostgreSQL carries equalities across
        # a join, not ranges)
        bounds = [Complaint.id > low] + ([matched.c.complaint_id > low] if matched is not None else [])
        if high is not None:
            bounds += [Complaint.id <= high] + ([matched.c.complaint_id <= high] if matched is not None else [])
        return and_(*bounds)

    newest = db.session.scalar(select(func.max(Complaint.id))) or 0
    floor = max(0, newest - FIRST_LOOK)
    ids = list(db.session.scalars(ids_query.where(above(floor)).limit(limit)))

    def reach() -> tuple[int, int, float]:
        """(complaints expected to hold the rest of the window, with the margin; matches still
        needed; the share of the complaints read so far that matched)"""
        need = limit - len(ids)
        share = max(len(ids), 1) / max(newest - floor, 1)
        return min(floor, math.ceil(RANGE_MARGIN * need / share)), need, share

    if len(ids) < limit and floor > 0:
        span, need, share = reach()
        if WALK_US * need / share < POSTING_US * share * floor + MATCH_US * RANGE_MARGIN * need:
            low = floor - span
            ids += db.session.scalars(ids_query.where(above(low, floor)).limit(limit - len(ids)))
            floor = low
    db.session.execute(text("SET LOCAL enable_bitmapscan TO DEFAULT"))
    if len(ids) < limit and floor > 0:
        span, _need, _share = reach()
        if span < floor:
            low = floor - span
            ids += db.session.scalars(ids_query.where(above(low, floor)).limit(limit - len(ids)))
            floor = low
    if len(ids) < limit and floor > 0:
        ids += db.session.scalars(ids_query.where(Complaint.id <= floor).limit(limit - len(ids)))
    return ids


def _owners_window_ids(ids_query: Select, limit: int, matched, owners: tuple[int, ...]) -> list[int]:
    """An agent's window: walks over the visible owners' search rows, the first of
    OWNERS_FIRST_LOOK per owner, then deeper where the cost model prefers a walk, then the GIN
    bitmap over everything older."""
    def above(low: int, high: int | None = None):  # on both sides of the join: the search rows'
        # (owner, id) index bounds the walk (PostgreSQL carries equalities across a join, not ranges)
        bounds = [Complaint.id > low, matched.c.complaint_id > low]
        if high is not None:
            bounds += [Complaint.id <= high, matched.c.complaint_id <= high]
        return and_(*bounds)

    depth = OWNERS_FIRST_LOOK
    reach = search.owners_reach(owners, depth)
    floor = reach.floor
    ids = list(db.session.scalars(ids_query.where(above(floor)).limit(limit)))
    for _walk in range(OWNERS_WALKS):
        if len(ids) >= limit or floor == 0:
            break
        need, share = limit - len(ids), max(len(ids), 1) / max(reach.above, 1)
        rows, rest = need / share, max(reach.total - reach.above, 0)  # a walk stops when the window is full
        if OWNERS_WALK_US * min(rows, rest) >= OWNERS_POSTING_US * reach.total + MATCH_US * share * rest:
            break
        depth = math.ceil(depth * (reach.above + RANGE_MARGIN * rows) / max(reach.above, 1))
        reach = search.owners_reach(owners, depth)
        # One walk per owner down its (owner, id) index, merged newest first, so that the walk
        # stops when the window is full (over `owner_key IN (…)` the index hands each owner's rows
        # in turn, and every match in the range was read and sorted).
        wanted = limit - len(ids)
        walks = union_all(*(ids_query.where(matched.c.owner_key == owner, above(reach.floor, floor)).limit(wanted)
                            for owner in owners)).subquery("walks")
        ids += db.session.scalars(select(walks.c.id).order_by(walks.c.id.desc()).limit(wanted))
        floor = reach.floor
    db.session.execute(text("SET LOCAL enable_bitmapscan TO DEFAULT"))
    if len(ids) < limit and floor > 0:
        ids += db.session.scalars(ids_query.where(Complaint.id <= floor).limit(limit - len(ids)))
    return ids


def _relevance_page(actor: StaffUser, filters: QueueFilter, *, now: datetime, offset: int,
                    limit: int) -> tuple[list[Complaint], str | None, int, bool]:
    """A search by relevance: the window ranked (best first, then newest), one page of it by
    position, and the window's size as the total ("more than 300" past it)."""
    window = _search_window(actor, filters, now=now)
    ranked = sorted(window[:MAX_SEARCH_RESULTS], key=lambda row: (row[1], -row[0]))
    page_ids = [ident for ident, _rank in ranked[offset:offset + max(0, limit)]]
    loaded = {c.id: c for c in db.session.scalars(
        select(Complaint).where(Complaint.id.in_(page_ids)).options(selectinload(Complaint.tags)))} if page_ids else {}
    rows = [loaded[ident] for ident in page_ids if ident in loaded]
    more = offset + limit < len(ranked)
    return rows, (str(offset + limit) if more else None), len(ranked), len(window) > MAX_SEARCH_RESULTS


# The open-partial index each order walks (models.Complaint / migration 0015).
_OPEN_INDEX = {"due": "ix_complaints_open_due", "-due": "ix_complaints_open_due",
               "created": "ix_complaints_open_created", "-created": "ix_complaints_open_created",
               "updated": "ix_complaints_open_updated", "-updated": "ix_complaints_open_updated"}


def _walk_open_index(query: Select, filters: QueueFilter, sort: str) -> Select:
    """SQLite: the open queue (no owner filter, no search) walks its sort's open-partial index in
    order. SQLite's planner otherwise takes (status, created_at, owner_id) for `status IN (…)`
    and sorts every open complaint (64 ms at 500 k instead of a few). Only where the index is
    certain to apply: the open states' condition is in the query, nothing narrower is asked."""
    index = _OPEN_INDEX.get(sort)
    if (index is None or filters.status in STATES or filters.status == "all" or filters.owner
            or search.terms(filters.q) or db.session.get_bind().dialect.name != "sqlite"):
        return query
    return query.with_hint(Complaint, f"INDEXED BY {index}", "sqlite")


def _priority_page(query: Select, position, limit: int) -> tuple[list[Complaint], str | None]:
    """Urgent first, each priority by due time: one index range per priority from the cursor's
    on (at most four short queries) instead of sorting every row by a CASE."""
    start = PRIORITIES.index(position[0]) if position else 0
    rows: list[Complaint] = []
    for index, priority in enumerate(PRIORITIES[start:], start):
        part = query.where(Complaint.priority == priority)
        if position is not None and index == start:
            part = part.where(_after(Complaint.resolution_due_at, False, position[1], position[2]))
        rows += db.session.scalars(part.order_by(Complaint.resolution_due_at, Complaint.id).limit(limit + 1 - len(rows)))
        if len(rows) > limit:
            break
    next_cursor = make_cursor(rows[limit - 1], "priority") if len(rows) > limit else None
    return rows[:limit], next_cursor


def count_matching(actor: StaffUser, filters: QueueFilter, *, now: datetime, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many complaints a view holds, counted up to `cap` (exact below it): (count, capped).
    A plain status/owner view is answered exactly from the trigger-kept counters instead."""
    if not (filters.priority in PRIORITIES or filters.overdue or search.terms(filters.q) or filters.is_classified) \
            and filters.owner in (None, "", "me"):
        counts = counts_by_status(actor, only_mine=filters.owner == "me")
        if filters.status in STATES:
            return counts[filters.status], False
        states = STATES if filters.status == "all" else OPEN_STATES
        return sum(counts[s] for s in states), False
    if search.terms(filters.q):
        # As many as the search shows ("more than 300"), counted like its window: newest first.
        cap = min(cap, MAX_SEARCH_RESULTS)
        query, matched, owners = _filtered(actor, filters, now=now)
        if matched is None:  # one e-mail address
            n = len(_address_window_ids(query, cap + 1))
            return min(n, cap), n > cap
        if db.session.get_bind().dialect.name == "postgresql":
            n = len(_window_ids_postgresql(query, cap + 1, matched=matched, owners=owners))
            return min(n, cap), n > cap
        inner = query.with_only_columns(Complaint.id).order_by(Complaint.id.desc()).limit(cap + 1).subquery()
    else:
        inner = filtered(actor, filters, now=now).with_only_columns(Complaint.id).limit(cap + 1).subquery()
    n = db.session.scalar(select(func.count()).select_from(inner))
    return min(n, cap), n > cap


def narrow_by_classification(query, *, category: str | None = None, tag: str | None = None,
                             field: str | None = None, field_value: str | None = None):
    """The category ("none": without one), tag and custom-field filters of the queue, the API
    and the dashboard (issue 17)."""
    if category == "none":
        query = query.where(Complaint.category_id.is_(None))
    elif category:
        query = query.where(Complaint.category_id.in_(
            select(Category.id).where(Category.code == category.strip()[:50])))
    if tag and tag.strip():
        query = query.where(Complaint.id.in_(
            select(ComplaintTag.complaint_id).where(ComplaintTag.tag == " ".join(tag.split()).lower()[:50])))
    if field and field.strip():
        query = query.where(Complaint.id.in_(field_match(field, field_value)))
    return query


def _number(text: str):
    from decimal import Decimal, InvalidOperation
    try:
        number = Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) < Decimal("1e15") else None


def _iso_date(text: str) -> str | None:
    from datetime import date
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def field_value_condition(kind: str, wanted: str):
    """How a custom field's filter value matches, by the field's kind: text contains it (any
    case); a choice is exactly it; a number or a date is it, or in a range `FROM..TO` (either end
    may be left out: `10..`, `..2027-03-31`). A value that cannot be a number or a date matches
    nothing (never an error)."""
    value = ComplaintFieldValue.value
    if kind == "text":
        return func.lower(value).contains(wanted.lower(), autoescape=True)
    if kind not in ("number", "date"):
        return value == wanted
    low, dots, high = wanted.partition("..")
    ends = [low.strip(), high.strip()] if dots else [wanted, wanted]
    parse = _number if kind == "number" else _iso_date
    parsed = [parse(end) if end else None for end in ends]
    if any(end and got is None for end, got in zip(ends, parsed)) or parsed == [None, None]:
        return false()
    # Dates are stored as YYYY-MM-DD (text order is date order); numbers as plain decimals, compared
    # as numbers (CASE: never cast another kind's text).
    column = value if kind == "date" else case((CustomField.kind == "number", cast(value, Numeric)))
    if kind == "number":
        parsed = [None if got is None else literal(got, Numeric) for got in parsed]
    conditions = []
    if parsed[0] is not None:
        conditions.append(column >= parsed[0])
    if parsed[1] is not None:
        conditions.append(column <= parsed[1])
    return and_(*conditions)


def field_match(field: str, field_value: str | None):
    """The complaint ids whose custom field `field` (a code; each category may have its own field
    of that code, each of its own kind) is filled in, and matches `field_value` if given."""
    code = field.strip().lower()[:50]
    wanted = (field_value or "").strip()[:500]
    values = (select(ComplaintFieldValue.complaint_id)
              .join(CustomField, CustomField.id == ComplaintFieldValue.field_id)
              .where(CustomField.code == code))
    if wanted:
        kinds = sorted(set(db.session.scalars(select(CustomField.kind).where(CustomField.code == code))))
        values = values.where(or_(false(), *(and_(CustomField.kind == kind, field_value_condition(kind, wanted))
                                             for kind in kinds)))
    return values


def _is_open():
    # Literal values, not bind parameters: the planner must see the partial indexes' predicate
    # (status IN the open states) in the query even in a cached generic plan.
    return Complaint.status.in_(bindparam("open_states", list(OPEN_STATES), unique=True, expanding=True,
                                               literal_execute=True))


def counts_by_status(actor: StaffUser, *, only_mine: bool = False) -> dict[str, int]:
    """Per state, what the actor may see (or, for "My complaints", what they own): exact, from
    the trigger-kept counters (`complaints.status_counts`), whatever the number of complaints."""
    return status_counts((actor.id,) if only_mine else visible_owners(actor))
