"""Follow the audit file: the records any process appends, as they land (no Textual here).

:class:`AuditFollower` reads the file's last records once, backwards from the end, and then on
each :meth:`~AuditFollower.poll` only the bytes added since. A file that was replaced (rotation:
another inode) or cut (truncation: shorter than what was read, or other first bytes) is read
again from its start; a last line still being written waits for its newline. :class:`FollowThread`
polls on a daemon thread and hands each batch to a callback, so a caller's UI never waits for the
disk. :class:`RecordMerger` shows each record once when it arrives both from this process (a
live listener) and from the file. A change's "pending" record is not shown: its outcome is (and
one with no outcome in the tail reads as "unknown", as in ``AuditLog.tail``).

The file is opened for each poll and closed again (so Windows can still rename or delete it);
records appended to the old file between the last poll and its rotation stay in the rotated
file.
"""

from __future__ import annotations

import os
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hostprov_tui.services.audit import PENDING, AuditRecord, resolve_pending
from hostprov_tui.services.audit_lines import (
    MAX_LINE,
    Backward,
    Overlong,
    glued,
    parse_line,
    skipped_notice,
)

__all__ = ["MAX_LINE", "parse_line", "skipped_notice"]  # read from here by the TUI and tests

#: Bytes of records handled per poll at most: a huge backlog (another process's bulk run) is
#: read over a few polls (one after the other, without waiting) instead of one long read.
MAX_READ = 1 << 20
#: Bytes of an over-long line scanned per poll at most (the follow thread polls again at once).
MAX_SCAN = 32 << 20
#: The first bytes of the file, compared on every poll: a file truncated and refilled past the
#: old size between two polls starts with other bytes. 512 cover a first record whole (its time
#: to the millisecond, action, outcome, IDs, message), so a refill within the same millisecond
#: is told apart too (64 bytes held only the time and the operator); only the very same first
#: record, written again in the same millisecond, is not.
HEAD_BYTES = 512
BLOCK = 1 << 16
POLL_INTERVAL_S = 0.5


@dataclass(frozen=True)
class FollowBatch:
    """What one poll found: new complete records, whether the file started over, how many
    over-long lines were skipped, and whether more bytes wait (poll again at once)."""

    records: tuple[AuditRecord, ...] = ()
    restarted: bool = False
    skipped: int = 0
    more: bool = False


