"""`verify` without the GUID on the command line: `--guid -` (standard input) or a prompt that
does not echo. Whatever is on the command line, every user of the machine can read (ps,
/proc/PID/cmdline): the control test below shows it."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from tests.conftest import DemoIds, Env
from tests.support.cli_run import hostprov, process_env, secret_env

PROC = Path("/proc/self/cmdline").exists()
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _cmdline(pid: int) -> str:
    """What ps shows as the process's command line (read once it has been set by exec)."""
    deadline = time.monotonic() + 30
    while True:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"hostprov_tui" in raw or time.monotonic() > deadline:
            return raw.replace(b"\0", b" ").decode()
        time.sleep(0.001)


def _spawn(env: Env, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hostprov_tui", "--config", str(env.write_config()), *args],
        env=process_env(secret_env()), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )


def test_guid_from_standard_input(env: Env, prov: Provisioner, ids: DemoIds) -> None:
    guid = prov.issue(Target(ksessions_id=ids.good)).guid
    run = hostprov(env, "verify", "--guid", "-", "--json", "-q", stdin=f"{guid}\n")
    assert run.code == 0, run.output
    assert run.json()["status"] == "active"
    assert guid not in run.output
    empty = hostprov(env, "verify", "--guid", "-", "-q", stdin="")
    assert empty.code == 2 and "standard input, which was empty" in " ".join(empty.stderr.split())


def test_no_guid_and_no_terminal_is_a_sentence(env: Env) -> None:
    run = hostprov(env, "verify", "-q", stdin="")
    assert run.code == 2, run.output
    text = " ".join(run.stderr.split())
    assert "No Host GUID was given: use --guid - to read it from standard input" in text
    assert "other users of this machine can see it" in text


@pytest.mark.skipif(not PROC, reason="needs /proc to read another process's command line")
def test_the_guid_stays_off_the_command_line(env: Env, prov: Provisioner, ids: DemoIds) -> None:
    guid = prov.issue(Target(ksessions_id=ids.good)).guid
    # control: given as an option, any user can read it while the command runs
    visible = _spawn(env, "verify", "--guid", guid, "-q")
    try:
        assert guid in _cmdline(visible.pid)
    finally:
        visible.communicate(timeout=60)
    # through standard input: the running process's command line holds no GUID
    hidden = _spawn(env, "verify", "--guid", "-", "-q")
    try:
        seen = _cmdline(hidden.pid)
        assert "--guid -" in seen and guid not in seen
        out, err = hidden.communicate(f"{guid}\n", timeout=60)
    finally:
        if hidden.poll() is None:
            hidden.kill()
    assert hidden.returncode == 0, err
    assert out.startswith("ACTIVE") and guid not in out + err


def test_a_terminal_is_asked_without_echo(env: Env, prov: Provisioner, ids: DemoIds) -> None:
    guid = prov.issue(Target(ksessions_id=ids.good)).guid
    config = env.write_config()
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal on stdin, stdout and stderr
        os.execve(sys.executable, [sys.executable, "-m", "hostprov_tui", "--config",
                                   str(config), "-q", "verify"], process_env(secret_env()))
    screen = b""
    try:
        screen = _read_until(fd, b"Host GUID: ")
        os.write(fd, f"{guid}\n".encode())
        screen += _read_until(fd, None)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = screen.decode(errors="replace")
    assert "Host GUID: " in text
    assert guid not in text  # not echoed, not printed
    assert "ACTIVE" in text and os.waitstatus_to_exitcode(status) == 0


def _read_until(fd: int, marker: bytes | None, limit_s: float = 60) -> bytes:
    """What the terminal shows, until ``marker`` (or the end, when None)."""
    got = b""
    deadline = time.monotonic() + limit_s
    while marker is None or marker not in got:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError(f"no {marker!r} on the terminal: {got!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        got += chunk
    return got
