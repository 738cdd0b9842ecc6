"""The audit follower against one over-long line (issue 17, item 12): a file of records with a
line of ``size`` bytes in the middle (something else wrote it), then the records of another
process behind it.

``tail``: the TUI's first read of the file's last 200 records, backwards from the end.
``follow``: how long, from the moment the follower is at the line's start, until the record
behind it is read (polls one after the other, as the follow thread does with a backlog).
Both should grow linearly with ``size`` (before the fix: quadratic tail, and one MiB per
half-second poll behind the line).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any


def _record(message: str) -> bytes:
    return (json.dumps({"time": "2030-01-01T00:00:00.000+00:00", "operator": "bench",
                        "environment": "development", "action": "check", "outcome": "ok",
                        "message": message}) + "\n").encode()


def build(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        for i in range(100):
            handle.write(_record(f"before {i}"))
        handle.write(b'{"time": "' + b"x" * size + b'"}\n')
        for i in range(3):
            handle.write(_record(f"after {i}"))


def measure(folder: Path, size: int) -> dict[str, Any]:
    from hostprov_tui.services.audit_follow import AuditFollower

    path = folder / f"audit-{size}.jsonl"
    build(path, size)
    follower = AuditFollower(path)
    started = time.perf_counter()
    records = follower.tail(200)
    tail_s = time.perf_counter() - started
    assert records[-1].message == "after 2", records[-1:]
    follower = AuditFollower(path)  # from the file's start: the line is in the way
    polls, started = 0, time.perf_counter()
    seen: list[str] = []
    while "after 2" not in seen:
        polls += 1
        seen += [r.message for r in follower.poll().records]
    follow_s = time.perf_counter() - started
    path.unlink()
    return {"tail_s": tail_s, "follow_s": follow_s, "polls": polls,
            "held": getattr(follower, "bytes_held", None)}
