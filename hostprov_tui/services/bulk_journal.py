"""The file of a bulk run's GUIDs, written BEFORE each commit so that a crash cannot lose one.

A GUID exists only in this process until it is saved; its hash is what the database keeps. So
for every chunk of a bulk run (services/bulk.py):

1. the chunk's rows go to this file with state ``pending`` and are fsynced,
2. its "pending" audit records are fsynced, then the chunk COMMITs,
3. its rows are marked ``applied`` in place (or ``dropped`` when the database refused the
   commit) and fsynced.

A kill -9 at any moment therefore leaves every GUID whose hash the database holds in this file:
as ``applied``, or as ``pending`` when the kill fell between the commit and the mark (or before
the commit: then that GUID never worked). ``hostprov bulk status FILE`` tells which, by hashing
each GUID and asking the database (services/bulk_status.py).

The file is a CSV (``state`` first, then the columns of the GUID CSV, then the input ``line``),
created with mode 0600, never over an existing file nor through a symbolic link, and only once
there is a GUID to save: a run that issues nothing leaves no file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from hostprov_tui.config.path_safety import check_trusted
from hostprov_tui.config.private_file import link_sentence, make_private_folder, open_private
from hostprov_tui.errors import InputError, OutputUnavailable
from hostprov_tui.services.results import GUID_CSV_COLUMNS

T = TypeVar("T")

if TYPE_CHECKING:
    from hostprov_tui.services.bulk import BulkItem

#: States are the same width, so a row's state is rewritten in place.
PENDING, APPLIED, DROPPED = "pending", "applied", "dropped"
STATES = (PENDING, APPLIED, DROPPED)
JOURNAL_COLUMNS = ("state", *GUID_CSV_COLUMNS, "line")


@dataclass(frozen=True)
class Staged:
    """Rows of one chunk written as pending: where each row starts in the file, and the rows
    as written (from ``offsets[0]`` on, one after the other)."""

    offsets: tuple[int, ...]
    data: bytes = b""


def tui_journal_path(
    audit_path: Path, now: datetime | None = None, columns: tuple[str, ...] = GUID_CSV_COLUMNS
) -> Path:
    """Where the TUI's bulk run saves its GUIDs (or tokens: ``columns``) until its results are
    closed: beside the audit log (the data folder), named for the moment, never an existing
    file."""
    moment = now or datetime.now(UTC)
    kind = "guids" if "guid" in columns else "tokens"
    stem = audit_path.parent / f"host-{kind}-{moment:%Y%m%dT%H%M%S%fZ}"
    return stem.with_suffix(".csv")


def check_new_file(path: Path) -> None:
    """Refuse, before anything is done, a path the GUIDs could not go to (exit 2)."""
    refused = link_sentence(path, "GUID file")
    if refused:
        raise InputError(refused, hint="Give another --output path.")
    if path.exists():
        raise InputError(
            f"{path} already exists; hostprov never overwrites a file of Host GUIDs.",
            hint="Give another --output path, or move the old file away first.",
        )
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"The folder {folder} for the GUID file does not exist.")
    if not os.access(folder, os.W_OK):
        raise InputError(f"The folder {folder} is read-only for this user, so the GUID file "
                         "cannot be written there; nothing was done.",
                         hint="Give an --output path in a folder you may write to.")
    check_trusted(folder, "folder of the GUID file", error=InputError)  # no swap by others


class BulkJournal:
    """Append-then-mark CSV of one bulk run. Not thread-safe: one run writes it."""

    def __init__(self, path: Path, columns: tuple[str, ...] = GUID_CSV_COLUMNS) -> None:
        self.path = path
        self.columns = ("state", *columns, "line")  # the generation's columns
        self._fd: int | None = None
        self._end = 0
        self.applied = 0  # rows whose commit returned
        self.pending = 0  # rows staged and not settled (after a commit nobody answered)
        self.staged_total = 0

    @property
    def exists(self) -> bool:
        return self._fd is not None

    def _unavailable(self, exc: OSError) -> OutputUnavailable:
        return OutputUnavailable(
            f"The GUID file {self.path} cannot be written ({exc.strerror or exc}), so no "
            "GUID was committed from here on.",
            hint="Free space or fix the path, then issue the rest again; `hostprov bulk status` "
            "tells which lines are in force.",
        )

    def _create(self) -> None:
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            make_private_folder(self.path.parent)
            fd = open_private(self.path, flags, "GUID file", OutputUnavailable)
        except FileExistsError:
            raise OutputUnavailable(
                f"{self.path} appeared while the run was starting; hostprov never overwrites a "
                "file of Host GUIDs, so nothing was committed.",
            ) from None
        except OSError as exc:
            raise self._unavailable(exc) from None
        self._fd = fd
        self._append(_csv_line(self.columns))
        _sync_folder(self.path.parent)

    def _append(self, data: bytes) -> int:
        assert self._fd is not None
        start = self._end
        os.lseek(self._fd, start, os.SEEK_SET)
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self._end = start + len(data)
        return start

    def stage(self, items: Sequence[BulkItem]) -> Staged:
        """Write the rows of a chunk that is about to commit, as pending, and fsync them.

        Raises OutputUnavailable when that fails: the caller must then not commit.
        """
        lines = _csv_lines([(PENDING, *item.csv_row(), item.line) for item in items])
        data = b"".join(lines)
        try:
            if self._fd is None:
                self._create()
            start = self._append(data)  # the chunk's rows in one write
            assert self._fd is not None
            os.fsync(self._fd)
        except OSError as exc:
            raise self._unavailable(exc) from None
        offsets = []
        for line in lines:
            offsets.append(start)
            start += len(line)
        self.pending += len(offsets)
        self.staged_total += len(offsets)
        return Staged(tuple(offsets), data)

    def settle(self, staged: Staged, *, committed: bool) -> None:
        """Mark staged rows applied (their commit returned) or dropped (it was refused).

        Never raises: the commit is decided; a row left pending is resolved by
        ``hostprov bulk status`` against the database.
        """
        if not staged.offsets:
            return
        state = (APPLIED if committed else DROPPED).encode("ascii")
        first = staged.offsets[0]
        rows = bytearray(staged.data)  # the same bytes but for each row's state, written over
        for offset in staged.offsets:  # them in one write (the disk rewrites whole pages anyway)
            rows[offset - first:offset - first + len(state)] = state
        try:
            assert self._fd is not None
            os.lseek(self._fd, first, os.SEEK_SET)
            view = memoryview(rows)
            while view:
                view = view[os.write(self._fd, view):]
            os.fsync(self._fd)
        except OSError:
            return
        self.pending -= len(staged.offsets)
        if committed:
            self.applied += len(staged.offsets)

    def close(self) -> None:
        """Close; a file that holds no GUID that may work (every row dropped) is removed."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = None
        if self.applied == 0 and self.pending == 0:
            with contextlib.suppress(OSError):
                self.path.unlink()

    def remove(self) -> None:
        """Close and delete the file (the TUI, once its GUIDs were shown and closed)."""
        self.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


