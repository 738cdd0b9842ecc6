"""The checks panel: the Provision screen's last plan or outcome, drawn from its state (a Note
while nothing ran, the checks of a plan, what could not run, a refusal, or what was written)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult, RenderResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from hostprov_tui.tui.form_words import for_the_form
from hostprov_tui.tui.issue_effect import IssueEffect
from hostprov_tui.tui.provision_state import (
    START_NOTE,
    Failed,
    Note,
    Outcome,
    Planned,
    Refused,
    Written,
)

if TYPE_CHECKING:
    from hostprov_tui.services.results import Plan

INDENT = "\u00a0" * 3
MARKS = {"pass": ("✔", "$success"), "warn": ("!", "$warning"), "fail": ("✖", "$error")}
AGAIN = "Validate (Ctrl+L) to see the checks again."


def _hinted(mark: tuple[str, str], message: str, hint: str | None) -> list[Content]:
    rows = [Content.assemble((f"{mark[0]} ", f"bold {mark[1]}"), for_the_form(message))]
    if hint:
        rows.append(Content.styled(f"{INDENT}↳ {for_the_form(hint)}", "$text-muted"))
    return rows


def plan_rows(plan: Planned) -> list[Content]:
    p = plan.plan
    if p.ok:
        head = IssueEffect.of_plan(p).summary()
    else:
        n = len(p.failures)
        head = Content.styled(f"Refused: {n} check{'s' if n != 1 else ''} failed.", "bold $error")
    rows = [head, Content("")]
    for line in p.lines:
        rows += _hinted(MARKS.get(str(line.status), ("?", "$foreground")), line.message,
                        line.hint)
    return rows


def written_rows(done: Written) -> list[Content]:
    if done.result is not None:
        r = done.result
        until = f"valid until {r.expires_at:%Y-%m-%d %H:%M} UTC" if r.expires_at \
            else "no expiry"
        return [Content.styled(f"✔ {IssueEffect.result_line(r)}", "bold $success"),
                Content.styled(f"{INDENT}Created by {r.created_by} · {until}.", "$text-muted"),
                Content(""), Content.styled(AGAIN, "$text-muted")]
    assert done.revoked is not None
    r2 = done.revoked
    said = r2.message or f"Revoked the {r2.generation} credential of canvas session " \
        f"{r2.canvas_session_id}."
    return [Content.styled(f"✔ {said}", "bold $success"),
            Content.styled(f"{INDENT}By {r2.revoked_by}.", "$text-muted"),
            Content(""), Content.styled(AGAIN, "$text-muted")]


def outcome_content(outcome: Outcome) -> Content:
    if isinstance(outcome, Note):
        return Content.styled(outcome.text, "$text-muted")
    if isinstance(outcome, Planned):
        rows = plan_rows(outcome)
    elif isinstance(outcome, Written):
        rows = written_rows(outcome)
    elif isinstance(outcome, Refused):
        rows = [Content.styled("Refused: nothing was asked or written.", "bold $error"),
                Content(""), *_hinted(MARKS["fail"], outcome.message, outcome.hint)]
    else:
        assert isinstance(outcome, Failed)
        rows = [Content.styled(outcome.title, "bold $error"), Content(""),
                *_hinted(MARKS["fail"], outcome.message, outcome.hint)]
    return Content("\n").join(rows)


class Checklist(Static):
    """Renders the screen's ``outcome`` (bound to it with ``data_bind``)."""

    outcome: reactive[Outcome] = reactive(START_NOTE, layout=True)

    @property
    def plan(self) -> Plan | None:
        o = self.outcome
        if isinstance(o, Planned):
            return o.plan
        return o.result.plan if isinstance(o, Written) and o.result is not None else None

    def render(self) -> RenderResult:
        return outcome_content(self.outcome)


class ChecksPanel(Vertical):
    """The framed panel around the checklist; its lower border says when more is below."""

    outcome: reactive[Outcome] = reactive(START_NOTE)

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll(id="plan-scroll")
        with scroll:
            yield Checklist(id="checklist").data_bind(ChecksPanel.outcome)

    def on_mount(self) -> None:
        self.border_title = "Checks"
        scroll = self.query_one("#plan-scroll", VerticalScroll)
        for name in ("scroll_y", "virtual_size"):
            self.watch(scroll, name, self._more_below, init=False)
        self.call_after_refresh(self._more_below)

    def on_resize(self, _event: events.Resize) -> None:
        self.call_after_refresh(self._more_below)

    def watch_outcome(self) -> None:
        self.call_after_refresh(self._more_below)

    def _more_below(self, *_args: object) -> None:
        scroll = self.query_one("#plan-scroll", VerticalScroll)
        below = scroll.max_scroll_y > 0 and scroll.scroll_y < scroll.max_scroll_y
        self.border_subtitle = "more below ↓" if below else ""
