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
    #: "Host GUIDs" / "host tokens"
    plural: str = "Host GUIDs"
    #: the end of "…; if it already has an active one, …" (the production confirmation)
    replace_clause: str = "that one stops working immediately"
    #: the bulk confirmation: what happens to active credentials, and when they are shown
    bulk_rotate: str = ""
    bulk_active: str = "had an active Host GUID when last listed"
    bulk_shown: str = ""
    #: the bulk progress: why to keep the app open
    bulk_keep: str = ""
    #: F1: what the credential keys do, by action name (else the binding's tooltip), and its
    #: last line
    help_keys: tuple[tuple[str, str], ...] = ()
    help_note: str = ""

    def help_for(self, action: str) -> str | None:
        return dict(self.help_keys).get(action)

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
        body = Content.assemble(f"Issue a {noun} for {who}; if it already has an active one, ",
                                (f"{self.replace_clause}.", "bold $warning"))
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
        bulk_rotate="Any active Host GUID among them is rotated: the current GUID stops "
        "working immediately.",
        bulk_shown="The GUIDs are shown once, at the end.",
        bulk_keep="Keep the app open: the GUIDs are shown once, when this ends. Until you close "
        "them, they are also saved (0600) beside the audit log, so a crash loses none.",
        help_note="A GUID is shown once and never logged.",  # the keys: their own tooltips
    ),
    "tokens": CredentialWords(
        "tokens", "tokens generation — host and participant links (8-character tokens)",
        "tokens generation (host tokens)",
        "host token", "24 h from now", "Verify a host or participant token", "e.g. K7XM3QPA",
        "Rotating makes the current host link stop working immediately; participants keep "
        "theirs unless “New participant link too” is ticked.",
        "Neither the host link nor the participants' link will sign in any more.",
        shows_links=True,
        plural="host tokens",
        replace_clause="its current host link stops working immediately",
        bulk_rotate="A session whose tokens still sign in gets a new host token: its current "
        "host link stops working immediately; participants keep theirs.",
        bulk_active="had host tokens that sign in when last listed",
        bulk_shown="The links are shown at the end, and can be shown again from Provision.",
        bulk_keep="The host and participant links are shown when this ends. Until you close "
        "them, they are also saved (0600) beside the audit log.",
        help_keys=(
            ("issue", "Issue (or rotate) the host token after a confirmation; the links are "
             "shown"),
            ("revoke", "Revoke the session's tokens after a confirmation: neither link signs "
             "in any more"),
            ("issue_marked", "Issue host tokens for every marked session; the links are shown "
             "at the end"),
            ("go('provision')", "Provision: validate, issue, revoke and verify host tokens"),
            ("verify", "Verify the host or participant token typed in the Verify box (Enter in "
             "it too)"),
        ),
        help_note="Tokens are never logged; a session's links can be shown again (Ctrl+O, "
        "audited).",
    ),
}
