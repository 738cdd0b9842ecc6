"""Start screen: one card per database, refreshed on ``r`` and every ``tui.refresh_s`` seconds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from hostprov_tui.tui.backend import describe_error
from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.widgets.db_card import DbCard
from hostprov_tui.tui.widgets.drift_card import DriftCard

if TYPE_CHECKING:
    from hostprov_tui.services.drift import DriftReport
    from hostprov_tui.services.results import ConnectivityReport


class PollDone(Message):
    def __init__(
        self, report: ConnectivityReport | None, error: tuple[str, str | None] | None
    ) -> None:
        super().__init__()
        self.report = report
        self.error = error


class DriftDone(Message):
    """The drift comparison of one poll (it reads files only, so it comes before the check)."""

    def __init__(
        self, report: DriftReport | None, error: tuple[str, str | None] | None
    ) -> None:
        super().__init__()
        self.report = report
        self.error = error


class DashboardScreen(MainScreen):
    SUB_TITLE = "Dashboard"
    BINDINGS = [Binding("r", "refresh", "Refresh")]

    def __init__(self) -> None:
        super().__init__()
        self.polls_done = 0
        self._polling = False
        self._timer: Timer | None = None
        self._was_down: set[str] = set()

    def compose_body(self) -> ComposeResult:
        with Grid(id="cards"):
            yield DbCard("canvas", stable=self.hp.stable, id="card-canvas")
            yield DbCard("ksessions", stable=self.hp.stable, id="card-ksessions")
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
        if self.hp.settings_ready:
            self.call_after_refresh(self.poll_now)

    def settings_ready(self) -> None:
        """Called by the app once the configuration is loaded: fill in and start polling."""
        self.query_one("#dash-summary", Static).update(self._summary())
        if self.polls_done == 0 and not self._polling:
            self.poll_now()

    def action_refresh(self) -> None:
        self.poll_now(audit=True)

    def poll_now(self, *, audit: bool = False) -> None:
        """Start a poll unless one is running (the next one waits for the last to finish)."""
        if self._polling:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._polling = True
        self.sub_title = "Dashboard · checking…"
        self._poll(audit)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll(self, audit: bool) -> None:
        try:
            drift = self.hp.backend.provisioner().drift()
        except Exception as exc:  # the app's file is broken: its sentence, not a traceback
            self.post_message(DriftDone(None, describe_error(exc)))
        else:
            self.post_message(DriftDone(drift, None))
        try:
            report = self.hp.backend.get().check(audit=audit)
        except Exception as exc:
            self.post_message(PollDone(None, describe_error(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(PollDone(report, None))

    def on_drift_done(self, message: DriftDone) -> None:
        card = self.query_one(DriftCard)
        if message.error is not None:
            card.show_error(*message.error)
        else:
            card.show_report(message.report)

    def on_poll_done(self, message: PollDone) -> None:
        self._polling = False
        self.polls_done += 1
        self.sub_title = "Dashboard"
        cards = {c.db_name: c for c in self.query(DbCard)}
        if message.report is not None:
            for status in (message.report.canvas, message.report.ksessions):
                cards[status.name].show_status(status)
                self._note_transition(status.name, status.reachable, status.error, status.hint)
        elif message.error is not None:
            text, hint = message.error
            for card in cards.values():
                card.show_failure(text, hint)
                self._note_transition(card.db_name, False, text, hint)
        self._timer = self.set_timer(self.hp.settings.tui.refresh_s, self.poll_now)

    def _note_transition(self, name: str, up: bool, error: str | None, hint: str | None) -> None:
        """Toast once when a database goes down, and once when it comes back."""
        if not up and name not in self._was_down:
            self._was_down.add(name)
            self.hp.report(error or f"The {name} database is unreachable.", hint,
                           title=f"{name} unreachable")
        elif up and name in self._was_down:
            self._was_down.discard(name)
            self.notify(f"The {name} database answers again.", title=name)
