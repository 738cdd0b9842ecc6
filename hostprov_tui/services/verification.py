"""Which session does a credential open, and would it sign in? (read-only, audited)

The operator says what they hold — a Host GUID or a token — and the canvas database's generation
says what its app accepts; a mismatch is one sentence (exit 2), never a lookup that cannot match.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.errors import HostprovError, InputError
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.hashing import hash_prefix
from hostprov_tui.services.results import GuidStatus, VerifyResult

CredentialKind = Literal["guid", "token"]


def verify(ctx: ServiceContext, text: str, kind: CredentialKind = "guid") -> VerifyResult:
    from hostprov_tui.services.inputs import parse_guid, parse_token

    prefix: str | None = None
    try:
        guid = parse_guid(text) if kind == "guid" else None
        credential = parse_token(text) if kind == "token" else ""
        generation = ctx.generation()
        if generation.credential_kind != kind:
            raise _wrong_kind(kind, generation.name)
        if guid is not None:  # HostSessions holds only the HMAC of a GUID
            credential = ctx.hasher().hash(guid)
            prefix = hash_prefix(credential)
        dbs = ctx.databases()
        try:
            with dbs.canvas.connect() as conn:
                result = generation.verify(ctx, conn, credential)
        except DBAPIError as exc:
            raise translate_db_error(exc, dbs.canvas.target) from None
    except HostprovError as exc:
        if (text or "").strip():  # an empty box asked for nothing: no record of a refusal
            ctx.audit.failure("verify", exc)
        raise
    ctx.audit.record(
        "verify", "ok" if result.status is GuidStatus.ACTIVE else "refused",
        ksessions_id=result.ksessions_id, canvas_session_id=result.canvas_session_id,
        host_session_id=result.host_session_id, hash_prefix=prefix,
        reason=result.status.value if result.role is None else f"{result.role} {result.status}",
        message=result.message,
    )
    return result


def _wrong_kind(kind: CredentialKind, generation: str) -> InputError:
    if kind == "guid":
        return InputError(
            "This canvas database is of the tokens generation: its hosts sign in with an "
            "8-character host token, so a Host GUID opens nothing there.",
            hint="Verify the host token instead: hostprov verify --token -",
        )
    return InputError(
        f"This canvas database is of the {generation} generation: its hosts sign in with a "
        "Host GUID, and it holds no tokens.",
        hint="Verify the Host GUID instead: hostprov verify --guid -",
    )
