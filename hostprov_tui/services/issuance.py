"""Dry run and issue: one code path, one transaction, re-checked under a lock.

Dry run makes the writes and rolls back, so the database's own constraints are proven; issue
writes the audit record (fail closed), commits, and only then returns the GUID.
"""

from __future__ import annotations

import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, update
from sqlalchemy.exc import DBAPIError

from hostprov_tui.config.secrets import hash_secret
from hostprov_tui.db.canvas_models import CanvasSession, HostSession
from hostprov_tui.db.engines import Databases
from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.errors import ConcurrentChange, HostprovError
from hostprov_tui.services import checks, lookups
from hostprov_tui.services.checks import FAIL, PASS, WARN, CheckLine
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.guard import evaluate_guard
from hostprov_tui.services.hashing import GuidHasher, hash_prefix, weak_secret_reason
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.locking import lock_ksessions_id
from hostprov_tui.services.results import IssueResult, Plan

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class IssueOptions:
    created_by: str
    expires: datetime | None = None
    reason: str | None = None
    allow_production: bool = False


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def dry_run(ctx: ServiceContext, target: Target, opts: IssueOptions) -> Plan:
    """The checks, the writes inside a transaction, then a rollback. Never a usable GUID."""
    try:
        plan, _ = _attempt(ctx, target, opts, commit=False)
    except HostprovError as exc:
        audit_failure(ctx, "dry-run", target, exc)
        raise
    ctx.audit.record(
        "dry-run", "ok" if plan.ok else "refused",
        ksessions_id=plan.ksessions_id, canvas_session_id=plan.canvas_session_id,
        host_session_id=plan.host_session_id, reason=opts.reason,
        message=_summary(plan),
    )
    return plan


