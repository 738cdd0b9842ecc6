"""Search the KSESSIONS catalogue: by ID or by words in name, album, category, speaker; paged.

Two statements per page, whatever its size: the page of sessions (with transcript counts) from
KSESSIONS, then the Host GUID status of just those sessions from canvas. Memory holds one page.

Every page is ordered by SessionID with a LIMIT, so a common word stops the scan early. A rare word
would scan the whole catalogue: the embedded demo database therefore carries a trigram index
(db/search_index.py) that finds the first page of matches without a scan — words of 3+ characters
together in one MATCH, a text of 1–2 character words as an OR of the trigrams containing the
first. Databases without it (PostgreSQL, SQL Server) get the plain case-insensitive LIKE, one
per word and column. Each word must match (in any of the four names): `concept taqwa` finds
"The concept of Taqwa".
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.db.ksessions_models import Category, Group, KSession, SessionTranscript, Speaker
from hostprov_tui.db.search_index import (
    FTS_TABLE,
    MIN_FTS_CHARS,
    TERMS_TABLE,
    TEXT_TABLE,
    has_search_index,
)
from hostprov_tui.errors import HostprovError, InputError
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.inputs import INT_MAX, parse_id, parse_search
from hostprov_tui.services.results import GuidStatus, SearchPage, SessionRow
from hostprov_tui.services.statuses import rows_without_statuses

MAX_PAGE = 500


@dataclass(frozen=True)
class SearchFilters:
    album_id: int | None = None
    category_id: int | None = None
    active_only: bool = False


def search_sessions(
    ctx: ServiceContext,
    query: str | None = "",
    *,
    offset: int = 0,
    limit: int = 50,
    filters: SearchFilters | None = None,
    statuses: bool = True,
) -> SearchPage:
    """One page; ``statuses=False`` reads KSESSIONS only (every status UNKNOWN): the TUI shows
    the rows at once and asks :func:`session_statuses` for the column that canvas fills."""
    text, filters = _parsed(query, filters)
    if not 1 <= limit <= MAX_PAGE:
        raise InputError(f"The page size must be between 1 and {MAX_PAGE}, got {limit}.")
    if offset < 0:
        raise InputError(f"The page offset cannot be negative, got {offset}.")
    if offset > INT_MAX:  # beyond what a driver binds (SQLite raises OverflowError)
        raise InputError(f"The page offset {offset} is too large; the largest is {INT_MAX}.")
    dbs = ctx.databases()
    try:
        with dbs.ksessions.connect() as conn:
            indexed = bool(text) and has_search_index(conn, dbs.ksessions.base_engine)
            id_page = _id_page(text, filters, offset, limit) if indexed else None
            if id_page is not None:
                rows = conn.execute(*id_page).all()
            else:
                rows = conn.execute(page_statement(text, filters, offset, limit,
                                                   indexed=indexed)).all()
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.ksessions.target) from None
    has_more = len(rows) > limit
    found = _session_rows(ctx, rows[:limit]) if statuses else rows_without_statuses(rows[:limit])
    return SearchPage(query=text, offset=offset, limit=limit, has_more=has_more,
                      rows=tuple(found))


def _session_rows(ctx: ServiceContext, rows: Sequence[Any]) -> list[SessionRow]:
    """Rows of :func:`page_statement` with the credential status of each, from canvas."""
    statuses = _guid_statuses(ctx, [r.SessionID for r in rows])
    return [
        SessionRow(
            session_id=r.SessionID, name=r.SessionName, album=r.GroupName,
            category=r.CategoryName, speaker=r.SpeakerName, date=r.SessionDate,
            is_active=r.IsActive is not False, transcripts=int(r.transcripts),
            guid_status=status, canvas_session_id=canvas_id,
        )
        for r in rows
        for status, canvas_id in (statuses.get(r.SessionID, (GuidStatus.NONE, None)),)
    ]


def find_session(ctx: ServiceContext, ksessions_id: object) -> SessionRow | None:
    """The catalogue row of one KSESSIONS session, with its credential status (None: no such
    session): what the provision screen shows of the ID typed in its box."""
    session_id = parse_id(ksessions_id, "KSESSIONS session ID", INT_MAX)
    stmt = _row_select().where(KSession.SessionID == session_id)
    dbs = ctx.databases()
    try:
        with dbs.ksessions.connect() as conn:
            found = conn.execute(stmt).first()
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.ksessions.target) from None
    if found is None:
        return None
    return _session_rows(ctx, [found])[0]


def count_sessions(
    ctx: ServiceContext, query: str | None = "", *, filters: SearchFilters | None = None
) -> int:
    """How many sessions :func:`search_sessions` finds for ``query`` and ``filters``, all pages
    together (one statement; a word without the search index is a scan of the catalogue)."""
    text, filters = _parsed(query, filters)
    dbs = ctx.databases()
    try:
        with dbs.ksessions.connect() as conn:
            indexed = bool(text) and has_search_index(conn, dbs.ksessions.base_engine)
            return int(conn.execute(count_statement(text, filters, indexed=indexed)).scalar_one())
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.ksessions.target) from None


def _parsed(query: str | None, filters: SearchFilters | None) -> tuple[str, SearchFilters]:
    text = parse_search(query)
    filters = filters or SearchFilters()
    for what, value in (("Album ID", filters.album_id), ("Category ID", filters.category_id)):
        if value is not None:
            parse_id(value, what, INT_MAX)
    return text, filters


def page_statement(
    text: str, filters: SearchFilters, offset: int, limit: int, *, indexed: bool
) -> Select:
    """The page (one row more than asked, to know whether there is more), by SessionID."""
    stmt = _row_select().order_by(KSession.SessionID)
    stmt = _matching(stmt, text, filters, indexed=indexed, first=offset + limit + 1)
    return stmt.offset(offset).limit(limit + 1)


@functools.cache
def _row_select() -> Select:
    """What a row of the catalogue shows, with the session's transcript count (built once: a
    Select is immutable, and building it was a fifth of a search's Python time)."""
    transcripts = (
        select(func.count())
        .select_from(SessionTranscript)
        .where(SessionTranscript.SessionID == KSession.SessionID)
        .scalar_subquery()
        .label("transcripts")
    )
    return _joined(select(
        KSession.SessionID, KSession.SessionName, KSession.SessionDate, KSession.IsActive,
        Group.GroupName, Category.CategoryName, Speaker.SpeakerName, transcripts,
    ))


