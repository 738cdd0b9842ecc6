"""Validate (dry run), issue or rotate, revoke, and verify the credential of one session: its
Host GUID (guid generation) or its host and participant tokens (tokens generation)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from hostprov_tui.errors import HostprovError
from hostprov_tui.tui.credential_words import WORDS, CredentialWords
from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.modals.guid import GuidModal
from hostprov_tui.tui.screens.modals.links import LinksModal
from hostprov_tui.tui.styles import css_paths
from hostprov_tui.tui.widgets.checklist import Checklist
from hostprov_tui.tui.widgets.verify_view import verify_content

if TYPE_CHECKING:
    from hostprov_tui.services.api import Provisioner
    from hostprov_tui.services.inputs import Target
    from hostprov_tui.services.results import (
        Issued,
        Plan,
        RevokeResult,
        SessionLinks,
        VerifyResult,
    )

T = TypeVar("T")
KINDS = [("KSESSIONS ID", "ks"), ("Canvas session ID", "canvas")]


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
        Binding("ctrl+o", "links", "Links",
                tooltip="Show the session's host and participant links again (tokens "
                "generation; audited)"),
    ]

    #: what this canvas database issues; guid until the worker has asked the database
    words: CredentialWords = WORDS["guid"]
    generation_known = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="provision"):
            with VerticalScroll(id="form"):
                yield Label("Session", classes="field-label")
                with Horizontal(classes="field-row"):
                    yield Select(KINDS, value="ks", allow_blank=False, id="kind")
                    yield Input(placeholder="e.g. 12", id="target", restrict=r"\d*")
                yield Static("", id="picked")
                yield Static("Canvas schema: …", id="generation")
                yield Label("Created by", classes="field-label")
                yield Input(self.hp.backend.operator, id="created-by")
                yield Label("Expires (YYYY-MM-DD, optional)", classes="field-label")
                yield Input(placeholder="never", id="expires")
                yield Label("Reason (optional)", classes="field-label")
                yield Input(placeholder="why this is issued or revoked", id="reason")
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

    def on_screen_resume(self) -> None:
        self._take_pick()

    def when_settings_loaded(self) -> None:
        self._learn_generation()

    # --- the generation of the canvas schema: asked once, on a worker -----------------------

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
        message = getattr(exc, "message", str(exc))
        self.query_one("#generation", Static).update(
            Content.styled(f"Canvas schema: not known yet — {message}", "$warning"))

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
        row = self.hp.picked
        target = self.query_one("#target", Input)
        if row is not None and target.value != str(row.session_id):
            self.query_one("#kind", Select).value = "ks"
            target.value = str(row.session_id)
            self.query_one(Checklist).clear()
            self._show_picked()
        target.focus()

    def _show_picked(self) -> None:
        row = self.hp.picked
        if row is None:
            return
        self.query_one("#picked", Static).update(Content.assemble(
            (row.name, "bold"),
            (f"\n{row.album or '—'} · {row.category or '—'}", "$text-muted"),
            (f" · {self.words.noun}: {row.guid_status}", "$text-muted"),
        ))

    # --- reading the form: parsed by the services on the worker (bad input is audited) -------

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

    # --- actions: each runs its job on a worker, then its typed follow-up --------------------

    def _run(self, job: Callable[[Provisioner], T], then: Callable[[T], None], *,
             failure: str, checks: bool = False) -> None:
        """``job`` on a worker, ``then(result)`` after it; an error is reported under the title
        ``failure`` (``checks``: the job runs the checks, so the checklist must not stay on
        "Validating…")."""
        self.call_service(job, then, partial(self._failed, failure, checks), group="provision")

    def _failed(self, title: str, checks: bool, exc: Exception) -> None:
        plan = exc.plan if isinstance(exc, HostprovError) else None
        if plan is not None:
            self.query_one(Checklist).show_plan(plan)
        elif checks:
            self.query_one(Checklist).clear("The checks could not run; see the notification.")
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
            self.notify(first.message, title="Validation refused", severity="warning",
                        markup=False)

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
        picked = self.hp.picked
        active = (picked is not None and picked.session_id == target.ksessions_id
                  and str(picked.guid_status) == "active")
        self._confirm_issue(target, opts, "rotate" if active else None)

    def _confirm_issue(self, target: Target, opts: dict[str, Any], action: str | None) -> None:
        who, noun = target.describe(), self.words.noun
        if action == "rotate":
            body = Content.assemble(
                (f"{who} already has a {noun}.\n", ""),
                (self.words.rotate_effect, "bold $warning"),
            )
            title, label = f"Rotate the {noun}?", "Rotate"
        elif action == "create":
            body = Content(f"A new {noun} will be issued for {who}.")
            title, label = f"Issue a {noun}?", "Issue"
        else:
            body = Content(f"Issue a {noun} for {who}. If one is active it is rotated: "
                           f"{self.words.rotate_effect}")
            title, label = f"Issue or rotate the {noun}?", "Issue"
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
        self.hp.catalogue_changes += 1
        if result.plan is not None:
            self.query_one(Checklist).show_plan(result.plan)
        if result.generation == "tokens":
            verb = "rotated" if result.action == "rotated" else "issued"
            self.app.push_screen(LinksModal(result, f"Host token {verb}"))  # type: ignore[arg-type]
        else:
            self.app.push_screen(GuidModal(result))  # type: ignore[arg-type]

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

        noun = self.words.noun
        body = Content.assemble(
            (f"Revoke the {noun} of {target.describe()}?\n", ""),
            (self.words.revoke_effect, "bold $warning"),
        )
        self.app.push_screen(ConfirmModal(f"Revoke the {noun}?", body, confirm_label="Revoke",
                                          require=require, danger=True), done)

    def _revoked(self, result: RevokeResult) -> None:
        self.hp.catalogue_changes += 1
        what = (f"Host session {result.host_session_id}" if result.host_session_id is not None
                else f"The tokens of canvas session {result.canvas_session_id}")
        self.notify(f"{what} revoked by {result.revoked_by}.", title="Revoked")

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
        self.query_one("#verify-result", Static).update(verify_content(result))
