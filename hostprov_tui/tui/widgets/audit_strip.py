"""The last few audit records, under every main screen's body, above the Footer."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from hostprov_tui.tui.widgets.audit_format import audit_line

STRIP_LINES = 3


class AuditStrip(Static):
    """A 3-line live view of the audit trail (the full log is on the Audit screen)."""

    def on_mount(self) -> None:
        self.watch(self.app, "audit_count", self._refresh_lines)

    def _refresh_lines(self, _count: int = 0) -> None:
        records = list(self.app.audit_records)[-STRIP_LINES:]  # type: ignore[attr-defined]
        if not records:
            self.update(Content.styled("No audit records yet.", "$text-muted"))
            return
        self.update(Content("\n").join(audit_line(r) for r in records))