@dataclass(frozen=True)
class JournalRow:
    """One row of a GUID file as read back (``guid`` may be missing in a torn last line)."""

    state: str
    ksessions_id: int | None
    canvas_session_id: int | None
    host_session_id: int | None
    action: str
    guid: str
    line: int | None


def journal_text(path: Path) -> str:
    """The text of a bulk run's file (InputError with a sentence when it cannot be read)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"The GUID file {path} does not exist.") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a GUID file.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a GUID file written by hostprov (not UTF-8).") from None
    except OSError as exc:
        raise InputError(f"The GUID file {path} cannot be read ({exc.strerror}).") from None


def read_journal(path: Path) -> tuple[list[JournalRow], int]:
    """The rows of a GUID file and how many could not be read (a line torn by a kill); a file
    of host tokens is read by services/bulk_status_tokens.py."""
    reader = csv.DictReader(io.StringIO(journal_text(path), newline=""))
    if reader.fieldnames is not None and "host_token" in reader.fieldnames:
        raise InputError(f"{path} holds host tokens, not Host GUIDs.")
    if reader.fieldnames is None or "guid" not in reader.fieldnames:
        raise InputError(f"{path} is not a GUID file written by hostprov (no guid column).")
    return parsed_rows(reader, _row)


def parsed_rows(reader: Iterable[dict[str, str | None]],
                parse: Callable[[dict[str, str | None]], T | None]) -> tuple[list[T], int]:
    """The rows ``parse`` reads, and how many it could not (a line torn by a kill)."""
    rows: list[T] = []
    torn = 0
    for raw in reader:
        row = parse(raw)
        if row is None:
            torn += 1
        else:
            rows.append(row)
    return rows, torn


def _row(raw: dict[str, str | None]) -> JournalRow | None:
    guid = (raw.get("guid") or "").strip()
    if len(guid) != 36:
        return None
    ks_text = (raw.get("ksessions_id") or "").strip()
    ks_id = session_id(ks_text)
    if ks_text and ks_id is None:  # no KSESSIONS ID: not a row hostprov wrote
        return None
    state = (raw.get("state") or APPLIED).strip()  # a file without states: every row committed
    return JournalRow(state if state in STATES else PENDING, ks_id,
                      _int(raw.get("canvas_session_id")), _int(raw.get("host_session_id")),
                      (raw.get("action") or "").strip(), guid, _int(raw.get("line")))


def session_id(value: str | None) -> int | None:
    """A KSESSIONS ID as the services take one; None for one no database column holds (a
    hostile or torn file must not reach a query with it)."""
    from hostprov_tui.services.inputs import parse_ksessions_id

    try:
        return parse_ksessions_id((value or "")[:20])
    except InputError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _csv_line(values: Iterable[object]) -> bytes:
    return _csv_lines([values])[0]


def _csv_lines(rows: Iterable[Iterable[object]]) -> list[bytes]:
    """Each row as one CSV line (UTF-8), by one writer."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lines = []
    for values in rows:
        writer.writerow(values)
        lines.append(out.getvalue().encode("utf-8"))
        out.seek(0)
        out.truncate()
    return lines


def _sync_folder(folder: Path) -> None:
    """Make the new file's name durable too (POSIX; elsewhere the file's own sync suffices)."""
    flag = getattr(os, "O_DIRECTORY", None)
    if flag is None:
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | flag)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
