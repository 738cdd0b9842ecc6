"""Lines of the audit file: parsing one, and what is done with one longer than any record.

A line longer than MAX_LINE is not an audit record hostprov writes (something else wrote to the
file); readers skip it without holding or parsing it, keeping only its last MAX_LINE bytes,
where a record appended after the torn rest of something else would be (``glued``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hostprov_tui.services.audit import AuditRecord

#: A line longer than this is not an audit record hostprov writes: it is skipped unread (its
#: bytes are scanned for the newline that ends it, never kept or parsed), with a notice.
MAX_LINE = 1 << 20
_RECORD_START = b'{"time"'


def skipped_notice(count: int) -> str:
    """The sentence for over-long lines skipped in the audit file."""
    lines = "line" if count == 1 else "lines"
    return (f"{count} {lines} of the audit file longer than {MAX_LINE >> 20} MiB skipped: "
            "no audit record hostprov writes is that long (the file was written by something "
            "else); the records around it are shown.")


def parse_line(line: bytes) -> AuditRecord | None:
    """One JSON line as a record; None for anything else. A line glued to the torn rest of a
    record whose writer died keeps its own record (the last ``{"time"`` in it)."""
    text = line.strip()
    if not text or len(text) > MAX_LINE:
        return None
    candidates = [text]
    at = text.rfind(_RECORD_START)
    if at > 0:
        candidates.append(text[at:])
    for candidate in candidates:
        try:
            return AuditRecord(**json.loads(candidate.decode("utf-8", errors="replace")))
        except (ValueError, TypeError):
            continue
    return None


def glued(line: bytes) -> bytes:
    """The record at the end of an over-long line (a record appended after the torn rest of
    something else), within its last MAX_LINE bytes; empty when there is none."""
    end = line[-MAX_LINE:]
    start = end.rfind(_RECORD_START)
    return end[start:] if start >= 0 else b""


@dataclass(frozen=True)
class Overlong:
    """A line longer than MAX_LINE, skipped; ``glued`` is a record at its end, if any."""

    glued: bytes


class Backward:
    """One line read from its end towards its start, holding MAX_LINE bytes of it at most."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []  # its pieces, the last first
        self.seen = 0
        self.over = False

    @property
    def kept(self) -> int:
        return sum(len(p) for p in self.parts)

    def add(self, piece: bytes) -> None:
        self.seen += len(piece)
        if self.over:
            return
        if self.seen <= MAX_LINE:
            self.parts.append(piece)
            return
        self.over = True  # keep its end only: a record glued to it is there
        kept, total = [], 0
        for part in self.parts:
            if total + len(part) > MAX_LINE:
                break
            kept.append(part)
            total += len(part)
        self.parts = kept

    def done(self) -> bytes | Overlong:
        text = b"".join(reversed(self.parts))
        return Overlong(glued(text)) if self.over else text
