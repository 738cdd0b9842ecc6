"""One chunk of a bulk issuance: the checks and writes of issuance.py, set-wise, in one transaction.

The same check lines (checks.py) decide for every ID and the same rows are written; only the
queries cover the whole chunk at once (KSESSIONS sessions, locks, canvas sessions, active hosts,
inserts, updates), so a chunk costs a fixed number of statements whatever its size: no N+1.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, update

from hostprov_tui.db.canvas_models import CanvasSession, HostSession
from hostprov_tui.services import checks, lookups
from hostprov_tui.services.checks import FAIL, CheckLine
from hostprov_tui.services.hashing import GuidHasher
from hostprov_tui.services.issuance import IssueOptions, canvas_values, host_values
from hostprov_tui.services.locking import lock_ksessions_ids
from hostprov_tui.services.lookups import CanvasInfo, HostInfo, KSessionInfo
from hostprov_tui.services.results import IssueResult, Plan


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

    ``preamble`` holds the passed lines that are the same for every ID (environment, secret).
    """
    decisions = [Decision(i, list(preamble)) for i in ids]
    infos = lookups.ksessions(ks_conn, ids)
    for d in decisions:
        d.ks = infos.get(d.ksessions_id)
        d.lines.append(checks.session_line(d.ksessions_id, d.ks))
        if d.ks is not None:
            d.lines.extend(checks.transcript_lines(d.ks))
    found = [d.ksessions_id for d in decisions if d.ks is not None]
    lock_ksessions_ids(canvas_conn, found, lock_timeout_s)
    canvas = lookups.canvas_by_ksessions_ids(canvas_conn, found, lock=True)
    hosts = lookups.active_hosts_of(canvas_conn, [c.session_id for c in canvas.values()],
                                    lock=True)
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
            [canvas_values(d.ksessions_id, d.ks, now) for d in new_canvas if d.ks is not None],
        )
        canvas_ids.update({int(r[1]): int(r[0]) for r in rows})
    guids = {d.ksessions_id: uuid.uuid4() for d in approved}
    hashes = {k: hasher.hash(g) for k, g in guids.items()}
    common = host_values(opts, now)
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
