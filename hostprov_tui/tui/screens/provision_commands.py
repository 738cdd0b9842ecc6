"""The provision screen's entries in the command palette: its actions for the session in the
ID box (named when it was looked up)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

if TYPE_CHECKING:
    from hostprov_tui.tui.screens.provision import ProvisionScreen


def palette_commands(screen: ProvisionScreen) -> Iterator[SystemCommand]:
    raw = screen.session.raw
    noun = screen.words.noun
    if raw:
        row = screen.session.current_row
        who = f"session {raw}" + (f" · {row.name}" if row is not None else "")
        yield SystemCommand(f"Dry run for {who}", "The checklist of every rule, nothing "
                            "written (Ctrl+L)", screen.action_validate)
        yield SystemCommand(f"Issue for {who}", f"Issue, or rotate the {noun}, after a "
                            "confirmation (Ctrl+G)", screen.action_issue)
        yield SystemCommand(f"Revoke for {who}", f"Revoke the {noun} after a confirmation "
                            "(Ctrl+R)", screen.action_revoke)
        if screen.words.shows_links:
            yield SystemCommand(f"Links of {who}", "Show the host and participant links again "
                                "(audited; Ctrl+O)", screen.action_links)
    yield SystemCommand("Refresh the session", "Read the session in the box again: its name "
                        "and status", screen.look_up)
