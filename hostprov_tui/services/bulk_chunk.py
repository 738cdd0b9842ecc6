"""One chunk of a bulk issuance: the checks and writes of issuance.py, set-wise, in one transaction.

The same check lines (checks.py) decide for every ID and the same rows are written; only the
queries cover the whole chunk at once (KSESSIONS sessions, locks, canvas sessions, active hosts,
inserts, updates), so a chunk costs a fixed number of statements whatever its size: no N+1.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, insert, select, text, update

from hostprov_tui.db.canvas_models import CanvasSession, HostSession
from hostprov_tui.db.ksessions_models import Group, KSession, SessionTranscript
from hostprov_tui.services import checks, lookups
from hostprov_tui.services.checks import FAIL, CheckLine
from hostprov_tui.services.hashing import GuidHasher
from hostprov_tui.services.issuance import IssueOptions
from hostprov_tui.services.locking import for_update, lock_ksessions_id
from hostprov_tui.services.lookups import CanvasInfo, HostInfo, KSessionInfo
from hostprov_tui.services.results import IssueResult, Plan

_PG_NAMESPACE = 0x4850  # the advisory-lock namespace of locking.py ("HP")


@dataclass
class Decision:
    """What the checks said for one KSESSIONS ID of the chunk."""

    ksessions_id: int
    lines: list[CheckLine]
    ks: KSessionInfo | None = None
    canvas: CanvasInfo | None = None
    hosts: list[HostInfo] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(li.status is not FAIL for li in self.lines)

    def plan(self) -> Plan:
        return Plan(tuple(self.lines), ksessions_id=self.ksessions_id,
                    canvas_session_id=self.canvas.session_id if self.canvas else None,
                    host_session_id=self.hosts[0].host_session_id if self.hosts else None)


def decide(
    canvas_conn: Connection, ks_conn: Connection, ids: list[int], preamble: list[CheckLine],
    opts: IssueOptions, now: datetime, lock_timeout_s: float,
) -> list[Decision]:
    """Run the checks for every ID; locks what will be written (inside the caller's transaction).

    ``preamble`` holds the lines that are the same for every ID (environment, secret).
    """
    decisions = [Decision(i, list(preamble)) for i in ids]
    if not all(li.status is not FAIL for li in preamble):
        return decisions
    infos = ksessions_info(ks_conn, ids)
    for d in decisions:
        d.ks = infos.get(d.ksessions_id)
        d.lines.append(checks.session_line(d.ksessions_id, d.ks))
        if d.ks is not None:
            d.lines.extend(checks.transcript_lines(d.ks))
    found = [d.ksessions_id for d in decisions if d.ks is not None]
    lock_many(canvas_conn, found, lock_timeout_s)
    canvas = canvas_by_ksessions(canvas_conn, found)
    hosts = active_hosts(canvas_conn, [c.session_id for c in canvas.values()])
    expiry = checks.expiry_line(opts.expires, now)
    for d in decisions:
        if d.ks is None:
            continue
        d.canvas = canvas.get(d.ksessions_id)
        d.lines.append(checks.canvas_line(d.ks, d.canvas, d.ksessions_id))
        d.hosts = hosts.get(d.canvas.session_id, []) if d.canvas else []
        d.lines.extend(checks.host_lines(d.hosts, now))
        d.lines.append(expiry)
    return decisions


def ksessions_info(conn: Connection, ids: list[int]) -> dict[int, KSessionInfo]:
    if not ids:
        return {}
    transcripts = (
        select(func.count()).select_from(SessionTranscript)
        .where(SessionTranscript.SessionID == KSession.SessionID).scalar_subquery()
    )
    rows = conn.execute(
        select(KSession.SessionID, KSession.SessionName, KSession.Description, KSession.IsActive,
               Group.GroupName, transcripts)
        .outerjoin(Group, Group.GroupID == KSession.GroupID)
        .where(KSession.SessionID.in_(ids))
    )
    return {r[0]: KSessionInfo(r[0], r[1], r[2], r[3] is not False, r[4], int(r[5])) for r in rows}


def lock_many(conn: Connection, ids: list[int], timeout_s: float) -> None:
    """The per-session lock of locking.py for every ID, in ascending order (no deadlock)."""
    if not ids:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT count(pg_advisory_xact_lock(:ns, k)) FROM "
                 "(SELECT k FROM unnest(CAST(:keys AS integer[])) AS k ORDER BY k) AS ordered"),
            {"ns": _PG_NAMESPACE, "keys": sorted(ids)},
        )
    elif conn.dialect.name == "mssql":
        for ksessions_id in sorted(ids):
            lock_ksessions_id(conn, ksessions_id, timeout_s)
    # SQLite: the transaction began with BEGIN IMMEDIATE (one writer at a time)


def canvas_by_ksessions(conn: Connection, ids: list[int]) -> dict[int, CanvasInfo]:
    """The canvas session of each KSESSIONS ID (the oldest, as issuance.py takes), locked."""
    if not ids:
        return {}
    stmt = (
        select(CanvasSession.SessionId, CanvasSession.KSessionsId, CanvasSession.Title)
        .where(CanvasSession.KSessionsId.in_(ids)).order_by(CanvasSession.SessionId)
    )
    found: dict[int, CanvasInfo] = {}
    for r in conn.execute(for_update(stmt, CanvasSession)):
        found.setdefault(r[1], CanvasInfo(r[0], r[1], r[2]))
    return found


def active_hosts(conn: Connection, canvas_ids: list[int]) -> dict[int, list[HostInfo]]:
    """Active host rows per canvas session, newest first, locked."""
    if not canvas_ids:
        return {}
    stmt = (
        select(*lookups.HOST_COLUMNS)
        .where(HostSession.SessionId.in_(canvas_ids), HostSession.IsActive.is_(True))
        .order_by(HostSession.HostSessionId.desc())
    )
    found: dict[int, list[HostInfo]] = {}
    for r in conn.execute(for_update(stmt, HostSession)):
        host = lookups.host_info(r)
        found.setdefault(host.canvas_session_id, []).append(host)
    return found


def write(
    conn: Connection, decisions: list[Decision], hasher: GuidHasher, opts: IssueOptions,
    now: datetime,
) -> list[IssueResult]:
    """The writes of issuance.py for every approved decision: ≤ 4 statements for the chunk."""
    approved = [d for d in decisions if d.ok and d.ks is not None]
    canvas_ids = {d.ksessions_id: d.canvas.session_id for d in approved if d.canvas}
    new_canvas = [d for d in approved if d.canvas is None]
    if new_canvas:
        rows = conn.execute(
            insert(CanvasSession).returning(CanvasSession.SessionId, CanvasSession.KSessionsId),
            [
                {"KSessionsId": d.ksessions_id, "GroupId": uuid.uuid4(),
                 "Title": d.ks.name[: checks.TITLE_MAX] if d.ks else None,
                 "Description": ((d.ks.description if d.ks else None) or "")
                 [: checks.DESCRIPTION_MAX] or None,
                 "CreatedAt": now, "ModifiedAt": now}
                for d in new_canvas
            ],
        )
        canvas_ids.update({int(r[1]): int(r[0]) for r in rows})
    guids = {d.ksessions_id: uuid.uuid4() for d in approved}
    hashes = {k: hasher.hash(g) for k, g in guids.items()}
    common = {"CreatedAt": now, "CreatedBy": opts.created_by, "ExpiresAt": opts.expires,
              "IsActive": True, "RevokedAt": None, "RevokedBy": None}
    rotating = [d for d in approved if d.hosts]
    superseded = [h.host_session_id for d in rotating for h in d.hosts[1:]]
    if superseded:
        conn.execute(
            update(HostSession).where(HostSession.HostSessionId.in_(superseded))
            .values(IsActive=False, RevokedAt=now, RevokedBy=f"{opts.created_by} (superseded)")
        )
    if rotating:
        conn.execute(
            update(HostSession).where(HostSession.HostSessionId == bindparam("b_host"))
            .values(HostGuidHash=bindparam("b_hash"), **common),
            [{"b_host": d.hosts[0].host_session_id, "b_hash": hashes[d.ksessions_id]}
             for d in rotating],
        )
    host_ids = {d.ksessions_id: d.hosts[0].host_session_id for d in rotating}
    creating = [d for d in approved if not d.hosts]
    if creating:
        by_canvas = {canvas_ids[d.ksessions_id]: d.ksessions_id for d in creating}
        rows = conn.execute(
            insert(HostSession).returning(HostSession.HostSessionId, HostSession.SessionId),
            [{"SessionId": canvas_ids[d.ksessions_id], "HostGuidHash": hashes[d.ksessions_id],
              **common} for d in creating],
        )
        host_ids.update({by_canvas[int(r[1])]: int(r[0]) for r in rows})
    return [
        IssueResult(
            guid=str(guids[d.ksessions_id]), host_session_id=host_ids[d.ksessions_id],
            canvas_session_id=canvas_ids[d.ksessions_id], ksessions_id=d.ksessions_id,
            action="rotated" if d.hosts else "created", hash=hashes[d.ksessions_id],
            expires_at=opts.expires, created_by=opts.created_by,
        )
        for d in approved
    ]
