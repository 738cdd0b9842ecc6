"""Run a blocking call with a wall-clock limit, for drivers that may ignore their own timeout."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class TimedOut(Exception):
    """The call did not finish in time (it keeps running on a daemon thread)."""


def call_with_timeout(func: Callable[[], T], seconds: float) -> T:
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = func()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run, name="hostprov-timebox", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TimedOut(f"no answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
