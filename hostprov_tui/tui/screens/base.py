"""What every main screen shares: header, environment banner, audit strip, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from hostprov_tui.tui.widgets.audit_strip import AuditStrip
from hostprov_tui.tui.widgets.env_banner import EnvBanner
from hostprov_tui.tui.widgets.steady_input import steady_input

if TYPE_CHECKING:
    from textual.widgets import Input

    from hostprov_tui.tui.app import HostprovApp


class MainScreen(Screen[None]):
    """A screen with the shared chrome; subclasses implement :meth:`compose_body`."""

    SHOW_STRIP = True

    @property
    def hp(self) -> HostprovApp:
        return cast("HostprovApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield EnvBanner(self.hp.environment)
        yield from self.compose_body()
        if self.SHOW_STRIP:
            yield AuditStrip(id="audit-strip")
        yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def field(self, *args: Any, **kwargs: Any) -> Input:
        """An Input (its cursor does not blink in stable mode)."""
        return steady_input(self.hp.stable, *args, **kwargs)
