"""The catalogue table: one row per KSESSIONS session, with the status of its host credential.

Space marks or unmarks the highlighted row (the first column shows the mark); marks are kept by
session ID across searches, so a bulk issue can gather sessions from several searches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

if TYPE_CHECKING:
    from hostprov_tui.services.results import SessionRow

COLUMNS = (
    ("", 1), ("ID", 6), ("Name", 24), ("Album", 18), ("Category", 14), ("Speaker", 14),
    ("Date", 10), ("Tr.", 3), ("Host", 9),
)
# Rich styles (DataTable cells are Rich Text); ANSI names follow the theme's palette.
GUID_STYLE = {"active": "bold green", "expired": "yellow", "revoked": "red", "none": "dim",
              "unknown": "dim"}
MARK = Text("◆", style="bold magenta")
NO_MARK = Text(" ")


def _cut(text: str | None, width: int) -> str:
    text = text or "—"
    return text if len(text) <= width else text[: width - 1] + "…"


class SessionTable(DataTable[object]):
    """``session_rows[i]`` is the SessionRow shown in row ``i``; ``marked`` maps marked IDs."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Pick", show=False,
                tooltip="Pick the session for the Provision screen"),
        Binding("space", "toggle_mark", "Mark",
                tooltip="Mark / unmark the session (marks survive a new search)"),
    ]

    class MarksChanged(Message):
        """The set of marked sessions changed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.session_rows: list[SessionRow] = []
        self.marked: dict[int, SessionRow] = {}

    def on_mount(self) -> None:
        for label, width in COLUMNS:
            self.add_column(label, width=width, key=label or "mark")

    def replace_rows(self, rows: tuple[SessionRow, ...], *, keep_cursor: bool = False) -> None:
        row = self.cursor_row
        self.clear()
        self.session_rows = []
        self.append_rows(rows)
        if keep_cursor and 0 <= row < self.row_count:
            self.move_cursor(row=row, animate=False)

    def append_rows(self, rows: tuple[SessionRow, ...]) -> None:
        for row in rows:
            self.session_rows.append(row)
            if row.session_id in self.marked:
                self.marked[row.session_id] = row  # the newest Host GUID status
            status = str(row.guid_status)
            name = _cut(row.name, 24)
            self.add_row(
                MARK if row.session_id in self.marked else NO_MARK,
                str(row.session_id),
                name if row.is_active else Text(name, style="dim italic"),
                _cut(row.album, 18),
                _cut(row.category, 14),
                _cut(row.speaker, 14),
                row.date.strftime("%Y-%m-%d") if row.date else "—",
                str(row.transcripts) if row.transcripts else Text("0", style="bold red"),
                Text(status, style=GUID_STYLE.get(status, "")),
            )

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

    def clear_marks(self) -> None:
        self.marked.clear()
        for index in range(self.row_count):
            self.update_cell_at(Coordinate(index, 0), NO_MARK)
        self.post_message(self.MarksChanged())
