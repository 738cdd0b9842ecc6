"""Every wait bounded on the client too (issue 17, item 10).

A PostgreSQL backend stopped with SIGSTOP while hostprov waits for it answers nothing and
enforces nothing (statement_timeout, lock_timeout and cancel requests all need the process to
run). hostprov must still end, after about statement_timeout_s plus a small margin, with one
sentence and exit 3 — never hang for as long as the server is stopped. Real ``hostprov``
processes, a real server, real signals (always continued in a ``finally``).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from hostprov_tui.db.client_limits import client_limit_s
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.locking import _PG_NAMESPACE
from tests.conftest import DemoIds, Env
from tests.support.cli_run import HOSTPROV, process_env, secret_env
from tests.support.contention import canvas_rows
from tests.support.lock_holder import LockHolder
from tests.support.stopped_server import server_pids, stopped, wait_for_backend

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgres"])]

#: long enough to stop the waiting backend before its own lock_timeout (0.8 of it) fires
STATEMENT_TIMEOUT_S = 4.0
#: a hang guard: far beyond the client's limit, far below "as long as the server is stopped"
HANG_GUARD_S = 45.0


def _lock(env: Env, ksessions_id: int) -> LockHolder:
    """Another transaction holding the lock issuance needs for ``ksessions_id``."""
    database = make_url(env.canvas_url).database
    return LockHolder("postgres", env.pg.conninfo(database),
                      f"SELECT pg_advisory_xact_lock({_PG_NAMESPACE}, {ksessions_id})")


def _start(config: Path, *args: str) -> subprocess.Popen[str]:
    environ = process_env(secret_env(
        HOSTPROV_DATABASE__STATEMENT_TIMEOUT_S=str(STATEMENT_TIMEOUT_S)))
    return subprocess.Popen([str(HOSTPROV), *args, "--config", str(config)], env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str, str, float]:
    started = time.monotonic()
    try:
        out, err = proc.communicate(timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"hostprov still waited {HANG_GUARD_S:g} s after the server stopped "
                    f"answering (client limit {client_limit_s(STATEMENT_TIMEOUT_S):g} s)")
    return proc.returncode, out, err, time.monotonic() - started


def test_issue_ends_when_its_backend_stops_answering(env: Env, ids: DemoIds,
                                                     prov: Provisioner) -> None:
    config = env.write_config()
    database = make_url(env.canvas_url).database
    with _lock(env, ids.good):
        proc = _start(config, "issue", "--ksessions-id", str(ids.good))
        backend = wait_for_backend(env.pg, database)
        with stopped([backend]):
            code, out, err, waited = _finish(proc)
    print(f"\n[client limit] issue ended {waited:.1f} s after its backend was stopped "
          f"(limit {client_limit_s(STATEMENT_TIMEOUT_S):g} s): {err.strip()[:200]}")
    assert code == 3, err
    assert "stopped answering" in err and "Traceback" not in err
    assert out == ""
    assert canvas_rows(prov, ids.good) == []


def test_bulk_ends_when_the_whole_server_is_stopped(env: Env, ids: DemoIds, prov: Provisioner,
                                                   tmp_path: Path) -> None:
    config = env.write_config()
    database = make_url(env.canvas_url).database
    id_file, output = tmp_path / "ids.txt", tmp_path / "guids.csv"
    id_file.write_text(f"{ids.good}\n", encoding="utf-8")
    with _lock(env, ids.good):
        proc = _start(config, "issue", "--from-file", str(id_file), "--output", str(output))
        wait_for_backend(env.pg, database)
        with stopped(server_pids(env.pg)):
            code, _out, err, waited = _finish(proc)
    print(f"\n[client limit] bulk ended {waited:.1f} s after the server was stopped: "
          f"{err.strip()[-200:]}")
    assert code == 3, err
    assert "did not answer" in err or "stopped answering" in err
    assert "Traceback" not in err
    assert canvas_rows(prov, ids.good) == []
    assert not output.exists() or ids.good not in {
        int(line.split(",")[1]) for line in output.read_text().splitlines()[1:] if line}


def test_ctrl_q_ends_the_tui_while_a_worker_waits_for_a_stopped_server(env: Env,
                                                                      ids: DemoIds) -> None:
    """The worker would wait for minutes (its limits are set that long here): the operator's
    Ctrl+Q must not wait for it (nor for the interpreter's teardown)."""
    import contextlib
    import os
    import signal

    from tests.support.pty_app import F3, hostprov_quit_seconds

    config = env.write_config()
    # the worker's wait — the pooled connection's ping, bounded by the connect timeout's wall
    # clock, then the search — outlasts the hang guard by far
    environ = process_env(secret_env(HOSTPROV_DATABASE__STATEMENT_TIMEOUT_S="120",
                                     HOSTPROV_DATABASE__CONNECT_TIMEOUT_S="120"))
    pids: list[int] = []

    def stop_the_server() -> None:
        pids.extend(server_pids(env.pg))
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # a backend that ended meanwhile
                os.kill(pid, signal.SIGSTOP)

    try:  # Sessions (its rows read: a pooled connection), the server stops, a search waits
        seconds = hostprov_quit_seconds([str(HOSTPROV)], config, environ,
                                        [F3, lambda: time.sleep(3), stop_the_server,
                                         b"taqwa"], settle=1.5,
                                        guard=HANG_GUARD_S)
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
    print(f"\n[client limit] the TUI ended {seconds:.2f} s after Ctrl+Q, its search worker "
          "still waiting for the stopped server")
