"""F1: which keys drive each screen, read from the bindings the app and the screens declare (the
Binding's tooltip, else its description), so the help cannot drift from the keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.keys import format_key
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label, Static

from hostprov_tui.tui.credential_words import WORDS, CredentialWords
from hostprov_tui.tui.modes import go_bindings
from hostprov_tui.tui.screens.audit import AuditScreen
from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.screens.dashboard import DashboardScreen
from hostprov_tui.tui.screens.modals.dialog import Dialog
from hostprov_tui.tui.screens.provision import ProvisionScreen
from hostprov_tui.tui.screens.sessions import SessionsScreen
from hostprov_tui.tui.styles import css_paths


def known_words(app: App[Any]) -> CredentialWords:
    """The words of the generation as a screen already learned it (guid until then)."""
    for screen in getattr(app, "screen_stack_all", lambda: ())():
        if isinstance(screen, ProvisionScreen) and screen.generation_known:
            return screen.words
    return WORDS["guid"]


if TYPE_CHECKING:
    from hostprov_tui.config.settings import Settings

#: In the order of the F-keys.
SCREENS: tuple[type[MainScreen], ...] = (
    DashboardScreen, SessionsScreen, ProvisionScreen, AuditScreen)
KEY_NAMES = {"escape": "Esc", "enter": "Enter", "space": "Space", "tab": "Tab", "home": "Home",
             "end": "End", "pageup": "PgUp", "pagedown": "PgDn", "up": "↑", "down": "↓",
             "backspace": "Backspace", "delete": "Del"}
#: Textual's own bindings, in the words of this help.
ACTION_WORDS = {"app.focus_next": "Next box, list or button",
                "app.focus_previous": "Previous box, list or button"}
KEY_COLUMN = 20  # "  ", the key label padded to 17, " "
PALETTE = ("Command palette: screens, actions (dry run, issue, revoke, verify, refresh, bulk "
           "issue), theme, help")


def key_label(keys: str) -> str:
    """``"ctrl+l"`` → ``Ctrl+L``, ``"escape,f1,q"`` → ``Esc / F1 / q``."""
    labels = []
    for key in keys.split(","):
        *modifiers, name = key.strip().split("+")
        shown = KEY_NAMES.get(name) or format_key(name)
        if name[:1] == "f" and name[1:].isdigit():
            shown = name.upper()
        elif modifiers and len(shown) == 1:
            shown = shown.upper()
        labels.append("+".join([m.capitalize() for m in modifiers] + [shown]))
    return " / ".join(labels)


def declared_bindings(cls: type[DOMNode], stop: type[DOMNode]) -> list[Binding]:
    """What ``cls`` and its bases below ``stop`` declare in BINDINGS, nearest class first."""
    found: list[Binding] = []
    for klass in cls.__mro__:
        if klass is stop:
            break
        for item in vars(klass).get("BINDINGS", ()):
            found.append(item if isinstance(item, Binding) else Binding(*item))
    return found


def _wrapped(text: str, width: int | None, indent: int) -> list[str]:
    """``text`` in lines of ``width`` (None: one line), each after the first indented."""
    if width is None or width - indent < 20:
        return [text]
    import textwrap

    lines = textwrap.wrap(text, width - indent, break_on_hyphens=False) or [""]
    return [lines[0], *(" " * indent + line for line in lines[1:])]


def key_rows(bindings: Iterable[Binding], words: CredentialWords | None = None,
             width: int | None = None) -> list[Content]:
    """One line per key; the credential keys (issue, revoke, bulk) in ``words``."""
    rows: list[Content] = []
    seen: set[str] = set()
    for binding in bindings:
        said = words.help_for(binding.action) if words is not None else None
        what = (said or ACTION_WORDS.get(binding.action) or binding.tooltip
                or binding.description)
        if binding.system or not what or binding.key in seen:
            continue
        seen.add(binding.key)
        lines = _wrapped(what, width, KEY_COLUMN)  # a wrapped line stays under its column
        rows.append(Content.assemble((f"  {key_label(binding.key):<17} ", "bold $primary"),
                                     "\n".join(lines)))
    return rows


def section(title: str, bindings: Iterable[Binding], notes: Iterable[str] = (),
            words: CredentialWords | None = None, width: int | None = None) -> list[Content]:
    return [Content.styled(title, "bold $accent"), *key_rows(bindings, words, width),
            *(Content.styled("  " + "\n".join(_wrapped(note, width, 2)), "$text-muted")
              for note in notes), Content("")]


def help_content(
    app: type[App[Any]], settings: Settings | None = None,
    words: CredentialWords = WORDS["guid"], width: int | None = None,
) -> Content:
    """The keys of ``app`` and of every screen, one section each, with each screen's notes
    (which name the configured values once ``settings`` are loaded), the credential in the
    ``words`` of the canvas database's generation."""
    palette = Binding(app.COMMAND_PALETTE_BINDING, "command_palette", PALETTE)
    everywhere = [*declared_bindings(app, stop=DOMNode), palette,
                  *declared_bindings(Screen, stop=Widget)]
    rows = section("Everywhere", everywhere, words=words, width=width)
    for screen in SCREENS:
        widgets = [b for w in screen.KEY_WIDGETS  # their own keys, not their base's
                   for b in declared_bindings(w, stop=w.__mro__[1])]
        rows += section(screen.SUB_TITLE or screen.__name__,
                        [*declared_bindings(screen, stop=MainScreen), *widgets],
                        screen.help_notes(settings), words, width)
    rows.append(Content.styled(
        f"{words.help_note} In production, writes need the session ID typed as confirmation.",
        "$text-muted"))
    return Content("\n").join(rows)


