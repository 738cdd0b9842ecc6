"""The full-screen operator app: dashboard, sessions, provision, audit (one screen per mode).

Only Textual is imported here at module level; the services are imported by the first worker
that needs them, so the first frame never waits for a database or a driver import.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from hostprov_tui.errors import DatabaseUnavailable, SchemaMissing
from hostprov_tui.tui.app_files import KeepsakesMixin
from hostprov_tui.tui.app_palette import SESSION_COMMANDS, PaletteMixin
from hostprov_tui.tui.audit_feed import AuditFeed
from hostprov_tui.tui.backend import Backend, describe_error
from hostprov_tui.tui.collection import HOLD_AT_MOST_S, release_collection
from hostprov_tui.tui.form_words import for_the_form
from hostprov_tui.tui.messages import AuditArrived, AuditFollowed, AuditLoaded, SettingsReady
from hostprov_tui.tui.modes import SCREEN_MODES, go_bindings
from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.screens.dashboard import DashboardScreen
from hostprov_tui.tui.styles import START_STYLES, css_paths

if TYPE_CHECKING:
    from hostprov_tui.config.preview import Preview
    from hostprov_tui.config.settings import Settings
    from hostprov_tui.services.api import Provisioner
    from hostprov_tui.services.audit import AuditRecord
    from hostprov_tui.services.results import SessionRow

AUDIT_KEEP = 500
#: How long the other start-up work (the audit tail, the drift card) waits for the dashboard's
#: first check, so that the two cards' checks and their paint do not share the interpreter with
#: it (it follows them, or starts anyway after this).
CARDS_FIRST_S = 0.5


def _dashboard_screen() -> Screen[None]:
    """The start screen, marked as styled by the current style sheets.

    Textual re-parses every style sheet and restyles the app when it creates the first screen of
    a mode, even a brand-new one (it applies the current rules when it mounts; textual#5211
    notes the refresh could be skipped). Before the first frame that doubles the time to it, so
    the screen says it is current; a later style change (theme) still refreshes it.
    """
    screen = DashboardScreen()
    count = getattr(screen.app, "_css_update_count", None)  # Textual's own bookkeeping:
    if isinstance(count, int):  # should it go, Textual simply refreshes as before
        screen._css_update_count = count
    return screen


def _sessions_screen() -> Screen[None]:
    from hostprov_tui.tui.screens.sessions import SessionsScreen

    return SessionsScreen()


def _provision_screen() -> Screen[None]:
    from hostprov_tui.tui.screens.provision import ProvisionScreen

    return ProvisionScreen()


def _audit_screen() -> Screen[None]:
    from hostprov_tui.tui.screens.audit import AuditScreen

    return AuditScreen()


class HostprovApp(KeepsakesMixin, PaletteMixin, App[int]):
    """hostprov's TUI."""

    TITLE = "hostprov"
    CSS_PATH = css_paths(*START_STYLES)  # the other screens load theirs when first shown
    MODES = {  # only the start screen is imported before the first frame
        "dashboard": _dashboard_screen,
        "sessions": _sessions_screen,
        "provision": _provision_screen,
        "audit": _audit_screen,
    }
    DEFAULT_MODE = "dashboard"
    BINDINGS = [
        Binding("f1", "help", "Help", tooltip="This help: the keys of every screen"),
        *go_bindings(),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, tooltip="Dark / light theme"),
    ]

    audit_count: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        load: Callable[[], Settings] | None = None,
        preview: Preview | None = None,
        provisioner: Provisioner | None = None,
        keep_theme_in: Path | bool | None = False,
    ) -> None:
        """Give ``settings`` (tests), or ``load`` + ``preview``: then the settings load in a
        worker right after the first frame, and the preview paints the banner until then.
        ``keep_theme_in``: the ``--config`` path (None: the config file the rules pick) whose
        ``[tui] theme`` keeps the operator's choice; False keeps it nowhere."""
        super().__init__()
        self._theme_file = keep_theme_in
        self.backend = Backend(settings, load=load, provisioner=provisioner,
                               on_audit=self._audit_from_any)
        self.environment = settings.environment if settings else (
            preview.environment if preview else "development")
        self.audit_feed = AuditFeed(self.post_message, AUDIT_KEEP)  # follows the audit file
        self.audit_records: deque[AuditRecord] = self.audit_feed.records
        self.first_check = threading.Event()  # set by the dashboard when its first check ends
        self.picked: SessionRow | None = None
        self.picks = 0  # each pick counts, so picking the same session again still takes it
        self.catalogue_changes = 0  # issues and revokes: the sessions list re-reads on return
        self.sub_title = f"{self.environment} · operator {self.backend.operator}"
        theme = settings.tui.theme if settings else (preview.theme if preview else "")
        if theme in self.available_themes:
            self.theme = theme
        self._kept_theme = self.theme

    @property
    def settings(self) -> Settings:
        """The loaded settings (workers load them first; see :meth:`Backend.load_settings`)."""
        loaded = self.backend.settings
        if loaded is None:
            raise RuntimeError("settings are not loaded yet")
        return loaded

    @property
    def settings_ready(self) -> bool:
        return self.backend.settings is not None

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def on_mount(self) -> None:
        from hostprov_tui.tui.exiting import use_daemon_workers

        use_daemon_workers()  # a worker blocked in a statement never holds the process
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.call_after_refresh(self._start)
        self.set_timer(HOLD_AT_MOST_S, release_collection)  # should the first check not end

    def started(self) -> None:
        """The dashboard's first check has ended: the start-up is over."""
        release_collection()

    def _start(self) -> None:
        self.load_audit_tail()

    @work(thread=True, exclusive=True, group="bootstrap", exit_on_error=False)
    def load_audit_tail(self) -> None:
        """Load the settings, bootstrap the services (the first run creates the demo DB), read
        the audit tail and follow the file from there. A configuration error ends the app with
        its sentence."""
        from hostprov_tui.errors import ConfigError

        try:
            self.backend.load_settings()
        except ConfigError as exc:
            self.call_from_thread(self._config_failed, exc.message, exc.hint, exc.exit_code)
            return
        # not call_from_thread: this worker goes on to the engines while the UI fills in
        self.post_message(SettingsReady())
        try:
            prov = self.backend.bootstrapped()
            self.first_check.wait(CARDS_FIRST_S)  # the cards first, the strip after
            records = self.audit_feed.start(prov.audit.path, 200)
        except Exception as exc:
            message, hint = describe_error(exc)
            self.call_from_thread(self.report, message, hint)
            return
        self.post_message(AuditLoaded(records))

    def _settings_loaded(self, settings: Settings) -> None:
        if settings.environment != self.environment:
            self.environment = settings.environment
            self.sub_title = f"{self.environment} · operator {self.backend.operator}"
            for banner in self.query("EnvBanner"):
                banner.set_environment(self.environment)  # type: ignore[attr-defined]

    def on_settings_ready(self, _message: SettingsReady) -> None:
        if self.backend.settings is not None:
            self._settings_loaded(self.backend.settings)
        for screen in self.screen_stack_all():
            if isinstance(screen, MainScreen):
                screen.when_settings_loaded()

    def _config_failed(self, message: str, hint: str | None, code: int) -> None:
        text = f"Error: {message}" + (f"\nHint: {hint}" if hint else "")
        self.exit(code, return_code=code, message=text)

    def _audit_from_any(self, record: AuditRecord) -> None:
        self.post_message(AuditArrived(record))  # thread-safe

    def on_audit_arrived(self, message: AuditArrived) -> None:
        if self.audit_feed.add_live(message.record):
            self.audit_count += 1

    def on_audit_loaded(self, message: AuditLoaded) -> None:
        self.audit_feed.add_loaded(message.records)
        self.audit_count += 1

    def on_audit_followed(self, message: AuditFollowed) -> None:
        if message.batch.restarted:
            self.notify("The audit file was rotated or truncated: following it from its start.",
                        title="Audit", markup=False)
        if message.batch.skipped:
            from hostprov_tui.services.audit_follow import skipped_notice

            self.notify(skipped_notice(message.batch.skipped), title="Audit", markup=False,
                        severity="warning")
        if self.audit_feed.add_followed(message.batch.records):
            self.audit_count += 1

    def report(self, message: str, hint: str | None = None, *, title: str = "Error") -> None:
        """A typed error as a toast: the sentence, then what to do (in the form's words)."""
        text = for_the_form(message if not hint else f"{message}\n{hint}")
        self.notify(text, title=title, severity="error", markup=False, timeout=8)

    def report_exception(self, exc: BaseException, *, title: str = "Error") -> None:
        message, hint = describe_error(exc)
        self.report(message, hint, title=title)
        if isinstance(exc, DatabaseUnavailable | SchemaMissing):  # exit 3: the dashboard looks
            self.database_trouble()

    def database_trouble(self) -> None:
        """An action failed: let the dashboard look again (its card turns red if the DB is gone)."""
        for screen in self.screen_stack_all():
            if isinstance(screen, DashboardScreen):
                screen.poll_now()

    def screen_stack_all(self) -> Iterable[Screen]:
        for stack in self._screen_stacks.values():
            yield from stack

    def pick(self, row: SessionRow) -> None:
        """The operator chose a session in the catalogue: take it to the provision screen."""
        self.picked = row
        self.picks += 1
        self.switch_mode("provision")

    async def on_provision(self, action: str, row: SessionRow | None = None) -> None:
        """Take ``row`` (if given) to the provision screen and run its ``action`` there."""
        if row is not None:
            self.picked = row
            self.picks += 1
        await self.switch_mode("provision")
        await self.screen.run_action(action)

    def session_commands(self, row: SessionRow) -> Iterable[SystemCommand]:
        """The palette's commands for one session (the highlighted or the picked one)."""
        name = row.name if len(row.name) <= 40 else row.name[:39] + "…"
        who = f"session {row.session_id} · {name}"
        for title, about, action in SESSION_COMMANDS:
            yield SystemCommand(f"{title} {who}", about,
                                partial(self.on_provision, action, row))

    def action_go(self, mode: str) -> None:
        if self.screen.id == "help":  # F2–F5 close the help, then switch
            self.screen.dismiss()
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        from hostprov_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(id="help"))

    async def action_quit(self) -> None:
        """Ctrl+Q (and the palette's Quit): asks first while a window shows a credential that
        is shown nowhere else (tui/screens/modals/shown_once.py)."""
        from hostprov_tui.tui.screens.modals.shown_once import quit_or_ask

        quit_or_ask(self)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Keys":  # "Help" (F1) lists the keys of every screen
                yield command
        for mode in SCREEN_MODES:
            yield SystemCommand(f"Go to {mode.title}", mode.about,
                                lambda m=mode.name: self.action_go(m))
        yield SystemCommand("Toggle dark/light theme", "Switch between the dark and the light "
                            "theme", self.action_toggle_theme)
        yield SystemCommand("Help: the keys of every screen", "What each screen does and "
                            "its keys (F1)", self.action_help)
        yield SystemCommand("Verify a Host GUID or token", "Type or paste it in the Verify box "
                            "(Provision, Ctrl+Y)", partial(self.on_provision, "focus_verify"))
        if isinstance(screen, MainScreen):
            yield from screen.when_palette_opens()
        yield from self.actions_anywhere(screen)

    def on_unmount(self) -> None:
        self.audit_feed.stop()
        self.backend.close()


def build_app(
    config: Path | None = None, overrides: Mapping[str, Any] | None = None
) -> HostprovApp:
    """The app as ``hostprov tui`` builds it: settings load after the first frame."""
    from hostprov_tui.config.preview import preview

    def load() -> Settings:
        from hostprov_tui.config.settings import load_settings

        return load_settings(config, overrides)

    return HostprovApp(load=load, preview=preview(config, overrides), keep_theme_in=config)


def run_app(config: Path | None = None, overrides: Mapping[str, Any] | None = None) -> int:
    """Run the TUI until the operator quits; the exit code for the CLI (InputError, exit 2,
    without a terminal to run in)."""
    from hostprov_tui.tui.exiting import end_process
    from hostprov_tui.tui.terminal import refuse_without_terminal

    refuse_without_terminal()
    app = build_app(config, overrides)
    result = app.run()
    code = int(result or 0) if app.return_code in (None, 0) else int(app.return_code or 1)
    end_process(code)  # quit is prompt: no worker waited for, no interpreter teardown
    return code  # pragma: no cover - end_process does not return
