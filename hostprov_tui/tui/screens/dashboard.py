"""Start screen: one card per database, refreshed on ``r`` and every ``tui.refresh_s`` seconds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from hostprov_tui.tui.backend import describe_error
from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.widgets.db_card import DbCard
from hostprov_tui.tui.widgets.drift_card import DriftCard

if TYPE_CHECKING:
    from hostprov_tui.config.settings import Settings
    from hostprov_tui.services.results import ConnectivityReport


def _interval(settings: Settings | None) -> str:
    """How often the dashboard checks: the configured seconds (the setting's name until the
    configuration has loaded)."""
    if settings is None:
        return "refresh_s seconds ([tui] refresh_s)"
    return f"{settings.tui.refresh_s:g} s ([tui] refresh_s)"


class DashboardScreen(MainScreen):
    SUB_TITLE = "Dashboard"
    BINDINGS = [Binding("r", "refresh", "Refresh", tooltip="Check both databases now")]

    def __init__(self) -> None:
        super().__init__()
        self.polls_done = 0
        self._polling = False
        self._timer: Timer | None = None
        self._was_down: set[str] = set()

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="dash-scroll"):  # ↑ ↓ scroll it on a short terminal
            with Grid(id="cards"):
                yield DbCard("canvas", id="card-canvas")
                yield DbCard("ksessions", id="card-ksessions")
            yield DriftCard(id="drift")
            yield Static(self._summary(), id="dash-summary")

    def _summary(self) -> Content:
        if not self.hp.settings_ready:
            return Content.assemble(("Loading the configuration…", "$text-muted"))
        s = self.hp.settings
        rows = [
            Content.assemble(("Operator   ", "$text-muted"), self.hp.backend.operator),
            Content.assemble(("Audit file ", "$text-muted"), str(s.audit.path)),
            Content.assemble(("Refresh    ", "$text-muted"),
                             f"every {s.tui.refresh_s:g} s · r checks now · F3 finds a session"),
        ]
        return Content("\n").join(rows)

    def on_mount(self) -> None:
        self.query_one("#dash-scroll").focus()
        if self.hp.settings_ready:
            self.call_after_refresh(self.poll_now)

    def when_settings_loaded(self) -> None:
        """Fill in the summary and start polling."""
        self.query_one("#dash-summary", Static).update(self._summary())
        if self.polls_done == 0 and not self._polling:
            self.poll_now()

    def action_refresh(self) -> None:
        self.poll_now(audit=True)

    @classmethod
    def help_notes(cls, settings: Settings | None) -> list[str]:
        return [f"The dashboard also checks both databases every {_interval(settings)}."]

    def when_palette_opens(self) -> Iterable[SystemCommand]:
        settings = self.hp.settings if self.hp.settings_ready else None
        yield SystemCommand("Refresh: check both databases now",
                            f"As r does; the dashboard also checks every {_interval(settings)}",
                            self.action_refresh)

    def poll_now(self, *, audit: bool = False) -> None:
        """Start a poll unless one is running (the next one waits for the last to finish)."""
        if self._polling:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._polling = True
        self.sub_title = "Dashboard · checking…"
        # drift reads files only: it answers even when the databases do not
        drift = self.query_one(DriftCard)
        self.call_service(lambda p: p.drift(), drift.show_report, self._drift_failed,
                          group="drift", bootstrap=False)
        self.call_service(lambda p: p.check(audit=audit), self._polled, self._poll_failed,
                          group="poll", exclusive=True)

    def _drift_failed(self, exc: Exception) -> None:
        """The app's settings file is broken: its sentence, not a traceback."""
        self.query_one(DriftCard).show_error(*describe_error(exc))

    def _polled(self, report: ConnectivityReport) -> None:
        cards = self._poll_ended()
        for status in (report.canvas, report.ksessions):
            cards[status.name].show_status(status)
            self._note_transition(status.name, status.reachable, status.error, status.hint)

    def _poll_failed(self, exc: Exception) -> None:
        text, hint = describe_error(exc)
        for card in self._poll_ended().values():
            card.show_failure(text, hint)
            self._note_transition(card.db_name, False, text, hint)

    def _poll_ended(self) -> dict[str, DbCard]:
        """Count the poll, plan the next one; the cards by database name."""
        self._polling = False
        self.polls_done += 1
        self.sub_title = "Dashboard"
        self._timer = self.set_timer(self.hp.settings.tui.refresh_s, self.poll_now)
        return {c.db_name: c for c in self.query(DbCard)}

    def _note_transition(self, name: str, up: bool, error: str | None, hint: str | None) -> None:
        """Toast once when a database goes down, and once when it comes back."""
        if not up and name not in self._was_down:
            self._was_down.add(name)
            self.hp.report(error or f"The {name} database is unreachable.", hint,
                           title=f"{name} unreachable")
        elif up and name in self._was_down:
            self._was_down.discard(name)
            self.notify(f"The {name} database answers again.", title=name)
