"""Start-up work the first frame does not wait for: no garbage collection until the cards' first
check (tui/collection.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from hostprov_tui.tui import collection
from hostprov_tui.tui.app import build_app
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
