"""The Provision screen's panels that draw from its state: the header (the session in the box),
the line naming the canvas schema, and the verify result. Each holds reactives the screen binds
with ``data_bind`` and renders from them alone."""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from hostprov_tui.tui.credential_words import WORDS, CredentialWords
from hostprov_tui.tui.form_words import for_the_form
from hostprov_tui.tui.provision_state import (
    NO_VERIFY,
    Changed,
    Failed,
    SessionBox,
    Verified,
    VerifyView,
)
from hostprov_tui.tui.widgets.session_header import header_content, refused_digits
from hostprov_tui.tui.widgets.verify_view import verify_content


class SessionHeader(Static):
    """The session the ID box names: its name and status, or why there is none."""

    session: reactive[SessionBox] = reactive(SessionBox(), layout=True)
    words: reactive[CredentialWords] = reactive(WORDS["guid"])

    def render(self) -> RenderResult:
        box = self.session
        if box.refused:
            return refused_digits(box.kind)
        return header_content(box.raw, box.kind, box.current_row, self.words,
                              missing=box.missing)


class VerifyLabel(Static):
    """What the Verify box takes in this generation."""

    words: reactive[CredentialWords] = reactive(WORDS["guid"])

    def render(self) -> RenderResult:
        return Content(self.words.verify_label)


class GenerationLine(Static):
    """Which generation the canvas schema is (what is issued), once the worker has asked."""

    words: reactive[CredentialWords] = reactive(WORDS["guid"], layout=True)
    generation_known: reactive[bool] = reactive(False, layout=True)
    generation_error: reactive[str] = reactive("", layout=True)

    def render(self) -> RenderResult:
        if self.generation_error:
            return Content.styled(f"Canvas schema: not known yet — {self.generation_error}",
                                  "$warning")
        known = "" if self.generation_known else " (not checked yet)"
        return Content.assemble(("Canvas schema: ", "$text-muted"),
                                (self.words.summary + known, ""))


class VerifyPanel(Static):
    """The last verify: its result, why it failed, or that its credential changed since."""

    verified: reactive[VerifyView] = reactive(NO_VERIFY, layout=True)
    words: reactive[CredentialWords] = reactive(WORDS["guid"])

    def render(self) -> RenderResult:
        view = self.verified
        if isinstance(view, Verified):
            return verify_content(view.result)
        if isinstance(view, Changed):
            return Content.styled(
                f"The {self.words.noun} of canvas session {view.canvas_session_id} just "
                "changed: verify again.", "$text-muted")
        if isinstance(view, Failed):
            text = for_the_form(view.message)
            rows = [Content.assemble((f"{view.title}: ", "bold $error"), text)]
            if view.hint:
                rows.append(Content.styled(f"↳ {for_the_form(view.hint)}", "$text-muted"))
            return Content("\n").join(rows)
        return Content.styled(view.text, "$text-muted")
