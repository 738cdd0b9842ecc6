"""``hostprov bulk status FILE`` for a file of the tokens generation (the CLI's tokens CSV, or the
TUI's bulk journal of a tokens database): are the tokens in the file still the session's?

The database keeps a session's HostToken and UserToken in ``canvas.Sessions`` (one row per
KSESSIONS session), so each row of the file is compared with its session's row as it is now: the
row reads "in force" exactly when the session's HostToken is still the file's and it still signs
in by the app's rule (ExpiresAt in the future or NULL, Status not 'Expired'). Tokens are compared,
never printed: no message below quotes one.
"""

from __future__ import annotations

import csv
import hmac
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.db.tokens_models import STATUS_EXPIRED, TOKEN_LENGTH
from hostprov_tui.errors import InputError
from hostprov_tui.services.bulk import parse_lines
from hostprov_tui.services.bulk_journal import (
    APPLIED,
    PENDING,
    STATES,
    journal_text,
    parsed_rows,
    session_id,
)
from hostprov_tui.services.bulk_status import BulkStatusReport, MissingLine, RowStatus
from hostprov_tui.services.checks import stamp
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.generations.token_rows import TokenRow, rows_by_id

#: Session IDs per lookup query.
BATCH = 500
NOUN = "host tokens"


@dataclass(frozen=True)
class TokensRow:
    """One row of a tokens file as read back (never printed: the tokens are secrets)."""

    state: str
    ksessions_id: int
    host_token: str
    user_token: str
    line: int | None

    def __repr__(self) -> str:
        return f"TokensRow(ksessions_id={self.ksessions_id}, state={self.state!r})"


def holds_tokens(fieldnames: Iterable[str] | None) -> bool:
    """A header of the tokens CSV (with or without the journal's state and line)."""
    return fieldnames is not None and "host_token" in fieldnames


def header(path: Path) -> list[str] | None:
    """The column names of a bulk file (InputError with a sentence when it cannot be read)."""
    return csv.DictReader(io.StringIO(journal_text(path), newline="")).fieldnames  # type: ignore[return-value]


def read_tokens_journal(path: Path) -> tuple[list[TokensRow], int]:
    """The rows of a tokens file, and how many could not be read (a line torn by a kill)."""
    reader = csv.DictReader(io.StringIO(journal_text(path), newline=""))
    if not holds_tokens(reader.fieldnames):
        raise InputError(f"{path} is not a file of host tokens written by hostprov.")
    return parsed_rows(reader, _row)


def _row(raw: dict[str, str | None]) -> TokensRow | None:
    host, user = (raw.get("host_token") or "").strip(), (raw.get("user_token") or "").strip()
    ks_id = session_id(raw.get("ksessions_id"))
    if len(host) != TOKEN_LENGTH or len(user) != TOKEN_LENGTH or ks_id is None:
        return None
    state = (raw.get("state") or APPLIED).strip()  # the CLI's plain CSV: every row committed
    return TokensRow(state if state in STATES else PENDING, ks_id, host, user,
                     _int(raw.get("line")))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") and len(value) <= 20 else None
    except ValueError:
        return None


def tokens_status(
    ctx: ServiceContext, path: Path, id_lines: list[str] | None
) -> BulkStatusReport:
    rows, torn = read_tokens_journal(path)
    ids = sorted({r.ksessions_id for r in rows})
    dbs = ctx.databases()
    sessions: dict[int, TokenRow] = {}
    try:
        with dbs.canvas.connect() as conn:
            for start in range(0, len(ids), BATCH):
                sessions.update(rows_by_id(conn, ids[start:start + BATCH], lock=False))
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.canvas.target) from None
    now = utcnow()
    statuses = tuple(_status(r, sessions.get(r.ksessions_id), now) for r in rows)
    counts: dict[str, int] = {}
    for st in statuses:
        counts[st.status] = counts.get(st.status, 0) + 1
    missing = None
    if id_lines is not None:
        forced = {s.ksessions_id for s in statuses if s.in_force}
        entries, _bad = parse_lines(id_lines)
        missing = tuple(MissingLine(e.line, e.ksessions_id, _why_missing(e.ksessions_id,
                                                                         statuses))
                        for e in entries if e.ksessions_id not in forced)
    return BulkStatusReport(path, statuses, torn, missing, counts, noun=NOUN)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _status(row: TokensRow, now_row: TokenRow | None, now: datetime) -> RowStatus:
    def status(kind: str, message: str) -> RowStatus:
        return RowStatus(row.line, row.ksessions_id, row.state, kind, message)  # type: ignore[arg-type]

    if now_row is None:
        if row.state == APPLIED:
            return status("gone", "the canvas session is no longer in the database")
        return status("never_committed", "never committed: these tokens never worked")
    if not _same(now_row.host_token, row.host_token):
        if now_row.status == STATUS_EXPIRED:  # a revoke replaces the tokens with unshown ones
            return status("expired", "revoked since (or its run is over): no longer signs in")
        if row.state == APPLIED:
            return status("replaced", "replaced: the session has other tokens now")
        return status("never_committed", "never committed, or replaced since: the session has "
                      "other tokens now")
    if not now_row.signs_in(now):
        when = f" {stamp(now_row.expires_at)}" if now_row.expires_at else ""
        return status("expired", f"expired{when} (revoked or past its end): no longer signs in")
    notes = []
    if row.state != APPLIED:
        notes.append("the run stopped before marking it")
    if not _same(now_row.user_token, row.user_token):
        notes.append("the participants' link has changed since")
    return status("in_force", "in force" + (f" ({'; '.join(notes)})" if notes else ""))


def _why_missing(ksessions_id: int, statuses: Iterable[RowStatus]) -> str:
    rows = [s for s in statuses if s.ksessions_id == ksessions_id]
    if not rows:
        return "not in the file: the run never issued it (refused, failed or not reached)"
    return rows[-1].message
