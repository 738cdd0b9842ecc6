"""Turn driver exceptions into one sentence a person understands (never a raw driver dump)."""

from __future__ import annotations

import re

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from hostprov_tui.config.masking import mask_text
from hostprov_tui.db.urls import TargetUrl
from hostprov_tui.errors import ConcurrentChange, DatabaseUnavailable, HostprovError, SchemaMissing

_NOISE = re.compile(r"\[[^\]]*\]|\(\d+\)|\(SQL\w+\)|\s+")
_TIMEOUT_WORDS = ("timeout", "timed out", "canceling statement", "login timeout")
_MISSING_WORDS = ("no such table", "does not exist", "invalid object name", "undefinedtable",
                  "no such column", "invalid column name")


def driver_sentence(exc: BaseException) -> str:
    """The first line of the driver's message, without bracket codes, masked, shortened."""
    orig = getattr(exc, "orig", exc)
    raw = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    cleaned = _NOISE.sub(" ", raw).strip(" .;:")
    return mask_text(cleaned)[:240] or type(orig).__name__


def where(target: TargetUrl) -> str:
    host = target.url.host
    if target.backend == "sqlite":
        return f"SQLite file {target.sqlite_path}"
    port = f":{target.url.port}" if target.url.port else ""
    return f"{target.backend} on {host or 'localhost'}{port}/{target.database_name}"


def translate_db_error(exc: DBAPIError, target: TargetUrl) -> HostprovError:
    text = driver_sentence(exc)
    lowered = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, IntegrityError):
        return ConcurrentChange(
            f"The {target.name} database refused the write because another change to the same "
            f"session happened at the same moment ({text}).",
            hint="Nothing was saved. Run the same command again.",
        )
    if any(w in lowered for w in _MISSING_WORDS) or (
        isinstance(exc, ProgrammingError) and "permission" not in lowered
    ):
        return SchemaMissing(
            f"The {target.name} database ({where(target)}) lacks a table or column: {text}.",
            hint="Run `hostprov check` to see what is missing.",
        )
    if any(w in lowered for w in _TIMEOUT_WORDS):
        return DatabaseUnavailable(
            f"The {target.name} database ({where(target)}) did not answer in time: {text}.",
            hint="Check the server and network, or raise [database] connect_timeout_s.",
        )
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        return DatabaseUnavailable(
            f"The {target.name} database ({where(target)}) is unreachable: {text}.",
            hint="Check that the server is running and the URL, user and password are right.",
        )
    return DatabaseUnavailable(
        f"The {target.name} database ({where(target)}) failed: {text}.",
        hint="Run `hostprov check` for details.",
    )