def _id_page(
    text: str, filters: SearchFilters, offset: int, limit: int
) -> tuple[Select, dict[str, Any]] | None:
    """A number of 3 digits or more, without filters, on the search index: the statement of
    :func:`page_statement` (that SessionID, or the number within a name, album, category or
    speaker) built once with its values as parameters, and those values; None for any other
    search. An ID is the most common search and its SQL costs a tenth of a millisecond: the
    statement's building and its cache key were most of the time."""
    if len(text) < MIN_FTS_CHARS or not text.isdecimal() or filters != _NO_FILTERS:
        return None
    session_id = int(text)
    if session_id > INT_MAX:
        return None
    return _id_page_statement(), {
        "id": session_id, "phrase": f'"{text}"', "first": offset + limit + 1,
        "skip": offset, "rows": limit + 1,
    }


_NO_FILTERS = SearchFilters()


@functools.cache
def _id_page_statement() -> Select:
    """:func:`page_statement` of a number (see :func:`_id_page`), with bound parameters."""
    match = literal_column(FTS_TABLE).op("MATCH")
    named = select(_FTS.c.rowid).where(match(bindparam("phrase"))).order_by(_FTS.c.rowid)
    named = named.limit(bindparam("first", type_=Integer))
    return (
        _row_select()
        .where(or_(KSession.SessionID == bindparam("id", type_=Integer),
                   KSession.SessionID.in_(named)))
        .order_by(KSession.SessionID)
        .offset(bindparam("skip", type_=Integer))
        .limit(bindparam("rows", type_=Integer))
    )


