"""The Provision screen draws every panel from one state: the screen's keys win over the boxes'
own, a new pick resets the form and every confirmation repeats who, until when and why, the
checks panel shows what was written (or refused at once), no line outlives what it was drawn
from, and the layout holds at 120×36, 80×24 and below the smallest size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import GuidStatus
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.form_words import for_the_form
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.modals.guid import GuidModal
from hostprov_tui.tui.screens.provision import ProvisionScreen
from hostprov_tui.tui.widgets.checklist import Checklist
from tests.conftest import DemoIds, Env
from tests.support.db_state import set_host_expiry
from tests.support.tui import settle
from tests.test_tui_provision import text, to_provision

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
SIZE = (120, 36)
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.fixture
def app(env: Env, prov: Provisioner) -> Iterator[HostprovApp]:
    yield HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)


def panel(screen: ProvisionScreen) -> str:
    return text(screen.query_one(Checklist))


async def pick(pilot: Pilot[int], prov: Provisioner, session_id: int) -> ProvisionScreen:
    """The operator picks ``session_id`` on the Sessions screen (what Enter there does)."""
    row = prov.find_session(session_id)
    assert row is not None
    app = pilot.app
    assert isinstance(app, HostprovApp)
    await pilot.press("f3")
    await settle(pilot)
    app.pick(row)
    await settle(pilot, typed=True)  # the lookup's debounce fires and its answer is shown
    screen = app.screen
    assert isinstance(screen, ProvisionScreen)
    return screen


@SQLITE
async def test_the_screen_keys_win_over_the_boxes_keys(app: HostprovApp, ids: DemoIds) -> None:
    """Ctrl+E is the box's "end of line" too: from every box of the form it reaches the Verify
    box, and what is typed next lands there (not in the ID box, never dry-run)."""
    assert all(b.priority for b in ProvisionScreen.BINDINGS)
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot, ids.good)
        verify = screen.query_one("#guid", Input)
        for box_id in ("target", "created-by", "expires", "reason"):
            screen.query_one(f"#{box_id}", Input).focus()
            await pilot.pause()
            await pilot.press("ctrl+e")
            await pilot.pause()
            assert verify.has_focus, box_id
        await pilot.press(*GUID[:8])
        assert verify.value == GUID[:8]
        assert screen.query_one("#target", Input).value == str(ids.good)
        await pilot.press("ctrl+l")  # from the Verify box: the screen's key, not the box's
        await settle(pilot)
        assert "Ready to issue" in panel(screen)


@SQLITE
async def test_a_new_pick_resets_the_form_and_confirmations_repeat_it(
    app: HostprovApp, prov: Provisioner, ids: DemoIds
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await pick(pilot, prov, ids.good)
        for box_id, value in (("created-by", "alice"), ("expires", "2031-01-01"),
                              ("reason", "first talk")):
            screen.query_one(f"#{box_id}", Input).value = value
        await pilot.press("ctrl+g")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        body = str(confirm.body)
        assert "alice" in body and "2031-01-01" in body and "first talk" in body
        await pilot.press("escape")
        await settle(pilot)

        screen = await pick(pilot, prov, ids.good2)  # another session: the defaults again
        assert screen.query_one("#created-by", Input).value == "tester"
        assert screen.query_one("#expires", Input).value == ""
        assert screen.query_one("#reason", Input).value == ""
        await pilot.press("ctrl+g")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        body = str(confirm.body)
        assert "alice" not in body and "first talk" not in body
        assert "Created by" in body and "tester" in body and "never" in body and "Reason" in body
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c", "escape", "escape")  # a copy is no proof: two Esc
        await settle(pilot)
        screen.query_one("#reason", Input).value = "talk moved"
        await pilot.press("ctrl+r")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        assert "tester" in str(confirm.body) and "talk moved" in str(confirm.body)


@SQLITE
async def test_the_checks_panel_shows_what_was_written(
    app: HostprovApp, prov: Provisioner, ids: DemoIds
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot, ids.good)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert "Ready to issue" in panel(screen)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GuidModal)
        await pilot.press("c", "escape", "escape")  # a copy is no proof: two Esc
        await settle(pilot)
        assert "Ready to issue" not in panel(screen)
        assert f"Issued: a new Host GUID for KSESSIONS session {ids.good}" in panel(screen)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("right", "enter")
        await settle(pilot)
        assert prov.verify(app.clipboard).status is not GuidStatus.ACTIVE
        assert "✔ Revoked" in panel(screen) and "By tester" in panel(screen)


@SQLITE
async def test_no_line_outlives_what_it_was_drawn_from(
    app: HostprovApp, prov: Provisioner, ids: DemoIds
) -> None:
    issued = prov.issue(Target(ksessions_id=ids.good))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await pick(pilot, prov, ids.good)
        header = screen.query_one("#picked", Static)
        result = screen.query_one("#verify-result", Static)
        verify = screen.query_one("#guid", Input)
        verify.value = issued.guid
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "ACTIVE" in text(result)
        verify.value = "not-a-guid"  # a failed verify: the last result goes
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "ACTIVE" not in text(result) and "Not verified" in text(result)

        verify.value = issued.guid
        await pilot.press("ctrl+y")
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("right", "enter")  # rotate: the result says verify again
        await settle(pilot)
        await pilot.press("c", "escape", "escape")  # a copy is no proof: two Esc
        await settle(pilot)
        assert "verify again" in text(result)
        await pick(pilot, prov, ids.good2)  # …until another session is picked
        assert "verify again" not in text(result)

        box = screen.query_one("#target", Input)
        box.focus()
        await pilot.press("a")  # refused: the box still holds the valid ID
        assert "Digits only" in text(header) and box.value == str(ids.good2)
        await pilot.press("ctrl+l")  # the checks of that ID: the header names it again
        await settle(pilot)
        assert "Digits only" not in text(header)
        assert prov.find_session(ids.good2).name in text(header)  # type: ignore[union-attr]
        await pilot.press("b")
        assert "Digits only" in text(header)
        await pilot.press("tab")  # leaving the box: the refusal is behind
        await pilot.pause()
        assert "Digits only" not in text(header)


@SQLITE
async def test_revoking_what_is_not_active_is_refused_at_once(
    app: HostprovApp, prov: Provisioner, ids: DemoIds
) -> None:
    prov.issue(Target(ksessions_id=ids.good))
    prov.revoke(Target(ksessions_id=ids.good))
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot, ids.good)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen is screen  # no confirmation first
        toast = next(n for n in app._notifications if n.title == "Revoke refused")
        assert "nothing to revoke" in toast.message and "hostprov" not in toast.message
        assert "nothing to revoke" in panel(screen)


@SQLITE
async def test_an_expired_host_guid_is_revoked_as_the_command_line_does(
    app: HostprovApp, prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    """Past its expiry but still IsActive: `hostprov revoke` deactivates it, and so does the
    TUI (it asks first instead of refusing)."""
    issued = prov.issue(Target(ksessions_id=ids.good), expires="2030-06-01")
    set_host_expiry(env.settings(), issued.host_session_id, utcnow() - timedelta(minutes=5))
    assert prov.verify(issued.guid).status is GuidStatus.EXPIRED
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot, ids.good)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("right", "enter")
        await settle(pilot)
        assert app.screen is screen and "✔ Revoked" in panel(screen)
    assert prov.verify(issued.guid).status is GuidStatus.REVOKED


@pytest.mark.parametrize("hint", [
    "Issue one first, or check the GUID with `hostprov verify`.",
    "Issue new ones first, or check a token with `hostprov verify --token -`.",
    "Issue them first (hostprov issue, or Provision in the TUI).",
])
def test_hints_shown_in_the_tui_name_no_command(hint: str) -> None:
    assert "hostprov" not in for_the_form(hint)
    assert "Verify box" in for_the_form(hint) or "Ctrl+G" in for_the_form(hint)


def _inside(outer: object, inner: object) -> bool:
    return outer.contains_region(inner)  # type: ignore[attr-defined]


@SQLITE
@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_the_form_fits_and_a_verify_result_moves_nothing(
    app: HostprovApp, prov: Provisioner, ids: DemoIds, size: tuple[int, int]
) -> None:
    issued = prov.issue(Target(ksessions_id=ids.good))
    async with app.run_test(size=size) as pilot:
        screen = await to_provision(pilot, ids.good)
        form = screen.query_one("#form")
        boxes = [b for b in screen.query("#form Input").results(Input)
                 if b.parent is not None and b.parent.display]  # a generation's own fields
        for box in boxes:  # the right edge of every box inside the form's view
            assert _inside(form.content_region, box.region), (box.id, box.region)
        verify = screen.query_one("#verify", Button)
        assert verify.display and _inside(form.region, verify.region)
        before = [(b.region.x, b.region.width) for b in boxes]
        screen.query_one("#guid", Input).value = issued.guid
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "ACTIVE" in text(screen.query_one("#verify-result", Static))
        assert [(b.region.x, b.region.width) for b in boxes] == before
        assert form.max_scroll_y == 0  # the form does not scroll


@SQLITE
async def test_the_checks_panel_says_when_more_is_below(app: HostprovApp, ids: DemoIds) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await to_provision(pilot, ids.good)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.pause()
        checks = screen.query_one("#plan")
        scroll = screen.query_one("#plan-scroll")
        assert scroll.max_scroll_y > 0
        assert "more below" in str(checks.border_subtitle)
        scroll.scroll_end(animate=False)
        await pilot.pause()
        await pilot.pause()
        assert "more below" not in str(checks.border_subtitle or "")


@SQLITE
@pytest.mark.parametrize("key", ["f2", "f4"])
async def test_a_terminal_too_small_says_so(app: HostprovApp, key: str) -> None:
    async with app.run_test(size=(50, 14)) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        screen = app.screen
        note = screen.query_one("#too-small", Static)
        assert note.display and "too small" in text(note) and "60×16" in text(note)
        assert not screen.query_one("#body").display
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.pause()
        assert not screen.query_one("#too-small").display and screen.query_one("#body").display
