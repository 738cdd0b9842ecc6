"""Start-up as `hostprov tui` runs it: the first frame comes before the settings load."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from hostprov_tui.config.preview import preview
from hostprov_tui.tui.app import build_app
from hostprov_tui.tui.screens.dashboard import DashboardScreen
from hostprov_tui.tui.widgets.env_banner import EnvBanner
from tests.conftest import TEST_SECRET, Env

SIZE = (120, 36)
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, DashboardScreen) and screen.polls_done:
            return
        await pilot.pause(0.05)


async def test_settings_load_after_the_first_frame_then_the_dashboard_fills(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", TEST_SECRET)
    app = build_app(env.write_config(), {})
    assert not app.settings_ready  # nothing loaded before the first frame
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert app.settings_ready
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.polls_done >= 1
        assert "Operator" in str(screen.query_one("#dash-summary").render())


async def test_a_broken_config_ends_the_app_with_its_sentence(env: Env, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[canvas]\nurl = "postgresql+psycopg://sa:hunter2@db/x_DEV"\n')
    app = build_app(config, {})
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if app.return_code is not None:
                break
    assert app.return_code == 2


async def test_the_banner_is_right_from_the_first_frame(env: Env, tmp_path: Path) -> None:
    config = tmp_path / "prod.toml"
    config.write_text('environment = "production"\n[tui]\ntheme = "textual-light"\n')
    assert preview(config, {}).environment == "production"
    assert preview(config, {"environment": "development"}).environment == "development"
    app = build_app(config, {})
    async with app.run_test(size=SIZE):
        banner = app.screen.query_one(EnvBanner)
        assert banner.has_class("-production")
        assert app.theme == "textual-light"


async def test_the_first_frame_skips_work_it_does_not_need(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No full style re-parse (the dashboard is Textual's default screen, not a MODES entry) and
    no history sparkline until the first answer; then F2 brings back the same dashboard."""
    from textual.css.stylesheet import Stylesheet
    from textual.widgets import Sparkline

    reparses: list[int] = []
    original = Stylesheet.reparse

    def counting(self: Stylesheet) -> None:
        reparses.append(1)
        original(self)

    monkeypatch.setattr(Stylesheet, "reparse", counting)
    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", TEST_SECRET)
    app = build_app(env.write_config(), {})
    async with app.run_test(size=SIZE) as pilot:
        assert reparses == []
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        assert not dashboard.query(Sparkline)
        await _settle(pilot)
        assert len(dashboard.query(".db-history-label")) == 2  # the first answer: its label
        assert not dashboard.query(Sparkline)  # a line needs two checks
        await pilot.press("r")
        await _settle(pilot)
        assert len(dashboard.query(Sparkline)) == 2  # one per database card
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen is not dashboard
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is dashboard
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.id == "help"
        await pilot.press("f2")  # from the help screen too
        await pilot.pause()
        assert app.screen is dashboard
        await pilot.press("f1", "f5")
        await pilot.pause()
        assert app.current_mode == "audit"


