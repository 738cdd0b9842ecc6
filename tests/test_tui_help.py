"""F1's help is read from the bindings the app, the screens and their widgets declare."""

from __future__ import annotations

from textual.dom import DOMNode
from textual.widgets import DataTable

from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.modes import SCREEN_MODES
from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.screens.help import SCREENS, declared_bindings, help_content, key_label
from hostprov_tui.tui.widgets.session_table import SessionTable
from tests.support.tui import settle


def test_key_labels() -> None:
    assert key_label("ctrl+l") == "Ctrl+L"
    assert key_label("escape,f1,q") == "Esc / F1 / q"
    assert key_label("slash") == "/"
    assert key_label("shift+tab") == "Shift+Tab"


def test_every_screen_and_every_key_has_its_line() -> None:
    text = help_content(HostprovApp).plain
    assert [s.SUB_TITLE for s in SCREENS] == [m.title for m in SCREEN_MODES]
    bindings = [b for s in SCREENS for b in declared_bindings(s, stop=MainScreen)]
    bindings += declared_bindings(HostprovApp, stop=DOMNode)
    bindings += declared_bindings(SessionTable, stop=DataTable)
    lines = text.splitlines()
    for binding in bindings:
        what = binding.tooltip or binding.description
        if what and not binding.system:
            assert any(key_label(binding.key) in line and what in line for line in lines), what
    assert any("Ctrl+P" in line for line in lines)  # the command palette's key


#: the prefix keys of tmux (Ctrl+B) and GNU screen (Ctrl+A): inside them hostprov never sees them
MULTIPLEXER_KEYS = {"ctrl+a", "ctrl+b"}


def test_no_key_is_a_multiplexer_prefix_and_f1_says_the_bulk_key() -> None:
    classes = [HostprovApp, *SCREENS, SessionTable]
    keys = {key.strip() for cls in classes
            for b in declared_bindings(cls, stop=DOMNode if cls is HostprovApp else cls.__mro__[1])
            for key in b.key.split(",")}
    assert "ctrl+f" in keys and not keys & MULTIPLEXER_KEYS, keys & MULTIPLEXER_KEYS
    text = help_content(HostprovApp).plain
    assert "Ctrl+F" in text and "tmux" in text


async def test_f1_wraps_under_its_columns_and_names_keys_as_keyboards_do() -> None:
    from hostprov_tui.config.settings import Settings
    from hostprov_tui.tui.screens.help import KEY_COLUMN

    assert key_label("home,ctrl+home") == "Home / Ctrl+Home"
    assert key_label("pageup") == "PgUp"
    plain = help_content(HostprovApp).plain
    assert "Focus Next" not in plain and "Next box, list or button" in plain
    app = HostprovApp(Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await settle(pilot)
        body = app.screen.query_one("#help-body")
        lines = str(body.render()).splitlines()
        width = max(len(line) for line in lines if line.startswith("  "))  # the key rows
        assert width < 80
        key_rows = [i for i, line in enumerate(lines) if line.startswith("  ") and
                    len(line) > KEY_COLUMN and line[2] != " " and line[KEY_COLUMN - 1] == " "]
        wrapped = [i + 1 for i in key_rows if i + 1 < len(lines)
                   and lines[i + 1].startswith(" " * KEY_COLUMN)]
        assert wrapped, lines  # some text wraps at 80 columns …
        for i in range(len(lines) - 1):  # … and no continuation starts left of its column
            if lines[i].startswith("  ") and lines[i + 1].strip() and \
                    lines[i + 1].startswith(" ") and not lines[i + 1].startswith("  "):
                raise AssertionError(lines[i + 1])
        continuations = [line for line in lines if line.startswith(" " * 3)]
        assert all(line.startswith(" " * KEY_COLUMN) for line in continuations)
