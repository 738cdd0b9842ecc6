"""The dashboard card of one database: reachable, latency, dialect, schema, verdict, history."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from hostprov_tui.tui.credential_words import WORDS

if TYPE_CHECKING:
    from hostprov_tui.services.results import DatabaseStatus

HISTORY = 30


class DbCard(Vertical):
    """One card per database; ``-ok``, ``-down`` or ``-warn`` colours its border."""

    def __init__(self, name: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.db_name = name
        self.history: deque[float] = deque(maxlen=HISTORY)
        self.border_title = name

    def compose(self) -> ComposeResult:
        # the history sparkline joins with the first answer: the first frame has none to show
        yield Static(Content.styled("Checking…", "$text-muted"), classes="db-body")

    def _show_history(self) -> None:
        from textual.widgets import Sparkline  # not needed for the first frame

        found = self.query(Sparkline)
        if found:
            found.first().data = list(self.history)
        else:
            self.mount(Sparkline(list(self.history), classes="db-history"))

    def show_status(self, status: DatabaseStatus) -> None:
        if status.reachable and status.latency_ms is not None:
            self.history.append(status.latency_ms)
        elif not status.reachable:
            self.history.append(0.0)
        self.set_class(not status.reachable, "-down")
        self.set_class(status.reachable and not (status.schema_ok and status.environment_ok),
                       "-warn")
        self.set_class(status.reachable and status.schema_ok and status.environment_ok, "-ok")
        self.query_one(".db-body", Static).update(self._body(status))
        self._show_history()
        self.border_subtitle = self._latency(status)

    def show_failure(self, message: str, hint: str | None) -> None:
        """The services could not even be reached (bad config, bootstrap failed)."""
        self.set_classes("-down")
        self.history.append(0.0)
        lines = [Content.styled("✖ unreachable", "bold $error"), Content(message)]
        if hint:
            lines.append(Content.styled(hint, "$text-muted"))
        self.query_one(".db-body", Static).update(Content("\n").join(lines))
        self._show_history()
        self.border_subtitle = ""

    def _latency(self, status: DatabaseStatus) -> str:
        if not status.reachable or status.latency_ms is None:
            return "down"
        return f"{status.latency_ms:.1f} ms"

    def _body(self, s: DatabaseStatus) -> Content:
        if s.reachable:
            head = Content.styled("● reachable", "bold $success")
        else:
            head = Content.styled("✖ unreachable", "bold $error")
        rows: list[Content] = [head]

        def field(label: str, value: str, style: str = "") -> None:
            rows.append(Content.assemble((f"{label:<9}", "$text-muted"), (value, style)))

        field("Dialect", s.server_version or s.backend)
        if s.driver:  # SQL Server: which Python driver (and ODBC driver) reaches it
            field("Driver", s.driver)
        field("Database", s.database or "—")
        field("URL", s.url)
        field("Guard", s.environment_verdict, "" if s.environment_ok else "bold $error")
        if s.reachable:
            field("Schema", s.schema_verdict, "" if s.schema_ok else "bold $warning")
            if s.generation:
                field("Kind", WORDS[s.generation].card)
        if s.error:
            rows.append(Content.styled(s.error, "$error"))
        if s.hint:
            rows.append(Content.styled(s.hint, "$text-muted"))
        return Content("\n").join(rows)
