"""The Provision screen by keys, against the real demo catalogue: the header follows the ID in
the box, letters in the box say why they vanish, checks that could not run say why in the
panel, dangerous confirmations open on Cancel, every tab stop shows its focus, a GUID fits the
Verify box, a verify result goes when its credential changes, hints name the form's fields, the
palette offers the screen's actions, and at 80×24 the buttons and the footer are in view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Footer, Input, Static

from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import GuidStatus
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.modals.guid import GuidModal
from hostprov_tui.tui.screens.provision import ProvisionScreen
from hostprov_tui.tui.widgets.checklist import Checklist
from tests.conftest import DemoIds, Env, build_env
from tests.support.tui import palette_lists, settle

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
SIZE = (120, 36)


@pytest.fixture
def app(env: Env, prov: Provisioner) -> Iterator[HostprovApp]:
    yield HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)


def text(widget: Static) -> str:
    return str(widget.render())


async def to_provision(pilot: Pilot[int], session_id: int | None = None) -> ProvisionScreen:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ProvisionScreen)
    if session_id is not None:
        await type_id(pilot, session_id)
    return screen


async def type_id(pilot: Pilot[int], session_id: int | str) -> None:
    box = pilot.app.screen.query_one("#target", Input)
    box.focus()
    await pilot.press("end", "ctrl+u", *str(session_id))
    await settle(pilot, typed=True)  # the lookup's debounce fires and its answer is shown


async def test_the_header_follows_the_id_in_the_box(
    app: HostprovApp, prov: Provisioner, ids: DemoIds
) -> None:
    first, other = (prov.find_session(i) for i in (ids.good, ids.good2))
    assert first is not None and other is not None
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*str(ids.good))
        await settle(pilot, typed=True)
        await pilot.press("escape", "enter")  # picked on Sessions
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProvisionScreen)
        header = screen.query_one("#picked", Static)
        assert first.name in text(header)

        await type_id(pilot, ids.good2)  # another ID typed: its session, not the picked one
        assert other.name in text(header) and first.name not in text(header)
        assert "Host GUID: none" in text(header)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("enter")  # a first issue: the confirm button has the focus
        await settle(pilot)
        assert isinstance(app.screen, GuidModal)
        await pilot.press("c", "escape", "escape")  # a copy is no proof: asked twice
        await settle(pilot)
        assert other.name in text(header) and "Host GUID: active" in text(header)

        await pilot.press("f3")  # away and back without a new pick: the typed ID stays
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert screen.query_one("#target", Input).value == str(ids.good2)
        assert other.name in text(header)

        await type_id(pilot, ids.missing)
        assert f"No KSESSIONS session {ids.missing}" in text(header)


async def test_letters_in_the_id_box_say_why_they_vanish(
    app: HostprovApp, ids: DemoIds
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot, ids.good)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c", "escape", "escape")  # the GUID window closes (asked twice)…
        await settle(pilot)
        box = screen.query_one("#target", Input)
        assert box.has_focus  # …and the focus is back in the session box
        await pilot.press(*"abc")
        assert box.value == str(ids.good)
        assert "Digits only" in text(screen.query_one("#picked", Static))


async def test_checks_that_could_not_run_say_why_in_the_panel(
    app: HostprovApp, env: Env, ids: DemoIds
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot, ids.good)
        for extra in env.tmp.glob("ksessions.db-*"):
            extra.unlink()
        (env.tmp / "ksessions.db").write_bytes(b"this is no longer a database" * 200)
        await pilot.press("ctrl+l")
        await settle(pilot)
        panel = text(screen.query_one(Checklist))
        assert "The checks could not run" in panel
        assert "notification" not in panel
        toast = next(n for n in app._notifications if n.title == "Validation failed")
        assert toast.message.splitlines()[0] in panel  # the reason stays in the panel


@pytest.mark.parametrize("key", ["ctrl+g", "ctrl+r"])
async def test_rotate_and_revoke_confirmations_open_on_cancel(
    app: HostprovApp, prov: Provisioner, ids: DemoIds, key: str
) -> None:
    issued = prov.issue(Target(ksessions_id=ids.good))
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot, ids.good)
        await pilot.press(key)
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal) and confirm.danger
        assert confirm.focused is confirm.query_one("#cancel", Button)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert prov.verify(issued.guid).status is GuidStatus.ACTIVE  # nothing changed


async def test_every_tab_stop_shows_its_focus(app: HostprovApp) -> None:
    """No container is a tab stop unless focusing it shows: the checklist's panel lights up."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot)
        chain = screen.focus_chain
        containers = [w for w in chain if w.id in ("form", "plan-scroll")]
        assert [w.id for w in containers] == ["plan-scroll"]
        panel = screen.query_one("#plan")
        before = panel.styles.border_top
        containers[0].focus()
        await pilot.pause()
        assert panel.styles.border_top != before


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (200, 50)])
async def test_a_whole_guid_fits_the_verify_box(app: HostprovApp, size: tuple[int, int]) -> None:
    guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    async with app.run_test(size=size) as pilot:
        screen = await to_provision(pilot)
        box = screen.query_one("#guid", Input)
        assert box.placeholder.split("-")[-1] == "x" * 12
        assert box.content_region.width > len(box.placeholder)  # the cursor too
        box.focus()
        await pilot.press(*guid)
        assert box.value == guid
        assert box.scroll_x == 0  # nothing cut at the start (nor, by the width, at the end)


