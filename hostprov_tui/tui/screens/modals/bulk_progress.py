"""A bulk issue under way: a progress bar fed by the worker; ends with the BulkRun it made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, ProgressBar, Static

from hostprov_tui.tui.credential_words import WORDS, CredentialWords
from hostprov_tui.tui.screens.modals.dialog import Dialog

if TYPE_CHECKING:
    from hostprov_tui.services.bulk import BulkResult
    from hostprov_tui.services.bulk_journal import BulkJournal
    from hostprov_tui.tui.app import HostprovApp


@dataclass
class BulkRun:
    """What the progress modal hands back: the result or the error, and the file that holds
    the GUIDs until the results are closed (None when nothing was saved)."""

    result: BulkResult | None = None
    error: Exception | None = None
    journal: BulkJournal | None = None


class BulkProgressed(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class BulkFinished(Message):
    def __init__(self, result: BulkResult | None, error: Exception | None) -> None:
        super().__init__()
        self.result = result
        self.error = error


class BulkProgressModal(Dialog[BulkRun]):
    """Runs ``issue_many`` in a thread worker; no key closes it before the end."""

    def __init__(
        self, ids: Sequence[int], *, allow_production: bool,
        words: CredentialWords = WORDS["guid"],
    ) -> None:
        super().__init__()
        self.ids = list(ids)
        self.allow_production = allow_production
        self.words = words
        self.journal: BulkJournal | None = None  # set by the worker, handed on with the result

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Issuing {self.words.plural} for {len(self.ids)} sessions",
                        id="dialog-title")
            yield ProgressBar(total=len(self.ids), show_eta=False, id="bulk-bar")
            yield Static(f"0 of {len(self.ids)} settled", id="bulk-count")
            yield Static(Content.styled(self.words.bulk_keep, "$text-muted"), id="bulk-note")

    def on_mount(self) -> None:
        self._issue()

    @work(thread=True, group="bulk", exit_on_error=False)
    def _issue(self) -> None:
        from hostprov_tui.services.bulk_journal import BulkJournal, tui_journal_path

        journal: BulkJournal | None = None
        try:
            prov = cast("HostprovApp", self.app).backend.bootstrapped()
            columns = prov.csv_columns()  # the generation's: `bulk status` reads them
            journal = self.journal = BulkJournal(
                tui_journal_path(prov.settings.audit.path, columns=columns), columns)
            result = prov.issue_many(
                self.ids, allow_production=self.allow_production, journal=journal,
                progress=lambda done, total: self.post_message(BulkProgressed(done, total)),
            )
        except Exception as exc:  # typed errors and the unexpected alike: reported, no crash
            self.post_message(BulkFinished(None, exc))
            return
        finally:
            if journal is not None:
                journal.close()  # kept while it holds GUIDs: removed once the operator says so
        self.post_message(BulkFinished(result, None))

    def on_bulk_progressed(self, message: BulkProgressed) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)
        self.query_one("#bulk-count", Static).update(
            f"{message.done} of {message.total} settled")

    def on_bulk_finished(self, message: BulkFinished) -> None:
        self.dismiss(BulkRun(message.result, message.error, self.journal))
