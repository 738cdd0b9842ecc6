"""The dashboard card of one database: reachable, latency, dialect, schema, verdict, history.

The card draws itself from one state object (:class:`CardView`, a reactive that recomposes
the card): the last status or failure and the latencies of the checks that answered. Labels and
values sit in a two-column grid, so a value that wraps at 80 columns stays under its column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

if TYPE_CHECKING:
    from hostprov_tui.services.results import DatabaseStatus

HISTORY = 30


@dataclass(frozen=True)
class CardView:
    """What one card shows: nothing yet (checking), a status, or a failure of the services."""

    status: DatabaseStatus | None = None
    failure: tuple[str, str | None] | None = None
    #: latencies (ms) of the last checks that answered, oldest first
    history: tuple[float, ...] = ()

    @property
    def down(self) -> bool:
        return self.failure is not None or (self.status is not None
                                            and not self.status.reachable)

    def answered(self, status: DatabaseStatus) -> CardView:
        kept = self.history
        if status.reachable and status.latency_ms is not None:
            kept = (*kept, status.latency_ms)[-HISTORY:]
        return CardView(status, None, kept)

    def failed(self, message: str, hint: str | None) -> CardView:
        return CardView(None, (message, hint), self.history)


def latency_label(view: CardView) -> str:
    """The sparkline's label and scale: what it shows and between which values."""
    if view.down:
        return "Latency: no answer to the last check"
    if not view.history:
        return "Latency: —"
    low, high = min(view.history), max(view.history)
    n = len(view.history)
    if n == 1:
        return f"Latency: {high:.1f} ms (one check so far)"
    return f"Latency, last {n} checks: {low:.1f}–{high:.1f} ms (bar height)"


def _fields(s: DatabaseStatus) -> list[tuple[str, str, str]]:
    rows = [("Dialect", s.server_version or s.backend, "")]
    if s.driver:  # SQL Server: which Python driver (and ODBC driver) reaches it
        rows.append(("Driver", s.driver, ""))
    rows += [("Database", s.database or "—", ""), ("URL", s.url, ""),
            ("Guard", s.environment_verdict, "" if s.environment_ok else "bold $error")]
    if s.reachable:
        rows.append(("Schema", s.schema_verdict, "" if s.schema_ok else "bold $warning"))
        if s.generation:  # an answer: credential_words loads after the first frame
            from hostprov_tui.tui.credential_words import WORDS

            rows.append(("Kind", WORDS[s.generation].card, ""))
    return rows


class DbCard(Vertical):
    """One card per database; ``-ok``, ``-down`` or ``-warn`` colours its border."""

    view: reactive[CardView] = reactive(CardView, recompose=True, init=False)

    def __init__(self, name: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.db_name = name
        self.border_title = name

    @property
    def history(self) -> tuple[float, ...]:
        return self.view.history

    def compose(self) -> ComposeResult:
        view = self.view
        if view.status is None and view.failure is None:  # the first frame: nothing to show
            yield Static(Content.styled("Checking…", "$text-muted"), classes="db-body")
            return
        if view.failure is not None:
            message, hint = view.failure
            yield Static(Content.styled("✖ unreachable", "bold $error"), classes="db-body")
            yield Static(Content(message), classes="db-note")
            if hint:
                yield Static(Content.styled(hint, "$text-muted"), classes="db-note")
        else:
            s = view.status
            assert s is not None
            head = (Content.styled("● reachable", "bold $success") if s.reachable
                    else Content.styled("✖ unreachable", "bold $error"))
            yield Static(head, classes="db-body")
            with Grid(classes="db-fields"):
                for label, value, style in _fields(s):
                    yield Static(Content.styled(label, "$text-muted"), classes="db-label")
                    yield Static(Content.styled(value, style), classes="db-value")
            if s.error:
                yield Static(Content.styled(s.error, "$error"), classes="db-note")
            if s.hint:
                yield Static(Content.styled(s.hint, "$text-muted"), classes="db-note")
        with Vertical(classes="db-history"):
            yield Static(Content.styled(latency_label(view), "$text-muted"),
                         classes="db-history-label")
            if len(view.history) > 1 and not view.down:  # a line needs two; none when gone
                from textual.widgets import Sparkline  # not needed for the first frame

                yield Sparkline(list(view.history), classes="db-sparkline")

    def watch_view(self, view: CardView) -> None:
        s = view.status
        ok = s is not None and s.reachable and s.schema_ok and s.environment_ok
        self.set_class(view.down, "-down")
        self.set_class(s is not None and s.reachable and not ok, "-warn")
        self.set_class(ok, "-ok")
        self.border_subtitle = (f"{s.latency_ms:.1f} ms" if s is not None and s.reachable
                                and s.latency_ms is not None else "down")
