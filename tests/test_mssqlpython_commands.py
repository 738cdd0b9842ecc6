"""mssql+mssqlpython wherever mssql+pyodbc goes: every command of both generations, bulk, and the
TUI's dashboard, through Microsoft's mssql-python driver against a SQL Server that does not
answer (a silent listener) or is not there (a closed port). Each ends with exit 3 and a sentence;
the dashboard card names the driver and its version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from textual.widgets import Static

from hostprov_tui.tui.app import build_app
from hostprov_tui.tui.screens.dashboard import DashboardScreen
from hostprov_tui.tui.widgets.db_card import DbCard
from tests.conftest import TEST_SECRET
from tests.support.pgserver import free_port
from tests.test_mssql import ENV, SilentListener, invoke_guarded

CONNECT_TIMEOUT_S = 2


@pytest.fixture
def silent() -> Iterator[SilentListener]:
    listener = SilentListener()
    yield listener
    listener.close()


def write_config(tmp: Path, port: int, generation: str = "auto") -> Path:
    url = f"mssql+mssqlpython://sa@127.0.0.1:{port}/KSESSIONS_DEV?TrustServerCertificate=yes"
    path = tmp / "config.toml"
    path.write_text(
        'environment = "development"\n'
        f'[canvas]\nurl = "{url}"\ngeneration = "{generation}"\n[ksessions]\nurl = "{url}"\n'
        f'[audit]\npath = "{tmp / "audit.jsonl"}"\n'
        f"[database]\nconnect_timeout_s = {CONNECT_TIMEOUT_S}\nstatement_timeout_s = 5\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("generation", ["guid", "tokens"])
@pytest.mark.parametrize("command", [
    ["check", "--json"],
    ["issue", "--ksessions-id", "12"],
    ["issue", "--from-file", "ids.txt"],
    ["dry-run", "--ksessions-id", "12"],
    ["revoke", "--ksessions-id", "12"],
    ["verify", "--guid", "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c"],
    ["sessions", "dua"],
], ids=lambda c: "-".join(c[:2]).lstrip("-"))
def test_every_command_ends_against_a_silent_server(
    tmp_path: Path, silent: SilentListener, command: list[str], generation: str
) -> None:
    (tmp_path / "ids.txt").write_text("12\n13\n", encoding="utf-8")
    config = write_config(tmp_path, silent.port, generation)
    args = [a.replace("ids.txt", str(tmp_path / "ids.txt")) for a in command]
    run = invoke_guarded([*args, "--config", str(config)], ENV)
    flat = " ".join(run.output.split())
    assert run.code == 3, run.output
    assert "Traceback" not in run.output
    assert f"127.0.0.1:{silent.port}/KSESSIONS_DEV" in flat
    assert "did not answer" in flat
    assert silent.accepted, "mssql-python must have reached the listener"
    assert '"guid"' not in run.stdout and "Driver Error" not in flat
    if command[0] == "check":  # --json names the driver too
        doc = json.loads(run.stdout)
        assert doc["canvas"]["driver"] == f"mssql-python {version('mssql-python')}"


async def test_the_dashboard_card_names_the_driver_and_the_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", TEST_SECRET)
    port = free_port()
    app = build_app(write_config(tmp_path, port), {})
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(200):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause(0.05)
            screen = pilot.app.screen
            if isinstance(screen, DashboardScreen) and screen.polls_done:
                break
        card = pilot.app.screen.query_one("#card-canvas", DbCard)
        body = " ".join(" ".join(str(w.render()) for w in card.query(Static)).split())
    assert f"Driver mssql-python {version('mssql-python')}" in body
    assert "refused the connection" in body
    assert f"127.0.0.1:{port}/KSESSIONS_DEV" in body
