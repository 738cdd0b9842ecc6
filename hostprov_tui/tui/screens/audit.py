"""The live audit log: the file's last records at start, then every record any process appends
to it (the app follows the file on a thread; see services/audit_follow.py). The view stays at
the newest record unless the operator scrolled up to read."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static

from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.styles import css_paths
from hostprov_tui.tui.widgets.audit_format import audit_line, matches

FILTER_DEBOUNCE_S = 0.15


class AuditScreen(MainScreen):

    CSS_PATH = css_paths("audit.tcss")
    SUB_TITLE = "Audit"
    SHOW_STRIP = False
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", priority=True,  # even in the filter box
                tooltip="Filter the log, its text selected: action, outcome, operator, IDs, "
                        "message"),
        Binding("escape", "focus_log", "Log", show=False, tooltip="From the filter to the log"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="Filter: action, outcome, operator, IDs, message…", id="filter")
        with VerticalScroll(id="log"):
            yield Static("", id="log-body")
        yield Static("", id="audit-count")

    _stale = False  # records arrived while another screen was showing
    _debounce: Timer | None = None

    def on_mount(self) -> None:
        self.watch(self.hp, "audit_count", self._render_log)

    def on_screen_resume(self) -> None:
        if self._stale:
            self._render_log()

    def _render_log(self, _value: object = None) -> None:
        """Redraw the log; while hidden, only remember to (a bulk run adds hundreds)."""
        self._stale = not self.is_current
        if self._stale:
            return
        needle = self.query_one("#filter", Input).value.strip()
        records = [r for r in self.hp.audit_records if matches(r, needle)]
        body = Content("\n").join(audit_line(r) for r in records)
        log = self.query_one("#log", VerticalScroll)
        following = log.scroll_y >= log.max_scroll_y  # at the newest record: stay there
        self.query_one("#log-body", Static).update(
            body if records else Content.styled("Nothing to show.", "$text-muted"))
        if following:
            log.scroll_end(animate=False)
        total = len(self.hp.audit_records)
        shown = f"{len(records)} of {total}" if needle else f"{total}"
        self.query_one("#audit-count", Static).update(
            f"{shown} record{'s' if total != 1 else ''} · file {self._audit_path()}"
        )

    def _audit_path(self) -> str:
        return str(self.hp.settings.audit.path) if self.hp.settings_ready else "…"

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(FILTER_DEBOUNCE_S, self._render_log)

    def action_focus_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.focus()
        box.select_all()

    def action_focus_log(self) -> None:
        self.query_one("#log", VerticalScroll).focus()