class AuditFollower:
    """Reads what was appended to ``path`` since the last call (not thread-safe: one reader).

    Every byte is read at most once and held at most ``MAX_LINE`` (+ one block) at a time: the
    work is linear in what was appended, and an over-long line costs a scan, not a parse."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bytes_read = 0  # every byte this follower has read (tests: never the whole file)
        self.bytes_held = 0  # the most bytes of one line held at once (tests: bounded)
        self.skipped = 0  # over-long lines skipped so far
        self._identity: tuple[int, int] | None = None
        self._offset = 0
        self._head = b""
        self._partial = b""
        self._skipping = False  # inside an over-long line: scan for its end
        self._window = b""  # the last MAX_LINE bytes of the over-long line being scanned

    def tail(self, count: int) -> list[AuditRecord]:
        """The last ``count`` records, read backwards from the end; following goes on after
        them (a half-written last line is read by the next poll)."""
        self._forget()
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return []
        want = 2 * count + 64  # a change is two lines (pending, outcome), as in AuditLog.tail
        with handle:
            st = os.fstat(handle.fileno())
            lines: list[bytes] = []
            backwards = self._lines_backwards(handle, st.st_size)
            self._offset = next(backwards)  # type: ignore[assignment]  # the last line's start
            for line in backwards:
                if isinstance(line, Overlong):
                    self.skipped += 1
                    line = line.glued
                lines.append(line)  # type: ignore[arg-type]
                if len(lines) > want:
                    break
            self._identity = _identity(st)
            self._head = self._read_head(handle)
        lines.reverse()
        records = resolve_pending([r for r in map(parse_line, lines) if r is not None])
        return records[-count:] if count > 0 else []

    def _lines_backwards(self, handle: BinaryIO, end: int) -> Iterator[int | bytes | Overlong]:
        """First the offset where the last line without a newline starts, then every complete
        line from the last to the first (an over-long one as :class:`Overlong`)."""
        line, first, pos = Backward(), True, end
        while pos > 0:
            step = min(BLOCK, pos)
            pos -= step
            handle.seek(pos)
            block = self._read(handle, step)
            cut = len(block)
            while (newline := block.rfind(b"\n", 0, cut)) >= 0:
                if first:  # the bytes after the last newline wait for the next poll
                    first = False
                    yield pos + newline + 1
                else:
                    line.add(block[newline + 1:cut])
                    yield line.done()
                line, cut = Backward(), newline
            if not first:
                line.add(block[:cut])
                self.bytes_held = max(self.bytes_held, line.kept)
        if first:
            yield 0
        elif line.parts or line.over:
            yield line.done()

    def poll(self) -> FollowBatch:
        """The complete records appended since the last call (or since :meth:`tail`)."""
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:  # rotated away and not created again yet
            restarted = self._identity is not None
            self._forget()
            return FollowBatch(restarted=restarted)
        with handle:
            st = os.fstat(handle.fileno())
            restarted = self._started_over(handle, st)
            if restarted:
                self._forget()
            self._identity = _identity(st)
            if st.st_size <= self._offset:
                return FollowBatch(restarted=restarted)
            handle.seek(self._offset)
            lines, skipped = self._read_lines(handle, st.st_size)
            if len(self._head) < HEAD_BYTES:
                self._head = self._read_head(handle)
        # a change's "pending" half is followed by its outcome, which is what people see
        records = tuple(r for r in map(parse_line, lines) if r is not None and
                        r.outcome != PENDING)
        return FollowBatch(records, restarted, skipped, self._offset < st.st_size)

    def _read_lines(self, handle: BinaryIO, size: int) -> tuple[list[bytes], int]:
        """The complete lines from the current offset (MAX_READ bytes of them, MAX_SCAN of an
        over-long line at most), and how many over-long lines ended in them."""
        lines: list[bytes] = []
        skipped = kept = scanned = 0
        while self._offset < size and kept < MAX_READ and scanned < MAX_SCAN:
            chunk = self._read(handle, min(MAX_READ, size - self._offset))
            if not chunk:
                break
            self._offset += len(chunk)
            start = 0
            if self._skipping:  # keep its last MAX_LINE bytes: a record may be glued there
                start = chunk.find(b"\n") + 1
                if start == 0:  # still inside it
                    self._window = (self._window + chunk)[-MAX_LINE:]
                    scanned += len(chunk)
                    continue
                lines.append(glued(self._window + chunk[:start - 1]))
                self._skipping, self._window = False, b""
                skipped, scanned = skipped + 1, scanned + start
            pieces = chunk[start:].split(b"\n")
            rest = pieces.pop()  # after the last newline: the start of a line
            kept += len(chunk) - start - len(rest)
            scanned += len(rest)
            if pieces:
                pieces[0] = self._partial + pieces[0]
                self._partial = rest
            else:
                self._partial += rest
            for piece in pieces:
                if len(piece) > MAX_LINE:
                    skipped += 1
                    piece = glued(piece)
                lines.append(piece)
            if len(self._partial) > MAX_LINE:  # an over-long line: the rest is scanned only
                self._window = self._partial[-MAX_LINE:]
                self._partial, self._skipping = b"", True
            self.bytes_held = max(self.bytes_held, len(self._partial))
        self.skipped += skipped
        return lines, skipped

    def _started_over(self, handle: BinaryIO, st: os.stat_result) -> bool:
        if self._identity is None:
            return False
        identity = _identity(st)
        if identity[1] and identity != self._identity:  # st_ino is 0 where there is none
            return True
        if st.st_size < self._offset:
            return True
        return bool(self._head) and self._read_head(handle, len(self._head)) != self._head

    def _forget(self) -> None:
        self._identity, self._offset, self._head, self._partial = None, 0, b"", b""
        self._skipping, self._window = False, b""

    def _read(self, handle: BinaryIO, size: int) -> bytes:
        data = handle.read(size)
        self.bytes_read += len(data)
        return data

    def _read_head(self, handle: BinaryIO, size: int = HEAD_BYTES) -> bytes:
        handle.seek(0)
        return self._read(handle, size)


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


class FollowThread:
    """Polls a follower every ``interval`` seconds (or at once after :meth:`wake`) on a daemon
    thread and calls ``on_batch`` there with each non-empty batch."""

    def __init__(self, follower: AuditFollower, on_batch: Callable[[FollowBatch], None],
                 interval: float = POLL_INTERVAL_S) -> None:
        self.follower = follower
        self._on_batch = on_batch
        self._interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostprov-audit-follow",
                                        daemon=True)

    def start(self) -> FollowThread:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                batch = self.follower.poll()
            except OSError:  # unreadable for now (permissions, a network share): try again
                batch = FollowBatch()
            if (batch.records or batch.restarted or batch.skipped) and not self._stop.is_set():
                try:
                    self._on_batch(batch)
                except RuntimeError:  # the receiver is gone (its event loop closed): done
                    return
            if batch.more:  # a backlog: read on at once, not one block per interval
                continue
            self._wake.wait(self._interval)
            self._wake.clear()


class RecordMerger:
    """Each record once, whether it comes first from this process's listener ("live") or from
    the file. Records are equal when every field is (the time has milliseconds), so a record
    seen from one side is matched by the same record from the other side; the memory of
    unmatched records is bounded."""

    def __init__(self, keep: int = 2000) -> None:
        self._unmatched: dict[str, Counter[AuditRecord]] = {"live": Counter(), "file": Counter()}
        self._order: deque[tuple[str, AuditRecord]] = deque()
        self._keep = keep

    def take(self, source: str, record: AuditRecord) -> bool:
        """True when ``record`` is new (show it); False when the other side already had it."""
        other = self._unmatched["file" if source == "live" else "live"]
        if other[record] > 0:
            other[record] -= 1
            if other[record] == 0:
                del other[record]
            return False
        self._unmatched[source][record] += 1
        self._order.append((source, record))
        while len(self._order) > self._keep:
            old_source, old = self._order.popleft()
            counter = self._unmatched[old_source]
            if counter[old] > 0:
                counter[old] -= 1
                if counter[old] == 0:
                    del counter[old]
        return True
