"""The one moment a Host GUID is visible: shown once, copyable, never logged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, Static

from hostprov_tui.tui.screens.modals.shown_once import ShownOnceModal

if TYPE_CHECKING:
    from hostprov_tui.services.results import IssueResult


class GuidModal(ShownOnceModal):
    """Shows an IssueResult's GUID with a copy button and a shown-once warning."""

    def __init__(self, result: IssueResult) -> None:
        super().__init__()
        self.result = result

    def clipboard_text(self) -> str:
        return self.result.guid

    def copied_note(self) -> str:
        return "The Host GUID was"

    def quit_note(self) -> str:
        return (f"The new Host GUID of KSESSIONS session {self.result.ksessions_id} is on the "
                "screen and will not be shown again.")

    def compose(self) -> ComposeResult:
        r = self.result
        verb = "rotated" if r.action == "rotated" else "issued"
        with Vertical(id="dialog"):
            yield Label(f"Host GUID {verb}", id="dialog-title")
            yield Static(r.guid, id="guid-value", markup=False)
            facts = [
                f"KSESSIONS session {r.ksessions_id} · canvas session {r.canvas_session_id} · "
                f"host session {r.host_session_id}",
                f"Created by {r.created_by}" + (
                    f" · expires {r.expires_at:%Y-%m-%d %H:%M} UTC" if r.expires_at else
                    " · no expiry"),
            ]
            yield Static("\n".join(facts), id="guid-facts", markup=False)
            yield Static(Content.styled(
                "This GUID will not be shown again: copy it now and hand it to the host. "
                "Only its hash is stored.", "bold $warning"), id="guid-warning")
            yield from self.buttons()
