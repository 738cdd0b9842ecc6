"""Run the hostprov CLI in child processes, killed with SIGKILL at named moments of a bulk run.

    python -m tests.support.crash_cli        (a fork server: one JSON request per stdin line)

Importing hostprov, SQLAlchemy and the drivers takes about a second, so this process imports them
once and forks one child per request (nothing is opened before the fork: each child has its own
engines and connections). A request is ``{"point", "nth", "chunk", "slow", "args", "env",
"stderr"}``; the server answers ``pid N`` when the child starts and ``exit CODE`` when it ends
(a negative code is the signal that ended it).

The product carries no test hook: the child wraps a few of its functions from outside (the
chunk's writes, the GUID file's stage/settle, the engines' COMMIT event, the audit outcome) and,
at the Nth time POINT is reached, sends SIGKILL to itself — a real kill -9, at a known place.
POINT ``none`` kills nothing; the test may then kill the child itself at a random moment (SLOW
seconds of sleep at every point widen each window so such kills land in all of them). CHUNK sets
the IDs per chunk. Each point reached is appended to $CRASH_TRACE (one name a line).

Points, in the order a chunk meets them:

    before_write   the chunk's transaction is open and checked, nothing written
    after_write    its rows are written (uncommitted), their GUIDs nowhere else
    after_stage    the GUID file holds the chunk's rows as "pending" (fsynced)
    before_commit  the "pending" audit records are fsynced; COMMIT is about to be sent
    after_commit   COMMIT returned; no outcome recorded, rows still "pending"
    after_outcome  the "ok" records are written; the rows not yet marked "applied"
    after_mark     the rows are marked "applied" (or "dropped")

POINT ``line`` counts the lines executed in the modules of an issuance's write path
(LINE_MODULES: the run archive, the tokens generation's writes, issuance, bulk, the recorded
commit) and kills at the Nth; with N = 0 it kills nothing and writes the count to $CRASH_TRACE
("lines N") as it exits, so a test can aim at every line.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

POINTS = ("before_write", "after_write", "after_stage", "before_commit", "after_commit",
          "after_outcome", "after_mark")


#: The modules whose executed lines POINT "line" counts (the write path of an issuance).
LINE_MODULES = (
    "hostprov_tui.services.run_archive", "hostprov_tui.services.generations.tokens_runs",
    "hostprov_tui.services.generations.tokens", "hostprov_tui.services.issuance",
    "hostprov_tui.services.bulk", "hostprov_tui.services.recorded_commit",
)


class LineKiller:
    """SIGKILL at the Nth line executed in LINE_MODULES (0: never; the count is kept)."""

    def __init__(self, nth: int) -> None:
        import importlib

        self.nth = nth
        self.seen = 0
        self.files = {importlib.import_module(m).__file__ for m in LINE_MODULES}

    def trace(self, frame: Any, event: str, _arg: Any) -> Any:
        if frame.f_code.co_filename not in self.files:
            return None
        if event == "line":
            self.seen += 1
            if self.seen == self.nth:
                os.kill(os.getpid(), signal.SIGKILL)
        return self.trace

    def install(self) -> None:
        import threading

        sys.settrace(self.trace)
        threading.settrace(self.trace)


class Killer:
    def __init__(self, point: str, nth: int, slow: float) -> None:
        self.point = point
        self.nth = nth
        self.slow = slow
        self.seen: dict[str, int] = {}
        self.trace = os.environ.get("CRASH_TRACE")

    def reached(self, point: str) -> None:
        count = self.seen[point] = self.seen.get(point, 0) + 1
        if self.trace:
            with open(self.trace, "a", encoding="utf-8") as handle:
                handle.write(point + "\n")
        if point == self.point and count == self.nth:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.slow:
            time.sleep(self.slow)


def install(killer: Killer, chunk: int) -> None:
    from sqlalchemy import Engine, event

    from hostprov_tui.services import bulk, recorded_commit
    from hostprov_tui.services.bulk_journal import BulkJournal
    from hostprov_tui.services.generations.guid import GuidGeneration
    from hostprov_tui.services.generations.tokens import TokensGeneration

    bulk.CHUNK_SIZE = chunk
    for cls in (GuidGeneration, TokensGeneration):
        real_write: Callable[..., Any] = cls.write

        def write(self: Any, *args: Any, _real: Callable[..., Any] = real_write,
                  **kwargs: Any) -> Any:
            killer.reached("before_write")
            results = _real(self, *args, **kwargs)
            killer.reached("after_write")
            return results

        cls.write = write  # type: ignore[method-assign]

    real_stage: Callable[..., Any] = BulkJournal.stage
    real_settle: Callable[..., Any] = BulkJournal.settle

    def stage(self: BulkJournal, items: Any) -> Any:
        staged = real_stage(self, items)
        killer.reached("after_stage")
        return staged

    def settle(self: BulkJournal, staged: Any, *, committed: bool) -> None:
        if committed:
            killer.reached("after_outcome")
        real_settle(self, staged, committed=committed)
        killer.reached("after_mark")

    BulkJournal.stage = stage  # type: ignore[method-assign]
    BulkJournal.settle = settle  # type: ignore[method-assign]

    @event.listens_for(Engine, "commit")
    def before_commit(conn: Any) -> None:
        if conn.get_execution_options().get("hostprov_sqlite_immediate") or \
                conn.dialect.name != "sqlite":
            killer.reached("before_commit")

    real_settle_all = recorded_commit.settle_all

    def settle_all(audit: Any, pending: Any, outcome: str, *args: Any) -> None:
        if outcome == "ok" and pending:
            killer.reached("after_commit")
        real_settle_all(audit, pending, outcome, *args)

    recorded_commit.settle_all = settle_all  # type: ignore[assignment]


def _child(request: dict[str, Any]) -> None:
    """In the forked child: hooks, then the CLI; never returns."""
    null = os.open(os.devnull, os.O_RDWR)
    err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(err, 2)
    os.environ.update(request["env"])
    code = 1
    lines: LineKiller | None = None
    try:
        try:
            if request["point"] == "line":
                lines = LineKiller(request["nth"])
                lines.install()
            else:
                install(Killer(request["point"], request["nth"], request["slow"]),
                        request["chunk"])
        except Exception as exc:  # a hook that no longer fits the product: say which
            sys.stderr.write(f"crash_cli: cannot install the hooks: {exc!r}\n")
            raise SystemExit(99) from None
        from hostprov_tui.cli.main import main as cli_main

        sys.argv = ["hostprov", *request["args"]]
        cli_main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.settrace(None)
        if lines is not None and os.environ.get("CRASH_TRACE"):
            with open(os.environ["CRASH_TRACE"], "a", encoding="utf-8") as handle:
                handle.write(f"lines {lines.seen}\n")
        sys.stderr.flush()
        os._exit(code)


class CrashServer:
    """The test's side: starts the server, asks for runs, reads their pid and exit code."""

    def __init__(self, cwd: Path, environ: dict[str, str], hang_guard_s: float = 60) -> None:
        self.hang_guard_s = hang_guard_s
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.crash_cli"], cwd=cwd, env=environ,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        self._buffer = b""

    def start(self, point: str, nth: int, chunk: int, slow: float, args: list[str],
              env: dict[str, str], stderr: Path) -> int:
        """Fork a child running ``hostprov ARGS``; its pid."""
        request = {"point": point, "nth": nth, "chunk": chunk, "slow": slow, "args": args,
                   "env": env, "stderr": str(stderr)}
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()
        word, value = self._line().split()
        assert word == "pid", word
        return int(value)

    def wait(self) -> int:
        """The child's exit code (-9: killed by SIGKILL)."""
        word, value = self._line().split()
        assert word == "exit", word
        return int(value)

    def _line(self) -> str:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + self.hang_guard_s
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, left))
            if not ready:
                raise TimeoutError("a hostprov child hung")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise EOFError("the crash server ended")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=self.hang_guard_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def serve() -> None:
    # imported once, before any fork; nothing is connected or opened here
    import psycopg  # noqa: F401
    import sqlalchemy.dialects.postgresql.psycopg
    import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401

    import hostprov_tui.cli.bulk
    import hostprov_tui.cli.main
    import hostprov_tui.cli.ops_commands
    import hostprov_tui.config.settings
    import hostprov_tui.services.api
    import hostprov_tui.services.bulk
    import hostprov_tui.services.bulk_status
    import hostprov_tui.services.generations.tokens
    import hostprov_tui.services.run_archive  # noqa: F401

    for line in sys.stdin:
        request = json.loads(line)
        assert request["point"] in (*POINTS, "none", "line"), request
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    serve()
