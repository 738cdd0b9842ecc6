"""TUI start-up as the operator sees it: the app runs in a tmux pane of a fixed size (120×40) and
the probe reads the pane from outside (``tmux capture-pane -p``) until given texts are painted.

Unlike startup_probe.py (which reads the bytes the app writes to a bare pseudo-terminal), this
counts what a real terminal does: tmux answers the app's terminal queries, sends its size and
focus events, and shows a text only once it has parsed and drawn the app's output. The clock
starts before ``tmux new-session`` forks the app (a tmux server is already running, so its own
start-up is not counted) and stops at the first capture that shows the texts.

    python benchmarks/tmux_probe.py [RUNS]    bare app against itself (a quick check of the probe)
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SIZE = (120, 40)
BARE_APP = Path(__file__).with_name("bare_app.py")
POLL_S = 0.01

#: What a whole first frame shows. The texts alone are not enough: Textual paints a screen in
#: more than one update, and the dashboard's first update already has both "Checking…" and the
#: footer's "palette" but not yet the card borders or the header's icon (⭘); a probe that stops
#: there times a partial frame (the pseudo-terminal probe, startup_probe.py, did).
BARE_FRAME = ("⭘", "Bare app", "palette")
DASHBOARD_FRAME = ("⭘", "─ canvas ", "─ ksessions ", "Checking…", "Checking…", "palette")
READY = ("● reachable", "● reachable")


class TmuxUnavailable(RuntimeError):
    """No tmux here, or the app ended or hung before painting."""


@dataclass(frozen=True)
class Startup:
    first_frame_s: float
    ready_s: float | None  # None when no "ready" texts were asked for
    #: CPU seconds (user + system) the app's processes had used at those moments: less moved by
    #: the machine's load than wall time (None where /proc is not there)
    first_cpu_s: float | None = None
    ready_cpu_s: float | None = None


def _tree_cpu(pid: int) -> float | None:
    """CPU seconds used so far by ``pid`` and its descendants (Linux /proc), else None."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, todo = 0.0, [pid]
    try:
        while todo:
            p = todo.pop()
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError, IndexError):
        return None if total == 0 else total
    return total


def _painted(screen: str, texts: Sequence[str]) -> bool:
    """Every text is on the screen (a repeated text must be there that many times)."""
    return all(screen.count(t) >= texts.count(t) for t in set(texts))


class Tmux:
    """A private tmux server (its own socket, no user config) that runs one app at a time.

    The server's environment is ``env``: every pane inherits it, so nothing secret is put on a
    command line.
    """

    _servers = 0

    def __init__(self, env: dict[str, str] | None = None, term: str = "tmux-256color") -> None:
        if shutil.which("tmux") is None:
            raise TmuxUnavailable("tmux is not installed (scripts/setup-system.sh installs it)")
        Tmux._servers += 1  # a new socket each time: a server just killed may still be ending
        self.socket = f"hostprov-bench-{os.getpid()}-{Tmux._servers}"
        self.env = {k: v for k, v in (env or os.environ).items()
                    if k not in ("COLUMNS", "LINES", "TMUX", "TMUX_PANE")}
        self._runs = 0
        cols, rows = SIZE
        self._tmux("-f", "/dev/null", "new-session", "-d", "-s", "keep", "-x", str(cols),
                   "-y", str(rows), "sleep 86400")
        self._tmux("set-option", "-g", "default-terminal", term)
        self._tmux("set-option", "-g", "default-size", f"{cols}x{rows}")
        self._tmux("set-option", "-g", "status", "off")

    def _tmux(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["tmux", "-L", self.socket, *args], env=self.env,
                              capture_output=True, text=True, check=False, timeout=30)
        if check and proc.returncode != 0:
            raise TmuxUnavailable(f"tmux {args[0]} failed: {proc.stderr.strip()}")
        return proc.stdout

    def close(self) -> None:
        self._tmux("kill-server", check=False)

    def __enter__(self) -> Tmux:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def measure(self, argv: Sequence[str], first: Sequence[str], ready: Sequence[str] = (), *,
                cwd: Path | None = None, timeout: float = 60.0) -> Startup:
        """Run ``argv`` in a new pane; the times at which ``first``, then ``ready``, show."""
        self._runs += 1
        name = f"run{self._runs}"
        cols, rows = SIZE
        command = shlex.join(list(argv))
        start = time.perf_counter()
        self._tmux("new-session", "-d", "-s", name, "-x", str(cols), "-y", str(rows),
                   "-c", str(cwd or Path.cwd()), command)
        first_at: float | None = None
        first_cpu: float | None = None
        screen = ""
        pane = self._tmux("display-message", "-p", "-t", name, "#{pane_pid}", check=False)
        pid = int(pane) if pane.strip().isdigit() else None
        try:
            while time.perf_counter() - start < timeout:
                screen = self._tmux("capture-pane", "-p", "-t", name, check=False)
                now = time.perf_counter() - start
                if first_at is None and _painted(screen, first):
                    first_at = now
                    first_cpu = _tree_cpu(pid) if pid else None
                if first_at is not None and (not ready or _painted(screen, ready)):
                    cpu = (_tree_cpu(pid) if pid else None) if ready else None
                    return Startup(first_at, now if ready else None, first_cpu, cpu)
                time.sleep(POLL_S)
        finally:
            self._tmux("kill-session", "-t", name, check=False)
        tail = screen.strip()[-300:]
        raise TmuxUnavailable(f"{Path(argv[-1]).name}: texts never painted within {timeout:g} s;"
                              f" last screen: {tail!r}")

    def bare(self, python: str) -> Startup:
        """The floor: a bare Textual app (Header, Static, Footer), its whole first frame: the
        header's icon, the Static and the footer's key (Textual paints the footer last)."""
        return self.measure([python, str(BARE_APP)], BARE_FRAME)

    def hostprov(self, command: Sequence[str], config: Path) -> Startup:
        """``hostprov --config CONFIG tui``: first frame = the whole dashboard; ready = both
        cards "● reachable" (settings loaded, the first checks done)."""
        return self.measure([*command, "--config", str(config), "tui"], DASHBOARD_FRAME,
                            READY, cwd=config.parent)


if __name__ == "__main__":
    import statistics

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with Tmux() as tmux:
        times = [tmux.bare(sys.executable).first_frame_s for _ in range(runs)]
    print(f"bare app first frame in tmux: median {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}, {runs} runs)")
