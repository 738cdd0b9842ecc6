"""The archive of a new run (tokens generation): the participants and session data a new run
removes, written to a JSON-lines file in the data folder before the commit.

A file is written as ``run-archive-<time>-<id>.jsonl.pending`` (mode 0600, never through a
link), fsynced with its folder, and named in the pending audit record; after the commit it is
renamed to ``….jsonl``; a rollback removes it. A kill -9 between the two leaves the
``.pending`` file, and the next new run of one of its sessions settles it under the same locks
(nobody else can be inside that transaction then): if any archived row is still in the
database, the transaction did not commit and the file becomes ``….jsonl.uncommitted``;
otherwise it is renamed to ``….jsonl``. Either way every removed row is in an archive.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, delete, select

from hostprov_tui.config.private_file import _sync_folder, make_private_folder, open_private
from hostprov_tui.db.tokens_models import Participant, SessionDataRow
from hostprov_tui.errors import AuditUnavailable

PENDING, UNCOMMITTED = ".pending", ".uncommitted"
PREFIX = "run-archive-"
#: The app's tables a new run empties for its sessions, and their keys.
TABLES: tuple[tuple[Table, str], ...] = (
    (Participant.__table__, "ParticipantId"),  # type: ignore[arg-type]
    (SessionDataRow.__table__, "DataId"),  # type: ignore[arg-type]
)


def archive_folder(audit_path: Path) -> Path:
    """The archives live in the data folder, beside the audit file."""
    return audit_path.parent / "archives"


def pattern(folder: Path) -> str:
    return str(folder / f"{PREFIX}….jsonl")


@dataclass(frozen=True)
class Removed:
    """The rows of the app's tables a new run removes, read under the run's locks."""

    rows: tuple[tuple[str, dict[str, Any]], ...]

    def count(self, table: str) -> int:
        return sum(1 for name, _ in self.rows if name == table)


def remove_rows(conn: Connection, ids: Sequence[int]) -> Removed:
    """Delete the sessions' Participants and SessionData rows and return every column of each
    row deleted (DELETE … RETURNING; OUTPUT DELETED.* on SQL Server): one statement per table,
    and exactly the rows removed are archived — a participant who registers meanwhile is either
    deleted and archived, or kept. Where the database cannot return deleted rows, they are read
    first under the transaction's lock, then deleted."""
    rows: list[tuple[str, dict[str, Any]]] = []
    returning = conn.dialect.delete_returning
    for table, key in TABLES:
        where = table.c.SessionId.in_(list(ids))
        if returning:
            found = [dict(r) for r in conn.execute(delete(table).where(where)
                                                   .returning(*table.c)).mappings()]
        else:  # pragma: no cover - every supported backend returns deleted rows
            found = [dict(r) for r in conn.execute(select(table).where(where)).mappings()]
            conn.execute(delete(table).where(where))
        rows += [(table.name, r) for r in sorted(found, key=lambda r: r[key])]
    return Removed(tuple(rows))


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def write(folder: Path, sessions: Sequence[int], removed: Removed, now: datetime) -> Path:
    """Write and fsync the pending archive; returns its final path (without ``.pending``).
    The folder and the file are never reached through a symbolic link."""
    if folder.is_symlink():
        raise AuditUnavailable(
            f"The archive folder {folder} is a symbolic link; hostprov does not write archives "
            "through links, so nothing was changed.",
            hint="Make it a folder of its own (or remove the link: hostprov creates it).",
        )
    final = folder / f"{PREFIX}{now:%Y%m%dT%H%M%S%fZ}-{_suffix()}.jsonl"
    pending = final.with_name(final.name + PENDING)
    head = {"archive": "hostprov run archive", "created_at": now.isoformat(),
            "sessions": list(sessions), "participants": removed.count("Participants"),
            "session_data": removed.count("SessionData")}
    lines = [json.dumps(head)] + [
        json.dumps({"table": f"canvas.{name}", "row": {k: _value(v) for k, v in row.items()}})
        for name, row in removed.rows
    ]
    try:
        make_private_folder(folder)
        fd = open_private(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, "run archive",
                          AuditUnavailable)
        try:
            os.write(fd, ("\n".join(lines) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        _sync_folder(folder)
    except OSError as exc:
        pending.unlink(missing_ok=True)
        raise AuditUnavailable(
            f"The archive of the new run cannot be written in {folder} "
            f"({exc.strerror or exc}); nothing was changed.",
            hint="Make the data folder writable, or issue without a new run.",
        ) from None
    return final


def finish(paths: Iterable[str | None], committed: bool) -> None:
    """After the commit: rename each pending archive to its final name; after a rollback:
    remove it (its rows are still in the database)."""
    for path in filter(None, paths):
        final = Path(path)
        pending = final.with_name(final.name + PENDING)
        try:
            if committed:
                os.replace(pending, final)
            else:
                pending.unlink(missing_ok=True)
        except OSError:
            continue  # left pending: the next new run of its sessions settles it
        _sync_folder(final.parent)


def settle(conn: Connection, folder: Path, locked: Sequence[int]) -> None:
    """Settle the pending archives (left by a kill) of sessions this transaction has locked."""
    if not folder.is_dir():
        return
    ours = set(locked)
    for pending in sorted(folder.glob(f"{PREFIX}*.jsonl{PENDING}")):
        try:
            head, rows = _read(pending)
        except (OSError, ValueError):
            continue
        if not ours.intersection(head.get("sessions", ())):
            continue
        final = pending.with_name(pending.name[: -len(PENDING)])
        target = final.with_name(final.name + UNCOMMITTED) if _still_there(conn, rows) \
            else final
        os.replace(pending, target)
        _sync_folder(folder)


def _read(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    fd = open_private(path, os.O_RDONLY, "run archive", AuditUnavailable)
    with os.fdopen(fd, encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle if line.strip()]
    return lines[0], lines[1:]


def _still_there(conn: Connection, rows: list[dict[str, Any]]) -> bool:
    """Is any archived row still in its table, every column equal (identity values can be
    reused on SQLite, so the key alone does not tell)? One query a table."""
    for table, key in TABLES:
        mine = {r["row"][key]: r["row"] for r in rows if r["table"] == f"canvas.{table.name}"}
        if not mine:
            continue
        found = conn.execute(select(table).where(table.c[key].in_(list(mine)))).mappings()
        if any({k: _value(v) for k, v in r.items()} == mine.get(r[key]) for r in found):
            return True
    return False


#: Letters that are no hex digits: a name never looks like part of a GUID to the audit scrubber
#: (services/audit.py), which would otherwise hide the archive's path in the audit record.
_SUFFIX_LETTERS = "ghjkmnpqrstvwxyz"


def _suffix() -> str:
    return "".join(secrets.choice(_SUFFIX_LETTERS) for _ in range(6))
