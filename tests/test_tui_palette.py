"""The command palette offers the provision actions from every screen (issue 18): for the
session in the Provision box, or entries that open Provision."""

from __future__ import annotations

import pytest

from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.audit import AuditScreen
from hostprov_tui.tui.screens.dashboard import DashboardScreen
from tests.conftest import DemoIds, Env
from tests.support.tui import settle

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _titles(app: HostprovApp) -> list[str]:
    return [c.title for c in app.get_system_commands(app.screen)]


async def test_every_screen_offers_the_actions(env: Env, prov: Provisioner,
                                               ids: DemoIds) -> None:
    app = HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        for action in ("Dry run", "Issue", "Revoke"):  # nothing in the box yet: open Provision
            assert f"{action} for a session…" in _titles(app), _titles(app)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        (issue,) = [c for c in app.get_system_commands(app.screen)
                    if c.title == "Issue for a session…"]
        await issue.callback()
        await settle(pilot)
        assert app.current_mode == "provision" and app.focused is not None
        assert app.focused.id == "target"
        app.screen.query_one("#target").value = str(ids.good)  # type: ignore[attr-defined]
        for _ in range(100):  # the box's Changed reaches the screen before the lookup runs
            await pilot.pause()
            if app.screen.session.raw == str(ids.good):  # type: ignore[attr-defined]
                break
        app.screen.look_up()  # type: ignore[attr-defined]
        await settle(pilot)
        assert getattr(app.screen, "row", None) is not None  # the lookup answered
        await pilot.press("f5")  # Audit again: the actions name the session in the box
        await settle(pilot)
        titles = _titles(app)
        for action in ("Dry run", "Issue", "Revoke"):
            assert any(t.startswith(f"{action} for session {ids.good}") for t in titles), titles
