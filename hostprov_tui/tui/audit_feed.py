"""The app's audit records: this process's at once (a listener), every process's from the file.

The follower (services/audit_follow.py) runs on its own daemon thread and posts what it reads as
messages; the records are merged on the UI thread, each shown once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hostprov_tui.tui.messages import AuditFollowed

if TYPE_CHECKING:
    from hostprov_tui.services.audit import AuditRecord
    from hostprov_tui.services.audit_follow import FollowThread, RecordMerger


class AuditFeed:
    """The last ``keep`` records, from this process and from the audit file."""

    def __init__(self, post: Callable[[Any], object], keep: int) -> None:
        self.records: deque[AuditRecord] = deque(maxlen=keep)
        self._post = post
        self._merger: RecordMerger | None = None
        self._thread: FollowThread | None = None
        self._stopped = False
        self._lock = threading.Lock()

    def _merge(self) -> RecordMerger:
        if self._merger is None:
            from hostprov_tui.services.audit_follow import RecordMerger

            self._merger = RecordMerger()
        return self._merger

    # --- worker thread -------------------------------------------------------------------------

    def start(self, path: Path, tail: int) -> list[AuditRecord]:
        """The file's last ``tail`` records; from then on, every record appended to it arrives
        as an :class:`AuditFollowed` message (call from a worker: it reads the disk)."""
        from hostprov_tui.services.audit_follow import AuditFollower, FollowThread

        follower = AuditFollower(path)
        records = follower.tail(tail)
        if follower.skipped:  # over-long lines in the tail: the same notice as when following
            from hostprov_tui.services.audit_follow import FollowBatch

            self._post(AuditFollowed(FollowBatch(skipped=follower.skipped)))
        thread = FollowThread(follower, lambda batch: self._post(AuditFollowed(batch)))
        with self._lock:
            if not self._stopped and self._thread is None:
                self._thread = thread.start()
        return records

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.stop()

    # --- UI thread -----------------------------------------------------------------------------

    def add_live(self, record: AuditRecord) -> bool:
        """A record this process wrote; False when the file brought it already."""
        if not self._merge().take("live", record):
            return False
        self.records.append(record)
        return True

    def add_loaded(self, records: Iterable[AuditRecord]) -> None:
        """The file's tail: older than anything already shown (which it may contain)."""
        merger = self._merge()
        older = [r for r in records if merger.take("file", r)]
        shown = list(self.records)
        self.records.clear()
        self.records.extend(older + shown)

    def add_followed(self, records: Iterable[AuditRecord]) -> int:
        """Records read from the file since the last batch; how many were new here."""
        merger = self._merge()
        new = [r for r in records if merger.take("file", r)]
        self.records.extend(new)
        return len(new)
