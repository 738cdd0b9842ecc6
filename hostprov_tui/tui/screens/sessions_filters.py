"""The Sessions screen's filters: album and category lists (loaded in a worker), Active only;
any change searches again. SessionsScreen (screens/sessions.py) is built on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.widgets import Checkbox, Select

from hostprov_tui.tui.screens.base import MainScreen

if TYPE_CHECKING:
    from hostprov_tui.services.api import Provisioner
    from hostprov_tui.services.catalogue import Choice


class SessionsFilters(MainScreen):
    """Album / category / Active-only filters above the results."""

    _choices: dict[str, dict[int, str]]

    def start_search(self) -> None:  # the screen's own search (screens/sessions.py)
        raise NotImplementedError

    def _load_choices(self, kind: str, album_id: int | None) -> None:
        def choices(prov: Provisioner) -> list[Choice]:
            return prov.albums() if kind == "album" else prov.categories(album_id)

        def show(found: list[Choice]) -> None:
            self._choices[kind] = {c.id: c.name for c in found}
            select = self.query_one(f"#{kind}", Select)
            with select.prevent(Select.Changed):
                select.set_options([(c.name, c.id) for c in found])

        # a failure is left to the search, which reports the database trouble
        self.call_service(choices, show, lambda _exc: None, group="choices")

    @on(Select.Changed, "#album")
    def _album_changed(self, event: Select.Changed) -> None:
        category = self.query_one("#category", Select)
        with category.prevent(Select.Changed):
            category.set_options([])
        if isinstance(event.value, int):
            self._load_choices("category", event.value)
        self.start_search()

    @on(Select.Changed, "#category")
    @on(Checkbox.Changed, "#active")
    def _filter_changed(self) -> None:
        self.start_search()
