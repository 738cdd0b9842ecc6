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

import json
import os
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hostprov_tui.services.audit import PENDING, AuditRecord, resolve_pending

#: Bytes read per poll at most: a huge backlog (another process's bulk run) is read over a few
#: polls instead of one long read.
MAX_READ = 1 << 20
#: A line longer than this without a newline is not an audit record: it is dropped.
MAX_LINE = 1 << 20
#: The first bytes of the file, compared on every poll: a file truncated and refilled past the
#: old size between two polls starts with other bytes (its first record's time).
HEAD_BYTES = 64
BLOCK = 1 << 16
POLL_INTERVAL_S = 0.5
_RECORD_START = b'{"time"'


@dataclass(frozen=True)
class FollowBatch:
    """What one poll found: new complete records, and whether the file started over."""

    records: tuple[AuditRecord, ...] = ()
    restarted: bool = False


def parse_line(line: bytes) -> AuditRecord | None:
    """One JSON line as a record; None for anything else. A line glued to the torn rest of a
    record whose writer died keeps its own record (the last ``{"time"`` in it)."""
    text = line.strip()
    if not text:
        return None
    candidates = [text]
    glued = text.rfind(_RECORD_START)
    if glued > 0:
        candidates.append(text[glued:])
    for candidate in candidates:
        try:
            return AuditRecord(**json.loads(candidate.decode("utf-8", errors="replace")))
        except (ValueError, TypeError):
            continue
    return None


class AuditFollower:
    """Reads what was appended to ``path`` since the last call (not thread-safe: one reader)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bytes_read = 0  # every byte this follower has read (tests: never the whole file)
        self._identity: tuple[int, int] | None = None
        self._offset = 0
        self._head = b""
        self._partial = b""

    def tail(self, count: int) -> list[AuditRecord]:
        """The last ``count`` records, read backwards from the end; following goes on after
        them (a half-written last line is read by the next poll)."""
        self._forget()
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return []
        with handle:
            st = os.fstat(handle.fileno())
            end = st.st_size
            data, start = b"", end
            want = 2 * count + 64  # a change is two lines (pending, outcome), as in AuditLog.tail
            while start > 0 and data.count(b"\n") <= want:
                step = min(BLOCK, start)
                start -= step
                handle.seek(start)
                data = self._read(handle, step) + data
            complete = data[: data.rfind(b"\n") + 1]  # up to the last newline
            self._identity = _identity(st)
            self._offset = end - (len(data) - len(complete))
            self._head = self._read_head(handle)
        lines = complete.split(b"\n")
        if start > 0:
            lines = lines[1:]  # the first piece may be the end of an older line
        records = resolve_pending([r for r in map(parse_line, lines) if r is not None])
        return records[-count:] if count > 0 else []

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
            data = self._read(handle, min(st.st_size - self._offset, MAX_READ))
            self._offset += len(data)
            if len(self._head) < HEAD_BYTES:
                self._head = self._read_head(handle)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > MAX_LINE:
            self._partial = b""
        # a change's "pending" half is followed by its outcome, which is what people see
        records = tuple(r for r in map(parse_line, lines) if r is not None and
                        r.outcome != PENDING)
        return FollowBatch(records, restarted)

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
            if (batch.records or batch.restarted) and not self._stop.is_set():
                try:
                    self._on_batch(batch)
                except RuntimeError:  # the receiver is gone (its event loop closed): done
                    return
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
