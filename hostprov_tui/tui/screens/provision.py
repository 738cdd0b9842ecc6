"""Validate (dry run), issue or rotate, revoke, and verify the credential of one session: its
Host GUID (guid generation) or its host and participant tokens (tokens generation).

One state, in typed reactives (tui/provision_state.py): the session the box names and its row,
the form's values, the last plan or outcome, the verify result, the generation's words. Every
panel is a widget bound to them (``data_bind``) that draws from them alone; the workers' results
come back as messages (MainScreen.call_service) whose follow-ups set the state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Select

from hostprov_tui.tui.backend import describe_error
from hostprov_tui.tui.credential_words import WORDS, CredentialWords
from hostprov_tui.tui.provision_state import (
    NO_VERIFY,
    START_NOTE,
    Changed,
    FormValues,
    SessionBox,
)
from hostprov_tui.tui.screens.provision_commands import palette_commands
from hostprov_tui.tui.screens.provision_flows import ProvisionFlows
from hostprov_tui.tui.styles import css_paths
from hostprov_tui.tui.widgets.checklist import ChecksPanel
from hostprov_tui.tui.widgets.field_note import FieldNote
from hostprov_tui.tui.widgets.form_field import FormField
from hostprov_tui.tui.widgets.id_input import IdInput
from hostprov_tui.tui.widgets.provision_panels import (
    GenerationLine,
    SessionHeader,
    VerifyLabel,
    VerifyPanel,
)

if TYPE_CHECKING:
    from hostprov_tui.services.results import SessionRow

KINDS = [("KSESSIONS ID", "ks"), ("Canvas session ID", "canvas")]
LOOKUP_DEBOUNCE_S = 0.3
#: Below this many rows the form's fields take one line each (no border), so the whole form
#: (with a verify result) fits without scrolling.
COMPACT_BELOW_ROWS = 40


def _key(key: str, action: str, description: str, tooltip: str, *, show: bool = True) -> Binding:
    """A screen key the help promises: it wins over the focused box's own keys (priority)."""
    return Binding(key, action, description, show=show, tooltip=tooltip, priority=True)


