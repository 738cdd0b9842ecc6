"""`hostprov check` as an operator runs it, in its own process, against a SQL Server that is not
there (a closed port) or does not answer (a silent listener), with each driver:

- mssql-python alone: the machine has no ODBC driver manager (simulated: ``pyodbc`` on the path
  fails to import exactly as it does without unixODBC's libodbc.so.2), and the configuration is
  an ADO.NET connection string with ``[canvas] driver`` left at auto;
- pyodbc with Microsoft's libmsodbcsql-18 from the mssql-python-odbc wheel, named by path.

Each must end with exit 3 and a sentence that names the server (never a missing driver). The
durations are printed (benchmarks/mssql_unreachable.py compares them with connect_timeout_s + 1
s); only the hang guard bounds them here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET
from tests.support.cli_run import Run, run_process
from tests.support.pgserver import free_port
from tests.test_mssql import SilentListener
from tests.test_mssql_real_driver import DRIVERS, LIBRARY

CONNECT_TIMEOUT_S = 2
NO_UNIXODBC = ('raise ImportError("libodbc.so.2: cannot open shared object file: '
               'No such file or directory")\n')


@pytest.fixture
def silent() -> Iterator[SilentListener]:
    listener = SilentListener()
    yield listener
    listener.close()


def write_config(tmp: Path, driver: str, port: int) -> Path:
    if driver == "mssql-python":
        where = (f'connection_string = "Server=127.0.0.1,{port};Database=KSESSIONS_DEV;'
                 'User Id=sa;TrustServerCertificate=True"')
    else:
        where = (f'url = "mssql+pyodbc://sa@127.0.0.1:{port}/KSESSIONS_DEV'
                 f'?driver={LIBRARY}"')
    path = tmp / "config.toml"
    path.write_text(
        'environment = "development"\n'
        f"[canvas]\n{where}\n[ksessions]\n{where}\n"
        f'[audit]\npath = "{tmp / "audit.jsonl"}"\n'
        f"[database]\nconnect_timeout_s = {CONNECT_TIMEOUT_S}\n",
        encoding="utf-8",
    )
    return path


def check(tmp: Path, driver: str, port: int) -> Run:
    env = {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET, "HOSTPROV_CANVAS__PASSWORD": "pw",
           "HOSTPROV_KSESSIONS__PASSWORD": "pw"}
    if driver == "mssql-python":
        blocker = tmp / "no-unixodbc"
        blocker.mkdir()
        (blocker / "pyodbc.py").write_text(NO_UNIXODBC, encoding="utf-8")
        env["PYTHONPATH"] = str(blocker)
    return run_process(["check", "--config", str(write_config(tmp, driver, port))], env, tmp)


def assert_names_the_server(run: Run, port: int, words: str, driver: str) -> None:
    flat = " ".join(run.output.split())
    assert run.code == 3, run.output
    assert "Traceback" not in run.output
    assert f"(mssql on 127.0.0.1:{port}/KSESSIONS_DEV)" in flat
    assert words in flat
    assert "ODBC" not in flat.split("driver ", 1)[0], "no missing-driver sentence"
    label = "mssql-python" if driver == "mssql-python" else "pyodbc"
    assert f"driver {label} " in flat, "check names the driver in use"


@pytest.mark.parametrize("driver", DRIVERS)
def test_check_refused_port(tmp_path: Path, driver: str) -> None:
    port = free_port()
    run = check(tmp_path, driver, port)
    print(f"\n[mssql] check, refused, {driver}: exit {run.code} in {run.seconds:.2f} s")
    assert_names_the_server(run, port, "refused the connection", driver)


@pytest.mark.parametrize("driver", DRIVERS)
def test_check_silent_listener(tmp_path: Path, driver: str, silent: SilentListener) -> None:
    run = check(tmp_path, driver, silent.port)
    print(f"\n[mssql] check, silent, {driver}: exit {run.code} in {run.seconds:.2f} s "
          f"(connect_timeout_s={CONNECT_TIMEOUT_S})")
    assert silent.accepted
    assert_names_the_server(run, silent.port, "did not answer the login in time", driver)


def test_neither_driver_loads_says_how_to_install_one(tmp_path: Path) -> None:
    """No unixODBC and a broken mssql-python: a sentence and the way out, never a traceback."""
    blocker = tmp_path / "broken"
    blocker.mkdir()
    (blocker / "pyodbc.py").write_text(NO_UNIXODBC, encoding="utf-8")
    (blocker / "mssql_python.py").write_text(
        'raise ImportError("libmsodbcsql-18.so: cannot open shared object file")\n',
        encoding="utf-8")
    config = write_config(tmp_path, "mssql-python", free_port())
    run = run_process(["check", "--config", str(config)],
                      {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET,
                       "PYTHONPATH": str(blocker)}, tmp_path)
    flat = " ".join(run.output.split())
    assert run.code == 3, run.output
    assert "Traceback" not in run.output
    assert "mssql-python driver is installed but cannot be loaded" in flat
    assert 'driver = "pyodbc"' in flat
