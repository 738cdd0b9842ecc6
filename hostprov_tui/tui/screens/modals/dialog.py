"""The base of hostprov's modal screens: one box (``#dialog``) centred over the dimmed screen,
and a footer of the dialog's own keys over the screen's (which do not work while it is open).

Its looks are in styles/modals.tcss, scoped by this type, so they apply to hostprov's dialogs
only (not to Textual's own modal screens, such as the command palette).
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen
from textual.widgets import Footer

from hostprov_tui.tui.styles import css_paths

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal dialog; subclasses compose ``Vertical(id="dialog")`` and its content."""

    CSS_PATH = css_paths("modals.tcss")

    def on_mount(self) -> None:
        """Runs besides a subclass's own ``on_mount`` (Textual calls each class's handler)."""
        self.mount(Footer(compact=True, id="dialog-footer"))
