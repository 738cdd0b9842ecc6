"""The TUI's workers never keep the process alive, and quitting ends it at once.

Textual runs a thread worker in the event loop's default executor, and ``asyncio.run`` waits
for every thread of that executor before it returns: a worker blocked in a statement (a server
that stopped answering) would keep the process alive after Ctrl+Q, with the screen already
restored. :class:`DaemonExecutor` runs each call on a daemon thread and does not wait for them
at shutdown. Once the app has ended and its resources are closed (``on_unmount``: the audit
file, the database pools), :func:`end_process` ends the process without tearing the
interpreter down object by object (a second or more with the libraries loaded, for nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class DaemonExecutor(ThreadPoolExecutor):
    """Each call on its own daemon thread; ``shutdown`` never waits for one still running."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="hostprov-worker")

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to the awaiting worker, as the pool does
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=run, name="hostprov-worker", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None  # a worker blocked in a statement must not hold the process


def use_daemon_workers() -> None:
    """Make the running event loop's default executor a :class:`DaemonExecutor`."""
    asyncio.get_running_loop().set_default_executor(DaemonExecutor())


def end_process(code: int) -> None:
    """Flush what was written and end the process now (the app has closed what it opened)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed or broken: nothing to say
            stream.flush()
    os._exit(code)
