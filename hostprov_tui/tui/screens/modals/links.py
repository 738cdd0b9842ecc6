"""The host and participant links of a session (tokens generation): after issuing, or shown
again on request. ``h`` copies the host link, ``p`` the participants' link, each with a toast."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label, Static

from hostprov_tui.tui.credential_words import WORDS
from hostprov_tui.tui.screens.modals.dialog import Dialog
from hostprov_tui.tui.screens.modals.shown_once import SENT

if TYPE_CHECKING:
    from textual.screen import Screen

    from hostprov_tui.services.results import Issued, SessionLinks, TokenIssueResult


class LinksModal(Dialog[None]):
    """Shows a TokenIssueResult or SessionLinks: two links, two copy buttons, the expiry."""

    BINDINGS = [
        Binding("h", "copy_host", "Copy host link"),
        Binding("p", "copy_participants", "Copy participants' link"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, links: TokenIssueResult | SessionLinks, title: str) -> None:
        super().__init__()
        self.links = links
        self.title_text = title

    def compose(self) -> ComposeResult:
        links = self.links
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield Label("Host (signs in at)", classes="link-label")
            yield Static(links.host_url, id="host-link", markup=False)
            yield Label("Participants (join at)", classes="link-label")
            yield Static(links.participant_url, id="participant-link", markup=False)
            yield Static(self._facts(), id="links-facts", markup=False)
            yield Static(Content.styled(
                "The app keeps these tokens in plain text: hostprov can show them again "
                "(an audited request), and never writes them to its log.", "$text-muted"),
                id="links-note")
            with Horizontal(id="dialog-buttons"):
                yield Button("Copy host link (h)", id="copy-host", variant="primary")
                yield Button("Copy participants' link (p)", id="copy-participants")
                yield Button("Close (Esc)", id="close")

    def _facts(self) -> str:
        links = self.links
        expires: datetime | None = links.expires_at
        until = f"{expires:%Y-%m-%d %H:%M} UTC" if expires else "no end"
        kept = getattr(links, "new_user_token", True)
        lines = [f"KSESSIONS session {links.ksessions_id} · canvas session "
                 f"{links.canvas_session_id} · valid until {until}"]
        if not kept:
            lines.append("Participants keep the link they already have.")
        if getattr(links, "valid", True) is False:
            lines.append("These tokens no longer sign in: issue new ones.")
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.query_one("#copy-host", Button).focus()

    @on(Button.Pressed, "#copy-host")
    def action_copy_host(self) -> None:
        self.app.copy_to_clipboard(self.links.host_url)
        self.notify(f"The host link was {SENT}.", title="Sent to the clipboard")

    @on(Button.Pressed, "#copy-participants")
    def action_copy_participants(self) -> None:
        self.app.copy_to_clipboard(self.links.participant_url)
        self.notify(f"The participants' link was {SENT}.", title="Sent to the clipboard")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


def issued_window(result: Issued) -> Screen[None]:
    """What shows a new credential: the links (tokens) or the once-only GUID window."""
    if WORDS[result.generation].shows_links:
        verb = "rotated" if result.action == "rotated" else "issued"
        return LinksModal(result, f"Host token {verb}")  # type: ignore[arg-type]
    from hostprov_tui.tui.screens.modals.guid import GuidModal

    return GuidModal(result)  # type: ignore[arg-type]
