"""The Sessions screen's filter bar and table as a careful user sees them (issue 18): album
names on one line in the list and in the box, column widths that do not jump while typing, an
Active-only box that shows whether it is ticked."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, Select
from textual.widgets._select import SelectCurrent, SelectOverlay

from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.widgets.session_table import SessionTable
from tests.conftest import Env
from tests.support.tui import settle

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def test_album_names_stay_on_one_line(env: Env, prov: Provisioner) -> None:
    app = HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        album = app.screen.query_one("#album", Select)
        album.focus()
        await pilot.press("enter")
        await settle(pilot)
        overlay = album.query_one(SelectOverlay)
        assert overlay.option_count > 1
        longest = max(len(str(overlay.get_option_at_index(i).prompt))
                      for i in range(overlay.option_count))
        # one line per name: the list is as tall as it has names (or scrolls)
        assert overlay.virtual_size.height == overlay.option_count, longest
        await pilot.press("end", "enter")  # the last album: pick it
        await settle(pilot)
        label = album.query_one(SelectCurrent).query_one("#label")
        assert label.size.height == 1
        assert label.region.right <= album.query_one(SelectCurrent).content_region.right


async def test_widths_hold_while_typing_and_the_tick_shows(env: Env, prov: Provisioner) -> None:
    app = HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        table = app.screen.query_one(SessionTable)
        box = app.screen.query_one("#query", Input)
        box.value = "of"  # every word must match: a second word narrows the results
        await settle(pilot, typed=True)
        before = [(c.key, w) for c, w in table.shown_columns]
        many = table.row_count
        box.value = "of istiqamah"  # typing on: fewer rows, shorter texts
        await settle(pilot, typed=True)
        assert 0 < table.row_count < many
        assert [(c.key, w) for c, w in table.shown_columns] == before
        tick = app.screen.query_one("#active", Checkbox)
        off = tick.render().plain
        tick.value = True
        await settle(pilot)
        on = tick.render().plain
        assert off != on and "✔" in on and "✔" not in off and "X" not in off
