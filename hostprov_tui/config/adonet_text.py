"""Masking and rendering ADO.NET connection strings: no password ever leaves as text."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hostprov_tui.config.adonet import AdoNetConnection, ConnectionStringError, _Segment

MASK = "***"
QUOTES = frozenset({'"', "'"})


def password_values(segments: list[_Segment]) -> list[str]:
    return [s.value for s in segments if s.field_name == "password" and s.value]


def scrub_passwords(error: ConnectionStringError, segments: list[_Segment]) -> None:
    """Last line of defence: no password read so far may appear in the message."""
    message = str(error.args[0]) if error.args else ""
    for secret in sorted(password_values(segments), key=len, reverse=True):
        message = message.replace(secret, MASK)
    error.args = (message,)


def mask_passwords(text: str, segments: list[_Segment]) -> str:
    """``text`` with the value token of every (non-empty) password segment replaced by ``***``."""
    masked = text
    for segment in reversed(segments):
        if segment.field_name == "password" and segment.value:
            masked = masked[: segment.start] + MASK + masked[segment.end :]
    return masked


def strip_passwords(text: str, segments: list[_Segment]) -> str:
    """``text`` without its password segments (empty ones included)."""
    stripped = text
    for segment in reversed(segments):
        if segment.field_name == "password":
            stripped = stripped[: segment.segment_start] + stripped[segment.segment_end :]
    return stripped.strip().rstrip(";").rstrip()


def render_connection(connection: AdoNetConnection) -> str:
    """A connection string for a connection built in code rather than parsed."""
    server = connection.server_with_instance
    if connection.port is not None:
        server += f",{connection.port}"
    pairs: list[tuple[str, str | None]] = [
        ("Server", server),
        ("Database", connection.database),
        ("User Id", connection.user),
        ("Password", MASK if connection.password is not None else None),
        ("Integrated Security", "true" if connection.integrated_security else None),
        ("Encrypt", connection.encrypt),
        ("TrustServerCertificate", true_false(connection.trust_server_certificate)),
        ("Connection Timeout", str_or_none(connection.connect_timeout)),
        ("MultipleActiveResultSets", true_false(connection.multiple_active_result_sets)),
        ("Application Name", connection.application_name),
        *connection.extras.items(),
    ]
    return ";".join(f"{key}={quote_value(value)}" for key, value in pairs if value is not None)


def quote_value(value: str) -> str:
    if value == MASK:
        return value
    needs_quotes = (
        ";" in value or value != value.strip() or value[:1] in QUOTES or value[:1] == "{"
    )
    return '"' + value.replace('"', '""') + '"' if needs_quotes else value


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def true_false(flag: bool | None) -> str | None:
    return None if flag is None else str(flag).lower()


def str_or_none(number: int | None) -> str | None:
    return None if number is None else str(number)
