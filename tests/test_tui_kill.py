"""The real TUI in a real terminal (a pty) over its bulk results: Ctrl+Q asks first (the app
and the file that keeps the run's GUIDs stay), and after a kill -9 that file is still on disk,
every row marked applied, and `bulk status` finds each GUID in force. (Every answer to the
Ctrl+Q question is tested with Pilot in test_tui_bulk.py.)"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.bulk_journal import read_journal
from hostprov_tui.tui.screens.sessions import SessionsScreen
from tests.conftest import DemoIds, Env
from tests.support.cli_run import process_env, secret_env

pty = pytest.importorskip("pty")  # POSIX only: a real terminal for the real app
pytestmark = [pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
              pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]

ESC = b"\x1b"
F_KEYS = {"f3": b"\x1bOR"}


def terminal_bytes(key: str) -> bytes:
    """What a terminal sends for a Textual key name (the few this test needs)."""
    if key in F_KEYS:
        return F_KEYS[key]
    modifier, _, letter = key.partition("+")
    if modifier == "ctrl" and len(letter) == 1 and letter.isalpha():
        return bytes([ord(letter.lower()) - 96])
    raise AssertionError(f"no terminal bytes known for {key!r}")


def bulk_key() -> bytes:
    """The key the Sessions screen binds to the bulk issue, whatever it is now."""
    found = [b.key for b in SessionsScreen.BINDINGS
             if not isinstance(b, tuple) and b.action == "issue_marked"]
    assert found, "the Sessions screen binds no key to issue_marked"
    return terminal_bytes(found[0].split(",")[0])


class Terminal:
    """The child's terminal: what it drew, and keys typed with a pause after each."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.seen = b""

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.seen += chunk

    def wait_for(self, marker: bytes, limit_s: float = 60) -> None:
        deadline = time.monotonic() + limit_s
        while marker not in self.seen:
            if time.monotonic() > deadline:
                text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]", b"", self.seen)
                raise TimeoutError(f"{marker!r} never appeared on the terminal: "
                                   f"{text[-3000:].decode(errors='replace')}")
            self.drain(0.2)

    def type(self, data: bytes, pause: float = 0.6) -> None:
        os.write(self.fd, data)
        self.drain(pause)


def _journal(folder: Path) -> Path | None:
    found = sorted(folder.glob("host-guids-*.csv"))
    return found[0] if found else None


def test_kill_9_over_the_bulk_results_leaves_the_guid_file(
    env: Env, prov: Provisioner, ids: DemoIds
) -> None:
    config = env.write_config()
    environ = process_env(secret_env(TERM="xterm-256color", COLUMNS="120", LINES="36"))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app in a terminal of its own (never back into pytest)
        try:
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
            os.execve(sys.executable, [sys.executable, "-m", "hostprov_tui", "--config",
                                       str(config), "tui"], environ)
        finally:
            os._exit(127)
    term = Terminal(fd)
    try:
        term.wait_for(b"Dashboard")
        term.drain(2.0)  # the settings load after the first frame
        term.type(terminal_bytes("f3"), 1.0)
        term.wait_for(b" sessions in the catalogue")
        for marked, ks_id in enumerate((ids.good, ids.good2), start=1):
            term.type(b"/", 0.5)  # the search box, its text selected
            term.seen = b""
            term.type(str(ks_id).encode(), 0.5)  # replaces it; the search is debounced
            term.wait_for(f"for “{ks_id}”".encode())
            term.type(ESC, 1.0)  # to the results (the one row)
            term.seen = b""
            term.type(b" ", 0.5)  # mark it
            term.wait_for(f"{marked} marked".encode())
        term.type(bulk_key(), 1.0)
        term.wait_for(b"Issue for 2 marked sessions", 30)
        term.type(b"\r", 1.0)  # nothing was active: Issue has the focus
        term.wait_for(b"results", 60)
        path = _journal(env.audit_path.parent)
        assert path is not None, "the run saved no GUID file"
        rows, torn = read_journal(path)
        assert len(rows) == 2 and {r.state for r in rows} == {"applied"} and torn == 0
        term.type(terminal_bytes("ctrl+q"), 2.0)  # asks first: the app stays, so does the file
        term.wait_for(b"Quit without saving", 30)
        term.type(b"\r", 1.0)  # Enter: Stay
        assert os.waitpid(pid, os.WNOHANG) == (0, 0) and path.exists()
    finally:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert path.exists()  # nothing removed it: the GUIDs are not lost
    assert (path.stat().st_mode & 0o777) == 0o600
    report = prov.bulk_status(path)
    assert report.in_force == 2 and report.complete
    assert {r.ksessions_id for r in report.rows} == {ids.good, ids.good2}
