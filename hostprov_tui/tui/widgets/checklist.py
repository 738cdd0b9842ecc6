"""The dry-run checklist: one line per check, pass / warn / fail, with its sentence and hint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from hostprov_tui.tui.credential_words import WORDS
from hostprov_tui.tui.form_words import for_the_form

if TYPE_CHECKING:
    from hostprov_tui.services.results import Plan

INDENT = "\u00a0" * 3
MARKS = {"pass": ("✔", "$success"), "warn": ("!", "$warning"), "fail": ("✖", "$error")}


def plan_summary(plan: Plan) -> Content:
    if not plan.ok:
        n = len(plan.failures)
        return Content.styled(f"Refused: {n} check{'s' if n != 1 else ''} failed.", "bold $error")
    noun = WORDS.get(plan.generation or "guid", WORDS["guid"]).noun
    if plan.action == "rotate":
        return Content.styled(f"Ready to ROTATE: the current {noun} would stop working.",
                              "bold $warning")
    return Content.styled(f"Ready to issue a new {noun}.", "bold $success")


class Checklist(Static):
    """Renders a Plan (or a placeholder until the first validation)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan: Plan | None = None

    def on_mount(self) -> None:
        self.clear()

    def clear(self, text: str = "Validate (Ctrl+L) to see the checks for this session.") -> None:
        self.plan = None
        self.update(Content.styled(text, "$text-muted"))

    def show_error(self, message: str, hint: str | None = None) -> None:
        """The checks could not run: why, and what to do, here (a toast goes away)."""
        self.plan = None
        rows = [Content.styled("The checks could not run.", "bold $error"), Content(""),
                Content.assemble(("✖ ", "bold $error"), for_the_form(message))]
        if hint:
            rows.append(Content.styled(f"{INDENT}↳ {for_the_form(hint)}", "$text-muted"))
        self.update(Content("\n").join(rows))

    def show_plan(self, plan: Plan) -> None:
        """The plan's lines, with the command line's options named as the form's fields."""
        self.plan = plan
        rows: list[Content] = [plan_summary(plan), Content("")]
        for line in plan.lines:
            mark, style = MARKS.get(str(line.status), ("?", "$foreground"))
            rows.append(Content.assemble((f"{mark} ", f"bold {style}"),
                                         for_the_form(line.message)))
            if line.hint:
                rows.append(Content.styled(f"{INDENT}↳ {for_the_form(line.hint)}",
                                           "$text-muted"))
        self.update(Content("\n").join(rows))
