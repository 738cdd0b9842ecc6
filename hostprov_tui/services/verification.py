"""Which session does a GUID open, and is it active, expired or revoked? (read-only)"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.errors import HostprovError
from hostprov_tui.services import lookups
from hostprov_tui.services.checks import stamp
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.issuance import utcnow
from hostprov_tui.services.results import GuidStatus, VerifyResult


def verify(ctx: ServiceContext, guid_text: str) -> VerifyResult:
    from hostprov_tui.services.inputs import parse_guid

    guid_hash: str | None = None
    try:
        guid = parse_guid(guid_text)
        guid_hash = ctx.hasher().hash(guid)
        result = _verify(ctx, guid_hash)
    except HostprovError as exc:
        ctx.audit.failure("verify", exc)
        raise
    ctx.audit.record(
        "verify", "ok" if result.status is GuidStatus.ACTIVE else "refused",
        ksessions_id=result.ksessions_id, canvas_session_id=result.canvas_session_id,
        host_session_id=result.host_session_id, hash_prefix=guid_hash,
        reason=result.status.value,
        message=result.message,
    )
    return result


def _verify(ctx: ServiceContext, guid_hash: str) -> VerifyResult:
    dbs = ctx.databases()
    try:
        with dbs.canvas.connect() as conn:
            found = lookups.host_by_hash(conn, guid_hash)
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.canvas.target) from None
    if found is None:
        return VerifyResult(
            GuidStatus.UNKNOWN,
            "This GUID opens no session: it was never issued with this hash secret, or it has "
            "been rotated since.",
        )
    host, canvas = found
    now = utcnow()
    where = f"canvas session {canvas.session_id}" + (
        f" (KSESSIONS {canvas.ksessions_id})" if canvas.ksessions_id is not None else ""
    )
    if not host.is_active:
        status = GuidStatus.REVOKED
        message = (f"Revoked: it opened {where}; revoked {stamp(host.revoked_at)} by "
                   f"{host.revoked_by or 'unknown'}.")
    elif host.expires_at is not None and host.expires_at <= now:
        status = GuidStatus.EXPIRED
        message = f"Expired {stamp(host.expires_at)}: it opens {where} no more."
    else:
        status = GuidStatus.ACTIVE
        until = f", until {stamp(host.expires_at)}" if host.expires_at else ""
        message = f"Active: it opens {where} as host{until}."
    return VerifyResult(
        status, message, host.host_session_id, canvas.session_id, canvas.ksessions_id,
        canvas.title, host.created_at, host.created_by, host.expires_at, host.revoked_at,
        host.revoked_by,
    )
