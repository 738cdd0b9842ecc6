"""Messages that carry worker results and audit records back to the UI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from hostprov_tui.services.audit import AuditRecord
    from hostprov_tui.services.audit_follow import FollowBatch


class AuditArrived(Message):
    """One live audit record (posted from whichever thread wrote it)."""

    def __init__(self, record: AuditRecord) -> None:
        super().__init__()
        self.record = record


class AuditLoaded(Message):
    """The tail of the audit file, read once at start."""

    def __init__(self, records: list[AuditRecord]) -> None:
        super().__init__()
        self.records = records


class AuditFollowed(Message):
    """Records another process (or this one) appended to the audit file (from the follower's
    thread); ``batch.restarted`` when the file was rotated or truncated."""

    def __init__(self, batch: FollowBatch) -> None:
        super().__init__()
        self.batch = batch


class SettingsReady(Message):
    """The configuration finished loading (in a worker, after the first frame)."""
