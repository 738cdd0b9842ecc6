"""Messages that carry worker results and audit records back to the UI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from hostprov_tui.services.audit import AuditRecord


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


class SettingsReady(Message):
    """The configuration finished loading (in a worker, after the first frame)."""
