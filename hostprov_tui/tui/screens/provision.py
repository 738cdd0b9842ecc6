"""Validate (dry run), issue or rotate, revoke, and verify the credential of one session: its
Host GUID (guid generation) or its host and participant tokens (tokens generation). The header
follows the ID in the box (widgets/session_header.py); fields are compact below 30 rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from hostprov_tui.errors import HostprovError
from hostprov_tui.tui.backend import describe_error
from hostprov_tui.tui.credential_words import WORDS, CredentialWords
from hostprov_tui.tui.form_words import for_the_form
from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.modals.links import LinksModal, issued_window
from hostprov_tui.tui.screens.provision_commands import palette_commands
from hostprov_tui.tui.styles import css_paths
from hostprov_tui.tui.widgets.checklist import Checklist
from hostprov_tui.tui.widgets.id_input import IdInput
from hostprov_tui.tui.widgets.session_header import header_content, refused_digits
from hostprov_tui.tui.widgets.verify_view import verify_content

if TYPE_CHECKING:
    from hostprov_tui.services.api import Provisioner
    from hostprov_tui.services.inputs import Target
    from hostprov_tui.services.results import (
        Issued,
        Plan,
        RevokeResult,
        SessionLinks,
        SessionRow,
        VerifyResult,
    )

T = TypeVar("T")
KINDS = [("KSESSIONS ID", "ks"), ("Canvas session ID", "canvas")]
LOOKUP_DEBOUNCE_S = 0.3
#: Below this many rows the form's fields take one line each (no border).
COMPACT_BELOW_ROWS = 30


class ProvisionScreen(MainScreen):

    CSS_PATH = css_paths("provision.tcss", "modals.tcss")
    SUB_TITLE = "Provision"
    BINDINGS = [
        Binding("ctrl+l", "validate", "Validate",
                tooltip="The dry-run checklist (Enter in the session box too)"),
        Binding("ctrl+g", "issue", "Issue",
                tooltip="Issue (or rotate) after a confirmation; GUID shown once"),
        Binding("ctrl+r", "revoke", "Revoke",
                tooltip="Revoke the active Host GUID after a confirmation"),
        Binding("ctrl+y", "verify", "Verify",
                tooltip="Verify the GUID or token typed in the Verify box (Enter in it too)"),
        Binding("ctrl+e", "focus_verify", "Verify box", show=False,
                tooltip="To the Verify box, its text selected"),
        Binding("ctrl+o", "links", "Links",
                tooltip="Show the session's host and participant links again (tokens "
                "generation; audited)"),
    ]

    #: what this canvas database issues; guid until the worker has asked the database
    words: CredentialWords = WORDS["guid"]
    generation_known = False
    #: the session the box holds, as last looked up (None: none, or not looked up yet)
    row: SessionRow | None = None
    _picks_taken = 0  # how many picks from Sessions this screen has put in the box
    _lookup: Timer | None = None
    _verified_for: int | None = None  # the canvas session of the result in the Verify area

    def compose_body(self) -> ComposeResult:
        form = VerticalScroll(id="form")
        form.can_focus = False  # its fields are the tab stops; it scrolls to the focused one
        with Horizontal(id="provision"):
            with form:
                with Horizontal(classes="field-row"):
                    yield Select(KINDS, value="ks", allow_blank=False, id="kind")
                    yield IdInput(placeholder="e.g. 12", id="target")
                yield Static("", id="picked")
                yield Static("Canvas schema: …", id="generation")
                with Horizontal(classes="field-row"):
                    yield Label("Created by", classes="field-label")
                    yield Input(self.hp.backend.operator, id="created-by")
                with Horizontal(classes="field-row"):
                    yield Label("Expires", classes="field-label")
                    yield Input(placeholder="never", id="expires")
                with Horizontal(classes="field-row"):
                    yield Label("Reason", classes="field-label")
                    yield Input(placeholder="why this is issued or revoked (optional)",
                                id="reason")
                yield Checkbox("New participant link too", id="new-user-token")
                with Horizontal(id="actions"):
                    yield Button("Validate", id="validate")
                    yield Button("Issue", id="issue", variant="primary")
                    yield Button("Revoke", id="revoke", variant="error")
                    yield Button("Links", id="links")
                yield Label("Verify a Host GUID", classes="field-label", id="verify-label")
                with Horizontal(classes="field-row"):
                    yield Input(placeholder="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", id="guid")
                    yield Button("Verify", id="verify")
                yield Static("", id="verify-result")
            with Vertical(id="plan"):
                yield Label("Checks", id="plan-title")
                with VerticalScroll(id="plan-scroll"):
                    yield Checklist(id="checklist")

    def on_mount(self) -> None:
        self._show_words()
        self._take_pick()
        self._learn_generation()

    def on_resize(self, event: events.Resize) -> None:
        """On a short terminal every field takes one line, so the buttons are in view."""
        compact = event.size.height < COMPACT_BELOW_ROWS
        for widget in self.query("#form Input, #form Select, #form Button"):
            widget.compact = compact  # type: ignore[attr-defined]
        self.set_class(compact, "-compact")

    def on_screen_resume(self) -> None:
        self._take_pick()

    def when_settings_loaded(self) -> None:
        self._learn_generation()

    # --- the generation of the canvas schema: asked once, on a worker ---

    def _learn_generation(self) -> None:
        if not self.generation_known and self.hp.settings_ready:
            self.call_service(lambda p: p.generation(), self._generation_learned,
                              self._generation_unknown, group="generation")

    def _generation_learned(self, generation: str) -> None:
        self.words, self.generation_known = WORDS[generation], True
        self._show_words()
        self._show_picked()
        self.refresh_bindings()

    def _generation_unknown(self, exc: Exception) -> None:
        self.query_one("#generation", Static).update(Content.styled(
            f"Canvas schema: not known yet — {describe_error(exc)[0]}", "$warning"))

    def _show_words(self) -> None:
        w = self.words
        known = "" if self.generation_known else " (not checked yet)"
        self.query_one("#generation", Static).update(Content.assemble(
            ("Canvas schema: ", "$text-muted"), (w.summary + known, "")))
        self.query_one("#expires", Input).placeholder = w.expires_default
        self.query_one("#verify-label", Label).update(w.verify_label)
        self.query_one("#guid", Input).placeholder = w.verify_placeholder
        self.query_one("#new-user-token", Checkbox).display = w.shows_links
        self.query_one("#links", Button).display = w.shows_links

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "links":
            return self.words.shows_links
        return True

    def _take_pick(self) -> None:
        """A session newly picked on Sessions goes in the box (an ID typed since stays)."""
        row = self.hp.picked
        target = self.query_one("#target", Input)
        if row is not None and self.hp.picks != self._picks_taken:
            self._picks_taken = self.hp.picks
            self.row = row
            with self.prevent(Input.Changed, Select.Changed):
                self.query_one("#kind", Select).value = "ks"
                target.value = str(row.session_id)
            self.query_one(Checklist).clear()
            self._show_picked()
            self.look_up()  # its status may have changed since it was listed
        target.focus()

    # --- the header: the session the box holds ---

    @on(Input.Changed, "#target")
    @on(Select.Changed, "#kind")
    def _target_changed(self) -> None:
        """Another ID (or kind): the header says so at once, the name follows the lookup."""
        self.row = None
        self.query_one(Checklist).clear()
        if self._lookup is not None:
            self._lookup.stop()
        self._lookup = self.set_timer(LOOKUP_DEBOUNCE_S, self.look_up)
        self._show_picked()

    def look_up(self) -> None:
        """Read the session the box names (KSESSIONS IDs; a canvas ID is named by its plan)."""
        self._lookup = None
        raw = self.query_one("#target", Input).value.strip()
        if self.query_one("#kind", Select).value != "ks" or not raw:
            self._show_picked()
            return

        def found(row: SessionRow | None) -> None:
            if self.query_one("#target", Input).value.strip() == raw:  # still the one typed
                self.row = row
                self._show_picked(missing=row is None)

        self.call_service(lambda p: p.find_session(raw), found, lambda _exc: None,
                          group="lookup", exclusive=True)

    def _show_picked(self, *, missing: bool = False) -> None:
        self.query_one("#picked", Static).update(header_content(
            self.query_one("#target", Input).value.strip(), self.query_one("#kind", Select).value,
            self.row, self.words, missing=missing))

    @on(IdInput.Refused, "#target")
    def _not_a_digit(self) -> None:
        self.query_one("#picked", Static).update(
            refused_digits(self.query_one("#kind", Select).value))

    # --- reading the form: parsed by the services on the worker (bad input is audited) ---

    def _target(self) -> dict[str, str]:
        raw = self.query_one("#target", Input).value
        kind = self.query_one("#kind", Select).value
        return {"canvas_session_id" if kind == "canvas" else "ksessions_id": raw}

    def _options(self) -> dict[str, Any]:
        options = {
            "created_by": self.query_one("#created-by", Input).value.strip() or None,
            "expires": self.query_one("#expires", Input).value.strip() or None,
            "reason": self.query_one("#reason", Input).value.strip() or None,
        }
        if self.words.shows_links:
            options["new_user_token"] = self.query_one("#new-user-token", Checkbox).value
        return options

    # --- actions: each runs its job on a worker, then its typed follow-up ---

    def _run(self, job: Callable[[Provisioner], T], then: Callable[[T], None], *,
             failure: str, checks: bool = False) -> None:
        """``job`` on a worker, then ``then(result)``; an error is reported as ``failure``
        (``checks``: the checklist shows the reason instead of "Validating…")."""
        self.call_service(job, then, partial(self._failed, failure, checks), group="provision")

    def _failed(self, title: str, checks: bool, exc: Exception) -> None:
        if isinstance(exc, HostprovError) and exc.plan is not None:
            self.query_one(Checklist).show_plan(exc.plan)
        elif checks:  # the reason stays in the panel; the toast goes away
            self.query_one(Checklist).show_error(*describe_error(exc))
        self.hp.report_exception(exc, title=title)

    @on(Input.Submitted, "#target")
    @on(Button.Pressed, "#validate")
    def action_validate(self) -> None:
        raw, opts = self._target(), self._options()
        self.query_one(Checklist).clear("Validating…")
        self._run(lambda p: p.dry_run(p.target("dry-run", **raw), **opts), self._validated,
                  failure="Validation failed", checks=True)

    def _validated(self, plan: Plan) -> None:
        self.query_one(Checklist).show_plan(plan)
        if not plan.ok:
            first = plan.failures[0]
            self.notify(for_the_form(first.message), title="Validation refused",
                        severity="warning", markup=False)

    @on(Button.Pressed, "#issue")
    def action_issue(self) -> None:
        raw, opts = self._target(), self._options()
        if self.hp.production:  # no dry run first: the guard needs the typed confirmation

            def parsed(p: Provisioner) -> Target:
                target = p.target("issue", **raw)
                p.options(opts["created_by"], opts["expires"], opts["reason"], True)
                return target

            self._run(parsed, partial(self._issue_parsed, opts), failure="Issue refused")
        else:

            def planned(p: Provisioner) -> tuple[Plan, Target]:
                target = p.target("issue", **raw)
                return p.dry_run(target, **opts), target

            self.query_one(Checklist).clear("Validating before issuing…")
            self._run(planned, partial(self._issue_planned, opts), failure="Issue refused",
                      checks=True)

    def _issue_planned(self, opts: dict[str, Any], planned: tuple[Plan, Target]) -> None:
        plan, target = planned
        self.query_one(Checklist).show_plan(plan)
        if plan.ok:
            self._confirm_issue(target, opts, plan.action)
        else:
            first = plan.failures[0]
            self.hp.report(first.message, first.hint, title="Issue refused")

    def _issue_parsed(self, opts: dict[str, Any], target: Target) -> None:
        row = self.row
        active = (row is not None and row.session_id == target.ksessions_id
                  and str(row.guid_status) == "active")
        self._confirm_issue(target, opts, "rotate" if active else None)

    def _confirm_issue(self, target: Target, opts: dict[str, Any], action: str | None) -> None:
        title, body, label = self.words.issue_question(target.describe(), action)
        require = None
        if self.hp.production:
            body = Content.assemble(body, ("\nThis is the PRODUCTION environment.", "bold $error"))
            require = self.query_one("#target", Input).value.strip()

        def done(ok: bool | None) -> None:
            if ok:
                prod = self.hp.production
                self._run(lambda p: p.issue(target, allow_production=prod, **opts), self._issued,
                          failure="Issue failed")

        self.app.push_screen(ConfirmModal(title, body, confirm_label=label, require=require,
                                          danger=action == "rotate" or self.hp.production), done)

    def _issued(self, result: Issued) -> None:
        self._written(result.canvas_session_id)
        if result.plan is not None:
            self.query_one(Checklist).show_plan(result.plan)
        self.app.push_screen(issued_window(result))

    @on(Button.Pressed, "#revoke")
    def action_revoke(self) -> None:
        raw = self._target()
        self._run(lambda p: p.target("revoke", **raw), self._confirm_revoke,
                  failure="Revoke refused")

    def _confirm_revoke(self, target: Target) -> None:
        reason = self.query_one("#reason", Input).value.strip() or None
        by = self.query_one("#created-by", Input).value.strip() or None
        prod = self.hp.production
        require = self.query_one("#target", Input).value.strip() if prod else None

        def done(ok: bool | None) -> None:
            if ok:
                self._run(lambda p: p.revoke(target, by=by, reason=reason, allow_production=prod),
                          self._revoked, failure="Revoke failed")

        title, body = self.words.revoke_question(target.describe())
        self.app.push_screen(ConfirmModal(title, body, confirm_label="Revoke",
                                          require=require, danger=True), done)

    def _revoked(self, result: RevokeResult) -> None:
        self._written(result.canvas_session_id)
        self.notify(f"{result.message} (by {result.revoked_by})", title="Revoked",
                    markup=False)

    @on(Button.Pressed, "#links")
    def action_links(self) -> None:
        raw = self._target()
        reason = self.query_one("#reason", Input).value.strip() or None
        self._run(lambda p: p.links(p.target("show-links", **raw), reason), self._links_shown,
                  failure="No links to show")

    def _links_shown(self, links: SessionLinks) -> None:
        self.app.push_screen(LinksModal(links, "Session links (shown again; audited)"))

    @on(Input.Submitted, "#guid")
    @on(Button.Pressed, "#verify")
    def action_verify(self) -> None:
        raw = self.query_one("#guid", Input).value.strip()
        self._run(lambda p: p.verify_credential(raw), self._verified, failure="Verify failed")

    def _verified(self, result: VerifyResult) -> None:
        self._verified_for = result.canvas_session_id
        self.query_one("#verify-result", Static).update(verify_content(result))

    def _written(self, canvas_session_id: int | None) -> None:
        """After an issue, a rotation or a revoke: the sessions list reads again, the header
        shows the new status, and a verify result about this session is gone (it described
        a credential that has just changed)."""
        self.hp.catalogue_changes += 1
        self.look_up()
        if canvas_session_id is not None and canvas_session_id == self._verified_for:
            self._verified_for = None
            self.query_one("#verify-result", Static).update(Content.styled(
                f"The {self.words.noun} of canvas session {canvas_session_id} just changed: "
                "verify again.", "$text-muted"))

    def action_focus_verify(self) -> None:
        box = self.query_one("#guid", Input)
        box.focus()
        box.select_all()

    # --- the command palette (provision_commands.py) ---

    def when_palette_opens(self) -> Iterable[SystemCommand]:
        return palette_commands(self)
