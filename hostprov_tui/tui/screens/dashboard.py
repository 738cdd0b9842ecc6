"""Start screen: one card per database, refreshed on ``r`` and every ``tui.refresh_s`` seconds.

Each card is probed on its own worker and answers on its own (a silent canvas server holds only
the canvas card); the screen's state is one typed reactive per card, bound to the card, which
draws itself from it."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from hostprov_tui.tui.backend import describe_error
from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.widgets.db_card import CardView, DbCard
from hostprov_tui.tui.widgets.drift_card import DriftCard

if TYPE_CHECKING:
    from threading import Event

    from hostprov_tui.config.settings import Settings
    from hostprov_tui.services.api import Provisioner
    from hostprov_tui.services.drift import DriftReport
    from hostprov_tui.services.results import DatabaseStatus

DATABASES = ("canvas", "ksessions")


def _interval(settings: Settings | None) -> str:
    """How often the dashboard checks: the configured seconds (the setting's name until the
    configuration has loaded)."""
    if settings is None:
        return "refresh_s seconds ([tui] refresh_s)"
    return f"{settings.tui.refresh_s:g} s ([tui] refresh_s)"


class DashboardScreen(MainScreen):
    SUB_TITLE = "Dashboard"
    FOOTER_AT_ONCE = True  # the start screen: its keys in the first frame
    BINDINGS = [Binding("r", "refresh", "Refresh", tooltip="Check both databases now")]

    #: the state of each card (the cards bind to these and draw themselves)
    canvas_card: reactive[CardView] = reactive(CardView, init=False)
    ksessions_card: reactive[CardView] = reactive(CardView, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.polls_done = 0
        self._polling = False
        self._answers: dict[str, DatabaseStatus | None] = {}
        self._timer: Timer | None = None
        self._was_down: set[str] = set()

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="dash-scroll"):  # ↑ ↓ scroll it on a short terminal
            with Grid(id="cards"):
                # not data_bind: a bound reactive is set again at mount, which would compose
                # and style each card twice before the first frame (the watchers below)
                yield DbCard("canvas", id="card-canvas")
                yield DbCard("ksessions", id="card-ksessions")
            yield DriftCard(id="drift")
            yield Static(self._summary(), id="dash-summary")

    def watch_canvas_card(self, view: CardView) -> None:
        self.query_one("#card-canvas", DbCard).view = view

    def watch_ksessions_card(self, view: CardView) -> None:
        self.query_one("#card-ksessions", DbCard).view = view

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
        cards_first = self.hp.first_check if self.polls_done == 0 else None
        self.call_service(partial(self._drift, cards_first), drift.show_report,
                          self._drift_failed, group="drift", bootstrap=False)
        self._answers = {}
        for name in DATABASES:  # each card answers on its own
            self.call_service(partial(self._probe, name), partial(self._probed, name, audit),
                              partial(self._probe_failed, name), group=f"poll-{name}",
                              exclusive=True)

    @staticmethod
    def _drift(cards_first: Event | None, prov: Provisioner) -> DriftReport | None:
        if cards_first is not None:  # at start the cards go first (within CARDS_FIRST_S)
            from hostprov_tui.tui.app import CARDS_FIRST_S

            cards_first.wait(CARDS_FIRST_S)
        return prov.drift()

    @staticmethod
    def _probe(name: str, prov: Provisioner) -> DatabaseStatus:
        return prov.probe(name)

    def _card(self, name: str) -> CardView:
        return self.canvas_card if name == "canvas" else self.ksessions_card

    def _set_card(self, name: str, view: CardView) -> None:
        if name == "canvas":
            self.canvas_card = view
        else:
            self.ksessions_card = view

    def _drift_failed(self, exc: Exception) -> None:
        """The app's settings file is broken: its sentence, not a traceback."""
        self.query_one(DriftCard).show_error(*describe_error(exc))

    def _probed(self, name: str, audit: bool, status: DatabaseStatus) -> None:
        self._set_card(name, self._card(name).answered(status))
        self._note_transition(name, status.reachable, status.error, status.hint)
        self._answered(name, status, audit)

    def _probe_failed(self, name: str, exc: Exception) -> None:
        text, hint = describe_error(exc)
        self._set_card(name, self._card(name).failed(text, hint))
        self._note_transition(name, False, text, hint)
        self._answered(name, None, audit=False)

    def _answered(self, name: str, status: DatabaseStatus | None, audit: bool) -> None:
        """When both cards have answered: count the poll, plan the next one (and on ``r``,
        record the check in the audit log)."""
        self._answers[name] = status
        if set(self._answers) != set(DATABASES):
            return
        canvas, ksessions = (self._answers[n] for n in DATABASES)
        self._polling = False
        self.polls_done += 1
        self.hp.first_check.set()  # the audit tail and the first drift check wait for it
        if self.polls_done == 1:
            self.hp.started()
        self.sub_title = "Dashboard"
        self._timer = self.set_timer(self.hp.settings.tui.refresh_s, self.poll_now)
        if audit and canvas is not None and ksessions is not None:
            self.call_service(lambda p: p.record_check(canvas, ksessions), lambda _r: None,
                              lambda _e: None, group="check-audit")

    def _note_transition(self, name: str, up: bool, error: str | None, hint: str | None) -> None:
        """Toast once when a database goes down, and once when it comes back."""
        if not up and name not in self._was_down:
            self._was_down.add(name)
            self.hp.report(error or f"The {name} database is unreachable.", hint,
                           title=f"{name} unreachable")
        elif up and name in self._was_down:
            self._was_down.discard(name)
            self.notify(f"The {name} database answers again.", title=name)
