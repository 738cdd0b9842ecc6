"""Validate (dry run), issue or rotate, revoke, and verify Host GUIDs for one session."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, Select, Static

from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.modals.guid import GuidModal
from hostprov_tui.tui.styles import css_paths
from hostprov_tui.tui.widgets.checklist import Checklist
from hostprov_tui.tui.widgets.verify_view import verify_content

if TYPE_CHECKING:
    from hostprov_tui.services.api import Provisioner
    from hostprov_tui.services.inputs import Target
    from hostprov_tui.services.results import IssueResult, Plan, RevokeResult, VerifyResult

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
        Binding("ctrl+y", "verify", "Verify GUID",
                tooltip="Verify the GUID typed in the Verify box (Enter in it too)"),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="provision"):
            with VerticalScroll(id="form"):
                yield Label("Session", classes="field-label")
                with Horizontal(classes="field-row"):
                    yield Select(KINDS, value="ks", allow_blank=False, id="kind")
                    yield Input(placeholder="e.g. 12", id="target", restrict=r"\d*")
                yield Static("", id="picked")
                yield Label("Created by", classes="field-label")
                yield Input(self.hp.backend.operator, id="created-by")
                yield Label("Expires (YYYY-MM-DD, optional)", classes="field-label")
                yield Input(placeholder="never", id="expires")
                yield Label("Reason (optional)", classes="field-label")
                yield Input(placeholder="why this GUID is issued or revoked", id="reason")
                with Horizontal(id="actions"):
                    yield Button("Validate", id="validate")
                    yield Button("Issue", id="issue", variant="primary")
                    yield Button("Revoke", id="revoke", variant="error")
                yield Label("Verify a Host GUID", classes="field-label")
                with Horizontal(classes="field-row"):
                    yield Input(placeholder="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", id="guid")
                    yield Button("Verify", id="verify")
                yield Static("", id="verify-result")
            with Vertical(id="plan"):
                yield Label("Checks", id="plan-title")
                with VerticalScroll(id="plan-scroll"):
                    yield Checklist(id="checklist")

    def on_mount(self) -> None:
        self._take_pick()

    def on_screen_resume(self) -> None:
        self._take_pick()

    def _take_pick(self) -> None:
        row = self.hp.picked
        target = self.query_one("#target", Input)
        if row is not None and target.value != str(row.session_id):
            self.query_one("#kind", Select).value = "ks"
            target.value = str(row.session_id)
            self.query_one(Checklist).clear()
            self.query_one("#picked", Static).update(Content.assemble(
                (row.name, "bold"),
                (f"\n{row.album or '—'} · {row.category or '—'}", "$text-muted"),
                (f" · Host GUID: {row.guid_status}", "$text-muted"),
            ))
        target.focus()

    # --- reading the form: parsed by the services on the worker (bad input is audited) -------

    def _target(self) -> dict[str, str]:
        raw = self.query_one("#target", Input).value
        kind = self.query_one("#kind", Select).value
        return {"canvas_session_id" if kind == "canvas" else "ksessions_id": raw}

    def _options(self) -> dict[str, Any]:
        return {
            "created_by": self.query_one("#created-by", Input).value.strip() or None,
            "expires": self.query_one("#expires", Input).value.strip() or None,
            "reason": self.query_one("#reason", Input).value.strip() or None,
        }

    # --- actions: each runs its job on a worker, then its typed follow-up --------------------

    def _run(self, job: Callable[[Provisioner], T], then: Callable[[T], None], *,
             failure: str, checks: bool = False) -> None:
        """``job`` on a worker, ``then(result)`` after it; an error is reported under the title
        ``failure`` (``checks``: the job runs the checks, so the checklist must not stay on
        "Validating…")."""
        self.call_service(job, then, partial(self._failed, failure, checks), group="provision")

    def _failed(self, title: str, checks: bool, exc: Exception) -> None:
        plan = getattr(exc, "plan", None)
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
        who = target.describe()
        if action == "rotate":
            body = Content.assemble(
                (f"{who} already has an active Host GUID.\n", ""),
                ("Rotating makes the current GUID stop working immediately.", "bold $warning"),
            )
            title, label = "Rotate the Host GUID?", "Rotate"
        elif action == "create":
            body = Content(f"A new Host GUID will be issued for {who}.")
            title, label = "Issue a Host GUID?", "Issue"
        else:
            body = Content(f"Issue a Host GUID for {who}. If one is active it is rotated: the "
                           "current GUID stops working.")
            title, label = "Issue or rotate the Host GUID?", "Issue"
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

    def _issued(self, result: IssueResult) -> None:
        self.hp.catalogue_changes += 1
        if result.plan is not None:
            self.query_one(Checklist).show_plan(result.plan)
        self.app.push_screen(GuidModal(result))

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

        body = Content.assemble(
            (f"Revoke the active Host GUID of {target.describe()}?\n", ""),
            ("The host will no longer be able to open the session with it.", "bold $warning"),
        )
        self.app.push_screen(ConfirmModal("Revoke the Host GUID?", body, confirm_label="Revoke",
                                          require=require, danger=True), done)

    def _revoked(self, result: RevokeResult) -> None:
        self.hp.catalogue_changes += 1
        self.notify(f"Host session {result.host_session_id} revoked by {result.revoked_by}.",
                    title="Revoked")

    @on(Input.Submitted, "#guid")
    @on(Button.Pressed, "#verify")
    def action_verify(self) -> None:
        raw = self.query_one("#guid", Input).value.strip()
        self._run(lambda p: p.verify(raw), self._verified, failure="Verify failed")

    def _verified(self, result: VerifyResult) -> None:
        self.query_one("#verify-result", Static).update(verify_content(result))