def count_statement(text: str, filters: SearchFilters, *, indexed: bool) -> Select:
    """How many sessions the search matches, all pages together (no ORDER BY: T-SQL refuses
    one in a subquery without TOP)."""
    matching = _matching(_joined(select(KSession.SessionID)), text, filters, indexed=indexed,
                         first=INT_MAX)
    return select(func.count()).select_from(matching.subquery("matching"))


def _joined(stmt: Select) -> Select:
    """``stmt`` over dbo.Sessions with its album, category and speaker (one each, or none)."""
    return (
        stmt.select_from(KSession)
        .outerjoin(Group, Group.GroupID == KSession.GroupID)
        .outerjoin(Category, Category.CategoryID == KSession.CategoryID)
        .outerjoin(Speaker, Speaker.SpeakerID == KSession.SpeakerID)
    )


def _matching(
    stmt: Select, text: str, filters: SearchFilters, *, indexed: bool, first: int
) -> Select:
    """``stmt`` narrowed to the sessions ``text`` and ``filters`` find (the index path takes
    the ``first`` matches only). Every word of ``text`` must be found in the session's name,
    album, category or speaker (not necessarily the same one); a text that is one number finds
    that SessionID too."""
    words = search_words(text)
    if words:
        if indexed:
            conditions = [_indexed_ids(words, filters, first)]
        else:
            conditions = [and_(*(
                or_(*(col.icontains(word, autoescape=True) for col in (
                    KSession.SessionName, Group.GroupName, Category.CategoryName,
                    Speaker.SpeakerName,
                )))
                for word in words
            ))]
        if text.isdecimal() and int(text) <= INT_MAX:  # not isdigit: int() refuses "²"
            conditions.insert(0, KSession.SessionID == int(text))
        stmt = stmt.where(or_(*conditions))
    for condition in _filter_conditions(KSession.__table__.c, filters):
        stmt = stmt.where(condition)
    return stmt


def search_words(text: str) -> list[str]:
    """The words of a search, each to be matched on its own (the same word twice counts once)."""
    return list(dict.fromkeys(text.split()))


def _filter_conditions(c: Any, filters: SearchFilters) -> list[ColumnElement[bool]]:
    """The filters over the columns ``c`` of dbo.Sessions (or of an alias of it)."""
    found: list[ColumnElement[bool]] = []
    if filters.album_id is not None:
        found.append(c.GroupID == filters.album_id)
    if filters.category_id is not None:
        found.append(c.CategoryID == filters.category_id)
    if filters.active_only:
        # NULL counts as active; not IS NOT FALSE: T-SQL has IS [NOT] NULL only
        found.append(or_(c.IsActive.is_(None), c.IsActive == true()))
    return found


_FTS = table(FTS_TABLE, column("rowid"))
_TEXT = table(TEXT_TABLE, column("SessionID"), column("Text"))
_TERMS = table(TERMS_TABLE, column("term"))
#: above this many trigrams a 1–2 character query is common: the scan finds a page sooner
MAX_SHORT_TRIGRAMS = 64
#: a phrase no trigram index holds (control characters): the OR of no trigrams
_NO_MATCH = '"\x01\x02\x03"'
#: dbo.Sessions once more inside the index subquery, for the album/category/active filters
_FILTERED = KSession.__table__.alias("filtered")


