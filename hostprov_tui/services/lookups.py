"""The few queries issuance (one ID or a bulk chunk), revocation and verification share; one
statement each, whatever the number of IDs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Select, bindparam, func, select, true

from hostprov_tui.db.canvas_models import CanvasSession, HostSession
from hostprov_tui.db.ksessions_models import Group, KSession, SessionTranscript
from hostprov_tui.services.locking import for_update


@dataclass(frozen=True)
class KSessionInfo:
    session_id: int
    name: str
    description: str | None
    is_active: bool
    album: str | None
    transcripts: int


@dataclass(frozen=True)
class CanvasInfo:
    session_id: int
    ksessions_id: int | None
    title: str | None


@dataclass(frozen=True)
class HostInfo:
    host_session_id: int
    canvas_session_id: int
    hash: str
    created_at: datetime
    expires_at: datetime | None
    is_active: bool
    revoked_at: datetime | None
    revoked_by: str | None
    created_by: str | None


def ksessions(conn: Connection, ids: list[int]) -> dict[int, KSessionInfo]:
    """The KSESSIONS sessions of ``ids`` with album and transcript count, by ID."""
    if not ids:
        return {}
    rows = conn.execute(_ksessions_statement(), {"ids": ids}).all()  # one fetchall
    return {sid: KSessionInfo(sid, name, description, active is not False, album, int(count))
            for sid, name, description, active, album, count in rows}


@functools.cache
def _ksessions_statement() -> Select:
    """The rows of :func:`ksessions` for the IDs ``ids`` (an expanding parameter): built once,
    so a bulk chunk neither builds it nor coerces its 200 IDs one by one."""
    transcripts = (
        select(func.count())
        .select_from(SessionTranscript)
        .where(SessionTranscript.SessionID == KSession.SessionID)
        .scalar_subquery()
    )
    return (
        select(
            KSession.SessionID,
            KSession.SessionName,
            KSession.Description,
            KSession.IsActive,
            Group.GroupName,
            transcripts,
        )
        .outerjoin(Group, Group.GroupID == KSession.GroupID)
        .where(KSession.SessionID.in_(bindparam("ids", expanding=True)))
    )


def ksession(conn: Connection, ksessions_id: int) -> KSessionInfo | None:
    return ksessions(conn, [ksessions_id]).get(ksessions_id)


def canvas_by_ksessions_ids(
    conn: Connection, ids: list[int], lock: bool
) -> dict[int, CanvasInfo]:
    """The canvas session of each KSESSIONS ID (the oldest when legacy data holds several)."""
    if not ids:
        return {}
    found: dict[int, CanvasInfo] = {}
    for r in conn.execute(_canvas_statement(lock), {"ids": ids}):
        found.setdefault(r[1], CanvasInfo(r[0], r[1], r[2]))
    return found


@functools.cache
def _canvas_statement(lock: bool) -> Select:
    """The canvas sessions of the KSESSIONS IDs ``ids`` (expanding), locked or not: built once."""
    stmt = select(CanvasSession.SessionId, CanvasSession.KSessionsId, CanvasSession.Title).where(
        CanvasSession.KSessionsId.in_(bindparam("ids", expanding=True))
    ).order_by(CanvasSession.SessionId)
    return for_update(stmt, CanvasSession) if lock else stmt


def canvas_by_ksessions(conn: Connection, ksessions_id: int, lock: bool) -> CanvasInfo | None:
    return canvas_by_ksessions_ids(conn, [ksessions_id], lock).get(ksessions_id)


def canvas_by_id(conn: Connection, canvas_id: int, lock: bool) -> CanvasInfo | None:
    stmt = select(CanvasSession.SessionId, CanvasSession.KSessionsId, CanvasSession.Title).where(
        CanvasSession.SessionId == canvas_id
    )
    row = conn.execute(for_update(stmt, CanvasSession) if lock else stmt).first()
    return CanvasInfo(row[0], row[1], row[2]) if row else None


HOST_COLUMNS = (
    HostSession.HostSessionId,
    HostSession.SessionId,
    HostSession.HostGuidHash,
    HostSession.CreatedAt,
    HostSession.ExpiresAt,
    HostSession.IsActive,
    HostSession.RevokedAt,
    HostSession.RevokedBy,
    HostSession.CreatedBy,
)


def host_info(row: object) -> HostInfo:
    r = tuple(row)  # type: ignore[arg-type]
    return HostInfo(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7], r[8])


def active_hosts_of(
    conn: Connection, canvas_ids: list[int], lock: bool
) -> dict[int, list[HostInfo]]:
    """Active host rows per canvas session, newest first (legacy data may hold several)."""
    if not canvas_ids:
        return {}
    found: dict[int, list[HostInfo]] = {}
    for r in conn.execute(_hosts_statement(lock), {"ids": canvas_ids}):
        host = host_info(r)
        found.setdefault(host.canvas_session_id, []).append(host)
    return found


def active_hosts(conn: Connection, canvas_id: int, lock: bool) -> list[HostInfo]:
    return active_hosts_of(conn, [canvas_id], lock).get(canvas_id, [])


def host_by_hash(conn: Connection, guid_hash: str) -> tuple[HostInfo, CanvasInfo] | None:
    row = conn.execute(
        select(*HOST_COLUMNS, CanvasSession.KSessionsId, CanvasSession.Title)
        .join(CanvasSession, CanvasSession.SessionId == HostSession.SessionId)
        .where(HostSession.HostGuidHash == guid_hash)
        .order_by(HostSession.HostSessionId.desc())
    ).first()
    if row is None:
        return None
    host = host_info(row[:9])
    return host, CanvasInfo(host.canvas_session_id, row[9], row[10])


@functools.cache
def _hosts_statement(lock: bool) -> Select:
    """The active host rows of the canvas sessions ``ids`` (expanding), newest first: built
    once."""
    stmt = (  # IsActive = true, not IS TRUE: T-SQL has IS [NOT] NULL only
        select(*HOST_COLUMNS)
        .where(HostSession.SessionId.in_(bindparam("ids", expanding=True)),
               HostSession.IsActive == true())
        .order_by(HostSession.HostSessionId.desc())
    )
    return for_update(stmt, HostSession) if lock else stmt
