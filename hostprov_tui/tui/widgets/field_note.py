"""The line under a form field that says why what was typed in it was refused (the services'
own sentence, in the form's words); hidden while the field has nothing refused."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from hostprov_tui.tui.form_words import for_the_form
from hostprov_tui.tui.provision_state import FieldError


class FieldNote(Static):
    """Bound to the screen's ``field_error``; shows it when it is about ``field_name``."""

    field_error: reactive[FieldError | None] = reactive(None)

    def __init__(self, field_name: str) -> None:
        super().__init__("", id=f"{field_name.replace('_', '-')}-note", classes="field-note")
        self.field_name = field_name
        self.display = False

    def watch_field_error(self, error: FieldError | None) -> None:
        mine = error is not None and error.name == self.field_name
        self.display = mine
        if error is not None and mine:
            text = Content.styled(f"✖ {for_the_form(error.message)}", "$error")
            if error.hint:
                text = Content("\n").join([text, Content.styled(
                    f"  ↳ {for_the_form(error.hint)}", "$text-muted")])
            self.update(text)
