"""What is visible only once (new Host GUIDs): ``c`` sends it to the terminal's clipboard;
closing asks for a second Esc, since it is gone once this closes (only hashes are stored).

Copying is no proof that it was kept: the app sends the text to the terminal (OSC 52), and a
terminal may drop it without a word. So the second Esc is asked for after a copy too, and the
words say what was done, never that the clipboard holds it. Ctrl+Q, from anywhere, asks first
while such a window is open (:func:`quit_or_ask`); what the window keeps on disk (a bulk run's
file) is removed only once the operator said the window may go (:meth:`discard`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button

from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.modals.dialog import Dialog

if TYPE_CHECKING:
    from hostprov_tui.tui.app import HostprovApp

#: What a copy did, in the words of every toast that reports one.
SENT = "sent to the terminal's clipboard (OSC 52) — paste to check"


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
        """What ``c`` sent, for its toast (e.g. "The Host GUID"): followed by :data:`SENT`."""
        raise NotImplementedError

    def quit_note(self) -> str:
        """What quitting now would lose, for the question Ctrl+Q asks."""
        raise NotImplementedError

    def at_stake(self) -> bool:
        """Would closing this window now lose something that is shown nowhere else?"""
        return self.clipboard_text() is not None

    def discard(self) -> None:
        """The operator said this window may go: what it kept aside goes with it."""

    def buttons(self) -> ComposeResult:
        with Horizontal(id="dialog-buttons"):
            yield Button(f"{self.COPY_LABEL} (c)", id="copy", variant="primary",
                         disabled=self.clipboard_text() is None)
            yield Button("Close (Esc)", id="close")

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
        self.notify(f"{self.copied_note()} {SENT}.", title="Sent to the clipboard")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if self.at_stake() and not self._close_warned:
            self._close_warned = True
            first = ("Sent to the terminal's clipboard, which not every terminal accepts: "
                     "paste it somewhere to check." if self.copied else "Not copied.")
            self.notify(f"{first} It will not be shown again. Press Esc (Close) again to "
                        "close it, or c to copy.", title="Shown once", severity="warning")
            return
        self.discard()
        self.dismiss(None)


class QuitQuestion(ConfirmModal):
    """Ctrl+Q's question: Esc (and Enter, on the focused button) stays."""

    BINDINGS = [Binding("escape", "cancel", "Stay")]


def held_windows(app: HostprovApp) -> list[ShownOnceModal]:
    """Every open window with something shown once, in any mode's stack."""
    return [s for s in app.screen_stack_all() if isinstance(s, ShownOnceModal)]


def running_bulk_notes(app: HostprovApp) -> list[str]:
    """A bulk issue of GUIDs under way: its GUIDs are about to be shown, once."""
    from hostprov_tui.tui.screens.modals.bulk_progress import BulkProgressModal

    return [
        "A bulk issue is under way: its Host GUIDs are shown once, when it ends. Quit now and "
        "they are only in the file it saves (0600) beside the audit log; `hostprov bulk status "
        "FILE` tells which are in force."
        for s in app.screen_stack_all()
        if isinstance(s, BulkProgressModal) and not s.words.shows_links
    ]


def quit_or_ask(app: HostprovApp) -> None:
    """Ctrl+Q: quit at once, unless a window holds a credential shown nowhere else; then ask
    (Stay is the answer Enter and Esc give), and quit only on a deliberate yes."""
    windows = held_windows(app)
    stake = [w for w in windows if w.at_stake()]
    notes = [w.quit_note() for w in stake] + running_bulk_notes(app)
    if not notes:
        for window in windows:
            window.discard()
        app.exit()
        return
    if isinstance(app.screen, QuitQuestion):
        return  # asked already: the question stays until answered

    def answered(leave: bool | None) -> None:
        if leave:
            for window in windows:
                window.discard()
            app.exit()

    advice = ("Quitting now loses what is on screen: only hashes are stored. Stay, copy it and "
              "paste it somewhere safe first." if stake else
              "Stay until it ends, then copy the GUIDs it shows.")
    body = Content.assemble(*((f"{note}\n", "") for note in notes), (advice, "bold $warning"))
    app.push_screen(QuitQuestion("Quit without saving what is shown once?", body,
                                 confirm_label="Quit and lose it", danger=True,
                                 cancel_label="Stay", id="quit-question"), answered)
