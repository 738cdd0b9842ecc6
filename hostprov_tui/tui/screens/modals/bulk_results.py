"""The end of a bulk issue: one line per ID, and the only moment its GUIDs are visible.

``c`` copies every GUID as CSV; closing without copying asks for a second Esc, since the GUIDs
are gone once this closes (only their hashes are stored).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from hostprov_tui.services.results import GUID_CSV_COLUMNS
from hostprov_tui.tui.styles import css_paths

if TYPE_CHECKING:
    from hostprov_tui.services.bulk import BulkItem, BulkResult

CSV_HEADER = ",".join(GUID_CSV_COLUMNS)


def summary(result: BulkResult) -> str:
    counts = result.outcomes()
    issued = counts["created"] + counts["rotated"] + counts["issued"]
    text = (f"{issued} issued (created {counts['created']}, rotated {counts['rotated']}) · "
            f"{counts['refused']} refused")
    for extra in ("failed", "skipped"):
        if counts[extra]:
            text += f" · {counts[extra]} {extra}"
    return text


def guid_csv(result: BulkResult) -> str:
    """The GUIDs as the CLI's CSV file holds them (same columns)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GUID_CSV_COLUMNS)
    writer.writerows(i.csv_row() for i in result.items if i.ok and i.guid)
    return out.getvalue()


def item_lines(item: BulkItem) -> list[Content]:
    word = item.outcome
    head = Content.assemble((f"{item.ksessions_id or item.text!s:<8} ", "bold"),
                            (f"{word:<8} ", "bold $success" if item.ok else "bold $error"))
    if item.ok:
        return [Content.assemble(
            head, (item.guid or "", "bold"),
            (f"  canvas {item.canvas_session_id} · host {item.host_session_id}", "$text-muted"),
        )]
    lines = [Content.assemble(head, item.message or "")]
    if item.hint:
        lines.append(Content.styled(f"{'':18}{item.hint}", "$text-muted"))
    return lines


class BulkResultsModal(ModalScreen[None]):
    """Per-ID outcomes of a BulkResult; the GUIDs are shown here and nowhere else."""

    CSS_PATH = css_paths("modals.tcss")

    BINDINGS = [
        Binding("c", "copy", "Copy GUIDs (CSV)"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, result: BulkResult) -> None:
        super().__init__()
        self.result = result
        self.guid_count = sum(1 for i in result.items if i.ok and i.guid)
        self.copied = False
        self._close_warned = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Bulk issue: results", id="dialog-title")
            yield Static(Content.styled(summary(self.result), "bold"), id="bulk-summary")
            with VerticalScroll(id="bulk-scroll"):
                rows = [line for item in self.result.items for line in item_lines(item)]
                yield Static(Content("\n").join(rows), id="bulk-items")
            if self.guid_count:
                yield Static(Content.styled(
                    "These GUIDs will not be shown again: copy them now and hand each to its "
                    "host. Only their hashes are stored.", "bold $warning"), id="guid-warning")
            with Horizontal(id="dialog-buttons"):
                yield Button("Copy GUIDs as CSV", id="copy", variant="primary",
                             disabled=not self.guid_count)
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#copy" if self.guid_count else "#close", Button).focus()

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        if not self.guid_count:
            self.notify("No GUID was issued: nothing to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(guid_csv(self.result))
        self.copied = True
        self.notify(f"{self.guid_count} Host GUID{'s' if self.guid_count != 1 else ''} on the "
                    "clipboard as CSV (ksessions_id, action, canvas and host session, guid).",
                    title="Copied")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if self.guid_count and not self.copied and not self._close_warned:
            self._close_warned = True
            self.notify("The GUIDs were not copied and will not be shown again. Close again to "
                        "discard them, or press c to copy.", title="Not copied",
                        severity="warning")
            return
        self.dismiss(None)
