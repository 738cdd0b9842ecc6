"""Where time lives: every timestamp hostprov writes is naive UTC (``datetime2`` has no zone)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (the form the canvas columns hold)."""
    return datetime.now(UTC).replace(tzinfo=None)
