"""SQL Server through FreeTDS, with no server: refused ports, silent listeners, missing drivers.

These run the real ODBC stack (unixODBC + FreeTDS + pyodbc). A silent listener accepts TCP and
never answers, like a firewall black hole or a hung server; the commands must still end with
exit 3 and a sentence. Slow cases run as real processes under a hang guard (a hung command
fails the test instead of hanging the suite). Durations are printed, not asserted.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET
from tests.support.cli_run import HANG_GUARD_S, Run, invoke, run_process
from tests.support.pgserver import free_port

CONNECT_TIMEOUT_S = 2


class SilentListener:
    """A TCP server on loopback that accepts connections and never sends a byte."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = int(self.sock.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="silent-listener", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)  # held open, never answered

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent() -> Iterator[SilentListener]:
    listener = SilentListener()
    yield listener
    listener.close()


def mssql_url(port: int, driver: str = "FreeTDS") -> str:
    # SQLAlchemy renders host:port as Server=127.0.0.1,PORT, which FreeTDS honours (verified
    # by the silent listener below: it is reached on its own port, not 1433).
    return (f"mssql+pyodbc://sa@127.0.0.1:{port}/KSESSIONS_DEV?driver={driver}"
            "&TDS_Version=7.4")


def write_config(tmp: Path, url: str) -> Path:
    path = tmp / "config.toml"
    path.write_text(
        'environment = "development"\n'
        f'[canvas]\nurl = "{url}"\n[ksessions]\nurl = "{url}"\n'
        f'[audit]\npath = "{tmp / "audit.jsonl"}"\n'
        f"[database]\nconnect_timeout_s = {CONNECT_TIMEOUT_S}\nstatement_timeout_s = 5\n",
        encoding="utf-8",
    )
    return path


ENV = {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET}


def _report(label: str, run: Run) -> None:
    print(f"\n[mssql] {label}: exit {run.code} in {run.seconds:.2f} s")


def test_check_nothing_listening_is_unreachable(tmp_path: Path) -> None:
    config = write_config(tmp_path, mssql_url(free_port()))
    run = invoke(["check", "--config", str(config)], ENV)
    _report("check, nothing listening", run)
    assert run.code == 3
    assert "unreachable" in run.stdout
    assert "Traceback" not in run.output


def test_check_nothing_listening_json(tmp_path: Path) -> None:
    import json

    config = write_config(tmp_path, mssql_url(free_port()))
    run = invoke(["check", "--json", "-q", "--config", str(config)], ENV)
    assert run.code == 3
    doc = json.loads(run.stdout)
    assert doc["ok"] is False
    assert doc["canvas"]["reachable"] is False
    assert "unreachable" in doc["canvas"]["error"]


def test_check_silent_listener_answers_within_the_timeout(
    tmp_path: Path, silent: SilentListener
) -> None:
    """The real entry point in its own process, under the hang guard."""
    config = write_config(tmp_path, mssql_url(silent.port))
    run = run_process(["check", "--config", str(config)], ENV, tmp_path)
    _report(f"check as a process, silent listener (connect_timeout_s={CONNECT_TIMEOUT_S})", run)
    assert run.code == 3, run.output
    assert silent.accepted, "FreeTDS must have reached the listener on its own port"
    assert "did not answer" in run.output
    assert "Traceback" not in run.output


@pytest.mark.parametrize("command", [
    ["check", "--json"],
    ["issue", "--ksessions-id", "12"],
    ["dry-run", "--ksessions-id", "12"],
    ["revoke", "--ksessions-id", "12"],
    ["verify", "--guid", "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c"],
    ["sessions", "dua"],
    ["audit", "--tail", "5"],  # reads the audit file only: must not touch the database
], ids=lambda c: c[0])
def test_every_command_ends_against_a_silent_server(
    tmp_path: Path, silent: SilentListener, command: list[str]
) -> None:
    config = write_config(tmp_path, mssql_url(silent.port))
    run = invoke_guarded([*command, "--config", str(config)], ENV)
    _report(f"{command[0]}, silent listener", run)
    assert "Traceback" not in run.output
    if command[0] == "audit":
        assert run.code == 0
        return
    assert run.code == 3, run.output
    assert "did not answer" in " ".join(run.output.split())
    assert '"guid"' not in run.stdout


def invoke_guarded(args: list[str], env: dict[str, str]) -> Run:
    """``invoke`` on a daemon thread: a hung command fails the test instead of hanging it."""
    box: list[Run] = []
    worker = threading.Thread(target=lambda: box.append(invoke(args, env)), daemon=True)
    worker.start()
    worker.join(HANG_GUARD_S)
    assert box, f"hostprov {' '.join(args[:2])} hung against a silent server"
    return box[0]


def test_issue_nothing_listening_fails_with_exit_3(tmp_path: Path) -> None:
    config = write_config(tmp_path, mssql_url(free_port()))
    run = invoke(["issue", "--ksessions-id", "12", "--json", "--config", str(config)], ENV)
    _report("issue, nothing listening", run)
    assert run.code == 3
    assert "unreachable" in run.stderr
    assert '"guid"' not in run.stdout


@pytest.mark.parametrize("command", [["check"], ["issue", "--ksessions-id", "12"],
                                     ["sessions", "x"]])
def test_missing_odbc_driver_names_the_installed_ones(tmp_path: Path, command: list[str]) -> None:
    url = mssql_url(free_port(), driver="ODBC+Driver+18+for+SQL+Server")
    config = write_config(tmp_path, url)
    run = invoke([*command, "--config", str(config)], ENV)
    assert run.code == 3
    flat = " ".join(run.stderr.split())
    assert "ODBC Driver 18 for SQL Server" in flat
    assert "installed drivers: FreeTDS" in flat
    assert "Traceback" not in run.output
