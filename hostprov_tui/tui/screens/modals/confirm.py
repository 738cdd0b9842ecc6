"""Yes/no before a write; in production the operator types the session ID (or, for a bulk issue,
the number of sessions) to confirm.

A dangerous write (a rotation, a revocation) opens with Cancel focused: Enter is the safe
answer, and confirming takes a deliberate Tab (or →) to the red button first."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label, Static

from hostprov_tui.tui.screens.modals.dialog import Dialog


class ConfirmModal(Dialog[bool]):
    """Dismisses with True only on an explicit confirmation."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("left,right", "switch_button", "Other button", show=False),
    ]

    def __init__(
        self, title: str, body: Content | str, *, confirm_label: str = "Confirm",
        require: str | None = None, danger: bool = False, require_hint: str = "the session ID",
        cancel_label: str = "Cancel", id: str | None = None,
    ) -> None:
        super().__init__(classes="-danger" if danger else "", id=id)
        self.cancel_label = cancel_label
        self.title_text = title
        self.body = body
        self.confirm_label = confirm_label
        self.require = require
        self.require_hint = require_hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self.body, id="dialog-body")
            if self.require is not None:
                yield Label(f"Type {self.require} to confirm:", id="require-label")
                yield Input(placeholder=self.require_hint, id="require")
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self.cancel_label} (Esc)", id="cancel")
                yield Button(self.confirm_label, id="confirm",
                             variant="error" if self.danger else "primary",
                             disabled=self.require is not None)

    @property
    def danger(self) -> bool:
        return self.has_class("-danger")

    def on_mount(self) -> None:
        if self.require is not None:
            self.query_one("#require", Input).focus()
        else:
            self.query_one("#cancel" if self.danger else "#confirm", Button).focus()

    def action_switch_button(self) -> None:
        """← / →: from one button to the other (the typed confirmation keeps its arrows)."""
        if isinstance(self.focused, Button):
            self.focus_next(Button)

    @on(Input.Changed, "#require")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = event.value.strip() != self.require

    @on(Input.Submitted, "#require")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.require:
            self.dismiss(True)

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        if self.require is None or self.query_one("#require", Input).value.strip() == self.require:
            self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
