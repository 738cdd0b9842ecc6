"""A checkbox whose box shows the difference: ✔ when ticked, empty when not (Textual's draws
the same X in both, told apart by colour alone)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class TickBox(Checkbox):

    BUTTON_INNER = " "

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "✔" if self.value else " "
        return super()._button
