"""What every main screen shares: the chrome (header, environment banner, audit strip, footer),
the hooks the app calls, and the one way a screen calls the services from a worker thread."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from textual import events
from textual.app import ComposeResult, SystemCommand
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header
from textual.worker import get_current_worker

from hostprov_tui.tui.widgets.audit_strip import AuditStrip
from hostprov_tui.tui.widgets.env_banner import EnvBanner
from hostprov_tui.tui.widgets.keys_footer import KeysFooter
from hostprov_tui.tui.widgets.too_small import TooSmall, too_small

if TYPE_CHECKING:
    from hostprov_tui.config.settings import Settings
    from hostprov_tui.services.api import Provisioner
    from hostprov_tui.tui.app import HostprovApp

T = TypeVar("T")


class ServiceDone(Message, bubble=False):
    """A call of :meth:`MainScreen.call_service` ended: ``follow_up`` holds its result or its
    error, bound to the callable that handles it on the UI thread."""

    def __init__(self, follow_up: Callable[[], None]) -> None:
        super().__init__()
        self.follow_up = follow_up


class MainScreen(Screen[None]):
    """A screen with the shared chrome; subclasses implement :meth:`compose_body`."""

    SHOW_STRIP = True
    #: Classes by terminal size, for the style sheets (``-narrow``: 80 to 99 columns).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"), (100, "-normal"), (160, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"), (30, "-tall")]
    #: The footer's keys composed with it, for the first frame (widgets/keys_footer.py): only
    #: where no ``check_action`` of the screen reads a widget that may not be composed yet.
    FOOTER_AT_ONCE: ClassVar[bool] = False
    #: Widgets of this screen whose own key bindings the help (F1) lists with the screen's.
    KEY_WIDGETS: ClassVar[tuple[type[Widget], ...]] = ()

    def __init__(self, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        self.add_class(*self._size_classes(), update=False)
        self._shown = False  # painted on the terminal yet (see _compositor_refresh)
        self._resumed = False  # made the active screen once yet (see _on_screen_resume)

    def _size_classes(self) -> list[str]:
        """The breakpoint classes of the terminal's size now. Set before the screen mounts, so
        its first Resize changes no class and Textual does not restyle every widget again
        before the first frame (it picks the same classes, as below)."""
        try:
            width, height = self.app.size
        except Exception:  # no running app (a screen built outside one): the Resize sets them
            return []
        picked = []
        for dimension, breakpoints in ((width, self.HORIZONTAL_BREAKPOINTS or []),
                                       (height, self.VERTICAL_BREAKPOINTS or [])):
            names = [name for limit, name in sorted(breakpoints, reverse=True)
                     if dimension >= limit]
            picked += names[:1]
        return picked

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """The first resume does not style the whole screen again (Textual's handler, which
        runs after this one, does so at every resume, for a screen whose styles went stale
        while it was away): a screen just mounted was styled as each widget mounted, with its
        size classes already (``_size_classes``). Later resumes restyle as Textual does."""
        if not self._shown and not self._resumed:
            event.refresh_styles = False
        self._resumed = True

    def _compositor_refresh(self) -> None:
        """The screen's first paint covers all of it.

        Textual renders a frame asked for during a batch update (the app's start-up is one),
        shows nothing of it, and from then on sends the terminal only what changed: at start-up
        the terminal got the footer and the cards' "Checking…" on an empty screen, and the rest
        one more frame (and update interval) later. Until the screen has been shown, a paint
        asked for during a batch is left for the next one (what is to paint stays marked), and
        the first one shown paints the whole screen. Without the counter read here (a later
        Textual), the screen paints as Textual does.
        """
        if not self._shown and self is self.app.screen:
            if getattr(self.app, "_batch_count", 0):
                return  # Textual would render it and show nothing of it
            self._shown = True
            self._compositor.update_widgets({self})  # all of it, not the changes since
        super()._compositor_refresh()

    @property
    def hp(self) -> HostprovApp:
        return cast("HostprovApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield EnvBanner(self.hp.environment)
        with Vertical(id="body"):  # takes what the chrome leaves: the strip sits under it
            yield from self.compose_body()
        yield TooSmall(id="too-small")  # instead of the body, below MIN_SIZE
        if self.SHOW_STRIP:
            yield AuditStrip(id="audit-strip")
        yield KeysFooter(compact=True, at_once=self.FOOTER_AT_ONCE)

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def on_resize(self, event: events.Resize) -> None:
        """Below MIN_SIZE the body gives way to one sentence saying so (the keys still work)."""
        self.set_class(too_small(*event.size), "-too-small")
        self.query_one(TooSmall).refresh()

    # --- hooks the app calls -----------------------------------------------------------------

    def when_settings_loaded(self) -> None:
        """Runs once, when the configuration has loaded (a worker loads it after the first
        frame); a screen made later finds ``hp.settings_ready`` true in its ``on_mount``."""

    @classmethod
    def help_notes(cls, settings: Settings | None) -> list[str]:
        """Lines the help (F1) adds under this screen's keys (``settings``: None until loaded)."""
        return []

    def when_palette_opens(self) -> Iterable[SystemCommand]:
        """Runs each time Ctrl+P opens the command palette: the commands this screen adds."""
        return ()

    # --- calling the services ----------------------------------------------------------------

    def call_service(
        self,
        job: Callable[[Provisioner], T],
        then: Callable[[T], None],
        failed: Callable[[Exception], None],
        *,
        group: str,
        exclusive: bool = False,
        bootstrap: bool = True,
    ) -> None:
        """Run ``job`` with the Provisioner on a worker thread; then ``then(result)`` or
        ``failed(error)`` runs on the UI thread. A worker cancelled meanwhile (``exclusive``:
        a newer call of the same group) runs neither. ``bootstrap=False`` for calls that read
        files only, so they answer while the databases do not."""
        backend = self.hp.backend

        def run() -> None:
            try:
                prov = backend.bootstrapped() if bootstrap else backend.without_bootstrap()
                follow_up = partial(then, job(prov))
            except Exception as exc:  # typed errors and the unexpected alike: handed to failed
                follow_up = partial(failed, exc)
            if not get_current_worker().is_cancelled:
                self.post_message(ServiceDone(follow_up))

        self.run_worker(run, thread=True, group=group, exclusive=exclusive, exit_on_error=False)

    def on_service_done(self, message: ServiceDone) -> None:
        message.follow_up()
