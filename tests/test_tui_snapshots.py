"""Snapshots of every screen at 120×36 on fixed data, and of the dashboard, sessions and provision
screens at 80×24 and 200×50 too (the layout adapts to the size).

What would differ between runs or machines is held still by the tests, not by the app: the
wall clock, the latencies and SQLite's version (tests.support.tui.held_still), the cursor blink,
and the paths (the test runs in its own folder, which the configuration names relatively). The
GUID modal is shown with a fixed test GUID. Update with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from hostprov_tui.config.settings import AuditOptions, DatabaseTarget, TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.results import IssueResult
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.modals.guid import GuidModal
from tests.conftest import build_env
from tests.support.tui import held_still, settle, steady_cursors

SIZE = (120, 36)
OTHER_SIZES = [(80, 24), (200, 50)]
FIXED_GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
Factory = Callable[[], HostprovApp]
Steps = Callable[[Pilot[int]], Awaitable[None]]


@pytest.fixture
def make_app(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Factory]:
    """The app on a demo catalogue of 60 sessions in this test's folder, named relatively."""
    provisioners: list[Provisioner] = []
    env = build_env("sqlite", tmp_path, request, sessions=60)
    monkeypatch.chdir(tmp_path)
    settings = env.settings(
        canvas=DatabaseTarget(url="sqlite:///canvas.db"),
        ksessions=DatabaseTarget(url="sqlite:///ksessions.db"),
        audit=AuditOptions(path=Path("audit.jsonl")),
        tui=TuiOptions(refresh_s=3600),
    )

    def make() -> HostprovApp:
        prov = Provisioner(settings, operator="tester")
        provisioners.append(prov)
        return HostprovApp(settings, provisioner=prov)

    with held_still(monkeypatch):
        yield make
    for prov in provisioners:
        prov.close()


def shot(snap_compare, app: HostprovApp, steps: Steps = settle,  # type: ignore[no-untyped-def]
         size: tuple[int, int] = SIZE) -> bool:
    """``snap_compare`` at ``size`` after ``steps``, with the text cursors steady."""

    async def run_before(pilot: Pilot[int]) -> None:
        await steps(pilot)
        steady_cursors(pilot)

    return bool(snap_compare(app, terminal_size=size, run_before=run_before))


async def to_provision(pilot: Pilot[int]) -> None:
    """Sessions → search "concept" → the first row → Provision → Validate."""
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press(*"concept")
    await settle(pilot, typed=True)
    await pilot.press("escape", "enter")
    await settle(pilot)
    await pilot.press("ctrl+l")
    await settle(pilot)


async def sessions_fiqh(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press(*"fiqh")
    await settle(pilot, typed=True)


def test_dashboard(snap_compare, make_app: Factory) -> None:
    assert shot(snap_compare, make_app())


def test_sessions_with_query(snap_compare, make_app: Factory) -> None:
    assert shot(snap_compare, make_app(), sessions_fiqh)


def test_provision_checklist(snap_compare, make_app: Factory) -> None:
    assert shot(snap_compare, make_app(), to_provision)


@pytest.mark.parametrize("size", OTHER_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard_at(snap_compare, make_app: Factory, size: tuple[int, int]) -> None:
    """80×24: the cards leave out the latency history and the dashboard scrolls; 200×50: the
    cards share the width."""
    assert shot(snap_compare, make_app(), size=size)


@pytest.mark.parametrize("size", OTHER_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sessions_at(snap_compare, make_app: Factory, size: tuple[int, int]) -> None:
    """80×24: Category and Speaker give way, the host status stays; 200×50: the names grow."""
    assert shot(snap_compare, make_app(), sessions_fiqh, size)


@pytest.mark.parametrize("size", OTHER_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_provision_at(snap_compare, make_app: Factory, size: tuple[int, int]) -> None:
    """80×24: one-line fields, the buttons and the footer in view; 200×50: room to spare."""
    assert shot(snap_compare, make_app(), to_provision, size)


def test_confirm_modal(snap_compare, make_app: Factory) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await to_provision(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)

    assert shot(snap_compare, make_app(), run_before)


def test_guid_modal(snap_compare, make_app: Factory) -> None:
    result = IssueResult(
        guid=FIXED_GUID, host_session_id=7, canvas_session_id=3, ksessions_id=12,
        action="created", hash="AAAA", expires_at=datetime(2026, 12, 31), created_by="tester",
    )

    async def run_before(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("f4")
        await pilot.app.push_screen(GuidModal(result))
        await pilot.pause()

    assert shot(snap_compare, make_app(), run_before)


def test_audit(snap_compare, make_app: Factory) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await to_provision(pilot)
        await pilot.press("f5")
        await settle(pilot)

    assert shot(snap_compare, make_app(), run_before)


def test_help(snap_compare, make_app: Factory) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert shot(snap_compare, make_app(), run_before)
