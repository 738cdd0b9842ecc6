"""The one moment a Host GUID is visible: shown once, copyable, never logged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from hostprov_tui.tui.styles import css_paths

if TYPE_CHECKING:
    from hostprov_tui.services.results import IssueResult


class GuidModal(ModalScreen[None]):
    """Shows an IssueResult's GUID with a copy button and a shown-once warning."""

    CSS_PATH = css_paths("modals.tcss")

    BINDINGS = [
        Binding("c", "copy", "Copy GUID"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, result: IssueResult) -> None:
        super().__init__()
        self.result = result

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
            with Horizontal(id="dialog-buttons"):
                yield Button("Copy to clipboard", id="copy", variant="primary")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#copy", Button).focus()

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.result.guid)
        self.notify("The Host GUID is on the clipboard.", title="Copied")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
