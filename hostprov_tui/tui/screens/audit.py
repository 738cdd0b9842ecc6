"""The live audit log: the file's last records at start, then every record any process appends
to it (the app follows the file on a thread; see services/audit_follow.py).

The screen's state is two reactives — the filter in force and whether the view follows the newest
record — and the app's record count; the log and the count line render from them. At the bottom
the log follows like ``tail -f``, across screen switches and resizes; scrolled up it stays where
the operator reads until End (or scrolling down to the last line) follows again."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
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

    #: the filter in force (the box's text once typing pauses)
    needle: reactive[str] = reactive("", init=False)
    #: the view is at the newest record and stays there as records arrive
    following: reactive[bool] = reactive(True, init=False)

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="Filter: action, outcome, operator, IDs, message…", id="filter")
        with VerticalScroll(id="log"):
            yield Static("", id="log-body")
        yield Static("", id="audit-count")

    _stale = False  # records arrived while another screen was showing
    _debounce: Timer | None = None

    def on_mount(self) -> None:
        log = self.query_one("#log", VerticalScroll)
        self.watch(self.hp, "audit_count", self._render_log)
        self.watch(log, "scroll_y", self._scrolled, init=False)
        self.watch(log, "virtual_size", self._resized, init=False)
        self.watch(log, "size", self._resized, init=False)

    def on_screen_resume(self) -> None:
        if self._stale:
            self._render_log()
        self._keep_following()

    # --- state --------------------------------------------------------------------------------

    def _scrolled(self, _value: object = None) -> None:
        """The operator (or a follow) moved the view: at the last line it follows."""
        log = self.query_one("#log", VerticalScroll)
        self.following = log.scroll_y >= log.max_scroll_y

    def _resized(self, _value: Size | None = None) -> None:
        """More records, another width, back from another screen: a following view stays at
        the newest record (the scroll position alone would be left behind)."""
        self._keep_following()

    def _keep_following(self) -> None:
        if self.following and self.is_current:
            self.query_one("#log", VerticalScroll).scroll_end(animate=False)

    def watch_needle(self) -> None:
        self._render_log()

    def watch_following(self) -> None:
        self._render_count()
        self._keep_following()

    # --- rendering ---------------------------------------------------------------------------

    def _render_log(self, _value: object = None) -> None:
        """Redraw the log; while hidden, only remember to (a bulk run adds hundreds)."""
        self._stale = not self.is_current
        if self._stale:
            return
        records = [r for r in self.hp.audit_records if matches(r, self.needle)]
        body = Content("\n").join(audit_line(r, with_date=True) for r in records)
        self.query_one("#log-body", Static).update(body if records else self._empty())
        self._render_count()
        self._keep_following()

    def _empty(self) -> Content:
        total = len(self.hp.audit_records)
        if self.needle and total:
            text = (f"No record matches “{self.needle}” among the {total} shown here; "
                    "/ edits the filter.")
        else:
            text = "No audit record yet: a dry run, an issue, a revoke or a verify writes one."
        return Content.styled(text, "$text-muted")

    def _render_count(self) -> None:
        total = len(self.hp.audit_records)
        shown = (f"{sum(1 for r in self.hp.audit_records if matches(r, self.needle))} of "
                 f"{total}" if self.needle else f"{total}")
        where = ("following the newest" if self.following
                 else "scrolled up: End follows the newest")
        self.query_one("#audit-count", Static).update(
            f"{shown} record{'s' if total != 1 else ''} (times in UTC) · {where} · file "
            f"{self._audit_path()}"
        )

    def _audit_path(self) -> str:
        return str(self.hp.settings.audit.path) if self.hp.settings_ready else "…"

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(FILTER_DEBOUNCE_S, self._apply_filter)

    def _apply_filter(self) -> None:
        self._debounce = None
        self.needle = self.query_one("#filter", Input).value.strip()

    def action_focus_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.focus()
        box.select_all()

    def action_focus_log(self) -> None:
        self.query_one("#log", VerticalScroll).focus()
