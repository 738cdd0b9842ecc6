"""What the Sessions screen's workers post back: a page, the Host statuses of a page, a count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from hostprov_tui.services.results import GuidStatus, SearchPage


class PageLoaded(Message):
    """One page of search number ``search``: ``page`` or ``error`` is set."""

    def __init__(self, search: int, page: SearchPage | None,
                 error: Exception | None) -> None:
        super().__init__()
        self.search = search
        self.page = page
        self.error = error


class StatusesLoaded(Message):
    """Canvas told the Host status of a page of search ``search`` (``found`` None: it did not
    answer)."""

    def __init__(self, search: int, ids: list[int],
                 found: dict[int, tuple[GuidStatus, int | None]] | None) -> None:
        super().__init__()
        self.search = search
        self.ids = ids
        self.found = found


class SessionsCounted(Message):
    """How many sessions search number ``search`` finds, all pages together (None: unknown)."""

    def __init__(self, search: int, total: int | None) -> None:
        super().__init__()
        self.search = search
        self.total = total
