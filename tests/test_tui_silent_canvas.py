"""A silent canvas server (a listener that accepts and never answers, like a firewall black
hole) holds nothing back (issue 18): the KSESSIONS card answers on its own, the Sessions table
shows the KSESSIONS rows at once and the Host column says why it is unknown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Sparkline, Static

from hostprov_tui.config.settings import CanvasTarget, DatabaseOptions, TuiOptions
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.sessions import SessionsScreen
from hostprov_tui.tui.widgets.db_card import DbCard
from hostprov_tui.tui.widgets.session_table import SessionTable
from tests.conftest import Env
from tests.support.tui import settle
from tests.test_mssql import SilentListener

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
CONNECT_TIMEOUT_S = 4


@pytest.fixture
def silent() -> Iterator[SilentListener]:
    listener = SilentListener()
    yield listener
    listener.close()


def _app(env: Env, silent: SilentListener) -> HostprovApp:
    settings = env.settings(
        canvas=CanvasTarget(url=f"postgresql+psycopg://hp@127.0.0.1:{silent.port}/CANVAS_DEV"),
        database=DatabaseOptions(connect_timeout_s=CONNECT_TIMEOUT_S),
        tui=TuiOptions(refresh_s=3600),
    )
    return HostprovApp(settings)


async def _until(pilot, condition, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the condition never held")


@SQLITE
async def test_the_ksessions_card_answers_while_canvas_is_silent(
    env: Env, silent: SilentListener
) -> None:
    app = _app(env, silent)
    async with app.run_test(size=(120, 36)) as pilot:
        cards = {c.db_name: c for c in app.screen.query(DbCard)}
        await _until(pilot, lambda: cards["ksessions"].has_class("-ok"))
        # canvas is still being waited for: its card has no answer yet
        assert cards["canvas"].view.status is None and not cards["canvas"].has_class("-down")
        await _until(pilot, lambda: cards["canvas"].has_class("-down"))
        assert cards["ksessions"].has_class("-ok")
        await settle(pilot)
        canvas = cards["canvas"]
        assert not canvas.query(Sparkline)  # no solid blocks for a database that is gone
        label = str(canvas.query_one(".db-history-label", Static).render())
        assert label == "Latency: no answer to the last check"


def test_the_latency_line_has_a_label_and_a_scale() -> None:
    from hostprov_tui.services.results import DatabaseStatus
    from hostprov_tui.tui.widgets.db_card import CardView, latency_label

    view = CardView()
    for ms in (0.4, 2.25, 1.0):
        view = view.answered(DatabaseStatus("canvas", "u", "sqlite", True, latency_ms=ms))
    assert latency_label(view) == "Latency, last 3 checks: 0.4–2.2 ms (bar height)"
    down = view.answered(DatabaseStatus("canvas", "u", "sqlite", False))
    assert down.history == view.history and latency_label(down).endswith("no answer to the "
                                                                          "last check")


@SQLITE
async def test_sessions_show_rows_at_once_and_say_canvas_is_not_answering(
    env: Env, silent: SilentListener
) -> None:
    app = _app(env, silent)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f3")
        table = app.screen.query_one(SessionTable)
        await _until(pilot, lambda: table.row_count > 0)
        assert isinstance(app.screen, SessionsScreen)
        status = app.screen.query_one("#results-status", Static)
        assert table.awaiting  # the Host column waits for canvas, the rows do not
        assert "asking canvas" in str(status.render())
        host = [c.key for c, _ in table.shown_columns].index("Host")
        assert str(table.get_cell_at((0, host))) == "…"  # type: ignore[arg-type]
        await _until(pilot, lambda: not table.awaiting)
        await settle(pilot)
        assert "canvas not answering" in str(status.render())
        assert str(table.get_cell_at((0, host))) == "unknown"  # type: ignore[arg-type]
