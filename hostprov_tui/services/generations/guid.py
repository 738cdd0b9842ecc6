"""The guid generation: ``canvas.Sessions`` linked by KSessionsId, hashed Host GUIDs in
``canvas.HostSessions`` (one active per canvas session; issuing again rotates it in place)."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Select, bindparam, insert, select, update

from hostprov_tui.db.canvas_models import CanvasSession, HostSession
from hostprov_tui.errors import (
    ConcurrentChange,
    HostprovError,
    InputError,
    NotFound,
    ValidationRefused,
)
from hostprov_tui.services import checks, lookups
from hostprov_tui.services.checks import FAIL, PASS, WARN, CheckLine
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.generations.base import Decision, Generation, checked_and_locked
from hostprov_tui.services.generations.guid_hostguid import clear_host_guid, write_host_guids
from hostprov_tui.services.generations.verify_guid import verify_guid
from hostprov_tui.services.hashing import hash_prefix
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.issuance_options import IssueOptions
from hostprov_tui.services.locking import lock_ksessions_id
from hostprov_tui.services.results import (
    GUID_CSV_COLUMNS,
    GuidStatus,
    IssueResult,
    RevokeResult,
    VerifyResult,
)
from hostprov_tui.services.secret_check import secret_line

#: the Status of a new canvas session (the guid generation's schema may have no default)
STATUS_CREATED = "Created"
_RANK = {GuidStatus.NONE: 0, GuidStatus.REVOKED: 1, GuidStatus.EXPIRED: 2, GuidStatus.ACTIVE: 3}


class GuidGeneration(Generation):
    name = "guid"
    credential = "Host GUID"
    credential_kind = "guid"
    csv_columns = GUID_CSV_COLUMNS

    def credential_line(self, ctx: ServiceContext, lines: list[CheckLine]) -> bool:
        return secret_line(ctx, lines) is not None

    def __init__(self, host_guid_column: bool = False) -> None:
        #: canvas.Sessions has HostGuid: issue and rotation write the hash there, revoke clears it
        self.host_guid_column = host_guid_column

    def check_options(self, opts: IssueOptions) -> None:
        if opts.new_user_token:
            raise InputError(
                "--new-user-token is for the tokens generation, but this canvas database holds "
                "Host GUIDs (the guid generation), which have no participant token.",
                hint="Leave the option out: issuing again rotates the Host GUID.",
            )
        if opts.schedule is not None or opts.new_run:
            given = "--new-run" if opts.new_run and opts.schedule is None else \
                "--scheduled-date, --scheduled-time and --duration"
            raise InputError(
                f"{given} are for the tokens generation (a session's runs and the waiting "
                "room's schedule), but this canvas database holds Host GUIDs (the guid "
                "generation), whose app has no runs and no schedule.",
                hint="Leave the options out: issuing again rotates the Host GUID.",
            )

    def evaluate(
        self, ctx: ServiceContext, canvas_conn: Connection, ks_conn: Connection, target: Target,
        opts: IssueOptions, now: datetime, lines: list[CheckLine],
    ) -> Decision | None:
        ksessions_id = target.ksessions_id
        canvas: lookups.CanvasInfo | None = None
        if target.canvas_session_id is not None:
            canvas = _locked_canvas_by_id(ctx, canvas_conn, target.canvas_session_id)
            if canvas is None:
                lines.append(CheckLine(
                    "canvas_session", FAIL,
                    f"Canvas session {target.canvas_session_id} does not exist.",
                    "Issue by KSESSIONS ID instead (--ksessions-id); " + checks.FIND_HINT,
                ))
                return None
            ksessions_id = canvas.ksessions_id
            if ksessions_id is None:
                lines.append(CheckLine(
                    "session", WARN,
                    f"Canvas session {canvas.session_id} is not linked to a KSESSIONS session; "
                    "the KSESSIONS checks are skipped.",
                ))
        ks = None
        if ksessions_id is not None:
            ks = lookups.ksession(ks_conn, ksessions_id)
            lines.append(checks.session_line(ksessions_id, ks))
            if ks is None:
                return None
            lines.extend(checks.transcript_lines(ks))
            if canvas is None:  # by canvas session ID, the KSESSIONS-ID lock is held already
                lock_ksessions_id(canvas_conn, ksessions_id,
                                  ctx.settings.database.statement_timeout_s)
                canvas = lookups.canvas_by_ksessions(canvas_conn, ksessions_id, lock=True)
            lines.append(checks.canvas_line(ks, canvas, ksessions_id))
        else:
            assert canvas is not None
            lines.append(CheckLine(
                "canvas_session", PASS, f"Canvas session {canvas.session_id} exists."
            ))
        hosts = lookups.active_hosts(canvas_conn, canvas.session_id, lock=True) if canvas else []
        lines.extend(checks.host_lines(hosts, now))
        lines.append(checks.expiry_line(opts.expires, now))
        return _decision(ksessions_id, lines, ks, canvas, hosts)

    def decide(
        self, ctx: ServiceContext, canvas_conn: Connection, ks_conn: Connection, ids: list[int],
        preamble: list[CheckLine], opts: IssueOptions, now: datetime,
    ) -> list[Decision]:
        decisions, found = checked_and_locked(ctx, canvas_conn, ks_conn, ids, preamble)
        canvas = lookups.canvas_by_ksessions_ids(canvas_conn, found, lock=True)  # type: ignore[arg-type]
        hosts = lookups.active_hosts_of(canvas_conn, [c.session_id for c in canvas.values()],
                                        lock=True)
        expiry = checks.expiry_line(opts.expires, now)
        for d in decisions:
            if d.ks is None:
                continue
            d.canvas = canvas.get(d.ksessions_id)  # type: ignore[arg-type]
            d.lines.append(checks.canvas_line(d.ks, d.canvas, d.ksessions_id))  # type: ignore[arg-type]
            current = hosts.get(d.canvas.session_id, []) if d.canvas else []
            d.lines.extend(checks.host_lines(current, now))
            d.lines.append(expiry)
            d.current, d.creates_canvas = current, d.canvas is None
            d.host_session_id = current[0].host_session_id if current else None
        return decisions

    def write(
        self, ctx: ServiceContext, conn: Connection, decisions: list[Decision],
        opts: IssueOptions, now: datetime,
    ) -> list[IssueResult]:  # type: ignore[override]
        """≤ 4 statements whatever the number of decisions."""
        hasher = ctx.hasher()
        approved = [d for d in decisions if d.ok and (d.ks is not None or d.canvas is not None)]
        canvas_ids = {d.ksessions_id: d.canvas.session_id for d in approved if d.canvas}
        new_canvas = [d for d in approved if d.canvas is None and d.ks is not None]
        if new_canvas:
            rows = conn.execute(
                _insert_canvas(),
                [canvas_values(d.ksessions_id, d.ks, now) for d in new_canvas  # type: ignore[arg-type]
                 if d.ks is not None],
            )
            canvas_ids.update({int(r[1]): int(r[0]) for r in rows})
        guids = {d.ksessions_id: uuid.uuid4() for d in approved}
        hashes = {k: hasher.hash(g) for k, g in guids.items()}
        common = host_values(opts, now)
        rotating = [d for d in approved if d.current]
        superseded = [h.host_session_id for d in rotating for h in d.current[1:]]
        if superseded:
            conn.execute(
                update(HostSession).where(HostSession.HostSessionId.in_(superseded))
                .values(IsActive=False, RevokedAt=now,
                        RevokedBy=f"{opts.created_by} (superseded)")
            )
        if rotating:
            conn.execute(
                update(HostSession).where(HostSession.HostSessionId == bindparam("b_host"))
                .values(HostGuidHash=bindparam("b_hash"), **common),
                [{"b_host": d.current[0].host_session_id, "b_hash": hashes[d.ksessions_id]}
                 for d in rotating],
            )
        host_ids = {d.ksessions_id: d.current[0].host_session_id for d in rotating}
        creating = [d for d in approved if not d.current]
        if creating:
            by_canvas = {canvas_ids[d.ksessions_id]: d.ksessions_id for d in creating}
            rows = conn.execute(
                _insert_host(),
                [{"SessionId": canvas_ids[d.ksessions_id], "HostGuidHash": hashes[d.ksessions_id],
                  **common} for d in creating],
            )
            host_ids.update({by_canvas[int(r[1])]: int(r[0]) for r in rows})
        if self.host_guid_column:
            write_host_guids(conn, {canvas_ids[d.ksessions_id]: hashes[d.ksessions_id]
                                    for d in approved})
        return [
            IssueResult(
                guid=str(guids[d.ksessions_id]), host_session_id=host_ids[d.ksessions_id],
                canvas_session_id=canvas_ids[d.ksessions_id], ksessions_id=d.ksessions_id,
                action="rotated" if d.current else "created", hash=hashes[d.ksessions_id],
                expires_at=opts.expires, created_by=opts.created_by,
            )
            for d in approved
        ]

    def revoke(
        self, ctx: ServiceContext, conn: Connection, target: Target, by: str, now: datetime
    ) -> RevokeResult:
        if target.ksessions_id is not None:
            lock_ksessions_id(conn, target.ksessions_id, ctx.settings.database.statement_timeout_s)
            canvas = lookups.canvas_by_ksessions(conn, target.ksessions_id, lock=True)
        else:
            assert target.canvas_session_id is not None
            canvas = _locked_canvas_by_id(ctx, conn, target.canvas_session_id)
        if canvas is None:
            raise no_canvas(ctx, target, "Host GUID")
        hosts = lookups.active_hosts(conn, canvas.session_id, lock=True)
        if not hosts:
            raise ValidationRefused(
                f"Canvas session {canvas.session_id} has no active Host GUID; there is "
                "nothing to revoke.",
                hint="Issue one first, or check the GUID with `hostprov verify`.",
            )
        conn.execute(
            update(HostSession)
            .where(HostSession.HostSessionId.in_([h.host_session_id for h in hosts]))
            .values(IsActive=False, RevokedAt=now, RevokedBy=by)
        )
        if self.host_guid_column:
            clear_host_guid(conn, canvas.session_id)
        return RevokeResult(
            host_session_id=hosts[0].host_session_id, canvas_session_id=canvas.session_id,
            ksessions_id=canvas.ksessions_id, revoked_at=now, revoked_by=by,
            hash_prefix=hash_prefix(hosts[0].hash),
            message=f"Revoked host session {hosts[0].host_session_id} of canvas session "
            f"{canvas.session_id}: its Host GUID no longer opens the session.",
        )

    def verify(self, ctx: ServiceContext, conn: Connection, credential: str) -> VerifyResult:
        return verify_guid(conn, credential)

    def statuses(
        self, conn: Connection, ids: list[int], now: datetime
    ) -> dict[int, tuple[GuidStatus, int | None]]:
        rows = conn.execute(_statuses_statement(), {"ids": ids})
        result: dict[int, tuple[GuidStatus, int | None]] = {}
        for ks_id, canvas_id, is_active, expires in rows:
            if is_active is None:
                status = GuidStatus.NONE
            elif not is_active:
                status = GuidStatus.REVOKED
            elif expires is not None and expires <= now:
                status = GuidStatus.EXPIRED
            else:
                status = GuidStatus.ACTIVE
            best = result.get(ks_id)
            if best is None or _RANK[status] > _RANK[best[0]]:
                result[ks_id] = (status, canvas_id)
        return result


@functools.cache
def _insert_canvas() -> Insert:
    """New canvas sessions, their IDs returned (built once: the statement of every chunk)."""
    return insert(CanvasSession).returning(CanvasSession.SessionId, CanvasSession.KSessionsId)


@functools.cache
def _insert_host() -> Insert:
    """New host sessions, their IDs returned (built once)."""
    return insert(HostSession).returning(HostSession.HostSessionId, HostSession.SessionId)


@functools.cache
def _statuses_statement() -> Select:
    """The status rows of the KSESSIONS IDs ``ids`` (an expanding parameter): built once, so a
    catalogue page does not build it and its cache key again."""
    return (
        select(
            CanvasSession.KSessionsId, CanvasSession.SessionId, HostSession.IsActive,
            HostSession.ExpiresAt,
        )
        .outerjoin(HostSession, HostSession.SessionId == CanvasSession.SessionId)
        .where(CanvasSession.KSessionsId.in_(bindparam("ids", expanding=True)))
    )


def _decision(
    ksessions_id: int | None, lines: list[CheckLine], ks: lookups.KSessionInfo | None,
    canvas: lookups.CanvasInfo | None, hosts: list[lookups.HostInfo],
) -> Decision:
    return Decision(
        ksessions_id, lines, ks, canvas, current=hosts,
        host_session_id=hosts[0].host_session_id if hosts else None,
        creates_canvas=canvas is None,
    )


def canvas_values(ksessions_id: int, ks: lookups.KSessionInfo, now: datetime) -> dict[str, Any]:
    """The row of a new canvas session for a KSESSIONS session."""
    return {
        "KSessionsId": ksessions_id, "GroupId": uuid.uuid4(),
        "Title": ks.name[: checks.TITLE_MAX],
        "Description": (ks.description or "")[: checks.DESCRIPTION_MAX] or None,
        "CreatedAt": now, "ModifiedAt": now,
        "Status": STATUS_CREATED,  # explicitly: that schema may have no default for it
    }


def host_values(opts: IssueOptions, now: datetime) -> dict[str, Any]:
    """What a new or rotated host session row holds, besides its hash."""
    return {"CreatedAt": now, "CreatedBy": opts.created_by, "ExpiresAt": opts.expires,
            "IsActive": True, "RevokedAt": None, "RevokedBy": None}


def no_canvas(ctx: ServiceContext, target: Target, credential: str) -> HostprovError:
    """The error for a target whose canvas session does not exist."""
    if target.canvas_session_id is not None:
        return NotFound(f"Canvas session {target.canvas_session_id} does not exist.",
                        checks.FIND_HINT)
    assert target.ksessions_id is not None
    dbs = ctx.databases()
    with dbs.ksessions.connect() as ks_conn:
        exists = lookups.ksession(ks_conn, target.ksessions_id) is not None
    if not exists:
        return NotFound(f"Session {target.ksessions_id} does not exist in KSESSIONS.",
                        checks.FIND_HINT)
    return ValidationRefused(
        f"KSESSIONS session {target.ksessions_id} has never had a {credential}; there is "
        "nothing to revoke."
    )


def _locked_canvas_by_id(
    ctx: ServiceContext, conn: Connection, canvas_id: int
) -> lookups.CanvasInfo | None:
    """The canvas session ``canvas_id``, locked in the one order every path uses: the lock named
    after its KSESSIONS ID first (as an operation by ``--ksessions-id`` takes it), then the row.
    Locking the row first and the KSESSIONS ID second deadlocks against such an operation."""
    found = lookups.canvas_by_id(conn, canvas_id, lock=False)
    if found is None or found.ksessions_id is None:
        return lookups.canvas_by_id(conn, canvas_id, lock=True) if found else None
    lock_ksessions_id(conn, found.ksessions_id, ctx.settings.database.statement_timeout_s)
    locked = lookups.canvas_by_id(conn, canvas_id, lock=True)
    if locked is not None and locked.ksessions_id != found.ksessions_id:
        raise ConcurrentChange(
            f"Canvas session {canvas_id} was linked to another KSESSIONS session while it was "
            "being locked.", hint="Nothing was saved. Try again in a moment.")
    return locked
