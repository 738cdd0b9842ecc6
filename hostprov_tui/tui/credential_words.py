"""How the TUI names what it issues, per generation of the canvas schema: one table, so the
screens say "Host GUID" or "host token" without branching on the generation."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content


@dataclass(frozen=True)
class CredentialWords:
    generation: str
    #: the provision line: what this database's app signs hosts in with
    summary: str
    #: the dashboard card's Kind line
    card: str
    #: "Host GUID" / "host token"
    noun: str
    #: the Expires box's placeholder (what an empty box means)
    expires_default: str
    verify_label: str
    verify_placeholder: str
    #: what a rotation does to the current credential, and what a revoke does
    rotate_effect: str
    revoke_effect: str
    #: links can be shown again (tokens) — never a GUID
    shows_links: bool

    def issue_question(self, who: str, action: str | None) -> tuple[str, Content, str]:
        """Title, body and button of the issue confirmation (``action``: "rotate", "create" or
        None when not known, e.g. in production where no dry run comes first)."""
        noun = self.noun
        if action == "rotate":
            body = Content.assemble((f"{who} already has a {noun}.\n", ""),
                                    (self.rotate_effect, "bold $warning"))
            return f"Rotate the {noun}?", body, "Rotate"
        if action == "create":
            return f"Issue a {noun}?", Content(f"A new {noun} will be issued for {who}."), "Issue"
        body = Content(f"Issue a {noun} for {who}. If one is active it is rotated: "
                       f"{self.rotate_effect}")
        return f"Issue or rotate the {noun}?", body, "Issue"

    def revoke_question(self, who: str) -> tuple[str, Content]:
        body = Content.assemble((f"Revoke the {self.noun} of {who}?\n", ""),
                                (self.revoke_effect, "bold $warning"))
        return f"Revoke the {self.noun}?", body


WORDS: dict[str, CredentialWords] = {
    "guid": CredentialWords(
        "guid", "guid generation — Host GUIDs (only their hash is stored)",
        "guid generation (Host GUIDs)", "Host GUID",
        "never", "Verify a Host GUID", "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        "Rotating makes the current GUID stop working immediately.",
        "The host will no longer be able to open the session with it.",
        shows_links=False,
    ),
    "tokens": CredentialWords(
        "tokens", "tokens generation — host and participant links (8-character tokens)",
        "tokens generation (host tokens)",
        "host token", "24 h from now", "Verify a host or participant token", "e.g. K7XM3QPA",
        "Rotating makes the current host link stop working immediately; participants keep "
        "theirs unless “New participant link too” is ticked.",
        "Neither the host link nor the participants' link will sign in any more.",
        shows_links=True,
    ),
}
