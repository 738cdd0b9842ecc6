"""No garbage collection while the TUI starts (as the CLI does while a command loads).

Start-up builds some hundred thousand objects that all stay alive: Textual, the screen's widgets
and style sheets before the first frame, then pydantic, SQLAlchemy and the services in the
worker. Each collection their allocations trigger walks them for nothing (some 30 ms of CPU
before the first frame, more until the cards' first check). ``hostprov tui`` holds collection
from before Textual is imported; once the start-up is over (the cards' first check ended, or
:data:`HOLD_AT_MOST_S` after the first frame, whichever comes first) the objects alive then are
frozen, left out of every later collection, and collection resumes.
"""

from __future__ import annotations

import gc
import threading

#: The longest collection stays off after the app has mounted (a check that never answers
#: must not keep it off).
HOLD_AT_MOST_S = 5.0

_lock = threading.Lock()
_held = False


def hold_collection() -> None:
    """Turn collection off until :func:`release_collection` (nothing if it is off already)."""
    global _held
    with _lock:
        if gc.isenabled():
            gc.disable()
            _held = True


def release_collection() -> None:
    """Freeze what start-up built and turn collection back on; only after
    :func:`hold_collection` (an app built without it, as in the tests, changes nothing)."""
    global _held
    with _lock:
        if not _held:
            return
        _held = False
        gc.freeze()
        gc.enable()


def collection_held() -> bool:
    return _held
