"""Audit records as styled one-liners (level colours from the theme), in people's words: the
error codes a refusal carries in the file read as words here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

if TYPE_CHECKING:
    from hostprov_tui.services.audit import AuditRecord

LEVEL_STYLE = {"INFO": "$success", "WARNING": "$warning", "ERROR": "$error"}
#: The ``code`` of each typed error (hostprov_tui/errors.py), as the log names it.
ERROR_WORDS = {
    "bad_input": "bad input",
    "bad_config": "configuration",
    "database_unreachable": "database unreachable",
    "schema_missing": "schema missing",
    "refused": "a rule refused it",
    "not_found": "not found",
    "environment_guard": "environment guard",
    "concurrent_change": "changed meanwhile",
    "audit_unavailable": "audit file unavailable",
    "permission_refused": "permission refused",
    "database_busy": "database busy",
    "output_unavailable": "output file unavailable",
    "unexpected": "unexpected error",
}


def clock(record: AuditRecord, *, with_date: bool = False) -> str:
    """HH:MM:SS of the record (UTC), after its date with ``with_date``."""
    if len(record.time) < 19:
        return record.time
    return f"{record.time[:10]} {record.time[11:19]}" if with_date else record.time[11:19]


def detail(record: AuditRecord) -> str:
    text = record.ids()
    if record.message:
        text = f"{text} — {record.message}" if text else record.message
    if record.reason:
        words = ERROR_WORDS.get(record.reason) if record.outcome in ("refused", "failed") else None
        text += f" ({words})" if words else f" (reason: {record.reason})"
    return text


def audit_line(record: AuditRecord, *, with_date: bool = False) -> Content:
    from hostprov_tui.services.display_text import printable_record  # not before 1st frame

    record = printable_record(record)  # typed text can neither break the line nor escape
    style = LEVEL_STYLE.get(record.level, "$foreground")
    return Content.assemble(
        (f"{clock(record, with_date=with_date)} ", "$text-muted"),
        (f"{record.level:<7} ", f"bold {style}"),
        (f"{record.action} {record.outcome} ", style),
        (f"{record.operator} ", "$text-muted"),
        (detail(record), ""),
    )


def matches(record: AuditRecord, needle: str) -> bool:
    if not needle:
        return True
    hay = " ".join(
        [record.level, record.action, record.outcome, record.operator, detail(record),
         clock(record, with_date=True)]
    )
    return needle.casefold() in hay.casefold()
