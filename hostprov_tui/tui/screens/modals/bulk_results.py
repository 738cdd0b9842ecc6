"""The end of a bulk issue: one line per ID, and the only moment its GUIDs are visible
(``c`` copies them as CSV)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from hostprov_tui.services.results import GUID_CSV_COLUMNS
from hostprov_tui.tui.screens.modals.shown_once import ShownOnceModal

if TYPE_CHECKING:
    from hostprov_tui.services.bulk import BulkItem, BulkResult
    from hostprov_tui.services.bulk_journal import BulkJournal

CSV_HEADER = ",".join(GUID_CSV_COLUMNS)


def _columns(result: BulkResult) -> tuple[str, ...]:
    """The CSV columns of the generation the results were issued in."""
    first = next((i.issued for i in result.items if i.issued is not None), None)
    return first.csv_columns if first is not None else GUID_CSV_COLUMNS


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
    """The GUIDs (or tokens and links) as the CLI's CSV file holds them (same columns)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_columns(result))
    writer.writerows(i.csv_row() for i in result.items if i.ok and i.issued is not None)
    return out.getvalue()


def item_lines(item: BulkItem) -> list[Content]:
    word = item.outcome
    head = Content.assemble((f"{item.ksessions_id or item.text!s:<8} ", "bold"),
                            (f"{word:<8} ", "bold $success" if item.ok else "bold $error"))
    links = getattr(item.issued, "host_url", None)
    if item.ok and links is not None:  # tokens generation: the host link, then participants'
        return [Content.assemble(head, (links, "bold")),
                Content.styled(f"{'':18}{getattr(item.issued, 'participant_url', '')}",
                               "$text-muted")]
    if item.ok:
        return [Content.assemble(
            head, (item.guid or "", "bold"),
            (f"  canvas {item.canvas_session_id} · host {item.host_session_id}", "$text-muted"),
        )]
    lines = [Content.assemble(head, item.message or "")]
    if item.hint:
        lines.append(Content.styled(f"{'':18}{item.hint}", "$text-muted"))
    return lines


class BulkResultsModal(ShownOnceModal):
    """Per-ID outcomes of a BulkResult; the GUIDs are shown here and nowhere else. The file
    that kept them safe during the run (``journal``) is removed when the operator closes this
    (or quits, confirming), never otherwise."""

    COPY_LABEL = "Copy GUIDs as CSV"

    def __init__(self, result: BulkResult, journal: BulkJournal | None = None) -> None:
        super().__init__()
        self.result = result
        self.journal = journal
        self.guid_count = sum(1 for i in result.items if i.ok and i.issued is not None)
        self.tokens = _columns(result) != GUID_CSV_COLUMNS
        if self.tokens:
            self.COPY_LABEL = "Copy links as CSV"

    def discard(self) -> None:
        """The operator said the results may go: so does the file that kept them (never on a
        mere unmount: a Ctrl+Q or a crash leaves it, for `hostprov bulk status`)."""
        if self.journal is not None:
            self.journal.remove()

    def at_stake(self) -> bool:
        """GUIDs are shown once; tokens can be shown again (the database keeps them)."""
        return not self.tokens and super().at_stake()

    def clipboard_text(self) -> str | None:
        return guid_csv(self.result) if self.guid_count else None

    def copied_note(self) -> str:
        what = "session's links" if self.tokens else "Host GUID"
        return (f"{self.guid_count} {what}{'s' if self.guid_count != 1 else ''} as CSV "
                f"({', '.join(_columns(self.result))}):")

    def quit_note(self) -> str:
        kept = (f" Until that window is closed they are also in {self.journal.path} (0600); "
                "quitting deletes that file." if self.journal is not None
                and self.journal.path.exists() else "")
        return (f"The bulk results show {self.guid_count} new Host "
                f"GUID{'s' if self.guid_count != 1 else ''} that will not be shown again.{kept}")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Bulk issue: results", id="dialog-title")
            yield Static(Content.styled(summary(self.result), "bold"), id="bulk-summary")
            with VerticalScroll(id="bulk-scroll"):
                rows = [line for item in self.result.items for line in item_lines(item)]
                yield Static(Content("\n").join(rows), id="bulk-items")
            if self.guid_count and self.tokens:
                yield Static(Content.styled(
                    "Hand each host their link. The tokens can be shown again (audited) from "
                    "Provision; they are never written to hostprov's log.", "$text-muted"),
                    id="guid-warning")
            elif self.guid_count:
                yield Static(Content.styled(
                    "These GUIDs will not be shown again: copy them now and hand each to its "
                    "host. Only their hashes are stored.", "bold $warning"), id="guid-warning")
            yield from self.buttons()
