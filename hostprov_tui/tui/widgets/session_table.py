"""The catalogue table: one row per KSESSIONS session, with its Host GUID status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

if TYPE_CHECKING:
    from hostprov_tui.services.results import SessionRow

COLUMNS = (
    ("ID", 6), ("Name", 26), ("Album", 18), ("Category", 14), ("Speaker", 14),
    ("Date", 10), ("Tr.", 3), ("Host GUID", 9),
)
# Rich styles (DataTable cells are Rich Text); ANSI names follow the theme's palette.
GUID_STYLE = {"active": "bold green", "expired": "yellow", "revoked": "red", "none": "dim",
              "unknown": "dim"}


def _cut(text: str | None, width: int) -> str:
    text = text or "—"
    return text if len(text) <= width else text[: width - 1] + "…"


class SessionTable(DataTable[object]):
    """``session_rows[i]`` is the SessionRow shown in row ``i``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.session_rows: list[SessionRow] = []

    def on_mount(self) -> None:
        for label, width in COLUMNS:
            self.add_column(label, width=width, key=label)

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
            status = str(row.guid_status)
            name = _cut(row.name, 26)
            self.add_row(
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
