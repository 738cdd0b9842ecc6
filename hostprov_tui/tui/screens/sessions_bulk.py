"""The Sessions screen's bulk issue (marked sessions → confirmation, progress, results) and its
palette entries; SessionsScreen (screens/sessions.py) is built on it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from hostprov_tui.tui.credential_words import WORDS
from hostprov_tui.tui.screens.base import MainScreen
from hostprov_tui.tui.screens.modals.bulk_confirm import bulk_confirm
from hostprov_tui.tui.screens.modals.bulk_progress import BulkProgressModal, BulkRun
from hostprov_tui.tui.screens.modals.bulk_results import BulkResultsModal
from hostprov_tui.tui.widgets.session_table import SessionTable

if TYPE_CHECKING:
    from hostprov_tui.services.bulk_items import BulkResult


class SessionsBulk(MainScreen):
    """Bulk issue for the sessions marked in the results table."""

    _keep_cursor: bool

    def start_search(self) -> None:  # the screen's own search (screens/sessions.py)
        raise NotImplementedError

    def action_refresh(self) -> None:
        raise NotImplementedError

    # --- bulk issue --------------------------------------------------------------------------

    def action_issue_marked(self) -> None:
        """Confirm, issue for every marked session with a progress bar, show the results."""
        rows = list(self.query_one(SessionTable).marked.values())
        if not rows:
            self.notify("Mark sessions in the results with Space first.", title="Nothing marked",
                        severity="warning")
            return
        production = self.hp.production

        def ask(generation: str) -> None:  # in the words of the canvas database's generation
            words = WORDS[generation]

            def confirmed(ok: bool | None) -> None:
                if ok:
                    ids = [r.session_id for r in rows]
                    self.app.push_screen(BulkProgressModal(ids, allow_production=production,
                                                           words=words), self._bulk_done)

            self.app.push_screen(bulk_confirm(rows, production=production, words=words),
                                 confirmed)

        self.call_service(lambda p: p.generation(), ask,
                          lambda exc: self.hp.report_exception(exc, title="Bulk issue"),
                          group="generation", exclusive=True)

    def _bulk_done(self, run: BulkRun | None) -> None:
        if run is None:
            return
        if run.result is None:
            self.hp.report_exception(run.error or RuntimeError("no result"),
                                     title="Bulk issue failed")
            if run.journal is not None and run.journal.path.exists():
                what = "Tokens" if "host_token" in run.journal.columns else "GUIDs"
                self.notify(f"{what} committed before the failure are in {run.journal.path}; "
                            "`hostprov bulk status` tells which are in force.",
                            title=f"{what} saved", severity="warning", timeout=30)
            return
        self.query_one(SessionTable).unmark(self.issued_ok(run.result))
        self.hp.catalogue_changes += 1
        self._keep_cursor = True  # on the same session, with as many rows loaded
        self.start_search()  # the new Host GUID statuses
        self.app.push_screen(BulkResultsModal(run.result, run.journal))

    @staticmethod
    def issued_ok(result: BulkResult) -> list[int]:
        """The sessions a bulk issue served: their marks go; a refused or failed session stays
        marked, to be fixed and issued again."""
        return [item.ksessions_id for item in result.items
                if item.ok and item.ksessions_id is not None]

    def action_clear_marks(self) -> None:
        self.query_one(SessionTable).clear_marks()

    def when_palette_opens(self) -> Iterable[SystemCommand]:
        table = self.query_one(SessionTable)
        marked = len(table.marked)
        yield SystemCommand(
            f"Bulk issue for the {marked} marked session{'' if marked == 1 else 's'}"
            if marked else "Bulk issue for marked sessions",
            "Issue (or rotate) the host credential of every session marked with Space (Ctrl+F)",
            self.action_issue_marked)
        if marked:
            yield SystemCommand("Clear marks", "Unmark every marked session",
                                self.action_clear_marks)
        yield SystemCommand("Refresh the sessions", "Search again: the newest credential "
                            "statuses", self.action_refresh)
        row = table.current()
        if row is not None:
            yield from self.hp.session_commands(row)
