"""The Provision screen's state and its writes: the typed reactives every panel draws from
(tui/provision_state.py), and the actions — validate, issue or rotate, revoke, links, verify —
each a job on a worker whose result comes back as a message (MainScreen.call_service) and whose
follow-up sets the state. The screen itself (provision.py) lays out the panels and follows the
session box."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from textual import on
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Button, Input

from hostprov_tui.errors import HostprovError
from hostprov_tui.tui.backend import describe_error
from hostprov_tui.tui.credential_words import WORDS, CredentialWords
from hostprov_tui.tui.form_words import for_the_form
from hostprov_tui.tui.issue_effect import IssueEffect, with_facts
from hostprov_tui.tui.provision_state import (
    NO_VERIFY,
    START_NOTE,
    Changed,
    Failed,
    FieldError,
    FormValues,
    Note,
    Outcome,
    Planned,
    Refused,
    SessionBox,
    Verified,
    VerifyView,
    Written,
)
from hostprov_tui.tui.run_fields import REVOCABLE, field_error, revoke_words, service_options
from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.modals.links import LinksModal

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


class ProvisionFlows(MainScreen):
    """The state of the Provision screen and what changes it (see the module's docstring)."""

    #: what this canvas database issues; guid until the worker has asked the database
    words: var[CredentialWords] = var(WORDS["guid"])
    generation_known: var[bool] = var(False)
    generation_error: var[str] = var("")
    session: var[SessionBox] = var(SessionBox())
    form: var[FormValues] = var(FormValues())
    outcome: var[Outcome] = var(START_NOTE)
    verified: var[VerifyView] = var(NO_VERIFY)
    #: the field whose text the services refused (its sentence is shown under it)
    field_error: var[FieldError | None] = var(None)

    _lookup: Timer | None = None

    def look_up(self) -> None:
        """Read the session the box names (KSESSIONS IDs; a canvas ID is named by its plan)."""
        self._lookup = None
        box = self.session
        if box.kind != "ks" or not box.raw:
            return

        def found(row: SessionRow | None) -> None:
            if self.session.raw == box.raw and self.session.kind == "ks":  # still the one typed
                self.session = replace(self.session, row=row, missing=row is None)

        self.call_service(lambda p: p.find_session(box.raw), found, lambda _exc: None,
                          group="lookup", exclusive=True)

    def _sync(self) -> None:
        """Take into the state what the boxes hold now: a priority key (Ctrl+L right after
        typing) can run before the boxes' Changed messages have reached the screen."""
        raise NotImplementedError

    def _target(self) -> dict[str, str]:
        self._sync()
        key = "canvas_session_id" if self.session.kind == "canvas" else "ksessions_id"
        return {key: self.session.raw}

    # --- actions: each runs its job on a worker, then its follow-up sets the state ---

    def _run(self, job: Callable[[Provisioner], T], then: Callable[[T], None], *,
             failure: str, checks: bool = False, only_newest: bool = False) -> None:
        """``job`` on a worker, then ``then(result)``; an error is reported as ``failure``
        (``checks``: the checks panel shows the reason instead of "Validating…")."""
        # ``only_newest``: a read whose older answer must not land after a newer one (a dry run);
        # never a write — its result (a GUID shown once) must not be dropped
        self.field_error = None
        self.call_service(job, then, partial(self._failed, failure, checks),
                          group="checks" if only_newest else "provision", exclusive=only_newest)

    def _failed(self, title: str, checks: bool, exc: Exception) -> None:
        self.field_error = field_error(exc)
        if isinstance(exc, HostprovError) and exc.plan is not None:
            self.outcome = Planned(exc.plan)
        elif checks:  # the reason stays in the panel; the toast goes away
            self.outcome = Failed("The checks could not run.", *describe_error(exc))
        self.hp.report_exception(exc, title=title)

    @on(Input.Submitted, "#target")
    @on(Button.Pressed, "#validate")
    def action_validate(self) -> None:
        raw, opts = self._target(), self.form.options(self.words)
        self.outcome = Note("Validating…")
        self._run(lambda p: p.dry_run(p.target("dry-run", **raw),
                                      **service_options(p, opts, "dry-run")), self._validated,
                  failure="Validation failed", checks=True, only_newest=True)

    def _validated(self, plan: Plan) -> None:
        self.outcome = Planned(plan)
        if not plan.ok:
            self.notify(for_the_form(plan.failures[0].message), title="Validation refused",
                        severity="warning", markup=False)

    @on(Button.Pressed, "#issue")
    def action_issue(self) -> None:
        raw, form = self._target(), self.form
        opts = form.options(self.words)
        if self.hp.production:  # no dry run first: the guard needs the typed confirmation

            def parsed(p: Provisioner) -> Target:
                target = p.target("issue", **raw)
                p.options(opts["created_by"], opts["expires"], opts["reason"], True)
                service_options(p, opts)  # the schedule too, before the typed confirmation
                return target

            self._run(parsed, partial(self._issue_parsed, form), failure="Issue refused")
            return

        def planned(p: Provisioner) -> tuple[Plan, Target]:
            target = p.target("issue", **raw)
            return p.dry_run(target, **service_options(p, opts, "dry-run")), target

        self.outcome = Note("Validating before issuing…")
        self._run(planned, partial(self._issue_planned, form), failure="Issue refused",
                  checks=True)

    def _issue_planned(self, form: FormValues, planned: tuple[Plan, Target]) -> None:
        plan, target = planned
        self.outcome = Planned(plan)
        if plan.ok:
            self._confirm_issue(target, form, IssueEffect.of_plan(plan, self.words))
        else:
            first = plan.failures[0]
            self.hp.report(first.message, first.hint, title="Issue refused")

    def _issue_parsed(self, form: FormValues, target: Target) -> None:
        row = self.session.current_row
        row = row if row is not None and row.session_id == target.ksessions_id else None
        self._confirm_issue(target, form, IssueEffect.of_row(
            self.words, row, bool(getattr(form, "new_user_token", False))))

    def _confirm_issue(self, target: Target, form: FormValues, effect: IssueEffect) -> None:
        title, body, label = effect.question(target.describe())
        prod = self.hp.production
        body = with_facts(body, form.facts(self.words), production=prod)
        opts = form.options(self.words)

        def done(ok: bool | None) -> None:
            if ok:
                self._run(lambda p: p.issue(target, allow_production=prod,
                                            **service_options(p, opts)),
                          self._issued, failure="Issue failed")

        self.app.push_screen(ConfirmModal(title, body, confirm_label=label,
                                          require=self.session.raw if prod else None,
                                          danger=bool(effect.rotates) or effect.new_run
                                          or prod), done)

    def _issued(self, result: Issued) -> None:
        self.outcome = Written(result=result)
        self._written(result.canvas_session_id)
        if self.words.shows_links and WORDS[result.generation].shows_links:
            self.app.push_screen(LinksModal(result, IssueEffect.result_title(result)))  # type: ignore[arg-type]
            return
        from hostprov_tui.tui.screens.modals.guid import GuidModal

        self.app.push_screen(GuidModal(result))  # type: ignore[arg-type]

    @on(Button.Pressed, "#revoke")
    def action_revoke(self) -> None:
        """A session whose credential does not sign in is refused at once (its status read
        again first); otherwise a confirmation that repeats who and why."""
        raw, kind = self._target(), self.session.kind

        def parsed(p: Provisioner) -> tuple[Target, SessionRow | None]:
            target = p.target("revoke", **raw)
            ks = target.ksessions_id
            return target, (p.find_session(ks) if kind == "ks" and ks is not None else None)

        self._run(parsed, self._confirm_revoke, failure="Revoke refused")

    def _confirm_revoke(self, found: tuple[Target, SessionRow | None]) -> None:
        target, row = found
        if row is not None:
            self.session = replace(self.session, row=row, missing=False)
            status = str(row.guid_status)
            if status not in REVOCABLE:
                noun = self.words.noun
                refusal = Refused(
                    f"{target.describe()} has no working {noun} (status: {status}); there is "
                    "nothing to revoke.",
                    f"Issue one (Ctrl+G), or check a {noun} in the Verify box (Ctrl+E).")
                self.outcome = refusal
                self.hp.report(refusal.message, refusal.hint, title="Revoke refused")
                return
        form, prod = self.form, self.hp.production
        opts = form.options(self.words, revoke=True)

        def done(ok: bool | None) -> None:
            if ok:
                self._run(lambda p: p.revoke(target, allow_production=prod, **opts),
                          self._revoked, failure="Revoke failed")

        title, body = self.words.revoke_question(target.describe())
        run = self._last_run(target.ksessions_id)
        body = with_facts(body, form.facts(self.words, revoke=True), production=prod, run=run)
        self.app.push_screen(ConfirmModal(title, body, confirm_label="Revoke",
                                          require=self.session.raw if prod else None,
                                          danger=True), done)

    def _last_run(self, ksessions_id: int | None) -> str | None:
        """What the last dry run said of this session's run, for the revoke's confirmation."""
        out = self.outcome
        if isinstance(out, Planned) and ksessions_id is not None \
                and out.plan.ksessions_id == ksessions_id:
            return revoke_words(out.plan.run_state)
        return None

    def _revoked(self, result: RevokeResult) -> None:
        self.outcome = Written(revoked=result)
        self._written(result.canvas_session_id)
        self.notify(f"{result.message} (by {result.revoked_by})", title="Revoked",
                    markup=False)

    @on(Button.Pressed, "#links")
    def action_links(self) -> None:
        raw, reason = self._target(), self.form.options(self.words)["reason"]
        self._run(lambda p: p.links(p.target("show-links", **raw), reason), self._links_shown,
                  failure="No links to show")

    def _links_shown(self, links: SessionLinks) -> None:
        self.app.push_screen(LinksModal(links, "Session links (shown again; audited)"))

    @on(Input.Submitted, "#guid")
    @on(Button.Pressed, "#verify")
    def action_verify(self) -> None:
        """What is in the Verify box: a GUID, a token, or a link hostprov gave out."""
        from hostprov_tui.services.inputs import credential_from_link

        raw = self.query_one("#guid", Input).value
        self.verified = Note("Verifying…")
        self.call_service(lambda p: p.verify_credential(credential_from_link(raw)),
                          self._verified, self._verify_failed, group="verify", exclusive=True)

    def _verified(self, result: VerifyResult) -> None:
        self.verified = Verified(result)

    def _verify_failed(self, exc: Exception) -> None:
        self.verified = Failed("Not verified", *describe_error(exc))
        self.hp.report_exception(exc, title="Verify failed")

    def _written(self, canvas_session_id: int | None) -> None:
        """After an issue, a rotation or a revoke: the sessions list reads again, the header
        shows the new status, and a verify result about this session says it changed."""
        self.hp.catalogue_changes += 1
        self.look_up()
        view = self.verified
        if canvas_session_id is not None and isinstance(view, Verified) \
                and view.result.canvas_session_id == canvas_session_id:
            self.verified = Changed(canvas_session_id)

    def action_focus_verify(self) -> None:
        box = self.query_one("#guid", Input)
        box.focus()
        box.select_all()
