"""(Superseded for the goal figures by tmux_probe.py, which reads a real terminal's screen from
outside: this probe reads bytes, so it stops at the first update that carries the texts, even a
partial one, and nothing answers the app's terminal queries. Kept for the wheel-install test.)

Time from spawn to what a terminal shows: the app runs on a pseudo-terminal (120×40), exactly
as an operator starts it, and the probe reads its output until given texts have been painted.

``first_frame``: the first complete screen. The Footer (its "palette" key) is the last line
Textual paints, so the frame is complete once it is there; for hostprov the database cards
("Checking…") must be there too. ``ready``: later texts (hostprov: both cards "● reachable",
i.e. the settings loaded in a worker and the first check done). The app is killed right after;
its teardown is never timed.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SIZE = (120, 40)
BARE_APP = Path(__file__).with_name("bare_app.py")


class ProbeUnavailable(RuntimeError):
    """No pseudo-terminal here, or the app ended or hung before painting."""


@dataclass(frozen=True)
class Startup:
    first_frame_s: float
    ready_s: float | None  # None when no "ready" texts were asked for


def _found(buffer: bytes, texts: Sequence[bytes], start: int = 0) -> bool:
    """Every text is in buffer[start:] (a repeated text must be there that many times)."""
    window = buffer[start:]
    return all(window.count(t) >= texts.count(t) for t in set(texts))


def measure(
    argv: Sequence[str], first: Sequence[bytes], ready: Sequence[bytes] = (), *,
    env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 60.0,
) -> Startup:
    """Spawn ``argv`` on a fresh pseudo-terminal and time the texts ``first``, then ``ready``."""
    try:
        master, slave = pty.openpty()
    except OSError as exc:
        raise ProbeUnavailable(f"no pseudo-terminal: {exc}") from None
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    child_env = {k: v for k, v in (env or os.environ).items() if k not in ("COLUMNS", "LINES")}
    child_env["TERM"] = "xterm-256color"
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=child_env,
                            cwd=cwd, start_new_session=True, close_fds=True)
    os.close(slave)
    buffer = b""
    first_at: float | None = None
    first_end = 0
    try:
        while time.perf_counter() - start < timeout:
            readable, _, _ = select.select([master], [], [], 0.2)
            if not readable:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the child closed the terminal
                break
            buffer += chunk
            now = time.perf_counter() - start
            if first_at is None and _found(buffer, first):
                first_at, first_end = now, len(buffer)
            if first_at is not None and (not ready or _found(buffer, ready, first_end)):
                return Startup(first_at, now if ready else None)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(master)
    tail = buffer[-300:].decode("utf-8", "replace")
    raise ProbeUnavailable(f"{Path(argv[-1]).name}: texts never painted within {timeout:g} s "
                           f"(exit {proc.returncode}); last output: {tail!r}")


def bare(python: str) -> Startup:
    return measure([python, str(BARE_APP)], [b"palette"])


def hostprov(command: Sequence[str], config: Path, env: dict[str, str]) -> Startup:
    """``hostprov --config CONFIG tui``: first frame with the cards, ready when both answered."""
    return measure([*command, "--config", str(config), "tui"], [b"Checking", b"palette"],
                   ["● reachable".encode(), "● reachable".encode()], env=env, cwd=config.parent)
