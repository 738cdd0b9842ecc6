"""Reading ``canvas.Sessions`` of the tokens generation, and making tokens the app accepts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, case, func, or_, select

from hostprov_tui.db.tokens_models import (
    DATA_QUESTION,
    STATUS_CREATED,
    STATUS_EXPIRED,
    TOKEN_ALPHABET,
    TOKEN_LENGTH,
    Participant,
    SessionDataRow,
    TokenSession,
)
from hostprov_tui.errors import ConcurrentChange
from hostprov_tui.services.locking import for_update

#: Fresh draws before giving up: with 33**8 (1.4e12) tokens a second draw is already rare.
MAX_DRAWS = 10


@dataclass(frozen=True)
class TokenRow:
    """One canvas session of the tokens generation (its SessionId is the KSESSIONS ID)."""

    session_id: int
    host_token: str
    user_token: str
    status: str
    expires_at: datetime | None
    created_at: datetime | None
    modified_at: datetime | None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    scheduled: tuple[str | None, str | None, str | None] = (None, None, None)

    def __repr__(self) -> str:  # tokens never land in a traceback or a log by accident
        return f"TokenRow(session_id={self.session_id}, status={self.status!r})"

    @property
    def has_tokens(self) -> bool:
        return bool(self.host_token) and bool(self.user_token)

    def signs_in(self, now: datetime) -> bool:
        """The app's own rule: ExpiresAt NULL or in the future, and Status not 'Expired'."""
        return (self.expires_at is None or self.expires_at > now) \
            and self.status != STATUS_EXPIRED

    def ended(self, now: datetime) -> str:
        """Why its tokens no longer sign in, never a date still to come: "expired <when>",
        "the session's Status is 'Expired'", or both."""
        from hostprov_tui.services.checks import stamp

        why = []
        if self.expires_at is not None and self.expires_at <= now:
            why.append(f"expired {stamp(self.expires_at)}")
        if self.status == STATUS_EXPIRED:
            why.append("the session's Status is 'Expired'")
        return " and ".join(why) or "they no longer sign in"

    @property
    def has_run(self) -> bool:
        """What the app's Start leaves on the row (StartedAt, Status 'Active'), or a Status
        other than 'Created' (and 'Expired', which is hostprov's revoke)."""
        return self.started_at is not None or self.status not in (STATUS_CREATED,
                                                                  STATUS_EXPIRED)


@dataclass(frozen=True)
class RunCounts:
    """What a run left in the app's other tables for one session."""

    participants: int = 0
    questions: int = 0
    session_data: int = 0

    @property
    def any(self) -> bool:
        return bool(self.participants or self.session_data)


_COLUMNS = (
    TokenSession.SessionId, TokenSession.HostToken, TokenSession.UserToken, TokenSession.Status,
    TokenSession.ExpiresAt, TokenSession.CreatedAt, TokenSession.ModifiedAt,
    TokenSession.StartedAt, TokenSession.EndedAt, TokenSession.ScheduledDate,
    TokenSession.ScheduledTime, TokenSession.ScheduledDuration,
)


def _row(r: object) -> TokenRow:
    t = tuple(r)  # type: ignore[arg-type]
    return TokenRow(int(t[0]), (t[1] or "").strip(), (t[2] or "").strip(), t[3] or "", t[4],
                    t[5], t[6], t[7], t[8], (t[9], t[10], t[11]))


def run_counts(conn: Connection, ids: list[int]) -> dict[int, RunCounts]:
    """Participants, questions and rows of session data per session: two queries for any
    number of IDs (counts only; the rows themselves are read by a new run's archive)."""
    if not ids:
        return {}
    people = dict(conn.execute(
        select(Participant.SessionId, func.count()).where(Participant.SessionId.in_(ids))
        .group_by(Participant.SessionId)
    ).all())
    data = {int(r[0]): (int(r[1]), int(r[2] or 0)) for r in conn.execute(
        select(SessionDataRow.SessionId, func.count(),
               func.sum(case((SessionDataRow.DataType == DATA_QUESTION, 1), else_=0)))
        .where(SessionDataRow.SessionId.in_(ids)).group_by(SessionDataRow.SessionId)
    )}
    return {i: RunCounts(int(people.get(i, 0)), data.get(i, (0, 0))[1], data.get(i, (0, 0))[0])
            for i in ids}


def rows_by_id(conn: Connection, ids: list[int], lock: bool) -> dict[int, TokenRow]:
    """The rows of ``ids`` (SessionId = KSESSIONS ID), locked for update when asked."""
    if not ids:
        return {}
    stmt = select(*_COLUMNS).where(TokenSession.SessionId.in_(ids))
    if lock:
        stmt = for_update(stmt, TokenSession)
    return {row.session_id: row for row in map(_row, conn.execute(stmt))}


def row_by_token(conn: Connection, token: str) -> tuple[TokenRow, str] | None:
    """The row whose HostToken (role "host") or UserToken ("participant") is ``token``."""
    found = conn.execute(
        select(*_COLUMNS).where(
            or_(TokenSession.HostToken == token, TokenSession.UserToken == token)
        )
    ).first()
    if found is None:
        return None
    row = _row(found)
    return row, "host" if row.host_token == token else "participant"


def new_token() -> str:
    """8 characters of the app's alphabet, each drawn by ``secrets.choice`` (which draws an
    index below 33 by rejection, so there is no modulo bias)."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def fresh_tokens(conn: Connection, count: int) -> list[str]:
    """``count`` distinct tokens that equal no HostToken and no UserToken of any row (expired
    rows included): one query per draw, whatever ``count``."""
    chosen: list[str] = []
    for _ in range(MAX_DRAWS):
        wanted = count - len(chosen)
        if wanted == 0:
            return chosen
        drawn = list(dict.fromkeys(t for t in (new_token() for _ in range(wanted))
                                   if t not in chosen))
        taken = _taken(conn, drawn)
        chosen += [t for t in drawn if t not in taken]
    if len(chosen) == count:
        return chosen
    raise ConcurrentChange(  # pragma: no cover - 1.4e12 tokens: practically unreachable
        f"No unused token was found in {MAX_DRAWS} draws; nothing was saved.",
        hint="Try again.",
    )


_CANDIDATES = bindparam("candidates", expanding=True)


def _taken(conn: Connection, tokens: list[str]) -> set[str]:
    if not tokens:
        return set()
    rows = conn.execute(
        select(TokenSession.HostToken, TokenSession.UserToken).where(
            or_(TokenSession.HostToken.in_(_CANDIDATES), TokenSession.UserToken.in_(_CANDIDATES))
        ),
        {"candidates": tokens},
    )
    return {value for row in rows for value in row}