class ProvisionScreen(ProvisionFlows):

    CSS_PATH = css_paths("provision.tcss", "modals.tcss")
    SUB_TITLE = "Provision"
    BINDINGS = [
        _key("ctrl+l", "validate", "Validate",
             "The dry-run checklist (Enter in the session box too)"),
        _key("ctrl+g", "issue", "Issue",
             "Issue (or rotate) after a confirmation; GUID shown once"),
        _key("ctrl+r", "revoke", "Revoke", "Revoke the active Host GUID after a confirmation"),
        _key("ctrl+y", "verify", "Verify",
             "Verify the GUID or token typed in the Verify box (Enter in it too)"),
        _key("ctrl+e", "focus_verify", "Verify box", "To the Verify box, its text selected",
             show=False),
        _key("ctrl+o", "links", "Links",
             "Show the session's host and participant links again (tokens generation; audited)"),
    ]

    _picks_taken = 0  # how many picks from Sessions this screen has put in the box

    @property
    def row(self) -> SessionRow | None:
        """The catalogue row of the session in the box (the palette offers its actions)."""
        return self.session.row

    def compose_body(self) -> ComposeResult:
        form = VerticalScroll(id="form")
        form.can_focus = False  # its fields are the tab stops; it scrolls to the focused one
        cls = ProvisionScreen
        with Horizontal(id="provision"):
            with form:
                with Horizontal(classes="field-row"):
                    yield Select(KINDS, value="ks", allow_blank=False, id="kind")
                    yield IdInput(placeholder="e.g. 12", id="target")
                yield SessionHeader(id="picked").data_bind(cls.session, cls.words)
                yield GenerationLine(id="generation").data_bind(
                    cls.words, cls.generation_known, cls.generation_error)
                for name, spec in FormValues.specs():
                    yield FormField(name, spec).data_bind(cls.words, cls.form)
                    if spec.kind == "text":
                        yield FieldNote(name).data_bind(cls.field_error)
                with Horizontal(id="actions"):
                    yield Button("Validate", id="validate")
                    yield Button("Issue", id="issue", variant="primary")
                    yield Button("Revoke", id="revoke", variant="error")
                    yield Button("Links", id="links")
                with Horizontal(id="verify-head"):
                    yield VerifyLabel(id="verify-label").data_bind(cls.words)
                    yield Button("Verify", id="verify")
                yield Input(id="guid")
                yield VerifyPanel(id="verify-result").data_bind(cls.verified, cls.words)
            yield ChecksPanel(id="plan").data_bind(cls.outcome)

    def on_mount(self) -> None:
        self.form = self._fresh_form()
        self.watch_words(self.words)
        self._take_pick()
        self._learn_generation()

    def _fresh_form(self) -> FormValues:
        return FormValues(created_by=self.hp.backend.operator)

    def watch_words(self, words: CredentialWords) -> None:
        self.query_one("#guid", Input).placeholder = words.verify_placeholder
        self.query_one("#links", Button).display = words.shows_links
        self.refresh_bindings()

    def on_resize(self, event: events.Resize) -> None:
        """On a short terminal every field takes one line, so the form needs no scrolling."""
        compact = event.size.height < COMPACT_BELOW_ROWS
        for widget in self.query("#form Input, #form Select, #form Button"):
            widget.compact = compact  # type: ignore[attr-defined]
        self.set_class(compact, "-compact")

    def on_screen_resume(self) -> None:
        self._take_pick()

    def when_settings_loaded(self) -> None:
        self._learn_generation()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.words.shows_links if action == "links" else True

    # --- the generation of the canvas schema: asked once, on a worker ---

    def _learn_generation(self) -> None:
        if not self.generation_known and self.hp.settings_ready:
            self.call_service(lambda p: p.generation(), self._generation_learned,
                              self._generation_unknown, group="generation")

    def _generation_learned(self, generation: str) -> None:
        self.words, self.generation_known, self.generation_error = WORDS[generation], True, ""

    def _generation_unknown(self, exc: Exception) -> None:
        self.generation_error = describe_error(exc)[0]

    # --- the session in the box ---

    def _take_pick(self) -> None:
        """A session newly picked on Sessions goes in the box with the form's defaults (an ID
        typed since stays, with what was typed around it)."""
        row = self.hp.picked
        target = self.query_one("#target", Input)
        if row is not None and self.hp.picks != self._picks_taken:
            self._picks_taken = self.hp.picks
            with self.prevent(Input.Changed, Select.Changed):
                self.query_one("#kind", Select).value = "ks"
                target.value = str(row.session_id)
            self._new_session(SessionBox("ks", str(row.session_id), row))
            self.form, self.field_error = self._fresh_form(), None
            self.look_up()  # its status may have changed since it was listed
        target.focus()

    def _new_session(self, box: SessionBox) -> None:
        self.session, self.outcome = box, START_NOTE
        if isinstance(self.verified, Changed):  # about the session that was in the box
            self.verified = NO_VERIFY

    @on(Input.Changed, "#target")
    @on(Select.Changed, "#kind")
    def _target_changed(self) -> None:
        """Another ID (or kind): the header says so at once, the name follows the lookup."""
        raw = self.query_one("#target", Input).value.strip()
        self._new_session(SessionBox(str(self.query_one("#kind", Select).value), raw))
        if self._lookup is not None:
            self._lookup.stop()
        self._lookup = self.set_timer(LOOKUP_DEBOUNCE_S, self.look_up)

    def _sync(self) -> None:
        if self.session.refused:  # the refused key is behind us: the header names the session
            self.session = replace(self.session, refused=False)
        form = self.form
        for box in self.query(FormField):
            form = form.with_value(box.field_name, box.value)
        self.form = form
        raw = self.query_one("#target", Input).value.strip()
        if (str(self.query_one("#kind", Select).value), raw) != (self.session.kind,
                                                                 self.session.raw):
            self._target_changed()

    @on(IdInput.Refused, "#target")
    def _not_a_digit(self) -> None:
        self.session = replace(self.session, refused=True)

    @on(Input.Blurred, "#target")
    def _left_the_box(self) -> None:
        if self.session.refused:
            self.session = replace(self.session, refused=False)

    @on(Input.Changed, ".form-value")
    @on(Checkbox.Changed, ".form-value")
    def _form_changed(self, event: Input.Changed | Checkbox.Changed) -> None:
        name = event.control.name
        if name is not None:
            self.form = self.form.with_value(name, event.value)
            if self.field_error is not None and self.field_error.name == name:
                self.field_error = None  # typed again: the sentence was about the old text


    # --- the command palette (provision_commands.py) ---

    def when_palette_opens(self) -> Iterable[SystemCommand]:
        return palette_commands(self)

