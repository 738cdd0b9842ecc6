"""The dashboard's drift verdict: the app's appsettings.json compared with hostprov's targets.

The samples are tests/fixtures/appsettings/ (see test_drift.py). A match needs SQL Server targets
(the app's kind): the cards then say the server is unreachable, and the verdict still shows,
because drift reads files only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from textual.pilot import Pilot

from hostprov_tui.config.settings import (
    AuditOptions,
    DatabaseOptions,
    DatabaseTarget,
    SecurityOptions,
    Settings,
    TuiOptions,
)
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.dashboard import DashboardScreen
from hostprov_tui.tui.widgets.drift_card import NOT_CONFIGURED, DriftCard
from tests.conftest import TEST_SECRET, Env

FIXTURES = Path(__file__).parent / "fixtures" / "appsettings"
SIZE = (120, 36)
SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
ISSUE39_URL = (
    "mssql+pyodbc://sa@AHHOME/KSESSIONS_DEV?driver=ODBC+Driver+18+for+SQL+Server"
    "&TrustServerCertificate=yes&Encrypt=no"
)


@pytest.fixture(autouse=True)
def _no_dotnet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOTNET_ENVIRONMENT", raising=False)
    monkeypatch.delenv("ASPNETCORE_ENVIRONMENT", raising=False)


async def settle(pilot: Pilot[int]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def drift_card(app: HostprovApp) -> tuple[DriftCard, str]:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.polls_done >= 1
        card = app.screen.query_one(DriftCard)
        return card, str(card.content)


async def test_same_database_as_the_app(tmp_path: Path) -> None:
    target = DatabaseTarget(url=ISSUE39_URL, password=SecretStr("adf4961glo"))
    settings = Settings(
        canvas=target, ksessions=target,
        database=DatabaseOptions(connect_timeout_s=1),
        audit=AuditOptions(path=tmp_path / "audit.jsonl"),
        security=SecurityOptions(hash_secret=SecretStr(TEST_SECRET)),
        tui=TuiOptions(refresh_s=3600, app_settings=FIXTURES / "issue39" / "appsettings.json"),
    )
    card, text = await drift_card(HostprovApp(settings))
    assert card.has_class("-same") and not card.has_class("-differ")
    assert card.verdict == "same database as the app ✓"
    assert text.splitlines()[0] == "same database as the app ✓"
    assert "KSESSIONS: same database as the app (AHHOME/KSESSIONS_DEV as sa) ✓" in text
    assert "adf4961glo" not in text


@SQLITE
async def test_different_database_is_named(env: Env) -> None:
    settings = env.settings(tui=TuiOptions(
        refresh_s=3600, app_settings=FIXTURES / "issue39" / "appsettings.json"))
    card, text = await drift_card(HostprovApp(settings))
    assert card.has_class("-differ") and not card.has_class("-same")
    first = text.splitlines()[0]
    assert first.startswith("canvas: app uses SQL Server AHHOME/KSESSIONS_DEV as sa, you use "
                            "embedded SQLite canvas.db ✗")
    assert first.endswith("(and 1 more)")
    assert "KSESSIONS: app uses SQL Server AHHOME/KSESSIONS_DEV as sa, you use embedded " \
           "SQLite ksessions.db ✗" in text
    assert "adf4961glo" not in text


@SQLITE
async def test_broken_app_file_shows_its_sentence(env: Env) -> None:
    settings = env.settings(tui=TuiOptions(refresh_s=3600, app_settings=FIXTURES / "badconn"))
    card, text = await drift_card(HostprovApp(settings))
    assert card.has_class("-broken")
    assert "unterminated quote" in text
    assert "Unterminated-Pw-6" not in text


@SQLITE
async def test_not_configured_says_how(env: Env) -> None:
    card, text = await drift_card(HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600))))
    assert card.has_class("-none")
    assert text == NOT_CONFIGURED
