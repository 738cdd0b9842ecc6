"""A PostgreSQL backend, or the whole server, stopped with SIGSTOP (and always continued).

A stopped process answers nothing, and enforces nothing: not its statement_timeout, not its
lock_timeout, not a cancel request. The kernel still holds its sockets open, so the client
sees no error either — only silence. ``with stopped(pids):`` stops the processes inside the
block and sends SIGCONT on the way out, whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: a hang guard, not a performance limit
WAIT_S = 60.0


def backend_pids(pg: Any, database: str, *, waiting_on_lock: bool) -> list[int]:
    """The pids of hostprov's backends in ``database`` (those waiting on a lock, if asked)."""
    rows = pg.execute(
        "SELECT pid, wait_event_type FROM pg_stat_activity "
        "WHERE application_name = 'hostprov' AND datname = %s AND state <> 'idle'",
        params=(database,),
    ) or []
    return [int(pid) for pid, wait in rows if not waiting_on_lock or wait == "Lock"]


def wait_for_backend(pg: Any, database: str) -> int:
    """The pid of the hostprov backend that waits on a lock in ``database``, once there is one."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        pids = backend_pids(pg, database, waiting_on_lock=True)
        if pids:
            return pids[0]
        time.sleep(0.02)
    raise AssertionError("no hostprov backend came to wait on the lock")


def server_pids(pg: Any) -> list[int]:
    """The postmaster and every process it started (the whole server)."""
    master = int((Path(pg.data_dir) / "postmaster.pid").read_text().split("\n", 1)[0])
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(entry.name))
    return [master, *children]


@contextmanager
def stopped(pids: list[int]) -> Iterator[None]:
    try:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # a backend that ended meanwhile
                os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
