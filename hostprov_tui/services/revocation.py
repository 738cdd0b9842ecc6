"""Revoke the active Host GUID of a session (IsActive=0, RevokedAt, RevokedBy)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.canvas_models import HostSession
from hostprov_tui.db.engines import SQLITE_IMMEDIATE
from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.errors import GuardRefused, HostprovError, NotFound, ValidationRefused
from hostprov_tui.services import lookups
from hostprov_tui.services.checks import FIND_HINT
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.guard import evaluate_guard
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.issuance import utcnow
from hostprov_tui.services.locking import lock_ksessions_id
from hostprov_tui.services.results import RevokeResult


def revoke(
    ctx: ServiceContext,
    target: Target,
    *,
    revoked_by: str,
    reason: str | None = None,
    allow_production: bool = False,
) -> RevokeResult:
    try:
        result = _revoke(ctx, target, revoked_by, reason, allow_production)
    except HostprovError as exc:
        ctx.audit.failure("revoke", exc, ksessions_id=target.ksessions_id,
                          canvas_session_id=target.canvas_session_id)
        raise
    return result


def _revoke(
    ctx: ServiceContext, target: Target, by: str, reason: str | None, allow_production: bool
) -> RevokeResult:
    dbs = ctx.databases()
    verdict = evaluate_guard(
        ctx.settings.environment, (dbs.canvas.target, dbs.ksessions.target), allow_production
    )
    if not verdict.allowed:
        raise GuardRefused(verdict.sentence)
    try:
        with dbs.canvas.connect() as conn:
            conn = conn.execution_options(**{SQLITE_IMMEDIATE: True})
            with conn.begin():
                if target.ksessions_id is not None:
                    lock_ksessions_id(
                        conn, target.ksessions_id, ctx.settings.database.statement_timeout_s
                    )
                    canvas = lookups.canvas_by_ksessions(conn, target.ksessions_id, lock=True)
                else:
                    assert target.canvas_session_id is not None
                    canvas = lookups.canvas_by_id(conn, target.canvas_session_id, lock=True)
                if canvas is None:
                    raise _no_canvas(ctx, target)
                hosts = lookups.active_hosts(conn, canvas.session_id, lock=True)
                if not hosts:
                    raise ValidationRefused(
                        f"Canvas session {canvas.session_id} has no active Host GUID; there is "
                        "nothing to revoke.",
                        hint="Issue one first, or check the GUID with `hostprov verify`.",
                    )
                now = utcnow()
                conn.execute(
                    update(HostSession)
                    .where(HostSession.HostSessionId.in_([h.host_session_id for h in hosts]))
                    .values(IsActive=False, RevokedAt=now, RevokedBy=by)
                )
                ctx.audit.record(
                    "revoke", "ok", ksessions_id=canvas.ksessions_id,
                    canvas_session_id=canvas.session_id,
                    host_session_id=hosts[0].host_session_id,
                    hash_prefix=hosts[0].hash[:8], reason=reason,
                    message=f"revoked by {by}", required=True,
                )
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.canvas.target) from None
    return RevokeResult(
        host_session_id=hosts[0].host_session_id,
        canvas_session_id=canvas.session_id,
        ksessions_id=canvas.ksessions_id,
        revoked_at=now,
        revoked_by=by,
    )


def _no_canvas(ctx: ServiceContext, target: Target) -> HostprovError:
    if target.canvas_session_id is not None:
        return NotFound(f"Canvas session {target.canvas_session_id} does not exist.", FIND_HINT)
    assert target.ksessions_id is not None
    dbs = ctx.databases()
    with dbs.ksessions.connect() as ks_conn:
        exists = lookups.ksession(ks_conn, target.ksessions_id) is not None
    if not exists:
        return NotFound(f"Session {target.ksessions_id} does not exist in KSESSIONS.", FIND_HINT)
    return ValidationRefused(
        f"KSESSIONS session {target.ksessions_id} has never had a Host GUID; there is nothing "
        "to revoke."
    )