def issue(ctx: ServiceContext, target: Target, opts: IssueOptions) -> IssueResult:
    """Create or rotate the Host GUID; raises a typed error carrying the plan when refused."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            plan, result = _attempt(ctx, target, opts, commit=True)
        except ConcurrentChange as exc:
            if attempt < MAX_ATTEMPTS:
                time.sleep(0.05 * attempt)
                continue
            audit_failure(ctx, "issue", target, exc)
            raise
        except HostprovError as exc:
            audit_failure(ctx, "issue", target, exc)
            raise
        if result is None:
            err = checks.refusal(plan, "issue")
            audit_failure(ctx, "issue", target, err, plan)
            raise err
        return result
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(
    ctx: ServiceContext, target: Target, opts: IssueOptions, *, commit: bool
) -> tuple[Plan, IssueResult | None]:
    dbs = ctx.databases()
    lines: list[CheckLine] = []
    timings: list[str] = []
    with ExitStack() as stack:
        try:
            canvas_conn, ks_conn = stack.enter_context(dbs.write_connections(timings))
        except HostprovError as exc:  # unreachable, too slow, refused: a line of the plan
            lines.append(CheckLine("connectivity", FAIL, exc.message, exc.hint))
            return Plan(tuple(lines)), None
        shared = " (one database holds both)" if dbs.shared else ""
        lines.append(CheckLine(
            "connectivity", PASS, f"Both databases answered{shared}: {', '.join(timings)}."
        ))
        try:
            with canvas_conn.begin() as tx:
                state = _evaluate(ctx, dbs, canvas_conn, ks_conn, target, opts, lines)
                if state is None or any(li.status is FAIL for li in lines):
                    tx.rollback()
                    return _plan(lines, state), None
                result = _write(canvas_conn, state, opts)
                if not commit:
                    tx.rollback()
                    lines.append(CheckLine(
                        "dry_run", PASS,
                        "The writes were made inside a transaction and rolled back: the "
                        "database accepted them, and nothing was saved.",
                    ))
                    return replace(_plan(lines, state), dry_run_verified=True), None
                audit_issued(ctx, result, opts)
            plan = _plan(lines, state)
            return plan, replace(result, plan=plan)
        except DBAPIError as exc:
            raise translate_db_error(exc, dbs.canvas.target) from None


@dataclass
class _State:
    ksessions_id: int | None
    ks: lookups.KSessionInfo | None
    canvas: lookups.CanvasInfo | None
    hosts: list[lookups.HostInfo]
    hasher: GuidHasher
    now: datetime


def _evaluate(
    ctx: ServiceContext,
    dbs: Databases,
    canvas_conn: Connection,
    ks_conn: Connection,
    target: Target,
    opts: IssueOptions,
    lines: list[CheckLine],
) -> _State | None:
    hasher = preamble(ctx, dbs, opts, lines)
    if hasher is None:
        return None
    now = utcnow()
    ksessions_id = target.ksessions_id
    canvas: lookups.CanvasInfo | None = None
    if target.canvas_session_id is not None:
        canvas = lookups.canvas_by_id(canvas_conn, target.canvas_session_id, lock=True)
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
        lock_ksessions_id(canvas_conn, ksessions_id, ctx.settings.database.statement_timeout_s)
        if canvas is None:
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
    return _State(ksessions_id, ks, canvas, hosts, hasher, now)


def preamble(
    ctx: ServiceContext, dbs: Databases, opts: IssueOptions, lines: list[CheckLine]
) -> GuidHasher | None:
    """The lines that are the same for every ID — the environment guard, the hash secret — and
    the hasher, or None when either refuses."""
    verdict = evaluate_guard(
        ctx.settings.environment, (dbs.canvas.target, dbs.ksessions.target), opts.allow_production
    )
    lines.append(CheckLine("environment", PASS if verdict.allowed else FAIL, verdict.sentence,
                           None if verdict.allowed else "Nothing was read or written."))
    return secret_line(ctx, lines) if verdict.allowed else None


def secret_line(ctx: ServiceContext, lines: list[CheckLine]) -> GuidHasher | None:
    secret = hash_secret(ctx.settings)
    if ctx.settings.environment == "production":
        weak = weak_secret_reason(secret)
        if weak:
            lines.append(CheckLine(
                "secret", FAIL, f"Production refuses to issue: {weak}.",
                "Set HOSTPROV_SECURITY__HASH_SECRET (or a hash_secret_file) to the NOOR "
                "Canvas secret.",
            ))
            return None
    elif secret is None:
        lines.append(CheckLine(
            "config", FAIL, "No hash secret is configured, so no Host GUID can be hashed.",
            "Set HOSTPROV_SECURITY__HASH_SECRET or [security] hash_secret_file.",
        ))
        return None
    assert secret is not None
    source = "environment" if ctx.settings.security.hash_secret else "secret file"
    lines.append(CheckLine("secret", PASS, f"The hash secret is loaded from the {source}."))
    return GuidHasher(secret)


def _write(conn: Connection, state: _State, opts: IssueOptions) -> IssueResult:
    now = state.now
    canvas_id = state.canvas.session_id if state.canvas else None
    if canvas_id is None:
        ks = state.ks
        assert ks is not None
        canvas_id = conn.execute(
            insert(CanvasSession)
            .values(**canvas_values(state.ksessions_id, ks, now))
            .returning(CanvasSession.SessionId)
        ).scalar_one()
    guid = uuid.uuid4()
    guid_hash = state.hasher.hash(guid)
    values = {"HostGuidHash": guid_hash, **host_values(opts, now)}
    if state.hosts:
        current = state.hosts[0]
        for older in state.hosts[1:]:
            conn.execute(
                update(HostSession)
                .where(HostSession.HostSessionId == older.host_session_id)
                .values(IsActive=False, RevokedAt=now, RevokedBy=f"{opts.created_by} (superseded)")
            )
        conn.execute(
            update(HostSession)
            .where(HostSession.HostSessionId == current.host_session_id)
            .values(**values)
        )
        host_id, action = current.host_session_id, "rotated"
    else:
        host_id = conn.execute(
            insert(HostSession).values(SessionId=canvas_id, **values)
            .returning(HostSession.HostSessionId)
        ).scalar_one()
        action = "created"
    return IssueResult(
        guid=str(guid), host_session_id=int(host_id), canvas_session_id=int(canvas_id),
        ksessions_id=state.ksessions_id, action=action,  # type: ignore[arg-type]
        hash=guid_hash, expires_at=opts.expires, created_by=opts.created_by,
    )


def canvas_values(ksessions_id: int, ks: lookups.KSessionInfo, now: datetime) -> dict[str, Any]:
    """The row of a new canvas session for a KSESSIONS session."""
    return {
        "KSessionsId": ksessions_id, "GroupId": uuid.uuid4(),
        "Title": ks.name[: checks.TITLE_MAX],
        "Description": (ks.description or "")[: checks.DESCRIPTION_MAX] or None,
        "CreatedAt": now, "ModifiedAt": now,
    }


def host_values(opts: IssueOptions, now: datetime) -> dict[str, Any]:
    """What a new or rotated host session row holds, besides its hash."""
    return {"CreatedAt": now, "CreatedBy": opts.created_by, "ExpiresAt": opts.expires,
            "IsActive": True, "RevokedAt": None, "RevokedBy": None}


def audit_issued(
    ctx: ServiceContext, result: IssueResult, opts: IssueOptions, *, bulk: bool = False
) -> None:
    """The "ok" record of an issue or rotation (required: no record, no commit)."""
    ctx.audit.record(
        "rotate" if result.action == "rotated" else "issue", "ok",
        ksessions_id=result.ksessions_id, canvas_session_id=result.canvas_session_id,
        host_session_id=result.host_session_id, hash_prefix=hash_prefix(result.hash),
        reason=opts.reason,
        message=f"{result.action} by {opts.created_by}" + (" (bulk)" if bulk else "")
        + (f", expires {checks.stamp(opts.expires)}" if opts.expires else ""),
        required=True,
    )


def _plan(lines: list[CheckLine], state: _State | None) -> Plan:
    if state is None:
        return Plan(tuple(lines))
    return Plan(
        tuple(lines),
        ksessions_id=state.ksessions_id,
        canvas_session_id=state.canvas.session_id if state.canvas else None,
        host_session_id=state.hosts[0].host_session_id if state.hosts else None,
        action="rotate" if state.hosts else "create",
        title=state.ks.name[: checks.TITLE_MAX] if state.ks else
        (state.canvas.title if state.canvas else None),
        creates_canvas_session=state.canvas is None,
    )


def _summary(plan: Plan) -> str:
    if not plan.ok:
        return plan.failures[0].message
    what = "rotate the Host GUID" if plan.action == "rotate" else "create a Host GUID"
    return f"would {what}" + (" and a canvas session" if plan.creates_canvas_session else "")


def audit_failure(
    ctx: ServiceContext, action: str, target: Target, exc: HostprovError, plan: Plan | None = None
) -> None:
    plan = plan or getattr(exc, "plan", None)
    ctx.audit.failure(
        action, exc,
        ksessions_id=(plan.ksessions_id if plan else None) or target.ksessions_id,
        canvas_session_id=(plan.canvas_session_id if plan else None) or target.canvas_session_id,
    )
