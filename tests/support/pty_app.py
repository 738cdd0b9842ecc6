"""Drive ``hostprov tui`` on a pseudo-terminal as an operator does, and time its Ctrl+Q.

The app runs on a fresh pty (120×40) in its own session; the driver waits until the given texts
are painted, then runs the steps — key strokes (bytes) or callables (e.g. stop the database
server) — with a pause after each, sends Ctrl+Q and returns the seconds until the process has
ended. Used by the tests (a hang guard, never a timed assert) and by the benchmark's quit step.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path

SIZE = (120, 40)
CTRL_Q = b"\x11"
F3 = b"\x1bOR"
Step = bytes | Callable[[], None]


class StillRunning(AssertionError):
    """The app did not end within the guard after Ctrl+Q (or never got ready)."""


def _drain(master: int, seconds: float, buffer: bytearray) -> None:
    end = time.perf_counter() + seconds
    while (left := end - time.perf_counter()) > 0:
        readable, _, _ = select.select([master], [], [], min(left, 0.05))
        if readable:
            try:
                buffer += os.read(master, 1 << 16)
            except OSError:
                return


def _painted(buffer: bytes, texts: Sequence[bytes]) -> bool:
    return all(buffer.count(t) >= texts.count(t) for t in set(texts))


def quit_seconds(
    argv: Sequence[str], ready: Sequence[bytes], steps: Sequence[Step] = (), *,
    pause: float = 0.3, settle: float = 1.0, env: dict[str, str] | None = None,
    cwd: Path | None = None, guard: float = 60.0,
) -> float:
    """Seconds from Ctrl+Q to the end of the process started with ``argv``."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    child_env = {k: v for k, v in (env or os.environ).items() if k not in ("COLUMNS", "LINES")}
    child_env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=child_env,
                            cwd=cwd, start_new_session=True, close_fds=True)
    os.close(slave)
    buffer = bytearray()
    try:
        started = time.perf_counter()
        while not _painted(bytes(buffer), ready):
            if time.perf_counter() - started > guard or proc.poll() is not None:
                raise StillRunning(f"never ready; last output {bytes(buffer[-300:])!r}")
            _drain(master, 0.1, buffer)
        for step in steps:
            if callable(step):
                step()
            else:
                os.write(master, step)
            _drain(master, pause, buffer)
        _drain(master, settle, buffer)
        os.write(master, CTRL_Q)
        quit_at = time.perf_counter()
        while proc.poll() is None:
            if time.perf_counter() - quit_at > guard:
                raise StillRunning(f"still running {guard:g} s after Ctrl+Q")
            _drain(master, 0.01, buffer)
        return time.perf_counter() - quit_at
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(master)


def hostprov_quit_seconds(command: Sequence[str], config: Path, env: dict[str, str],
                          steps: Sequence[Step] = (), **kwargs: object) -> float:
    """``hostprov --config CONFIG tui``, ready when both database cards have answered."""
    return quit_seconds([*command, "--config", str(config), "tui"],
                        ["● reachable".encode(), "● reachable".encode()], steps, env=env,
                        cwd=config.parent, **kwargs)  # type: ignore[arg-type]
