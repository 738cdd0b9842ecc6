"""Search the catalogue as you type (debounced, stale searches cancelled), page lazily, pick;
mark sessions (Space) and issue for all of them at once (Ctrl+F).

KSESSIONS answers the rows, canvas the Host column: the rows show at once and the column fills
when canvas answers (a silent canvas server holds nothing back). The status line renders from
one state object (``view``): how many sessions are shown, of how many the search and its
filters find (counted in a worker once a second page exists), which filters apply, and
whether canvas has answered."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Checkbox, DataTable, Input, Select
from textual.worker import get_current_worker

from hostprov_tui.tui.backend import describe_error
from hostprov_tui.tui.screens.sessions_bulk import SessionsBulk
from hostprov_tui.tui.screens.sessions_filters import SessionsFilters
from hostprov_tui.tui.screens.sessions_messages import PageLoaded, SessionsCounted, StatusesLoaded
from hostprov_tui.tui.styles import css_paths
from hostprov_tui.tui.widgets.results_status import ResultsStatus, ResultsView
from hostprov_tui.tui.widgets.session_table import SessionTable
from hostprov_tui.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from hostprov_tui.services.results import SearchPage, SessionRow

PAGE_SIZE = 50
MAX_PAGE = 500  # what one search call returns at most (services/catalogue.py)
DEBOUNCE_S = 0.25
NEAR_END = 10


class SessionsScreen(SessionsFilters, SessionsBulk):

    CSS_PATH = css_paths("sessions.tcss", "modals.tcss")
    SUB_TITLE = "Sessions"
    BINDINGS = [
        Binding("slash", "focus_search", "Search", priority=True,  # even in the search box
                tooltip="Back to the search box, its text selected: an ID or words, results as "
                        "you type"),
        Binding("escape", "focus_table", "Results", show=False,
                tooltip="From the search box to the results (Enter too)"),
        Binding("ctrl+f", "issue_marked", "Issue for marked",
                tooltip="Issue for every marked session; their GUIDs are shown once"),
    ]

    KEY_WIDGETS = (SessionTable,)

    #: the status line's state (widgets/results_status.py renders it)
    view: reactive[ResultsView] = reactive(ResultsView, init=False)

    @classmethod
    def help_notes(cls, settings: object) -> list[str]:
        return ["Bulk issue is Ctrl+F (also in Ctrl+P): tmux and screen keep Ctrl+B and Ctrl+A "
                "for themselves, so hostprov binds neither."]

    def __init__(self) -> None:
        super().__init__()
        self._search = 0
        self._debounce: Timer | None = None
        self._page: SearchPage | None = None
        self._loading_more = False
        self._seen_changes = 0
        self._applied = 0  # search number whose results (or error) are on screen
        self._keep_cursor = False
        self._total: int | None = None
        self._choices: dict[str, dict[int, str]] = {"album": {}, "category": {}}

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield Input(placeholder="Search: ID, name, album, category, speaker", id="query")
            yield Select[int]([], prompt="Album", id="album")
            yield Select[int]([], prompt="Category", id="category")
            yield TickBox("Active only", id="active")
        yield SessionTable(id="results")
        yield ResultsStatus(id="results-status").data_bind(SessionsScreen.view)

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self.call_after_refresh(self._first_load)

    @property
    def search_pending(self) -> bool:
        """True while a search is due (its debounce timer runs) or under way."""
        return (
            self._debounce is not None
            or self._applied != self._search
            or self._search == 0  # the first listing has not even started yet
        )

    def on_screen_resume(self) -> None:
        """Back from Provision after an issue or a revoke: show the new Host GUID statuses."""
        if self.hp.catalogue_changes != self._seen_changes and self._page is not None:
            self.start_search()
            self._keep_cursor = True

    def _first_load(self) -> None:
        self.start_search()
        self._load_choices("album", None)

    # --- searching ---------------------------------------------------------------------------

    @on(Input.Changed, "#query")
    def _query_changed(self, _event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_S, self.start_search)

    @on(Input.Submitted, "#query")
    def _query_submitted(self, _event: Input.Submitted) -> None:
        self.action_focus_table()

    def _filters(self) -> dict[str, Any]:
        album = self.query_one("#album", Select).value
        category = self.query_one("#category", Select).value
        return {
            "album_id": album if isinstance(album, int) else None,
            "category_id": category if isinstance(category, int) else None,
            "active_only": self.query_one("#active", Checkbox).value,
        }

    def start_search(self) -> None:
        """A fresh search from offset 0; any running one becomes stale. When the cursor is to
        stay (the list is read again after a write), as many rows as were loaded are read."""
        self._debounce = None
        self._seen_changes = self.hp.catalogue_changes
        self._search += 1
        self._loading_more = False
        self._page = None  # no "more" of the previous search from now on
        self._total = None
        self._show(phase="searching")
        loaded = self.query_one(SessionTable).row_count if self._keep_cursor else 0
        limit = min(MAX_PAGE, max(PAGE_SIZE, loaded))
        self._fetch(self._search, self.query_one("#query", Input).value, 0, self._filters(),
                    limit)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _fetch(self, search: int, text: str, offset: int, filters: dict[str, Any],
               limit: int = PAGE_SIZE) -> None:
        """One page, on a worker thread; a cancelled (stale) worker posts nothing."""
        worker = get_current_worker()
        try:
            from hostprov_tui.services.catalogue import SearchFilters

            page = self.hp.backend.bootstrapped().search(  # canvas: see _statuses
                text, offset=offset, limit=limit, filters=SearchFilters(**filters),
                statuses=False,
            )
        except Exception as exc:
            if not worker.is_cancelled:
                self.post_message(PageLoaded(search, None, exc))
            return
        if not worker.is_cancelled:
            self.post_message(PageLoaded(search, page, None))

    @work(thread=True, group="statuses", exit_on_error=False)
    def _statuses(self, search: int, ids: list[int]) -> None:
        """The Host column of one page, from canvas (slow or silent: the rows are shown)."""
        try:
            found = self.hp.backend.bootstrapped().session_statuses(ids)
        except Exception:  # canvas down or silent: the column says unknown, the line says why
            found = None
        self.post_message(StatusesLoaded(search, ids, found))

    def on_statuses_loaded(self, message: StatusesLoaded) -> None:
        if message.search != self._search:
            return  # the rows it was asked for are gone
        from hostprov_tui.services.results import GuidStatus

        table = self.query_one(SessionTable)
        table.set_statuses(message.found if message.found is not None
                           else {i: (GuidStatus.UNKNOWN, None) for i in message.ids})
        if not table.awaiting or message.found is None:
            self._show(canvas="answered" if message.found is not None else "silent")

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count(self, search: int, text: str, filters: dict[str, Any]) -> None:
        """The total of a search that has more than one page (a failure: no total shown; the
        pages report the database's trouble)."""
        worker = get_current_worker()
        try:
            from hostprov_tui.services.catalogue import SearchFilters

            total: int | None = self.hp.backend.bootstrapped().count_sessions(
                text, filters=SearchFilters(**filters))
        except Exception:
            total = None
        if not worker.is_cancelled:
            self.post_message(SessionsCounted(search, total))

    def on_sessions_counted(self, message: SessionsCounted) -> None:
        if message.search == self._search:
            self._total = message.total
            self._show_count()

    def on_page_loaded(self, message: PageLoaded) -> None:
        if message.search != self._search:
            return  # a newer search replaced this one
        self._applied = message.search
        self._loading_more = False
        table = self.query_one(SessionTable)
        if message.page is None:
            assert message.error is not None
            self._show(phase="failed", error=describe_error(message.error)[0])
            self.hp.report_exception(message.error, title="Search failed")
            return
        page = message.page
        ids = [r.session_id for r in page.rows]
        table.await_statuses(ids)
        if ids:
            self._statuses(message.search, ids)
        if page.offset == 0:
            table.replace_rows(page.rows, keep_cursor=self._keep_cursor)
            self._keep_cursor = False
            if page.has_more:
                self._count(message.search, page.query, self._filters())
        else:
            table.append_rows(page.rows)
        self._page = page
        if not page.has_more:
            self._total = len(table.session_rows)
        self._show_count(canvas="asking" if ids else self.view.canvas)

    def _show_count(self, **changes: Any) -> None:
        """The status line after a page or a count: rows shown, of how many, for what."""
        page = self._page
        if page is None:
            return
        self._show(phase="shown", shown=len(self.query_one(SessionTable).session_rows),
                   total=self._total, has_more=page.has_more,
                   described=self._described(page.query), **changes)

    def _show(self, **changes: Any) -> None:
        self.view = replace(self.view, **changes)

    def _described(self, query: str) -> str:
        """The search and the filters in force, as the status line names them."""
        filters = self._filters()
        parts = [f" for “{query}”" if query else ""]
        for kind in ("album", "category"):
            chosen = filters[f"{kind}_id"]
            if chosen is not None:
                parts.append(f" · {kind} {self._choices[kind].get(chosen, chosen)}")
        if filters["active_only"]:
            parts.append(" · active only")
        return "".join(parts) or " in the catalogue"

    @on(DataTable.RowHighlighted, "#results")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one(SessionTable)
        page = self._page
        if page is None or not page.has_more or self._loading_more:
            return
        if event.cursor_row >= table.row_count - NEAR_END:
            self._loading_more = True
            self._show(phase="loading")
            self._fetch(self._search, page.query, table.row_count, self._filters())

    @on(DataTable.RowSelected, "#results")
    def _picked(self, _event: DataTable.RowSelected) -> None:
        row = self.query_one(SessionTable).current()
        if row is not None:
            self.hp.pick(row)

    def on_session_table_marks_changed(self, _message: SessionTable.MarksChanged) -> None:
        self._show(marked=len(self.query_one(SessionTable).marked))

    @property
    def highlighted(self) -> SessionRow | None:
        """The session under the cursor (the palette offers its actions)."""
        return self.query_one(SessionTable).current()

    def action_refresh(self) -> None:
        self._keep_cursor = self._page is not None
        self.start_search()

    def action_focus_search(self) -> None:
        box = self.query_one("#query", Input)
        box.focus()
        box.select_all()  # typing replaces the search; → or End keeps it

    def action_focus_table(self) -> None:
        self.query_one(SessionTable).focus()
