"""The Sessions screen by keys, against the real demo catalogue: moving in the results, marking,
the search box's `/`, the status line's filters and total, the cursor and marks after a bulk
issue, the columns at 80 and 200 columns, and the palette's session commands."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.catalogue import SearchFilters
from hostprov_tui.services.results import GuidStatus
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.help import help_content
from hostprov_tui.tui.screens.modals.bulk_results import BulkResultsModal
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.provision import ProvisionScreen
from hostprov_tui.tui.screens.sessions import SessionsScreen
from hostprov_tui.tui.widgets.checklist import Checklist
from hostprov_tui.tui.widgets.session_table import COLUMNS, SessionTable, fit_columns
from tests.conftest import DemoIds, Env
from tests.support.tui import palette_lists, settle

sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
SIZE = (120, 36)


@pytest.fixture
def app(env: Env, prov: Provisioner) -> Iterator[HostprovApp]:
    yield HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)


@sqlite_only
async def to_sessions(pilot: Pilot[int]) -> tuple[SessionsScreen, SessionTable]:
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    sessions = pilot.app.screen
    assert isinstance(sessions, SessionsScreen)
    return sessions, sessions.query_one(SessionTable)


def status_of(sessions: SessionsScreen) -> str:
    return str(sessions.query_one("#results-status", Static).render())


@sqlite_only
async def test_home_end_and_ctrl_home_end_move_to_the_first_and_last_row(
    app: HostprovApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        _sessions, table = await to_sessions(pilot)
        await pilot.press("escape")
        assert table.has_focus
        for last, first in (("end", "home"), ("ctrl+end", "ctrl+home")):
            loaded = table.row_count
            await pilot.press(last)
            assert table.cursor_row == loaded - 1  # the last row loaded (more load from there)
            await settle(pilot)
            await pilot.press(first)
            assert table.cursor_row == 0
            assert table.scroll_x == 0 and table.scroll_y == 0  # never sideways


@sqlite_only
async def test_space_marks_and_moves_down_as_the_help_says(app: HostprovApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        _sessions, table = await to_sessions(pilot)
        await pilot.press("escape", "space")
        first = table.session_rows[0].session_id
        assert list(table.marked) == [first]
        assert table.cursor_row == 1
        await pilot.press("up", "space")  # unmarks, and moves down again
        assert not table.marked and table.cursor_row == 1
    help_lines = help_content(HostprovApp).plain.splitlines()
    (space,) = [line for line in help_lines if line.strip().startswith("Space")]
    assert "Mark" in space and "move to the next" in space


@sqlite_only
async def test_slash_in_the_search_box_selects_its_text_instead_of_typing(
    app: HostprovApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        sessions, _table = await to_sessions(pilot)
        box = sessions.query_one("#query", Input)
        assert box.has_focus
        await pilot.press(*"of")
        await settle(pilot, typed=True)
        await pilot.press("slash")
        assert box.value == "of" and box.has_focus
        assert box.selected_text == "of"
        await pilot.press(*"fi")  # typing replaces the selected search
        await settle(pilot, typed=True)
        assert box.value == "fi"
        await pilot.press("escape", "slash")  # from the results: back to the box, selected
        assert box.has_focus and box.selected_text == "fi"


@sqlite_only
async def test_the_status_line_names_the_filters_and_the_total(
    app: HostprovApp, prov: Provisioner
) -> None:
    album = prov.albums()[0]
    async with app.run_test(size=SIZE) as pilot:
        sessions, table = await to_sessions(pilot)
        everything = prov.count_sessions("")
        assert table.row_count < everything  # one page of several
        assert status_of(sessions).startswith(f"{table.row_count} of {everything} sessions ")

        sessions.query_one("#album", Select).value = album.id
        await settle(pilot)
        in_album = prov.count_sessions("", filters=SearchFilters(album_id=album.id))
        status = status_of(sessions)
        assert f"album {album.name}" in status
        shown = table.row_count
        assert shown == min(in_album, 50)
        expected = f"{in_album} sessions" if shown == in_album else f"{shown} of {in_album}"
        assert status.startswith(expected), status
        assert "all sessions" not in status

        await pilot.press(*"zzqqxx")
        await settle(pilot, typed=True)
        assert status_of(sessions).startswith(f"No session found for “zzqqxx” · album {album.name}")


@sqlite_only
async def test_bulk_issue_keeps_the_cursor_and_the_marks_of_refused_sessions(
    app: HostprovApp, prov: Provisioner, ids: DemoIds
) -> None:
    """Sessions served lose their mark; the refused one stays marked, to be fixed; the cursor
    stays on its session, even beyond the first page."""
    marked = [ids.good, ids.no_transcripts, ids.good2]
    async with app.run_test(size=SIZE) as pilot:
        sessions, table = await to_sessions(pilot)
        await pilot.press("escape")
        while table.row_count < 60:  # load a second page
            await pilot.press("end")
            await settle(pilot)
        for session_id in marked:
            index = [r.session_id for r in table.session_rows].index(session_id)
            table.move_cursor(row=index)
            await pilot.press("space")
        table.move_cursor(row=55)
        await pilot.pause()
        at = table.current()
        assert at is not None
        await pilot.press("ctrl+f")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal) and not confirm.danger  # none was active
        await pilot.press("enter")
        for _ in range(100):
            await settle(pilot)
            if isinstance(app.screen, BulkResultsModal):
                break
        assert isinstance(app.screen, BulkResultsModal)
        await pilot.press("c", "escape", "escape")  # a copy is no proof: asked twice
        await settle(pilot)
        assert app.screen is sessions
        assert list(table.marked) == [ids.no_transcripts]
        assert table.current() == table.session_rows[table.cursor_row]
        assert table.current().session_id == at.session_id  # type: ignore[union-attr]
        statuses = {r.session_id: r.guid_status for r in table.session_rows}
        assert statuses[ids.good] is GuidStatus.ACTIVE and statuses[ids.good2] is GuidStatus.ACTIVE
        assert "1 marked" in status_of(sessions)


@sqlite_only
@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_the_columns_fit_the_width(app: HostprovApp, size: tuple[int, int]) -> None:
    """At 80 columns the host credential status stays in view (less useful columns go first); at 200
    the text columns share the room, so no name is cut while columns sit empty."""
    async with app.run_test(size=size) as pilot:
        _sessions, table = await to_sessions(pilot)
        shown = [column.key for column, _width in table.shown_columns]
        assert table.max_scroll_x == 0  # nothing hidden to the right
        assert {"ID", "Name", "Tr.", "Host"} <= set(shown)
        widths = dict((c.key, w) for c, w in table.shown_columns)
        used = sum(w + 2 for w in widths.values())
        assert used <= table.scrollable_content_region.width
        if size[0] >= 200:
            assert len(shown) == 9
            longest = max(len(r.name) for r in table.session_rows)
            assert widths["Name"] >= longest
            assert table.scrollable_content_region.width - used < 9  # the room is used
        else:
            assert "Category" not in shown  # it gave way first


@sqlite_only
async def test_the_palette_runs_a_dry_run_for_the_highlighted_session(
    app: HostprovApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        _sessions, table = await to_sessions(pilot)
        await pilot.press("escape", "down", "down")
        row = table.current()
        assert row is not None
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in (f"Dry run for session {row.session_id}",
                      f"Issue for session {row.session_id}",
                      f"Revoke for session {row.session_id}", "Bulk issue", "Refresh",
                      "Verify"):
            assert any(t.startswith(title) for t in titles), (title, titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"dry run")
        await palette_lists(pilot, "dry run")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProvisionScreen)
        plan = app.screen.query_one(Checklist).plan
        assert plan is not None and plan.ksessions_id == row.session_id


def test_fit_columns_drops_the_least_useful_first_and_grows_up_to_the_longest_text() -> None:
    def keys(room: int) -> list[str]:
        return [c.key for c, _ in fit_columns(room)]

    everything = [c.key for c in COLUMNS]
    least = sum(c.width + 2 for c in COLUMNS)
    assert keys(least) == everything
    assert keys(least - 1) == [k for k in everything if k != "Category"]
    assert keys(59) == ["mark", "ID", "Name", "Date", "Tr.", "Host"]
    assert keys(50) == ["mark", "ID", "Name", "Tr.", "Host"]  # never the ID, name, status
    wanted = {"Name": 30, "Album": 14, "Category": 12, "Speaker": 11}
    widths = dict((c.key, w) for c, w in fit_columns(least + 20, wanted))
    assert widths["Album"] == 14 and widths["Category"] == 12 and widths["Speaker"] == 11
    assert widths["Name"] == 20 + 20 - (2 + 2 + 1)  # the rest of the room
    assert sum(w + 2 for w in widths.values()) == least + 20
    tight = dict((c.key, w) for c, w in fit_columns(least + 6, wanted))
    assert tight["Name"] > tight["Album"] - 12 + 20  # shared by weight, the name first