def _indexed_ids(words: list[str], filters: SearchFilters, first: int) -> ColumnElement[bool]:
    """SessionID is among the first ``first`` matches, in order, of the demo's search index.

    Taking only as many as the page needs keeps the outer query small; the union with an exact
    ID match stays correct, because the first n of a union lie within the first n of each part.
    Words of 3+ characters go to the trigram index together (``"a" AND "b"``); a word of 1 or 2
    characters is a LIKE on the narrow text row of each candidate.
    """
    match = literal_column(FTS_TABLE).op("MATCH")
    long = [w for w in words if len(w) >= MIN_FTS_CHARS]
    short = [_TEXT.c.Text.contains(w, autoescape=True) for w in words if len(w) < MIN_FTS_CHARS]
    if long:
        phrases = " AND ".join('"' + w.replace('"', '""') + '"' for w in long)
        inner = select(_FTS.c.rowid).where(match(phrases))
        if short:
            inner = inner.join(_TEXT, _TEXT.c.SessionID == _FTS.c.rowid).where(*short)
        return KSession.SessionID.in_(_first(inner, _FTS.c.rowid, filters, first))
    # only words of 1 or 2 characters: an OR of the trigrams that contain the first
    # (hostprov_search_terms), the others as LIKEs — unless those trigrams are many (a common
    # letter: scanning the narrow text table stops early then) or the list was emptied by an
    # edit of the catalogue. A LIMIT of 0 skips the path not taken.
    lowered = words[0].lower()
    containing = _TERMS.c.term.contains(lowered, autoescape=True)
    quoted = literal('"') + func.replace(_TERMS.c.term, '"', '""') + literal('"')
    trigrams = (
        select(func.coalesce(func.group_concat(quoted, " OR "), _NO_MATCH))
        .where(containing).scalar_subquery()
    )
    hits = select(func.count()).select_from(_TERMS).where(containing).scalar_subquery()
    use_terms = and_(exists(select(_TERMS.c.term)), hits <= MAX_SHORT_TRIGRAMS)
    terms = select(_FTS.c.rowid).where(match(trigrams))
    if len(short) > 1:
        terms = terms.join(_TEXT, _TEXT.c.SessionID == _FTS.c.rowid).where(*short[1:])
    via_terms = _first(terms, _FTS.c.rowid, filters, case((use_terms, first), else_=0))
    via_scan = _first(select(_TEXT.c.SessionID).where(*short), _TEXT.c.SessionID, filters,
                      case((use_terms, 0), else_=first))
    return or_(KSession.SessionID.in_(via_terms), KSession.SessionID.in_(via_scan))


def _first(inner: Select, key: Any, filters: SearchFilters, first: int | Any) -> Select:
    """The first ``first`` keys of ``inner`` in order, within the filters."""
    conditions = _filter_conditions(_FILTERED.c, filters)
    if conditions:
        inner = inner.join(_FILTERED, _FILTERED.c.SessionID == key).where(*conditions)
    return inner.order_by(key).limit(first)


def _guid_statuses(
    ctx: ServiceContext, ids: list[int]
) -> dict[int, tuple[GuidStatus, int | None]]:
    """The credential status of each session, as the canvas generation defines it."""
    if not ids:
        return {}
    dbs = ctx.databases()
    try:
        generation = ctx.generation()
        with dbs.canvas.connect() as conn:
            return generation.statuses(conn, ids, utcnow())
    except (DBAPIError, HostprovError):  # canvas down or slow: the catalogue stays usable
        return {i: (GuidStatus.UNKNOWN, None) for i in ids}


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


def list_albums(ctx: ServiceContext) -> list[Choice]:
    dbs = ctx.databases()
    try:
        with dbs.ksessions.connect() as conn:
            rows = conn.execute(select(Group.GroupID, Group.GroupName).order_by(Group.GroupName))
            return [Choice(r[0], r[1]) for r in rows]
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.ksessions.target) from None


def list_categories(ctx: ServiceContext, album_id: int | None = None) -> list[Choice]:
    dbs = ctx.databases()
    stmt = select(Category.CategoryID, Category.CategoryName).order_by(
        Category.SortOrder, Category.CategoryName
    )
    if album_id is not None:
        stmt = stmt.where(Category.GroupID == album_id)
    try:
        with dbs.ksessions.connect() as conn:
            return [Choice(r[0], r[1]) for r in conn.execute(stmt)]
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.ksessions.target) from None
