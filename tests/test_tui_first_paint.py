"""Start-up work the first frame does not wait for: no garbage collection until the cards' first
check (tui/collection.py), and no frame rendered during a batch only to be thrown away
(MainScreen._compositor_refresh)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from textual.app import ComposeResult
from textual.widgets import Static

from hostprov_tui.tui import collection
from hostprov_tui.tui.app import build_app
from hostprov_tui.tui.screens.base import MainScreen
from tests.conftest import TEST_SECRET, Env

SIZE = (120, 36)


@pytest.fixture
def gc_restored() -> Iterator[None]:
    """Whatever a test does to the collector, the next one finds it as it was."""
    enabled = gc.isenabled()
    yield
    collection._held = False
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_collection_is_held_then_frozen_and_resumed(gc_restored: None) -> None:
    gc.enable()
    collection.hold_collection()
    assert not gc.isenabled() and collection.collection_held()
    frozen = gc.get_freeze_count()
    collection.release_collection()
    assert gc.isenabled() and not collection.collection_held()
    assert gc.get_freeze_count() > frozen  # what start-up built is left out of collections
    again = gc.get_freeze_count()
    collection.release_collection()  # once only
    assert gc.get_freeze_count() == again


def test_release_without_a_hold_changes_nothing(gc_restored: None) -> None:
    """An app built without `hostprov tui` (the tests) never freezes anything."""
    gc.enable()
    frozen = gc.get_freeze_count()
    collection.release_collection()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_a_collector_already_off_is_left_off(gc_restored: None) -> None:
    gc.disable()
    collection.hold_collection()
    collection.release_collection()
    assert not gc.isenabled()


def test_hostprov_tui_holds_collection_before_the_app_loads(
    gc_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hostprov_tui.cli.main import cli

    seen: list[bool] = []

    def run_app(*_args: Any) -> int:
        seen.append(gc.isenabled())
        return 0

    gc.enable()
    monkeypatch.setattr("hostprov_tui.tui.app.run_app", run_app)
    result = CliRunner().invoke(cli, ["tui"])
    assert result.exit_code == 0, result.output
    assert seen == [False]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_the_dashboards_first_check_resumes_collection(
    env: Env, monkeypatch: pytest.MonkeyPatch, gc_restored: None
) -> None:
    from tests.test_tui_startup import _settle

    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", TEST_SECRET)
    monkeypatch.setattr("hostprov_tui.tui.app.HOLD_AT_MOST_S", 600.0)  # the check, not the bound
    app = build_app(env.write_config(), {})
    gc.enable()
    collection.hold_collection()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert gc.isenabled() and not collection.collection_held()


class _Plain(MainScreen):
    SHOW_STRIP = False

    def compose_body(self) -> ComposeResult:
        yield Static("a plain body")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_screen_shown_after_a_batch_paints_whole_and_only_then(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual renders a frame asked for during a batch update and shows none of it (the app's
    start-up is one batch); the screen renders nothing until the batch ends, then all of it."""
    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", TEST_SECRET)
    app = build_app(env.write_config(), {})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = _Plain()
        renders: list[tuple[int, str]] = []
        real = screen._compositor.render_update

        def spy(*args: Any, **kwargs: Any) -> Any:
            update = real(*args, **kwargs)
            renders.append((app._batch_count, type(update).__name__))
            return update

        monkeypatch.setattr(screen._compositor, "render_update", spy)
        with app.batch_update():
            await app.push_screen(screen)
            await pilot.pause()
        for _ in range(20):
            if renders:
                break
            await pilot.pause(0.02)
        assert renders, "the screen never painted"
        assert all(batch == 0 for batch, _ in renders), renders
        assert renders[0][1] == "LayoutUpdate"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_the_footer_has_its_keys_from_its_first_compose_and_recomposes_for_new_keys(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual's Footer composes empty and recomposes after the first focus; KeysFooter shows the
    keys at once and composes again only when the keys it shows change."""
    from hostprov_tui.tui.widgets.keys_footer import KeysFooter
    from tests.test_tui_startup import _settle

    recomposed: list[KeysFooter] = []
    real = KeysFooter.recompose

    async def spy(self: KeysFooter) -> None:
        recomposed.append(self)
        await real(self)

    monkeypatch.setattr(KeysFooter, "recompose", spy)
    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", TEST_SECRET)
    app = build_app(env.write_config(), {})
    async with app.run_test(size=SIZE) as pilot:
        footer = app.screen.query_one(KeysFooter)
        keys = {key.key for key in footer.query("FooterKey")}
        assert {"f1", "r", "ctrl+p"} <= keys, keys
        await _settle(pilot)
        assert recomposed == []  # the focus and the first check changed no key shown
        monkeypatch.setattr(footer, "_keys", lambda: ())  # as if a key had come or gone
        app.screen.refresh_bindings()  # the screen's bindings signal, as Textual sends it
        for _ in range(25):
            if recomposed:
                break
            await pilot.pause(0.02)
        assert recomposed == [footer]
