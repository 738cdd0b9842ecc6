"""Verify a Host GUID (guid generation): which session it opens; active, expired or revoked."""

from __future__ import annotations

from sqlalchemy import Connection

from hostprov_tui.services import lookups
from hostprov_tui.services.checks import stamp
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.results import GuidStatus, VerifyResult


def verify_guid(conn: Connection, guid_hash: str) -> VerifyResult:
    """``guid_hash``: the HMAC of the GUID, as HostSessions stores it."""
    found = lookups.host_by_hash(conn, guid_hash)
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
