"""What the TUI tests share: waiting until the app has nothing left to do, recording the messages
that ran, and holding still what would make two screenshots differ."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import pytest
import time_machine
from sqlalchemy import event
from sqlalchemy.engine import Engine
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input

M = TypeVar("M", bound=Message)

#: The wall clock of a screenshot (the audit lines show its time of day).
FROZEN_AT = datetime(2025, 1, 6, 9, 30, 0, tzinfo=UTC)
#: What SQLite answers to ``sqlite_version()`` in a screenshot.
SQLITE_VERSION = "3.x"


#: The screens' debounce timers (Sessions' search, Provision's lookup, Audit's filter): each is
#: set while its timer runs and back to None when it fires.
DEBOUNCE_TIMERS = ("_debounce", "_lookup")


def _busy(app: App[Any]) -> bool:
    """True while the app has something left to do: a debounce timer that has not fired, a
    search under way, or a message waiting in any node's queue."""
    for screen in app.screen_stack:
        if any(getattr(screen, name, None) is not None for name in DEBOUNCE_TIMERS):
            return True
    if getattr(app.screen, "search_pending", False):
        return True
    nodes = [app, *app.screen.walk_children(with_self=True)]
    return any(node.message_queue_size or node._pending_message is not None for node in nodes)


async def settle(pilot: Pilot[int], *, typed: bool = False) -> None:
    """Wait for every worker and the messages they posted, for the animations under way (a
    scroll), and (after typing) for the debounce timers to fire and what they started to
    finish: a condition, not a fixed sleep. ``typed`` asks for one more quiet look, as a typed
    key's Changed bubbles up one node at a time."""
    quiet_needed = 2 if typed else 1
    quiet = 0
    for _ in range(400):  # bounded: a debounce timer may fire late on a busy machine
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()  # a scroll (Page Up) glides to its place
        if _busy(pilot.app):
            quiet = 0
            await pilot.pause(0.02)
            continue
        quiet += 1
        if quiet >= quiet_needed:
            return


async def palette_lists(pilot: Pilot[int], typed: str) -> None:
    """Wait until the open command palette has searched for ``typed`` (all of it) and lists
    its hits, so that Enter picks from the finished list, however slow the machine."""
    for _ in range(400):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        palette = pilot.app.screen
        if (isinstance(palette, CommandPalette)
                and palette.query_one(Input).value == typed
                and palette.query_one(CommandList).option_count > 0):
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the command palette never listed a hit for {typed!r}")


class MessageLog(Generic[M]):
    """A ``run_test(message_hook=…)`` that keeps every message of type ``kind`` (that ``keep``
    accepts) once, in the order they ran; a message that bubbles is seen by each node on its way,
    and kept only the first time."""

    def __init__(self, kind: type[M], keep: Callable[[M], bool] | None = None) -> None:
        self.kind = kind
        self.keep = keep
        self.messages: list[M] = []

    def __call__(self, message: Message) -> None:
        if not isinstance(message, self.kind) or any(m is message for m in self.messages):
            return
        if self.keep is None or self.keep(message):
            self.messages.append(message)

    def __len__(self) -> int:
        return len(self.messages)


def _fixed_sqlite_version(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("sqlite_version", 0, lambda: SQLITE_VERSION)


@contextmanager
def held_still(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What differs between two runs or two machines, held still: the wall clock stands at
    FROZEN_AT (audit times), every timed database round trip takes 0 ms (latencies), and SQLite
    names SQLITE_VERSION as its version. The databases and the code paths stay real."""
    monkeypatch.setattr(time, "perf_counter", lambda: 0.0)
    event.listen(Engine, "connect", _fixed_sqlite_version)
    try:
        with time_machine.travel(FROZEN_AT, tick=False):
            yield
    finally:
        event.remove(Engine, "connect", _fixed_sqlite_version)


def steady_cursors(pilot: Pilot[int]) -> None:
    """Stop the text cursors blinking, so a screenshot never catches one half-way."""
    for screen in pilot.app.screen_stack:
        for box in screen.query(Input):
            box.cursor_blink = False