async def test_a_verify_result_goes_when_its_guid_is_rotated_or_revoked(
    app: HostprovApp, prov: Provisioner, ids: DemoIds
) -> None:
    issued = prov.issue(Target(ksessions_id=ids.good))
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot, ids.good)
        result = screen.query_one("#verify-result", Static)
        screen.query_one("#guid", Input).value = issued.guid
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "ACTIVE" in text(result)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("right", "enter")  # to Rotate, deliberately
        await settle(pilot)
        assert isinstance(app.screen, GuidModal)
        await pilot.press("c", "escape", "escape")  # a copy is no proof: asked twice
        await settle(pilot)
        assert "ACTIVE" not in text(result) and "verify again" in text(result)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "ACTIVE" not in text(result) and "verify again" not in text(result)

        rotated = prov.verify(app.clipboard)
        assert rotated.status is GuidStatus.ACTIVE
        screen.query_one("#guid", Input).value = app.clipboard
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "ACTIVE" in text(result)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("right", "enter")
        await settle(pilot)
        assert prov.verify(app.clipboard).status is not GuidStatus.ACTIVE
        assert "ACTIVE" not in text(result) and "verify again" in text(result)


async def test_hints_name_the_form_fields_not_the_options(
    app: HostprovApp, ids: DemoIds
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot, ids.good)
        screen.query_one("#expires", Input).value = "2001-01-01"
        await pilot.press("ctrl+l")
        await settle(pilot)
        panel = text(screen.query_one(Checklist))
        assert "in the Expires field" in panel and "--expires" not in panel
        await type_id(pilot, ids.missing)
        await pilot.press("ctrl+g")  # refused: the hint goes to a toast
        await settle(pilot)
        toast = next(n for n in app._notifications if n.title == "Issue refused")
        assert "Sessions screen (F3)" in toast.message and "hostprov sessions" not in toast.message


async def test_the_palette_offers_the_actions_for_the_session_in_the_box(
    app: HostprovApp, prov: Provisioner, ids: DemoIds
) -> None:
    row = prov.find_session(ids.good)
    assert row is not None
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_provision(pilot, ids.good)
        titles = [c.title for c in app.get_system_commands(screen)]
        for verb in ("Dry run for", "Issue for", "Revoke for"):
            assert f"{verb} session {ids.good} · {row.name}" in titles, titles
        assert any(t.startswith("Verify") for t in titles)
        assert any(t.startswith("Refresh") for t in titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"verify")
        await palette_lists(pilot, "verify")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#guid", Input).has_focus


@pytest.mark.parametrize("generation", ["guid", "tokens"])
async def test_at_80x24_the_buttons_and_the_footer_are_in_view(
    backend: str, generation: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Without scrolling: every action button inside the form's view, every footer key inside
    the footer (the screen keys, help and the palette)."""
    env = build_env(backend, tmp_path, request, sessions=40, generation=generation)  # type: ignore[arg-type]
    settings = env.settings(tui=TuiOptions(refresh_s=3600))
    prov = Provisioner(settings, operator="tester")
    try:
        async with HostprovApp(settings, provisioner=prov).run_test(size=(80, 24)) as pilot:
            screen = await to_provision(pilot, 12)
            form = screen.query_one("#form")
            assert form.scroll_y == 0
            buttons = [b for b in screen.query("#actions Button").results(Button) if b.display]
            assert len(buttons) == (4 if generation == "tokens" else 3)
            for button in buttons:
                assert form.region.contains_region(button.region), button.id
            footer = screen.query_one(Footer)
            assert footer.max_scroll_x == 0  # nothing cut at the right
            keys = {k.key for k in footer.query("FooterKey")  # type: ignore[attr-defined]
                    if k.display and k.parent is not None and k.parent.display}
            assert {"ctrl+l", "ctrl+g", "ctrl+r", "ctrl+y", "f1", "ctrl+p"} <= keys
    finally:
        prov.close()
