"""Audit records as styled one-liners (level colours from the theme)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

if TYPE_CHECKING:
    from hostprov_tui.services.audit import AuditRecord

LEVEL_STYLE = {"INFO": "$success", "WARNING": "$warning", "ERROR": "$error"}


def clock(record: AuditRecord) -> str:
    """HH:MM:SS of the record."""
    return record.time[11:19] if len(record.time) >= 19 else record.time


def detail(record: AuditRecord) -> str:
    text = record.ids()
    if record.message:
        text = f"{text} — {record.message}" if text else record.message
    if record.reason:
        text += f" (reason: {record.reason})"
    return text


def audit_line(record: AuditRecord) -> Content:
    from hostprov_tui.services.display_text import printable_record  # not before 1st frame

    record = printable_record(record)  # typed text can neither break the line nor escape
    style = LEVEL_STYLE.get(record.level, "$foreground")
    return Content.assemble(
        (f"{clock(record)} ", "$text-muted"),
        (f"{record.level:<7} ", f"bold {style}"),
        (f"{record.action} {record.outcome} ", style),
        (f"{record.operator} ", "$text-muted"),
        (detail(record), ""),
    )


def matches(record: AuditRecord, needle: str) -> bool:
    if not needle:
        return True
    hay = " ".join(
        [record.level, record.action, record.outcome, record.operator, detail(record)]
    )
    return needle.casefold() in hay.casefold()
