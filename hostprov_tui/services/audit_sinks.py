"""The loguru side of one audit log: its sinks, added with its first record.

loguru costs a command some 20 ms to import and set up (its multiprocessing and asyncio parts,
and every handler it builds), so an audit log imports it (without loguru's default stderr
handler) and adds the sinks asked for so far only when it writes its first record. A command
that records nothing (a search, ``audit --tail``) never loads it; one that does gets exactly the
sinks it would have had from the start.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loguru import Logger

#: How to add one sink to loguru's logger (returns loguru's handler id).
AddSink = Callable[["Logger"], int]


class LoguruSinks:
    """Sinks of one audit log (each known by a key of ours) and its bound logger."""

    def __init__(self, channel: str) -> None:
        self._channel = channel
        self._lock = threading.Lock()
        self._logger: Logger | None = None
        self._keys = itertools.count()
        self._wanted: dict[int, AddSink] = {}  # key -> how to add it
        self._handlers: dict[int, int] = {}  # key -> loguru's handler id, once added

    def add(self, add: AddSink) -> int:
        """A sink (its key for :meth:`remove`): added at once when loguru carries this log
        already, else with the first record."""
        with self._lock:
            key = next(self._keys)
            self._wanted[key] = add
            if self._logger is not None:
                self._handlers[key] = add(_import_logger())
            return key

    def wanted(self) -> frozenset[int]:
        """The keys of the sinks asked for and not removed (added to loguru or not yet)."""
        with self._lock:
            return frozenset(self._wanted)

    def bound(self) -> Logger:
        """loguru's logger bound to this log's channel, every sink added (the first call
        imports loguru)."""
        bound = self._logger
        if bound is not None:
            return bound
        with self._lock:
            if self._logger is None:
                logger = _import_logger()
                for key, add in self._wanted.items():
                    self._handlers[key] = add(logger)
                self._logger = logger.bind(hostprov_audit=self._channel)
            return self._logger

    def remove(self, key: int) -> None:
        with self._lock:
            self._wanted.pop(key, None)
            handler = self._handlers.pop(key, None)
        if handler is not None:
            _remove(handler)

    def close(self) -> None:
        with self._lock:
            handlers = list(self._handlers.values())
            self._handlers.clear()
            self._wanted.clear()
        for handler in handlers:
            _remove(handler)


_import_lock = threading.Lock()
_imported: list[Logger] = []  # loguru's logger, once this process has prepared it


def _import_logger() -> Logger:
    """loguru's logger without its default stderr handler, which would echo every record.

    hostprov importing loguru first imports it without that handler (``LOGURU_AUTOINIT``,
    loguru's own switch: building the handler costs as much as importing the rest); imported
    before by someone else, loguru has it as handler 0, removed once. The environment is left
    as it was."""
    with _import_lock:
        if not _imported:
            already = "loguru" in sys.modules
            before = os.environ.get("LOGURU_AUTOINIT")
            os.environ["LOGURU_AUTOINIT"] = "False"
            try:
                from loguru import logger
            finally:
                if before is None:
                    os.environ.pop("LOGURU_AUTOINIT", None)
                else:
                    os.environ["LOGURU_AUTOINIT"] = before
            if already:
                with contextlib.suppress(ValueError):  # already gone
                    logger.remove(0)
            _imported.append(logger)
        return _imported[0]


def _remove(handler: int) -> None:
    from loguru import logger

    with contextlib.suppress(ValueError):  # already gone
        logger.remove(handler)
