"""The palette's provision actions on every screen (issue 18): for the session in the
Provision box, or entries that open Provision."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

if TYPE_CHECKING:
    from hostprov_tui.tui.app import HostprovApp

    _Base = HostprovApp
else:
    _Base = object


#: The palette's commands for a session: its title (the session follows), help, and the action
#: of the provision screen it runs.
SESSION_COMMANDS = (
    ("Dry run for", "The checklist of every rule, nothing written (Provision, Ctrl+L)",
     "validate"),
    ("Issue for", "Issue, or rotate an active credential, after a confirmation (Provision, "
     "Ctrl+G)", "issue"),
    ("Revoke for", "Revoke the active credential after a confirmation (Provision, Ctrl+R)",
     "revoke"),
)


class PaletteMixin(_Base):

    def actions_anywhere(self, screen: Screen) -> Iterable[SystemCommand]:
        """The provision actions from every screen: for the session in the Provision box (or
        the one last picked), else entries that open Provision. Provision offers its own, and
        Sessions those of its highlighted row."""
        mode = self.current_mode if screen is self.screen else ""
        if mode == "provision" or (mode == "sessions" and getattr(screen, "highlighted", None)):
            return
        provision = next((s for s in self.screen_stack_all()
                          if type(s).__name__ == "ProvisionScreen"), None)
        # the session Provision looked up for its box, else the one last picked in Sessions
        row = getattr(provision, "row", None) or self.picked
        if row is not None:
            yield from self.session_commands(row)
            return
        for title, about, _action in SESSION_COMMANDS:
            yield SystemCommand(f"{title.removesuffix(' for')} for a session…",
                                "Opens Provision to type the KSESSIONS ID "
                                f"({about.rsplit('(', 1)[-1]}",
                                self.open_provision)

    async def open_provision(self) -> None:
        """Provision, its ID box focused (from the palette, on any screen)."""
        await self.switch_mode("provision")
        found = self.screen.query("#target")
        if found:
            found.first().focus()
