"""The catalogue table: one row per KSESSIONS session, with the status of its host credential.

Space marks or unmarks the highlighted row (the first column shows the mark) and moves to the
next; marks are kept by session ID across searches, so a bulk issue can gather sessions from
several searches.

The columns fit the table's width (see :func:`fit_columns`): on a narrow terminal the least
useful ones go first, so the ID, the name and the host credential's status are always in view;
on a wide one the text columns share the room.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

if TYPE_CHECKING:
    from hostprov_tui.services.results import GuidStatus, SessionRow

# Rich styles (DataTable cells are Rich Text); ANSI names follow the theme's palette.
GUID_STYLE = {"active": "bold green", "expired": "yellow", "revoked": "red", "none": "dim",
              "unknown": "dim", "fresh": "green", "live": "bold cyan", "over": "yellow"}
MARK = Text("◆", style="bold magenta")
NO_MARK = Text(" ")
AWAITING = Text("…", style="dim")  # canvas has not told the status yet
CELL_PADDING = 1  # DataTable's default: one space on each side of every cell


def _cut(text: str | None, width: int) -> str:
    text = text or "—"
    return text if len(text) <= width else text[: width - 1] + "…"


def _name(row: SessionRow, width: int) -> str | Text:
    name = _cut(row.name, width)
    return name if row.is_active else Text(name, style="dim italic")


def _transcripts(row: SessionRow, _width: int) -> str | Text:
    return str(row.transcripts) if row.transcripts else Text("0", style="bold red")


def _status(row: SessionRow, _width: int) -> Text:
    status = str(row.guid_status)
    return Text(status, style=GUID_STYLE.get(status, ""))


@dataclass(frozen=True)
class Column:
    """A column of the table: its least width, its share of spare room (``grow``: a text
    column, up to its longest ``text``) and when it gives way on a narrow terminal (``drop``:
    the highest goes first; 0 stays)."""

    key: str
    label: str
    width: int
    cell: Callable[[SessionRow, int], str | Text]
    grow: int = 0
    drop: int = 0
    text: Callable[[SessionRow], str | None] | None = None


def _text(attr: str) -> Callable[[SessionRow, int], str]:
    return lambda row, width: _cut(getattr(row, attr), width)


def _date(row: SessionRow, _width: int) -> str:
    return row.date.strftime("%Y-%m-%d") if row.date else "—"


COLUMNS = (
    Column("mark", "", 1, lambda row, _w: NO_MARK),  # filled in from the marks
    Column("ID", "ID", 6, lambda row, _w: str(row.session_id)),
    Column("Name", "Name", 20, _name, grow=3, text=lambda row: row.name),
    Column("Album", "Album", 12, _text("album"), grow=2, drop=2, text=lambda row: row.album),
    Column("Category", "Category", 10, _text("category"), grow=1, drop=4,
           text=lambda row: row.category),
    Column("Speaker", "Speaker", 10, _text("speaker"), grow=1, drop=3,
           text=lambda row: row.speaker),
    Column("Date", "Date", 10, _date, drop=1),
    Column("Tr.", "Tr.", 3, _transcripts),
    Column("Host", "Host", 7, _status),  # the host credential: active, expired, revoked, none
)


def longest(rows: Sequence[SessionRow], columns: Sequence[Column] = COLUMNS) -> dict[str, int]:
    """The longest text of each text column among ``rows``."""
    return {c.key: max((len(c.text(r) or "") for r in rows), default=0)
            for c in columns if c.text is not None}


def fit_columns(
    room: int, wanted: dict[str, int] | None = None, columns: Sequence[Column] = COLUMNS
) -> list[tuple[Column, int]]:
    """The columns shown in ``room`` cells and the width of each: drop the columns that give
    way first until the rest fit at their least widths, then share what is left among the
    growing ones by their ``grow`` — each up to its ``wanted`` width (its longest text), so
    none is cut while room is left; what nobody wants goes to the first growing column."""
    shown = list(columns)

    def needed(cols: list[Column]) -> int:
        return sum(c.width + 2 * CELL_PADDING for c in cols)

    while needed(shown) > room and any(c.drop for c in shown):
        shown.remove(max(shown, key=lambda c: c.drop))
    widths = {c.key: c.width for c in shown}
    spare = max(0, room - needed(shown))
    growing = [c for c in shown if c.grow]
    want = {c.key: (wanted or {}).get(c.key, 10**6) - c.width for c in growing}
    while spare > 0:
        hungry = [c for c in growing if want[c.key] > 0]
        if not hungry:
            break
        weights = sum(c.grow for c in hungry)
        given = 0
        for c in hungry:
            share = min(want[c.key], max(1, spare * c.grow // weights), spare - given)
            widths[c.key] += share
            want[c.key] -= share
            given += share
        spare -= given
    if growing:
        widths[growing[0].key] += spare
    return [(c, widths[c.key]) for c in shown]


def _uncut(layout: Sequence[tuple[Column, int]], wanted: dict[str, int]) -> bool:
    """Every text column of ``layout`` is shown and as wide as its longest text."""
    shown = {c.key: width for c, width in layout}
    return all(key in shown and n <= shown[key] for key, n in wanted.items())


class SessionTable(DataTable[object]):
    """``session_rows[i]`` is the SessionRow shown in row ``i``; ``marked`` maps marked IDs."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Pick", show=False,
                tooltip="Pick the session for the Provision screen"),
        Binding("space", "toggle_mark", "Mark",
                tooltip="Mark / unmark the session and move to the next one (marks survive a "
                        "new search)"),
        Binding("home,ctrl+home", "scroll_top", "First", show=False,
                tooltip="The first session of the results"),
        Binding("end,ctrl+end", "scroll_bottom", "Last", show=False,
                tooltip="The last session loaded (more load when you reach it)"),
    ]

    class MarksChanged(Message):
        """The set of marked sessions changed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True,
                         cell_padding=CELL_PADDING)
        self.session_rows: list[SessionRow] = []
        self.marked: dict[int, SessionRow] = {}
        self.shown_columns: list[tuple[Column, int]] = []
        self._room = 0  # the width the columns were laid out for …
        self._laid_for: dict[str, int] = {}  # … and the longest texts they were laid out for
        #: sessions whose Host status canvas has not told yet (their cell shows "…")
        self.awaiting: set[int] = set()

    def on_mount(self) -> None:
        self._fit()

    def on_resize(self, _event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        """Lay the columns out for the table's width and the rows' texts; the rows are drawn
        again if that changed."""
        room = self.scrollable_content_region.width
        wanted = longest(self.session_rows)
        layout = fit_columns(room, wanted)
        if room == self._room and self.shown_columns and (
                _uncut(self.shown_columns, wanted)  # the rows fit as laid out: no jumping
                or (not _uncut(layout, wanted) and self._within(wanted))):
            return  # (or a new layout would cut too, and these texts are no longer)
        self._room, self._laid_for = room, wanted
        if layout == self.shown_columns:
            return
        row, scroll_y = self.cursor_row, self.scroll_y
        self.shown_columns = layout
        self.clear(columns=True)
        for column, width in layout:
            self.add_column(column.label, width=width, key=column.key)
        self._add(self.session_rows)
        if 0 <= row < self.row_count:
            self.move_cursor(row=row, animate=False, scroll=False)
            self.scroll_y = scroll_y

    def _within(self, wanted: dict[str, int]) -> bool:
        """No text is longer than those the columns were laid out for (typing narrowed)."""
        return all(n <= self._laid_for.get(key, 0) for key, n in wanted.items())

    def replace_rows(self, rows: tuple[SessionRow, ...], *, keep_cursor: bool = False) -> None:
        """Show ``rows`` instead (the columns fitted to them); ``keep_cursor``: stay on the same
        session if it is still listed (else on the same line)."""
        index, current = self.cursor_row, self.current()
        self.clear()
        self.session_rows = []
        self.awaiting &= {r.session_id for r in rows}
        self.append_rows(rows)
        self._fit()
        if keep_cursor and self.row_count:
            ids = [r.session_id for r in self.session_rows]
            if current is not None and current.session_id in ids:
                index = ids.index(current.session_id)
            self.move_cursor(row=min(index, self.row_count - 1), animate=False)

    def append_rows(self, rows: tuple[SessionRow, ...]) -> None:
        for row in rows:
            if row.session_id in self.marked:
                self.marked[row.session_id] = row  # the newest credential status
        self.session_rows.extend(rows)
        self._add(rows)

    def _add(self, rows: Sequence[SessionRow]) -> None:
        host = self._host_column()
        for row in rows:
            cells = [column.cell(row, width) for column, width in self.shown_columns]
            if row.session_id in self.marked:
                cells[0] = MARK
            if host is not None and row.session_id in self.awaiting:
                cells[host] = AWAITING
            self.add_row(*cells)

    def _host_column(self) -> int | None:
        keys = [column.key for column, _ in self.shown_columns]
        return keys.index("Host") if "Host" in keys else None

    def await_statuses(self, ids: Sequence[int]) -> None:
        """These rows (about to be added) wait for canvas: their Host cell shows "…"."""
        self.awaiting.update(ids)

    def set_statuses(self, found: Mapping[int, tuple[GuidStatus, int | None]]) -> None:
        """Canvas told the Host status of ``found``; an ID awaited but absent stays unknown."""
        host = self._host_column()
        for index, row in enumerate(self.session_rows):
            if row.session_id not in found and row.session_id not in self.awaiting:
                continue
            if row.session_id in found:
                status, canvas_id = found[row.session_id]
                row = replace(row, guid_status=status, canvas_session_id=canvas_id)
                self.session_rows[index] = row
                if row.session_id in self.marked:
                    self.marked[row.session_id] = row
            self.awaiting.discard(row.session_id)
            if host is not None:
                self.update_cell_at(Coordinate(index, host), _status(row, 0))

    def current(self) -> SessionRow | None:
        if not self.session_rows or self.cursor_row < 0:
            return None
        return self.session_rows[min(self.cursor_row, len(self.session_rows) - 1)]

    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted session, then move down one row."""
        row = self.current()
        if row is None:
            return
        if self.marked.pop(row.session_id, None) is None:
            self.marked[row.session_id] = row
        self.update_cell_at(Coordinate(self.cursor_row, 0),
                            MARK if row.session_id in self.marked else NO_MARK)
        self.post_message(self.MarksChanged())
        if self.cursor_row < self.row_count - 1:
            self.move_cursor(row=self.cursor_row + 1, animate=False)

    def unmark(self, session_ids: Sequence[int] | None = None) -> None:
        """Unmark ``session_ids`` (every marked session when None)."""
        gone = set(self.marked) if session_ids is None else set(session_ids) & set(self.marked)
        if not gone:
            return
        for session_id in gone:
            del self.marked[session_id]
        for index, row in enumerate(self.session_rows):
            if row.session_id in gone:
                self.update_cell_at(Coordinate(index, 0), NO_MARK)
        self.post_message(self.MarksChanged())

    def clear_marks(self) -> None:
        self.unmark()
