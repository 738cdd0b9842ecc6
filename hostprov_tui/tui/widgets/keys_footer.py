"""Textual's Footer, with its keys in the start screen's first frame.

Textual's Footer composes empty, waits for the screen's first bindings signal (sent after the
first focus, itself after a refresh) and composes again after one more refresh: the keys came a
frame or two after the rest of the screen, and each later signal composed them again. With
``at_once`` (a screen whose keys do not depend on its widgets: the dashboard) the keys are
composed with the footer; and any screen's footer composes again only when the keys it shows
have changed. A compact footer's keys are compact when composed (Textual's bind the footer's
``compact`` after they are styled, and each key was styled again for its ``-compact`` class).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Keys = tuple[tuple[object, ...], ...]


class KeysFooter(Footer):
    def __init__(self, *, compact: bool = False, at_once: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown_keys: Keys | None = None  # None: compose at the next signal
        if at_once and hasattr(Footer, "_bindings_ready"):  # else: as Footer does
            self.set_reactive(Footer._bindings_ready, True)

    def _keys(self) -> Keys:
        """What the footer shows of the screen's bindings now."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, binding.action, binding.description, binding.group, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette)

    def compose(self) -> ComposeResult:
        if getattr(self, "_bindings_ready", False):
            self._shown_keys = self._keys()
        for widget in super().compose():
            if self.compact and isinstance(widget, FooterKey):  # as its binding will set it
                widget.set_reactive(FooterKey.compact, True)
                widget.add_class("-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        if (self._shown_keys is not None and screen is self.screen and self.is_attached
                and self._keys() == self._shown_keys):
            return  # the same keys: nothing to compose again
        super().bindings_changed(screen)
