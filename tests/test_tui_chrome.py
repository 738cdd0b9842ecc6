"""What every screen shares, against the real demo catalogue: the audit strip shows its three
newest records (the footer hides none), the help names the configured refresh and says when
more is below, the dashboard's palette refreshes; and the services' hints, as the TUI shows
them, name the form's fields instead of the command line's options."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from textual.widgets import Footer, Label

from hostprov_tui.cli import ops_commands
from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.form_words import CLI_ONLY, for_the_form
from hostprov_tui.tui.screens.dashboard import DashboardScreen
from hostprov_tui.tui.widgets.audit_strip import STRIP_LINES, AuditStrip
from tests.conftest import Env
from tests.support.tui import palette_lists, settle

SIZE = (120, 36)
SERVICES = Path(__file__).resolve().parent.parent / "hostprov_tui" / "services"
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def app(env: Env, prov: Provisioner) -> Iterator[HostprovApp]:
    yield HostprovApp(env.settings(tui=TuiOptions(refresh_s=15)), provisioner=prov)


@sqlite_only
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_audit_strip_shows_its_newest_records_above_the_footer(
    app: HostprovApp, prov: Provisioner, size: tuple[int, int]
) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for screen_key in ("f2", "f3", "f4"):
            await pilot.press(screen_key)
            await settle(pilot)
            for i in range(4):
                prov.audit.record("check", "ok", message=f"{screen_key} record {i}")
            await settle(pilot)
            screen = app.screen
            strip = screen.query_one(AuditStrip)
            footer = screen.query_one(Footer)
            assert strip.region.bottom <= footer.region.y  # not under the footer
            for row in range(strip.region.y, strip.region.bottom):
                widget, _ = screen.get_widget_at(strip.region.x + 2, row)
                assert widget is strip
            lines = str(strip.render()).splitlines()
            assert len(lines) == STRIP_LINES
            assert [f"{screen_key} record {i}" in line
                    for i, line in zip((1, 2, 3), lines, strict=True)] == [True] * 3


@sqlite_only
async def test_help_names_the_configured_refresh_and_says_more_is_below(
    app: HostprovApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        await pilot.pause()
        body = str(app.screen.query_one("#help-body").render())
        assert "every 15 s" in body and "every few seconds" not in body
        sign = app.screen.query_one("#help-close", Label)
        assert "more below" in str(sign.render())
        for _ in range(10):
            await pilot.press("pagedown")
        await pilot.pause()
        await pilot.pause()
        assert "more below" not in str(sign.render())  # the end is in view
        assert "GUID is shown once" in str(app.screen.query_one("#help-body").render())


@sqlite_only
async def test_the_dashboard_palette_refreshes(app: HostprovApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        before = dashboard.polls_done
        (refresh,) = [c for c in app.get_system_commands(dashboard)
                      if c.title.startswith("Refresh")]
        assert "15 s" in refresh.help
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"refresh")
        await palette_lists(pilot, "refresh")
        await pilot.press("enter")
        await settle(pilot)
        assert dashboard.polls_done == before + 1


def _options(*commands: click.Command) -> set[str]:
    return {opt for command in commands for param in command.params
            for opt in getattr(param, "opts", ()) if opt.startswith("--")}


def _form_options() -> set[str]:
    """The options of the commands the provision form stands for (not the ones every command
    takes, such as --config, which `check` shows, nor the bulk file's)."""
    return (_options(ops_commands.dry_run, ops_commands.issue, ops_commands.revoke,
                     ops_commands.verify, ops_commands.links)
            - _options(ops_commands.check) - CLI_ONLY)


def _service_sentences() -> list[str]:
    """Every string written in the services (f-strings by their literal parts, joined)."""
    found: list[str] = []
    for path in sorted(SERVICES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(node.value)
            elif isinstance(node, ast.JoinedStr):
                found.append("".join(v.value for v in node.values
                                     if isinstance(v, ast.Constant) and isinstance(v.value, str)))
    return found


def test_no_option_of_the_form_reaches_the_tui_as_command_line_syntax() -> None:
    """A new hint that names --expires (or any option the form stands for) must be in the TUI's
    one table, or the TUI would show it as command line syntax."""
    options = _form_options()
    assert {"--expires", "--ksessions-id", "--reason"} <= options
    mentioning = [s for s in _service_sentences() if any(o in s for o in options)]
    assert any("--expires" in s for s in mentioning)  # the expiry hint is among them
    for sentence in mentioning:
        shown = for_the_form(sentence)
        left = sorted(o for o in options if o in shown)
        assert not left, (sentence, shown)


def test_form_words_read_as_sentences() -> None:
    assert (for_the_form("Give a future date, e.g. --expires 2027-11-25.")
            == "Give a future date, e.g. 2027-11-25 in the Expires field.")
    assert for_the_form("e.g. --ksessions-id 12") == (
        "e.g. 12 in the Session field, as a KSESSIONS ID")
    assert for_the_form("Find one with `hostprov sessions <words>` or on the Sessions screen."
                        ) == "Find one on the Sessions screen (F3)."
    assert for_the_form("run `hostprov db init --generation tokens`") == (
        "run `hostprov db init --generation tokens`")  # a command only the CLI has stays


@sqlite_only
async def test_slash_in_the_audit_filter_selects_it_instead_of_typing(app: HostprovApp) -> None:
    from textual.widgets import Input

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("slash", *"issue")
        box = app.screen.query_one("#filter", Input)
        await pilot.press("slash")
        assert box.value == "issue" and box.selected_text == "issue"
