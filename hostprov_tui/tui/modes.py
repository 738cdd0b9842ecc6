"""The four screens the F-keys switch between: one table for the bindings (and so the help) and
the command palette."""

from __future__ import annotations

from typing import NamedTuple

from textual.binding import Binding


class Mode(NamedTuple):
    key: str  # the binding's key
    name: str  # the Textual mode
    title: str
    about: str  # the palette's help line


SCREEN_MODES = (
    Mode("f2", "dashboard", "Dashboard", "Database status, environment, schema"),
    Mode("f3", "sessions", "Sessions", "Search the KSESSIONS catalogue and pick a session"),
    Mode("f4", "provision", "Provision", "Validate, issue, revoke and verify host credentials"),
    Mode("f5", "audit", "Audit", "The live audit log"),
)


#: The footer shows F2–F5 as one item, so the keys of a screen fit 80 columns.
SCREENS_GROUP = Binding.Group("Screens")


def go_bindings(*, show: bool = True, namespace: str = "") -> list[Binding]:
    """F2–F5; ``namespace="app."`` for a screen that hides the app's own bindings (a modal)."""
    return [Binding(m.key, f"{namespace}go('{m.name}')", m.title, show=show,
                    tooltip=f"{m.title}: {m.about[:1].lower()}{m.about[1:]}",
                    group=SCREENS_GROUP)
            for m in SCREEN_MODES]
