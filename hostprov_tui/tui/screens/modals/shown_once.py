"""What is visible only once (new Host GUIDs): ``c`` copies it; closing without copying asks
for a second Esc, since it is gone once this closes (only hashes are stored)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button

from hostprov_tui.tui.screens.modals.dialog import Dialog


class ShownOnceModal(Dialog[None]):
    """Subclasses compose the body, then :meth:`buttons`, and say what the clipboard gets."""

    BINDINGS = [
        Binding("c", "copy", "Copy"),
        Binding("escape", "close", "Close"),
    ]
    COPY_LABEL = "Copy to clipboard"

    copied = False
    _close_warned = False

    def clipboard_text(self) -> str | None:
        """What ``c`` copies; None when there is nothing to copy."""
        raise NotImplementedError

    def copied_note(self) -> str:
        raise NotImplementedError

    def buttons(self) -> ComposeResult:
        with Horizontal(id="dialog-buttons"):
            yield Button(self.COPY_LABEL, id="copy", variant="primary",
                         disabled=self.clipboard_text() is None)
            yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#close" if self.clipboard_text() is None else "#copy", Button).focus()

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        text = self.clipboard_text()
        if text is None:
            self.notify("Nothing was issued: nothing to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.copied = True
        self.notify(self.copied_note(), title="Copied")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if self.clipboard_text() is not None and not self.copied and not self._close_warned:
            self._close_warned = True
            self.notify("Not copied, and it will not be shown again. Close again to discard "
                        "it, or press c to copy.", title="Not copied", severity="warning")
            return
        self.dismiss(None)
