"""``hostprov bulk status FILE``: which GUIDs of a (perhaps interrupted) bulk run are in force.

The file's own marks say what the run knew (``applied``: its commit returned; ``pending``: the
run stopped around the commit; ``dropped``: the commit was refused). The database decides: each
GUID is hashed with the configured secret and looked up, and each session's active GUID is read,
so a row reads "in force" exactly when the database holds that hash as the session's active,
unexpired GUID. Given the run's ID file too, the lines with no GUID in force are listed: those
are the IDs to issue again. Nothing is written but the audit record; no GUID is printed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import Connection, select, true
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.canvas_models import CanvasSession, HostSession
from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.errors import HostprovError
from hostprov_tui.services.bulk import parse_lines
from hostprov_tui.services.bulk_journal import APPLIED, JournalRow, read_journal
from hostprov_tui.services.checks import stamp
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.hashing import GuidHasher
from hostprov_tui.services.inputs import parse_guid

Status = Literal["in_force", "expired", "revoked", "replaced", "never_committed", "gone"]
#: Hashes per lookup query.
BATCH = 500


@dataclass(frozen=True)
class RowStatus:
    """One row of the GUID file, as the database sees it now."""

    line: int | None  # the line of the run's ID file
    ksessions_id: int | None
    file_state: str  # what the file says: applied | pending | dropped
    status: Status
    message: str
    host_session_id: int | None = None

    @property
    def in_force(self) -> bool:
        return self.status == "in_force"


@dataclass(frozen=True)
class MissingLine:
    """A line of the ID file with no GUID in force in the GUID file."""

    line: int
    ksessions_id: int
    message: str


@dataclass(frozen=True)
class BulkStatusReport:
    path: Path
    rows: tuple[RowStatus, ...]
    torn: int = 0  # rows cut short by the interruption (never committed)
    missing: tuple[MissingLine, ...] | None = None  # only with the ID file
    counts: dict[str, int] = field(default_factory=dict)
    noun: str = "GUIDs"  # "host tokens" for a file of the tokens generation

    @property
    def in_force(self) -> int:
        return sum(1 for r in self.rows if r.in_force)

    @property
    def complete(self) -> bool:
        """Every session of the file (and of the ID file, if given) has its GUID in force."""
        forced = {r.ksessions_id for r in self.rows if r.in_force}
        rows_ok = all(r.ksessions_id in forced for r in self.rows)
        return rows_ok and not self.missing

    def summary(self) -> str:
        text = f"{self.in_force} of {len(self.rows)} {self.noun} in {self.path} are in force"
        others = [f"{n} {status.replace('_', ' ')}" for status, n in sorted(self.counts.items())
                  if status != "in_force" and n]
        if others:
            text += " (" + ", ".join(others) + ")"
        if self.torn:
            text += f"; {self.torn} row(s) cut short by the interruption (never committed)"
        if self.missing is not None:
            text += (f"; {len(self.missing)} line(s) of the ID file have no "
                     f"{self.noun.removesuffix('s')} in force")
        return text + "."


def bulk_status(
    ctx: ServiceContext, path: Path, id_lines: list[str] | None = None
) -> BulkStatusReport:
    from hostprov_tui.services import bulk_status_tokens as tokens

    try:
        if tokens.holds_tokens(tokens.header(path)):
            report = tokens.tokens_status(ctx, path, id_lines)
        else:
            report = _status(ctx, path, id_lines)
    except HostprovError as exc:
        ctx.audit.failure("bulk-status", exc)
        raise
    ctx.audit.record("bulk-status", "ok", message=report.summary())
    return report


def _status(ctx: ServiceContext, path: Path, id_lines: list[str] | None) -> BulkStatusReport:
    rows, torn = read_journal(path)
    hasher = ctx.hasher()
    hashes = [_hash(hasher, r.guid) for r in rows]
    dbs = ctx.databases()
    ks_ids = sorted({r.ksessions_id for r in rows if r.ksessions_id is not None})
    try:
        with dbs.canvas.connect() as conn:
            found = _hosts_by_hash(conn, [h for h in hashes if h])
            active = _active_by_session(conn, ks_ids)
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.canvas.target) from None
    now = utcnow()
    statuses = tuple(_row_status(r, h, found, active, now) for r, h in zip(rows, hashes,
                                                                          strict=True))
    counts: dict[str, int] = {}
    for st in statuses:
        counts[st.status] = counts.get(st.status, 0) + 1
    missing = None
    if id_lines is not None:
        forced = {s.ksessions_id for s in statuses if s.in_force}
        entries, _bad = parse_lines(id_lines)
        missing = tuple(
            MissingLine(e.line, e.ksessions_id, _why_missing(e.ksessions_id, statuses))
            for e in entries if e.ksessions_id not in forced
        )
    return BulkStatusReport(path, statuses, torn, missing, counts)


def _hash(hasher: GuidHasher, text: str) -> str | None:
    try:
        return hasher.hash(parse_guid(text))
    except HostprovError:
        return None


@dataclass(frozen=True)
class _Host:
    host_session_id: int
    ksessions_id: int | None
    is_active: bool
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None


def _hosts_by_hash(conn: Connection, hashes: list[str]) -> dict[str, _Host]:
    found: dict[str, _Host] = {}
    for start in range(0, len(hashes), BATCH):
        rows = conn.execute(
            select(HostSession.HostGuidHash, HostSession.HostSessionId, CanvasSession.KSessionsId,
                   HostSession.IsActive, HostSession.ExpiresAt, HostSession.RevokedAt,
                   HostSession.RevokedBy)
            .join(CanvasSession, CanvasSession.SessionId == HostSession.SessionId)
            .where(HostSession.HostGuidHash.in_(hashes[start:start + BATCH]))
        )
        for r in rows:
            found[r[0]] = _Host(int(r[1]), r[2], bool(r[3]), r[4], r[5], r[6])
    return found


def _active_by_session(conn: Connection, ks_ids: list[int]) -> dict[int, str]:
    """KSESSIONS ID → hash of its active GUID now."""
    active: dict[int, str] = {}
    for start in range(0, len(ks_ids), BATCH):
        rows = conn.execute(
            select(CanvasSession.KSessionsId, HostSession.HostGuidHash)
            .join(CanvasSession, CanvasSession.SessionId == HostSession.SessionId)
            .where(CanvasSession.KSessionsId.in_(ks_ids[start:start + BATCH]),
                   HostSession.IsActive == true())
        )
        active.update({int(r[0]): r[1] for r in rows})
    return active


def _row_status(
    row: JournalRow, guid_hash: str | None, found: dict[str, _Host], active: dict[int, str],
    now: datetime,
) -> RowStatus:
    def status(kind: Status, message: str, host: _Host | None = None) -> RowStatus:
        return RowStatus(row.line, row.ksessions_id, row.state, kind, message,
                         host.host_session_id if host else None)

    host = found.get(guid_hash) if guid_hash else None
    if host is not None:
        if not host.is_active:
            return status("revoked", f"revoked {stamp(host.revoked_at)} by "
                          f"{host.revoked_by or 'unknown'}", host)
        if host.expires_at is not None and host.expires_at <= now:
            return status("expired", f"expired {stamp(host.expires_at)}", host)
        note = "" if row.state == APPLIED else " (the run stopped before marking it)"
        return status("in_force", "in force" + note, host)
    if row.ksessions_id is not None and row.ksessions_id in active:
        return status("replaced", "replaced: another GUID is active for this session now")
    if row.state == APPLIED:
        return status("gone", "no longer in the database (rotated, then revoked)")
    return status("never_committed", "never committed: this GUID never worked")


def _why_missing(ksessions_id: int, statuses: Iterable[RowStatus]) -> str:
    rows = [s for s in statuses if s.ksessions_id == ksessions_id]
    if not rows:
        return "not in the GUID file: the run never issued it (refused, failed or not reached)"
    return rows[-1].message
