"""What an issue will do, and did, in one place: every sentence about it (the checks panel's
headline, the confirmation, the window that shows the result) comes from the same
:class:`IssueEffect`, taken from the plan (or, in production where no dry run comes first, from
the session's status), so no two of them can disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.content import Content

from hostprov_tui.tui.credential_words import WORDS, CredentialWords
from hostprov_tui.tui.form_words import for_the_form
from hostprov_tui.tui.run_fields import DEAD, SIGNS_IN

if TYPE_CHECKING:
    from hostprov_tui.services.results import Issued, Plan, RunState, SessionRow


@dataclass(frozen=True)
class IssueEffect:
    words: CredentialWords
    #: the credential in place still signs in and stops working (None: not known)
    rotates: bool | None
    #: tokens generation: the participants get a new link too (None: guid generation)
    new_participant_link: bool | None = None
    #: a credential is in place but no longer signs in (revoked, expired): it is renewed
    renews_dead: bool = False
    #: tokens generation: the state of the session's run the plan read (None: not known)
    run: RunState | None = None

    @property
    def new_run(self) -> bool:
        return self.run is not None and self.run.new_run

    @classmethod
    def of_plan(cls, plan: Plan, words: CredentialWords | None = None) -> IssueEffect:
        words = words or WORDS.get(plan.generation or "guid", WORDS["guid"])
        working = plan.replaces_working
        rotates = plan.action == "rotate" if working is None else working
        return cls(words, rotates, plan.new_participant_link,
                   renews_dead=plan.action == "rotate" and working is False,
                   run=plan.run_state)

    @classmethod
    def of_row(cls, words: CredentialWords, row: SessionRow | None, ticked: bool) -> IssueEffect:
        """Production: no dry run before the confirmation, so the session's listed status."""
        if row is None:
            return cls(words, None, (True if ticked else None) if words.shows_links else None)
        active = str(row.guid_status) in SIGNS_IN
        new_link = (ticked or not active) if words.shows_links else None
        return cls(words, active, new_link, renews_dead=str(row.guid_status) in DEAD)

    # --- the sentences ------------------------------------------------------------------------

    def what_changes(self) -> str:
        """One sentence: what the host (and the participants) will hold afterwards."""
        w = self.words
        if not w.shows_links:
            if self.rotates:
                return ("The current Host GUID will stop working immediately; a new one is "
                        "shown once.")
            return "A new Host GUID is made and shown once."
        if self.new_participant_link is None:
            return ("If the host link works it will stop working; participants keep their "
                    "link unless “New participant link too” is ticked.")
        if self.rotates and self.new_participant_link:
            return ("The current host link and the participants' link will stop working "
                    "immediately: both links are new, participants need the new one.")
        if self.rotates:
            return ("The current host link will stop working immediately; participants keep "
                    "their link.")
        old = "The old links no longer sign in: " if self.renews_dead else ""
        return f"{old}a new host link and a new participant link are made."

    def summary(self) -> Content:
        """The checks panel's headline for a plan that passed."""
        change = self.what_changes()
        change = change[0].lower() + change[1:]
        if self.new_run:
            assert self.run is not None
            gone = (f"{self.run.counts()} are archived and removed" if self.run.removes
                    else "nothing to archive")
            return Content.styled(f"Ready for a NEW RUN: {gone}; {change}", "bold $warning")
        if self.rotates:
            return Content.styled(f"Ready to ROTATE: {change}", "bold $warning")
        return Content.styled(f"Ready to issue: {change}", "bold $success")

    def question(self, who: str) -> tuple[str, Content, str]:
        """The confirmation's title, body and confirm button (with the run's sentence)."""
        title, body, label = self._question(who)
        if self.run is None:
            return title, body, label
        style = "bold $warning" if self.new_run else ""
        said = Content.styled(for_the_form(self.run.sentence), style)
        body = Content("\n").join([body, Content(""), said])
        return ("Start a new run?" if self.new_run else title), body, (
            "New run" if self.new_run else label)

    def _question(self, who: str) -> tuple[str, Content, str]:
        noun = self.words.noun
        if self.rotates:
            body = Content.assemble((f"{who} already has a working {noun}.\n", ""),
                                    (self.what_changes(), "bold $warning"))
            return f"Rotate the {noun}?", body, "Rotate"
        if self.rotates is None:
            return (f"Issue or rotate the {noun}?",
                    Content(f"Issue a {noun} for {who}. {self.what_changes()}"), "Issue")
        return f"Issue a {noun}?", Content(f"For {who}. {self.what_changes()}"), "Issue"

    @staticmethod
    def result_title(result: Issued) -> str:
        """The title of the window that shows what was issued: it names what changed."""
        if not WORDS[result.generation].shows_links:
            return "Host GUID rotated" if result.action == "rotated" else "Host GUID issued"
        verb = "rotated" if result.action == "rotated" else "issued"
        if getattr(result, "new_user_token", True):
            return f"Host token {verb}: new host link and new participant link"
        return f"Host token {verb}: new host link; participants keep theirs"

    @staticmethod
    def result_line(result: Issued) -> str:
        """The checks panel's headline after the write."""
        words = WORDS[result.generation]
        who = f"KSESSIONS session {result.ksessions_id} (canvas {result.canvas_session_id})"
        if not words.shows_links:
            done = "Rotated" if result.action == "rotated" else "Issued"
            return f"{done}: a new Host GUID for {who}, shown once."
        run = getattr(result, "run_state", None)
        if run is not None and run.new_run:
            where = getattr(result, "archive_path", None)
            kept = (f" {run.counts()} archived to {where} and removed." if run.removes and where
                    else " Nothing to archive.")
            return (f"New run for {who}: a new host link and a new participant link; "
                    f"Status 'Created'.{kept}")
        if getattr(result, "new_user_token", True):
            return f"Issued for {who}: a new host link and a new participant link."
        return f"Rotated for {who}: a new host link; participants keep theirs."


def with_facts(body: Content, facts: list[tuple[str, str]], *, production: bool,
               run: str | None = None) -> Content:
    """A confirmation's body followed by who, until when and why (as the form holds them);
    ``run``: a sentence about the session's run (a revoke's)."""
    if run:
        body = Content("\n").join([body, Content(""), Content(run)])
    width = max((len(label) for label, _ in facts), default=0)
    rows = [Content.assemble((f"{label:<{width}}  ", "$text-muted"), (value, "bold"))
            for label, value in facts]
    parts = [body, Content(""), *rows]
    if production:
        parts.append(Content.styled("This is the PRODUCTION environment.", "bold $error"))
    return Content("\n").join(parts)
