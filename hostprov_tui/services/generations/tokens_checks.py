"""The check lines of the tokens generation, each a sentence a person understands."""

from __future__ import annotations

from datetime import datetime

from hostprov_tui.db.tokens_models import STATUS_EXPIRED
from hostprov_tui.services.checks import FAIL, PASS, WARN, CheckLine, stamp
from hostprov_tui.services.generations.token_rows import TokenRow


def canvas_line(ksessions_id: int, row: TokenRow | None) -> CheckLine:
    if row is None:
        return CheckLine(
            "canvas_session", PASS,
            f"A canvas session will be created with SessionId {ksessions_id} (the KSESSIONS "
            "SessionID, which the app looks it up by), Status 'Created' and a new AlbumId.",
        )
    if row.status == STATUS_EXPIRED:
        return CheckLine(
            "canvas_session", PASS,
            f"Canvas session {row.session_id} exists and was revoked (Status 'Expired'): "
            "issuing starts a new run.",
        )
    return CheckLine(
        "canvas_session", PASS,
        f"Canvas session {row.session_id} exists (Status '{row.status}').",
    )


def host_line(row: TokenRow | None, now: datetime, new_user_token: bool) -> CheckLine:
    if row is None or not row.has_tokens:
        return CheckLine(
            "host_session", PASS,
            "No host token yet: a host token and a participant token will be created.",
        )
    if row.status == STATUS_EXPIRED:
        return CheckLine(
            "host_session", PASS,
            "Its tokens were revoked: a new host token and a new participant token will be "
            "made.",
        )
    if not row.signs_in(now):
        return CheckLine(
            "host_session", PASS,
            f"Its tokens no longer sign in ({row.ended(now)}): a new host token and a new "
            "participant token will be made.",
        )
    until = f"valid until {stamp(row.expires_at)}" if row.expires_at else "valid with no end"
    participants = (
        "the participant token is replaced too, so participants need the new link"
        if new_user_token else "participants keep their link"
    )
    return CheckLine(
        "host_session", WARN,
        f"Will rotate: the current host token ({until}) stops working; {participants}.",
    )


def expiry_line(
    given: datetime | None, expires: datetime, now: datetime, valid_hours: float
) -> CheckLine:
    if expires <= now:
        return CheckLine(
            "expiry", FAIL, f"The expiry {stamp(expires)} is in the past.",
            "Give a date and time in the future.",
        )
    why = "as given" if given is not None else f"{valid_hours:g} h from now, [tokens] valid_hours"
    return CheckLine("expiry", PASS, f"The tokens will be valid until {stamp(expires)} ({why}).")
