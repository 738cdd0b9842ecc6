"""How the TUI names what it issues, per generation of the canvas schema: one table, so the
screens say "Host GUID" or "host token" without branching on the generation."""

from __future__ import annotations

from dataclasses import dataclass


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
