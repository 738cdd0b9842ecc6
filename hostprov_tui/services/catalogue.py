"""Search the KSESSIONS catalogue: by ID or by words in name, album, category, speaker; paged.

Two statements per page, whatever its size: the page of sessions (with transcript counts) from
KSESSIONS, then the Host GUID status of just those sessions from canvas.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.canvas_models import CanvasSession, HostSession
from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.db.ksessions_models import Category, Group, KSession, SessionTranscript, Speaker
from hostprov_tui.errors import InputError
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.inputs import INT_MAX, parse_search
from hostprov_tui.services.issuance import utcnow
from hostprov_tui.services.results import GuidStatus, SearchPage, SessionRow

MAX_PAGE = 500
_RANK = {GuidStatus.NONE: 0, GuidStatus.REVOKED: 1, GuidStatus.EXPIRED: 2, GuidStatus.ACTIVE: 3}


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
) -> SearchPage:
    text = parse_search(query)
    if not 1 <= limit <= MAX_PAGE:
        raise InputError(f"The page size must be between 1 and {MAX_PAGE}, got {limit}.")
    if offset < 0:
        raise InputError(f"The page offset cannot be negative, got {offset}.")
    stmt = _page_statement(text, filters or SearchFilters()).offset(offset).limit(limit + 1)
    dbs = ctx.databases()
    try:
        with dbs.ksessions.engine.connect() as conn:
            rows = conn.execute(stmt).all()
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.ksessions.target) from None
    has_more = len(rows) > limit
    rows = rows[:limit]
    statuses = _guid_statuses(ctx, [r.SessionID for r in rows])
    return SearchPage(
        query=text,
        offset=offset,
        limit=limit,
        has_more=has_more,
        rows=tuple(
            SessionRow(
                session_id=r.SessionID, name=r.SessionName, album=r.GroupName,
                category=r.CategoryName, speaker=r.SpeakerName, date=r.SessionDate,
                is_active=r.IsActive is not False, transcripts=int(r.transcripts),
                guid_status=statuses.get(r.SessionID, (GuidStatus.NONE, None))[0],
                canvas_session_id=statuses.get(r.SessionID, (GuidStatus.NONE, None))[1],
            )
            for r in rows
        ),
    )


def _page_statement(text: str, filters: SearchFilters) -> Select:
    transcripts = (
        select(func.count())
        .select_from(SessionTranscript)
        .where(SessionTranscript.SessionID == KSession.SessionID)
        .scalar_subquery()
        .label("transcripts")
    )
    stmt = (
        select(
            KSession.SessionID, KSession.SessionName, KSession.SessionDate, KSession.IsActive,
            Group.GroupName, Category.CategoryName, Speaker.SpeakerName, transcripts,
        )
        .outerjoin(Group, Group.GroupID == KSession.GroupID)
        .outerjoin(Category, Category.CategoryID == KSession.CategoryID)
        .outerjoin(Speaker, Speaker.SpeakerID == KSession.SpeakerID)
        .order_by(KSession.SessionID)
    )
    if text:
        conditions = [
            col.icontains(text, autoescape=True)
            for col in (
                KSession.SessionName, Group.GroupName, Category.CategoryName, Speaker.SpeakerName
            )
        ]
        if text.isdigit() and int(text) <= INT_MAX:
            conditions.insert(0, KSession.SessionID == int(text))
        stmt = stmt.where(or_(*conditions))
    if filters.album_id is not None:
        stmt = stmt.where(KSession.GroupID == filters.album_id)
    if filters.category_id is not None:
        stmt = stmt.where(KSession.CategoryID == filters.category_id)
    if filters.active_only:
        stmt = stmt.where(KSession.IsActive.is_not(False))
    return stmt


def _guid_statuses(
    ctx: ServiceContext, ids: list[int]
) -> dict[int, tuple[GuidStatus, int | None]]:
    if not ids:
        return {}
    dbs = ctx.databases()
    now = utcnow()
    stmt = (
        select(
            CanvasSession.KSessionsId, CanvasSession.SessionId, HostSession.IsActive,
            HostSession.ExpiresAt,
        )
        .outerjoin(HostSession, HostSession.SessionId == CanvasSession.SessionId)
        .where(CanvasSession.KSessionsId.in_(ids))
    )
    try:
        with dbs.canvas.engine.connect() as conn:
            rows = conn.execute(stmt).all()
    except DBAPIError:
        return {i: (GuidStatus.UNKNOWN, None) for i in ids}  # catalogue still usable
    result: dict[int, tuple[GuidStatus, int | None]] = {}
    for ks_id, canvas_id, active, expires in rows:
        if active is None:
            status = GuidStatus.NONE
        elif not active:
            status = GuidStatus.REVOKED
        elif expires is not None and expires <= now:
            status = GuidStatus.EXPIRED
        else:
            status = GuidStatus.ACTIVE
        previous = result.get(ks_id)
        if previous is None or _RANK[status] > _RANK[previous[0]]:
            result[ks_id] = (status, canvas_id)
    return result


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


def list_albums(ctx: ServiceContext) -> list[Choice]:
    dbs = ctx.databases()
    try:
        with dbs.ksessions.engine.connect() as conn:
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
        with dbs.ksessions.engine.connect() as conn:
            return [Choice(r[0], r[1]) for r in conn.execute(stmt)]
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.ksessions.target) from None
