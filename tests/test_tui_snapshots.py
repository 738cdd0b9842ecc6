"""Snapshots of every screen at 120×36 on fixed data (stable mode: no clocks, no latencies).

The databases live under a fixed path so the URLs on the dashboard cards never change; the
GUID modal is shown with a fixed test GUID. Update with ``pytest --snapshot-update``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.results import IssueResult
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.modals.guid import GuidModal
from tests.conftest import build_env
from tests.support.tui import settle

SIZE = (120, 36)
FIXED_GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
Factory = Callable[[str], HostprovApp]


@pytest.fixture
def make_app(request: pytest.FixtureRequest) -> Iterator[Factory]:
    provisioners: list[Provisioner] = []

    def make(name: str) -> HostprovApp:
        base = Path(tempfile.gettempdir()) / "hostprov-tui-snapshots" / name
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        env = build_env("sqlite", base, request, sessions=60)
        settings = env.settings(tui=TuiOptions(refresh_s=3600))
        prov = Provisioner(settings, operator="tester")
        provisioners.append(prov)
        return HostprovApp(settings, provisioner=prov, stable=True)

    yield make
    for prov in provisioners:
        prov.close()




async def to_provision(pilot: Pilot[int]) -> None:
    """Sessions → search "fiqh" → second row (it has transcripts) → Provision → Validate."""
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press(*"concept")
    await settle(pilot, typed=True)
    await pilot.press("escape", "enter")
    await settle(pilot)
    await pilot.press("ctrl+l")
    await settle(pilot)


def test_dashboard(snap_compare, make_app: Factory) -> None:
    assert snap_compare(make_app("dashboard"), terminal_size=SIZE, run_before=settle)


def test_sessions_with_query(snap_compare, make_app: Factory) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*"fiqh")
        await settle(pilot, typed=True)

    assert snap_compare(make_app("sessions"), terminal_size=SIZE, run_before=run_before)


def test_provision_checklist(snap_compare, make_app: Factory) -> None:
    assert snap_compare(make_app("provision"), terminal_size=SIZE, run_before=to_provision)


def test_confirm_modal(snap_compare, make_app: Factory) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await to_provision(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)

    assert snap_compare(make_app("confirm"), terminal_size=SIZE, run_before=run_before)


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

    assert snap_compare(make_app("guid"), terminal_size=SIZE, run_before=run_before)


def test_audit(snap_compare, make_app: Factory) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await to_provision(pilot)
        await pilot.press("f5")
        await settle(pilot)

    assert snap_compare(make_app("audit"), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare, make_app: Factory) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(make_app("help"), terminal_size=SIZE, run_before=run_before)
