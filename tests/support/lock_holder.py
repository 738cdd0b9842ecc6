"""Another process holding a database lock, until told to let go.

    python -m tests.support.lock_holder sqlite PATH          (BEGIN IMMEDIATE: the write lock)
    python -m tests.support.lock_holder postgres CONNINFO SQL  (inside an open transaction)

Prints ``held`` once the lock is taken, then holds it until a line (or EOF) on stdin; then rolls
back and exits. :class:`LockHolder` runs it from a test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parent.parent.parent


class LockHolder:
    """``with LockHolder("sqlite", path):`` — the lock is held inside the block."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> LockHolder:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.lock_holder", *self.args], cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        assert line == "held", f"the lock holder did not take its lock: {line!r}"
        return self

    @property
    def holding(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.proc is not None
        try:
            self.proc.communicate("release\n", timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _hold_sqlite(path: str) -> None:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    _wait()
    conn.rollback()


def _hold_postgres(conninfo: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(conninfo, autocommit=False) as conn:
        conn.execute(sql)  # type: ignore[arg-type]
        _wait()
        conn.rollback()


def _wait() -> None:
    print("held", flush=True)
    sys.stdin.readline()


if __name__ == "__main__":
    kind, *rest = sys.argv[1:]
    if kind == "sqlite":
        _hold_sqlite(*rest)
    else:
        _hold_postgres(*rest)
