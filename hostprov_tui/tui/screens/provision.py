"""Validate (dry run), issue or rotate, revoke, and verify Host GUIDs for one session."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
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
    from hostprov_tui.services.results import Plan

FAILURE_TITLES = {"plan": "Validation failed", "plan-then-issue": "Issue refused",
                  "confirm-issue": "Issue refused", "confirm-revoke": "Revoke refused",
                  "issued": "Issue failed", "revoked": "Revoke failed", "verified": "Verify failed"}
KINDS = [("KSESSIONS ID", "ks"), ("Canvas session ID", "canvas")]


class ActionDone(Message):
    """A provisioning call finished on a worker: ``result`` or ``error`` is set."""

    def __init__(self, kind: str, result: Any = None, error: BaseException | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.result = result
        self.error = error


class ProvisionScreen(MainScreen):

    CSS_PATH = css_paths("provision.tcss", "modals.tcss")
    SUB_TITLE = "Provision"
    BINDINGS = [
        Binding("ctrl+l", "validate", "Validate"),
        Binding("ctrl+g", "issue", "Issue"),
        Binding("ctrl+r", "revoke", "Revoke"),
        Binding("ctrl+y", "verify", "Verify GUID"),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="provision"):
            with VerticalScroll(id="form"):
                yield Label("Session", classes="field-label")
                with Horizontal(classes="field-row"):
                    yield Select(KINDS, value="ks", allow_blank=False, id="kind")
                    yield self.field(placeholder="e.g. 12", id="target", restrict=r"\d*")
                yield Static("", id="picked")
                yield Label("Created by", classes="field-label")
                yield self.field(self.hp.backend.operator, id="created-by")
                yield Label("Expires (YYYY-MM-DD, optional)", classes="field-label")
                yield self.field(placeholder="never", id="expires")
                yield Label("Reason (optional)", classes="field-label")
                yield self.field(placeholder="why this GUID is issued or revoked", id="reason")
                with Horizontal(id="actions"):
                    yield Button("Validate", id="validate")
                    yield Button("Issue", id="issue", variant="primary")
                    yield Button("Revoke", id="revoke", variant="error")
                yield Label("Verify a Host GUID", classes="field-label")
                with Horizontal(classes="field-row"):
                    yield self.field(placeholder="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", id="guid")
                    yield Button("Verify", id="verify")
                yield Static("", id="verify-result")
            with Vertical(id="plan"):
                yield Label("Checks", id="plan-title")
                with VerticalScroll(id="plan-scroll"):
                    yield Checklist(stable=self.hp.stable, id="checklist")

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

    # --- actions -----------------------------------------------------------------------------

    @on(Input.Submitted, "#target")
    @on(Button.Pressed, "#validate")
    def action_validate(self) -> None:
        raw, opts = self._target(), self._options()
        self.query_one(Checklist).clear("Validating…")
        self._call("plan", lambda p: p.dry_run(p.target("dry-run", **raw), **opts))

    @on(Button.Pressed, "#issue")
    def action_issue(self) -> None:
        raw, opts = self._target(), self._options()
        if self.hp.production:  # no dry run first: the guard needs the typed confirmation

            def parsed(p: Provisioner) -> tuple[Target, dict[str, Any]]:
                target = p.target("issue", **raw)
                p.options(opts["created_by"], opts["expires"], opts["reason"], True)
                return target, opts

            self._call("confirm-issue", parsed)
        else:

            def planned(p: Provisioner) -> tuple[Plan, Target, dict[str, Any]]:
                target = p.target("issue", **raw)
                return p.dry_run(target, **opts), target, opts

            self.query_one(Checklist).clear("Validating before issuing…")
            self._call("plan-then-issue", planned)

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
                self._call("issued", lambda p: p.issue(target, allow_production=prod, **opts))

        self.app.push_screen(ConfirmModal(title, body, confirm_label=label, require=require,
                                          danger=action == "rotate" or self.hp.production), done)

    @on(Button.Pressed, "#revoke")
    def action_revoke(self) -> None:
        raw = self._target()
        self._call("confirm-revoke", lambda p: p.target("revoke", **raw))

    def _confirm_revoke(self, target: Target) -> None:
        reason = self.query_one("#reason", Input).value.strip() or None
        by = self.query_one("#created-by", Input).value.strip() or None
        prod = self.hp.production
        require = self.query_one("#target", Input).value.strip() if prod else None

        def done(ok: bool | None) -> None:
            if ok:
                self._call("revoked", lambda p: p.revoke(
                    target, by=by, reason=reason, allow_production=prod))

        body = Content.assemble(
            (f"Revoke the active Host GUID of {target.describe()}?\n", ""),
            ("The host will no longer be able to open the session with it.", "bold $warning"),
        )
        self.app.push_screen(ConfirmModal("Revoke the Host GUID?", body, confirm_label="Revoke",
                                          require=require, danger=True), done)

    @on(Input.Submitted, "#guid")
    @on(Button.Pressed, "#verify")
    def action_verify(self) -> None:
        raw = self.query_one("#guid", Input).value.strip()
        self._call("verified", lambda p: p.verify(raw))

    # --- workers and their results -----------------------------------------------------------

    @work(thread=True, group="provision", exit_on_error=False)
    def _call(self, kind: str, job: Callable[[Provisioner], Any]) -> None:
        try:
            result = job(self.hp.backend.get())
        except Exception as exc:
            self.post_message(ActionDone(kind, error=exc))
            return
        self.post_message(ActionDone(kind, result=result))

    def on_action_done(self, message: ActionDone) -> None:
        if message.error is not None:
            self._failed(message.kind, message.error)
            return
        result = message.result
        checklist = self.query_one(Checklist)
        if message.kind == "plan":
            checklist.show_plan(result)
            if not result.ok:
                first = result.failures[0]
                self.notify(first.message, title="Validation refused", severity="warning",
                            markup=False)
        elif message.kind == "plan-then-issue":
            plan, target, opts = result
            checklist.show_plan(plan)
            if plan.ok:
                self._confirm_issue(target, opts, plan.action)
            else:
                first = plan.failures[0]
                self.hp.report(first.message, first.hint, title="Issue refused")
        elif message.kind == "confirm-issue":
            target, opts = result
            picked = self.hp.picked
            active = (picked is not None and picked.session_id == target.ksessions_id
                      and str(picked.guid_status) == "active")
            self._confirm_issue(target, opts, "rotate" if active else None)
        elif message.kind == "confirm-revoke":
            self._confirm_revoke(result)
        elif message.kind == "issued":
            self.hp.catalogue_changes += 1
            if result.plan is not None:
                checklist.show_plan(result.plan)
            self.app.push_screen(GuidModal(result))
        elif message.kind == "revoked":
            self.hp.catalogue_changes += 1
            self.notify(f"Host session {result.host_session_id} revoked by {result.revoked_by}.",
                        title="Revoked")
        elif message.kind == "verified":
            self.query_one("#verify-result", Static).update(verify_content(result))

    def _failed(self, kind: str, exc: BaseException) -> None:
        plan = getattr(exc, "plan", None)
        if plan is not None:
            self.query_one(Checklist).show_plan(plan)
        elif kind.startswith("plan"):
            self.query_one(Checklist).clear("The checks could not run; see the notification.")
        self.hp.report_exception(exc, title=FAILURE_TITLES.get(kind, "Failed"))
