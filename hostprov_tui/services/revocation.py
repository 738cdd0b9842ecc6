"""Revoke a session's credential: the Host GUID (IsActive=0, RevokedAt, RevokedBy) or the tokens
(ExpiresAt in the past), as the canvas generation defines it; locked and audited (fail closed)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.engines import SQLITE_IMMEDIATE
from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.errors import GuardRefused, HostprovError
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.guard import evaluate_guard
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.recorded_commit import commit_recorded
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
    generation = ctx.generation()
    try:
        with dbs.canvas.connect() as conn:
            conn = conn.execution_options(**{SQLITE_IMMEDIATE: True})
            with conn.begin() as tx:
                result = generation.revoke(ctx, conn, target, by, utcnow())
                pending = ctx.audit.pending(  # no record, no commit
                    "revoke", ksessions_id=result.ksessions_id,
                    canvas_session_id=result.canvas_session_id,
                    host_session_id=result.host_session_id,
                    hash_prefix=result.hash_prefix, reason=reason,
                    message=f"revoked by {by}",
                )
                commit_recorded(tx, ctx.audit, [pending])  # then "ok" (or what became of it)
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.canvas.target) from None
    return result