async def test_the_cards_are_composed_once_for_the_first_frame_and_say_checking(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until the first check answers, each card is composed once (not composed, then set
    again and composed anew at mount) and shows "Checking…", with no "down" under it."""
    import threading

    from hostprov_tui.config.settings import load_settings
    from hostprov_tui.tui.app import HostprovApp
    from hostprov_tui.tui.widgets.db_card import DbCard

    composed: list[str] = []
    original = DbCard.compose

    def counting(self: DbCard):  # type: ignore[no-untyped-def]
        composed.append(self.db_name)
        return original(self)

    monkeypatch.setattr(DbCard, "compose", counting)
    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", TEST_SECRET)
    config = env.write_config()
    release = threading.Event()

    def load():  # type: ignore[no-untyped-def]
        release.wait(10)  # the settings stay unloaded while the first frames are looked at
        return load_settings(config, {})

    app = HostprovApp(load=load, preview=preview(config, {}))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):
            await pilot.pause()
        cards = list(app.screen.query(DbCard))
        assert sorted(composed) == ["canvas", "ksessions"]
        for card in cards:
            assert "Checking" in str(card.query_one(".db-body").render())
            assert card.border_subtitle in (None, "")
        release.set()
        await _settle(pilot)
        assert composed.count("canvas") == 2 and composed.count("ksessions") == 2
        assert all(card.border_subtitle and "ms" in card.border_subtitle for card in cards)


@pytest.mark.parametrize(("size", "classes"), [((80, 24), {"-narrow", "-short"}),
                                               ((120, 36), {"-normal", "-tall"}),
                                               ((200, 50), {"-wide", "-tall"})])
async def test_a_screen_has_its_size_classes_before_it_mounts(
    env: Env, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], classes: set[str]
) -> None:
    """The breakpoint classes are set when a screen is built, the same as Textual sets them on
    its first Resize, so that Resize changes no class and restyles nothing again."""
    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", TEST_SECRET)
    app = build_app(env.write_config(), {})
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        mounted = app.screen
        built = DashboardScreen()  # not mounted: only what its constructor set
        assert classes <= set(built.classes)
        assert {c for c in mounted.classes if c.startswith("-")} == classes



async def test_the_first_frame_restyles_no_screen_and_no_footer_key(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each widget is styled once, as it mounts: the dashboard's first resume does not restyle
    the whole screen and the footer's keys are compact when composed; a later resume (F3, F2)
    restyles the screen as Textual does."""
    from textual.css.stylesheet import Stylesheet
    from textual.dom import DOMNode
    from textual.widgets._footer import FooterKey

    restyled: list[str] = []
    original = Stylesheet.update_nodes

    def recording(self: Stylesheet, nodes: Iterable[DOMNode], animate: bool = False) -> None:
        nodes = list(nodes)
        restyled.extend(type(node).__name__ for node in nodes)
        original(self, nodes, animate=animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", recording)
    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", TEST_SECRET)
    app = build_app(env.write_config(), {})
    async with app.run_test(size=SIZE) as pilot:
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        assert "DashboardScreen" not in restyled and "FooterKey" not in restyled
        keys = dashboard.query(FooterKey)
        assert keys and all(key.has_class("-compact") for key in keys)
        await _settle(pilot)
        await pilot.press("f3")
        await pilot.pause()
        restyled.clear()
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is dashboard and "DashboardScreen" in restyled


def _audit_feed_start() -> tuple[type, str]:
    from hostprov_tui.tui.audit_feed import AuditFeed

    return AuditFeed, "start"


def _provisioner_drift() -> tuple[type, str]:
    from hostprov_tui.services.api import Provisioner

    return Provisioner, "drift"


@pytest.mark.parametrize("waiter", [_audit_feed_start, _provisioner_drift],
                         ids=["audit tail", "drift card"])
async def test_the_audit_tail_and_the_drift_card_wait_for_the_cards_first_check(
    env: Env, monkeypatch: pytest.MonkeyPatch, waiter: Callable[[], tuple[type, str]]
) -> None:
    """At start the two cards' checks go first; the audit tail (for the strip) and the drift
    card (it reads files only) follow them."""
    owner, name = waiter()
    seen: list[int] = []
    original = getattr(owner, name)

    def spy(self: Any, *args: Any) -> Any:
        seen.extend(s.polls_done for s in app.screen_stack_all()
                    if isinstance(s, DashboardScreen))
        return original(self, *args)

    monkeypatch.setattr(owner, name, spy)
    # the order is what is tested, not the bound: on a loaded machine the first check can take
    # longer than the app's 0.5 s, after which the others go on without it (by design)
    monkeypatch.setattr("hostprov_tui.tui.app.CARDS_FIRST_S", 60.0)
    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", TEST_SECRET)
    app = build_app(env.write_config(), {})
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        for _ in range(40):
            if seen:
                break
            await pilot.pause(0.05)
    assert seen and seen[0] >= 1
