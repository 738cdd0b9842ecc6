"""F1: what each screen does and which keys drive it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from hostprov_tui.tui.modes import SCREEN_MODES, go_bindings
from hostprov_tui.tui.styles import css_paths

KEYS = (
    ("Everywhere", (
        ("F1", "this help"), *((m.key.upper(), m.title) for m in SCREEN_MODES),
        ("Ctrl+P", "command palette"), ("Ctrl+T", "dark / light theme"),
        ("Ctrl+Q", "quit"), ("Tab / Shift+Tab", "next / previous field"),
    )),
    ("Dashboard", (("r", "check both databases now (also every few seconds)"),)),
    ("Sessions", (
        ("type", "search as you type: ID, name, album, category, speaker"),
        ("/", "back to the search box"), ("Esc / Enter", "from the search box to the results"),
        ("↑ ↓ PgUp PgDn", "move; more results load near the end"),
        ("Enter", "pick the session for the Provision screen"),
        ("Space", "mark / unmark the session (marks survive a new search)"),
        ("Ctrl+B", "issue for all marked sessions; their GUIDs shown once"),
    )),
    ("Provision", (
        ("Ctrl+L / Enter", "validate: the dry-run checklist"),
        ("Ctrl+G", "issue (or rotate) after a confirmation; the GUID is shown once"),
        ("Ctrl+R", "revoke the active Host GUID after a confirmation"),
        ("Ctrl+Y", "verify the GUID typed in the Verify box"),
    )),
    ("Audit", (("/", "filter the log"),)),
)


def help_content() -> Content:
    rows: list[Content] = []
    for section, keys in KEYS:
        rows.append(Content.styled(section, "bold $accent"))
        for key, what in keys:
            rows.append(Content.assemble((f"  {key:<16}", "bold $primary"), what))
        rows.append(Content(""))
    rows.append(Content.styled(
        "A GUID is shown once and never logged. In production, writes need the session ID "
        "typed as confirmation.", "$text-muted"))
    return Content("\n").join(rows)


class HelpScreen(ModalScreen[None]):

    CSS_PATH = css_paths("modals.tcss", "help.tcss")
    BINDINGS = [  # a modal screen hides the app's keys: F2–F5 close help and go on
        Binding("escape,f1,q", "dismiss_help", "Close"),
        *go_bindings(show=False, namespace="app."),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("hostprov — keys", id="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(help_content(), id="help-body")
            yield Label("Esc closes", id="help-close")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