class HelpScreen(Dialog[None]):

    CSS_PATH = css_paths("modals.tcss", "help.tcss")
    BINDINGS = [  # a modal screen hides the app's keys: F2–F5 close help and go on
        Binding("escape,f1,q", "dismiss_help", "Close"),
        *go_bindings(show=False, namespace="app."),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("hostprov — keys", id="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(self._content(known_words(self.app)), id="help-body")
            yield Label("Esc closes", id="help-close")

    def _content(self, words: CredentialWords) -> Content:
        self._words = words
        settings = getattr(self.app, "backend", None) and self.app.backend.settings  # type: ignore[attr-defined]
        return help_content(type(self.app), settings, words, getattr(self, "_wrapped_at", None))

    @work(thread=True, exclusive=True, group="help-words", exit_on_error=False)
    def _ask_generation(self) -> None:
        """The canvas database's generation (detected once per run): the help in its words."""
        backend = getattr(self.app, "backend", None)
        if backend is None or backend.settings is None:
            return
        try:
            words = WORDS[backend.bootstrapped().generation()]
        except Exception:  # no database: the help keeps the words it has
            return
        self.app.call_from_thread(self._show_words, words)

    def _show_words(self, words: CredentialWords) -> None:
        self.query_one("#help-body", Static).update(self._content(words))

    def on_resize(self) -> None:
        """Wrap the lines for the box's width, each under its column (the key's, the text's)."""
        scroll = self.query_one("#help-scroll", VerticalScroll)
        width = scroll.scrollable_content_region.width - 1
        if width > 0 and width != getattr(self, "_wrapped_at", None):
            self._wrapped_at = width
            words = getattr(self, "_words", None) or known_words(self.app)
            self.query_one("#help-body", Static).update(self._content(words))

    def on_mount(self) -> None:
        self._ask_generation()
        scroll = self.query_one("#help-scroll", VerticalScroll)
        scroll.focus()  # ↑ ↓ PgUp PgDn Home End scroll it
        self.watch(scroll, "scroll_y", self._say_more)
        self.call_after_refresh(self._say_more)

    def _say_more(self, _value: object = None) -> None:
        """While more help is below the box, its last line says so, and how to scroll."""
        scroll = self.query_one("#help-scroll", VerticalScroll)
        more = scroll.scroll_y < scroll.max_scroll_y
        self.query_one("#help-close", Label).update(
            "↓ more below: ↑ ↓ PgUp PgDn scroll · Esc closes" if more else "Esc closes")
        self.set_class(more, "-more")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
