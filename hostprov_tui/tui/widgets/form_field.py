"""One field of the Provision form, drawn from its declaration (tui/provision_state.py): a label
and a box, or a check box. It follows the screen's state: the generation's words (placeholder,
whether it exists here) and the form's values (a new pick resets them)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Checkbox, Input, Label

from hostprov_tui.tui.credential_words import WORDS, CredentialWords
from hostprov_tui.tui.provision_state import FieldSpec, FormValues
from hostprov_tui.tui.widgets.tick_box import TickBox


class FormField(Horizontal):
    """The box of ``FormValues.<name>``; its id is the name with dashes (``created-by``)."""

    words: reactive[CredentialWords] = reactive(WORDS["guid"])
    form: reactive[FormValues] = reactive(FormValues())

    def __init__(self, name: str, spec: FieldSpec) -> None:
        super().__init__(classes="field-row" if spec.kind == "text" else "check-row")
        self.field_name, self.spec = name, spec
        self.box_id = name.replace("_", "-")

    def compose(self) -> ComposeResult:
        if self.spec.kind == "check":
            yield TickBox(self.spec.label, id=self.box_id, name=self.field_name,
                           classes="form-value")
        else:
            yield Label(self.spec.label, classes="field-label")
            yield Input(id=self.box_id, name=self.field_name, classes="form-value")

    @property
    def value(self) -> str | bool:
        """What the box holds now."""
        return self.query_one(Checkbox if self.spec.kind == "check" else Input).value

    def on_mount(self) -> None:
        self.watch_words(self.words)
        self.watch_form(self.form)

    def watch_words(self, words: CredentialWords) -> None:
        if not self.children:  # not composed yet: on_mount draws it
            return
        self.display = self.spec.shown(words)
        if self.spec.kind == "text":
            self.query_one(Input).placeholder = self.spec.placeholder_for(words)

    def watch_form(self, form: FormValues) -> None:
        if not self.children:
            return
        value = getattr(form, self.field_name)
        box = self.query_one(Checkbox if self.spec.kind == "check" else Input)
        if box.value != value:
            box.value = value
