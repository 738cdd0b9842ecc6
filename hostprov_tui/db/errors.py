"""Turn driver exceptions into one sentence a person understands (never a raw driver dump).

The SQLSTATE decides when the driver gives one (psycopg: ``sqlstate``; pyodbc: ``args[0]``);
words decide otherwise (SQLite, and connection failures that carry no SQLSTATE).
"""

from __future__ import annotations

import re

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from hostprov_tui.config.masking import mask_text
from hostprov_tui.db.urls import TargetUrl
from hostprov_tui.errors import ConcurrentChange, DatabaseUnavailable, HostprovError, SchemaMissing

_NOISE = re.compile(r"\[[^\]]*\]|\(\d+\)|\(SQL\w+\)|\s+")
_SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")
_TIMEOUT_WORDS = ("timeout", "timed out", "canceling statement", "login timeout")
_MISSING = re.compile(
    r"no such (table|column)|invalid (object|column) name|"
    r"(relation|column|table|schema) \S+( of relation \S+)? does not exist",
    re.IGNORECASE,
)
_BUSY_WORDS = ("database is locked", "lock request time out", "deadlock")
#: Another transaction holds what we need: lock timeout, deadlock, serialisation failure.
_CONTENTION_STATES = {"55P03", "40P01", "40001"}
#: The server answered but the statement ran out of time (or the login did).
_TIMEOUT_STATES = {"HYT00", "HYT01", "57014"}
#: The schema lacks a table, column or schema (PostgreSQL, ODBC).
_MISSING_STATES = {"42P01", "42703", "3F000", "42S02", "42S22"}
#: The login may not do this: insufficient privilege, read-only transaction.
_DENIED_STATES = {"42501", "25006"}


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a driver error, if the driver reports one."""
    orig = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str) and state:
        return state
    args = getattr(orig, "args", ())
    if len(args) >= 2 and isinstance(args[0], str) and _SQLSTATE.match(args[0]):
        return args[0]
    return None


def _raw_message(orig: BaseException) -> str:
    args = getattr(orig, "args", ())
    if len(args) >= 2 and isinstance(args[0], str) and _SQLSTATE.match(args[0]):
        return str(args[1])  # pyodbc: (sqlstate, message)
    return str(orig)


def driver_sentence(exc: BaseException) -> str:
    """The first line of the driver's message, without bracket codes, masked, shortened."""
    orig = getattr(exc, "orig", exc)
    text = _raw_message(orig).strip()
    raw = text.splitlines()[0] if text else type(orig).__name__
    cleaned = _NOISE.sub(" ", raw).strip(" .;:")
    return mask_text(cleaned)[:240] or type(orig).__name__


def where(target: TargetUrl) -> str:
    host = target.url.host
    if target.backend == "sqlite":
        return f"SQLite file {target.sqlite_path}"
    port = f":{target.url.port}" if target.url.port else ""
    return f"{target.backend} on {host or 'localhost'}{port}/{target.database_name}"


def did_not_answer(target: TargetUrl, limit_s: float) -> DatabaseUnavailable:
    """The wall clock ran out (the driver's own timeout did not fire)."""
    return DatabaseUnavailable(
        f"The {target.name} database ({where(target)}) did not answer within {limit_s:g} s.",
        hint="Check the server and network; the limit is [database] connect_timeout_s.",
    )


def _busy(target: TargetUrl, text: str) -> ConcurrentChange:
    return ConcurrentChange(
        f"Another operator is changing the same session in the {target.name} database right "
        f"now, so this change waited and gave up ({text}).",
        hint="Nothing was saved. Try again in a moment.",
    )


def _unreachable(target: TargetUrl, text: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"The {target.name} database ({where(target)}) is unreachable: {text}.",
        hint="Check that the server is running and the URL, user and password are right.",
    )


def _too_slow(target: TargetUrl, text: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"The {target.name} database ({where(target)}) did not answer in time: {text}.",
        hint="Check the server and network, or raise [database] connect_timeout_s.",
    )


def _missing(target: TargetUrl, text: str) -> SchemaMissing:
    return SchemaMissing(
        f"The {target.name} database ({where(target)}) lacks a table or column: {text}.",
        hint="Run `hostprov check` to see what is missing.",
    )


def _denied(target: TargetUrl, text: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"The {target.name} database ({where(target)}) refused: the login may not do this "
        f"({text}).",
        hint="Grant the login the rights hostprov needs (read on KSESSIONS; read and write on "
        "canvas.Sessions and canvas.HostSessions).",
    )


def _by_state(state: str, target: TargetUrl, text: str) -> HostprovError | None:
    if state in _CONTENTION_STATES:
        return _busy(target, text)
    if state in _TIMEOUT_STATES:
        return _too_slow(target, text)
    if state in _MISSING_STATES:
        return _missing(target, text)
    if state in _DENIED_STATES:
        return _denied(target, text)
    if state.startswith("08") or state.startswith("57P") or state == "3D000":
        return _unreachable(target, text)  # connection, shutdown, no such database
    if state.startswith("28"):
        return DatabaseUnavailable(
            f"The {target.name} database ({where(target)}) refused the login: {text}.",
            hint=f"Check the user in the URL and HOSTPROV_{target.name.upper()}__PASSWORD "
            "(or the password file).",
        )
    return None


def translate_db_error(exc: DBAPIError, target: TargetUrl) -> HostprovError:
    text = driver_sentence(exc)
    lowered = _raw_message(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, IntegrityError):
        return ConcurrentChange(
            f"The {target.name} database refused the write because another change to the same "
            f"session happened at the same moment ({text}).",
            hint="Nothing was saved. Try again: the command is safe to repeat.",
        )
    state = sqlstate(exc)
    if state is not None:
        found = _by_state(state, target, text)
        if found is not None:
            return found
    if exc.connection_invalidated:
        return _unreachable(target, text)
    if any(w in lowered for w in _BUSY_WORDS):
        return _busy(target, text)
    if _MISSING.search(lowered):
        return _missing(target, text)
    if "permission denied" in lowered or "read-only" in lowered or "readonly" in lowered:
        return _denied(target, text)
    if any(w in lowered for w in _TIMEOUT_WORDS):
        return _too_slow(target, text)
    if isinstance(exc, OperationalError):
        return _unreachable(target, text)
    if isinstance(exc, ProgrammingError):
        return _missing(target, text)
    return DatabaseUnavailable(
        f"The {target.name} database ({where(target)}) failed: {text}.",
        hint="Run `hostprov check` for details.",
    )
